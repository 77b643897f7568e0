"""Lab 1, data: a range rule of the schema (reference solution).

`range_violations` counts, for every numeric column of the schema (config/pipeline.yaml,
`data.columns`) that declares a `min` or a `max`, the values outside them: below the minimum
as well as above the maximum. A missing value compares as false with both bounds, so it is
never counted; whether a column may be empty is the `nullable` rule's business.
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
        values = pd.to_numeric(frame[name], errors="coerce")
        outside = pd.Series(False, index=frame.index)
        if spec.min is not None:
            outside |= values < spec.min
        if spec.max is not None:
            outside |= values > spec.max
        if outside.any():
            counts[name] = int(outside.sum())
    return counts
