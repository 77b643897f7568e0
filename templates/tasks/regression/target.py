"""The target of a regression task: a number per row, how it is described, and how rows are
split at random.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .settings import LabelSettings

# Fewer rows than this in the training or validation part and there is nothing to learn
# from, or to stop early and fit the interval on.
MIN_ROWS_PER_PART = 20


def labels(target: pd.Series, settings: LabelSettings) -> np.ndarray:
    """The target as float64 (NaN where it is missing)."""
    return pd.to_numeric(target, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def describe_target(y: np.ndarray) -> str:
    """The target in a few words, for people reading a command's output."""
    return f"mean {float(np.nanmean(y)):,.2f}, median {float(np.nanmedian(y)):,.2f}"


def target_counts(y: np.ndarray) -> dict[str, int]:
    """Counts worth recording with the rows a model trained or was judged on: none."""
    return {}


def rows_note(y: np.ndarray) -> str:
    """What to say after a number of rows: nothing."""
    return ""


def too_few_to_fit(y: np.ndarray, target: str) -> str | None:
    """Why the rows of these targets cannot train (or stop) a model, or None when they can."""
    if len(y) < MIN_ROWS_PER_PART:
        return f"hold {len(y)} row(s); at least {MIN_ROWS_PER_PART} are needed"
    return None


def too_few_to_judge(y: np.ndarray) -> str | None:
    """Why these held-out targets cannot judge a model, or None when they can: any will do."""
    return None


def split_at_random(
    y: np.ndarray, validation_share: float, test_share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row positions of train, validation and test, drawn at random."""
    n_rows = len(y)
    n_test = int(round(n_rows * test_share))
    n_validation = int(round(n_rows * validation_share))
    order = rng.permutation(n_rows)
    return (
        np.sort(order[n_test + n_validation :]),
        np.sort(order[n_test : n_test + n_validation]),
        np.sort(order[:n_test]),
    )
