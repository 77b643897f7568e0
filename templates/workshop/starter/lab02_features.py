"""Lab 2, features without leakage: a feature from the past only.

Your task: `past_mean` below answers, for every row, the average of `value` over the *same
entity's earlier rows*: what the service can know when that row arrives. The first draft is
the one most people write first, and it leaks. Find out how (labs/02-features.md), fix it,
and run `make check LAB=2`.
"""

from __future__ import annotations

import pandas as pd


def past_mean(frame: pd.DataFrame, entity: list[str], value: str) -> pd.Series:
    """For each row of `frame` (in time order), the mean of `value` over the earlier rows with
    the same `entity` columns; missing (NaN) where there is no earlier row.

    Returns a float Series with `frame`'s index. `frame` is not changed.
    """
    # TODO(lab 2): this average sees every row of the entity, the row itself included.
    return frame.groupby(entity)[value].transform("mean")
