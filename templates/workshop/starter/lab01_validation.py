"""Lab 1, data: a range rule of the schema.

Your task: `range_violations` below counts, for every numeric column of the schema
(config/pipeline.yaml, `data.columns`) that declares a `min` or a `max`, the values outside
them. The draft misses some. Find which (labs/01-data.md), fix it, and run `make check LAB=1`.
"""

from __future__ import annotations

import pandas as pd

from {{ package_name }}.config import ColumnSpec


def range_violations(frame: pd.DataFrame, columns: dict[str, ColumnSpec]) -> dict[str, int]:
    """The number of values outside the declared range, per numeric column of `columns`
    (type `int` or `float`) present in `frame`; columns with none are left out.

    Missing values are not out of range: whether a column may be empty is another rule
    (`nullable`).
    """
    counts = {}
    for name, spec in columns.items():
        if spec.type not in ("int", "float") or name not in frame.columns:
            continue
        # TODO(lab 1): is a value too large the only way to be out of range?
        if spec.max is not None:
            outside = int((frame[name] > spec.max).sum())
            if outside:
                counts[name] = outside
    return counts
