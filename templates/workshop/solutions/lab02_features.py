"""Lab 2, features without leakage: a feature from the past only (reference solution).

`past_mean` answers, for every row, the average of `value` over the *same entity's earlier
rows*: what the service can know when that row arrives. The sum and count of the rows before
this one are running totals minus the row itself, so the row's own value and every later row
stay out, in one pass and without a Python loop.
"""

from __future__ import annotations

import pandas as pd


def past_mean(frame: pd.DataFrame, entity: list[str], value: str) -> pd.Series:
    """For each row of `frame` (in time order), the mean of `value` over the earlier rows with
    the same `entity` columns; missing (NaN) where there is no earlier row.

    Returns a float Series with `frame`'s index. `frame` is not changed.
    """
    values = frame[value].astype(float)
    groups = values.groupby([frame[column] for column in entity], sort=False)
    earlier_sum = groups.cumsum() - values  # running total, this row taken out again
    earlier_count = groups.cumcount()  # 0 for an entity's first row
    return (earlier_sum / earlier_count).where(earlier_count > 0)
