"""Lab 9, CI: a test that can fail.

Your task: write the test that would have caught lab 2's leak. `past_mean` is given to the
test as a pytest fixture: the checkpoint runs your test against a correct `past_mean` (it must
pass) and against leaky ones (it must fail each of them). The first draft below passes them
all. Find out why that is worthless (labs/09-ci.md), make it strict, and run
`make check LAB=9`.

`past_mean(frame, entity, value)`: for each row of `frame` (in time order), the mean of
`value` over the earlier rows with the same `entity` columns, NaN where there is none; a float
Series with `frame`'s index.
"""

from __future__ import annotations

import pandas as pd


def test_past_mean(past_mean):
    frame = pd.DataFrame(
        {
            "entity": ["a", "b", "a", "a", "b"],
            "value": [10.0, 100.0, 20.0, 60.0, 300.0],
        }
    )
    feature = past_mean(frame, ["entity"], "value")
    # TODO(lab 9): which past_mean, leaky or not, would fail this?
    assert len(feature) == len(frame)
