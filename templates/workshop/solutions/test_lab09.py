"""Lab 9, CI: a test that can fail (reference solution).

`past_mean` is given to the test as a pytest fixture: the checkpoint runs these tests against
a correct `past_mean` (they must pass) and against leaky ones (each must fail at least one).
A feature is past-only when three things hold, and each test pins one: its values are the
averages of the entity's earlier rows, worked out by hand; the row's own value changes
nothing of its feature; and later rows change nothing before them.

`past_mean(frame, entity, value)`: for each row of `frame` (in time order), the mean of
`value` over the earlier rows with the same `entity` columns, NaN where there is none; a float
Series with `frame`'s index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _rows() -> pd.DataFrame:
    """Two entities whose rows interleave, in time order."""
    return pd.DataFrame(
        {
            "entity": ["a", "b", "a", "a", "b", "a"],
            "value": [10.0, 100.0, 20.0, 60.0, 300.0, 2.0],
        }
    )


def test_values_are_the_mean_of_earlier_rows(past_mean):
    feature = past_mean(_rows(), ["entity"], "value")
    # a: nothing yet, 10, mean(10, 20), mean(10, 20, 60); b: nothing yet, 100.
    expected = [np.nan, np.nan, 10.0, 15.0, 100.0, 30.0]
    np.testing.assert_allclose(feature.to_numpy(dtype=float), expected)


def test_the_row_itself_does_not_count(past_mean):
    rows = _rows()
    changed = rows.copy()
    changed.loc[3, "value"] = 1_000_000.0
    before = past_mean(rows, ["entity"], "value")
    after = past_mean(changed, ["entity"], "value")
    assert after[3] == before[3]


def test_later_rows_change_nothing_before_them(past_mean):
    rows = _rows()
    feature = past_mean(rows, ["entity"], "value")
    for cut in range(1, len(rows)):
        earlier = past_mean(rows.head(cut), ["entity"], "value")
        np.testing.assert_allclose(
            earlier.to_numpy(dtype=float), feature.head(cut).to_numpy(dtype=float)
        )
