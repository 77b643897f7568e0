"""The target of a binary task: 0/1 labels, how they are described, and how rows are split
at random without losing the rare positive class from any part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .settings import LabelSettings

# Fewer positive rows than this in the training or validation part and there is nothing to
# learn from, or to stop early and choose a threshold on.
MIN_POSITIVES_PER_PART = 5


def labels(target: pd.Series, settings: LabelSettings) -> np.ndarray:
    """The target as 0/1: 1 where it equals the configured positive label.

    A numeric label is compared as a number, so that a 0/1 target stored as 1.0/0.0 (as
    a spreadsheet or a float column writes it) still finds its positives.
    """
    positive = settings.positive_label
    try:
        number = float(positive)
    except ValueError:
        number = None
    values = pd.to_numeric(target, errors="coerce") if number is not None else None
    if values is not None and values.notna().eq(target.notna()).all():
        return (values == number).to_numpy(dtype=np.int8)
    return (target.astype("string") == str(positive)).to_numpy(dtype=np.int8)


def describe_target(y: np.ndarray) -> str:
    """The target in a few words, for people reading a command's output."""
    return f"positive rate {float(np.mean(y)):.2%}"


def target_counts(y: np.ndarray) -> dict[str, int]:
    """Counts worth recording with the rows a model trained or was judged on."""
    return {"positives": int(y.sum())}


def rows_note(y: np.ndarray) -> str:
    """What to say after a number of rows: how many of them are positive."""
    return f" ({int(y.sum()):,} positive)"


def too_few_to_fit(y: np.ndarray, target: str) -> str | None:
    """Why the rows of these labels cannot train (or stop) a model, or None when they can."""
    positives = int(y.sum())
    if positives < MIN_POSITIVES_PER_PART:
        return (
            f"hold {positives} positive example(s) of '{target}'; at least "
            f"{MIN_POSITIVES_PER_PART} are needed"
        )
    return None


def too_few_to_judge(y: np.ndarray) -> str | None:
    """Why these held-out labels cannot judge a model, or None when they can."""
    return "hold no positive example" if y.sum() == 0 else None


def split_at_random(
    y: np.ndarray, validation_share: float, test_share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row positions of train, validation and test, drawn at random within each class (a
    stratified split): every part keeps the positive rate of the whole."""
    parts: list[list[np.ndarray]] = [[], [], []]
    for value in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == value))
        cut_test = int(round(len(rows) * test_share))
        cut_validation = cut_test + int(round(len(rows) * validation_share))
        parts[2].append(rows[:cut_test])
        parts[1].append(rows[cut_test:cut_validation])
        parts[0].append(rows[cut_validation:])
    train, validation, test = (np.sort(np.concatenate(part)) for part in parts)
    return train, validation, test
