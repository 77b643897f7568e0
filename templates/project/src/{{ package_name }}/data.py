"""Reading datasets, ordering them in time and splitting them without looking ahead.

Every CSV enters through `load_dataset`, which reads all cells as text, applies the declared
missing-value codes and validates the declared schema, so that a malformed file stops here
with a message instead of deep inside training.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import Config, UserError
from .schema import DataValidationError, Violation, validate_frame


class DataFileError(UserError, ValueError):
    """The file is missing, empty or not a readable CSV."""


def read_csv_text(path: Path, missing_values: list[str]) -> pd.DataFrame:
    """Read a CSV with every cell as text (typing is the schema's job)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"data file not found: {path}")
    try:
        return pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=["", *missing_values],
            compression="infer",
        )
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as error:
        raise DataFileError(f"{path} is not a well-formed CSV: {error}") from None


def load_dataset(
    config: Config, path: Path | None = None, *, require_target: bool = True
) -> pd.DataFrame:
    """Read, validate and time-order a dataset described by `config.data`."""
    data = config.data
    path = config.path(data.path) if path is None else Path(path)
    frame = validate_frame(
        read_csv_text(path, data.missing_values),
        data.columns,
        source=str(path),
        skip=() if require_target else (data.target,),
    )
    if data.id_column is not None:
        duplicated = frame[data.id_column].duplicated()
        if duplicated.any():
            example = repr(frame.loc[duplicated, data.id_column].iloc[0])
            raise DataValidationError(
                str(path),
                [Violation(data.id_column, "duplicate id", int(duplicated.sum()), example)],
            )
    return time_ordered(frame, config)


def time_ordered(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Rows sorted by the time column (stable, so ties keep file order), index reset."""
    if config.data.time_column is not None:
        frame = frame.sort_values(config.data.time_column, kind="stable")
    return frame.reset_index(drop=True)


def labels(frame: pd.DataFrame, config: Config) -> np.ndarray:
    """The target as 0/1: 1 where it equals the configured positive label."""
    target = frame[config.data.target].astype("string")
    return (target == str(config.data.positive_label)).to_numpy(dtype=np.int8)


@dataclass(frozen=True)
class Split:
    """Row positions of the train, validation and test parts."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def split_rows(y: np.ndarray, config: Config) -> Split:
    """Split time-ordered rows as `config.split` says (see SplitConfig)."""
    n_rows = len(y)
    n_test = int(round(n_rows * config.split.test_fraction))
    n_validation = int(round(n_rows * config.split.validation_fraction))
    n_train = n_rows - n_test - n_validation
    if min(n_train, n_validation, n_test) < 1:
        raise DataFileError(f"{n_rows} rows are too few to split into train, validation and test")
    if config.split.method == "time":
        positions = np.arange(n_rows)
        return Split(
            positions[:n_train],
            positions[n_train : n_train + n_validation],
            positions[n_train + n_validation :],
        )
    rng = np.random.default_rng(config.training.seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for value in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == value))
        cut_test = int(round(len(rows) * config.split.test_fraction))
        cut_validation = cut_test + int(round(len(rows) * config.split.validation_fraction))
        parts[2].append(rows[:cut_test])
        parts[1].append(rows[cut_test:cut_validation])
        parts[0].append(rows[cut_validation:])
    return Split(*(np.sort(np.concatenate(part)) for part in parts))


def fingerprint(path: Path) -> str:
    """SHA-256 of a file's bytes: the data lineage recorded with every model version."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
