"""Lab 6, serving: one row of the data file as the JSON body the service takes.

Your task: `to_request` below turns one row, as the project reads the data file, into the
body of a POST /predict request. The first draft is the one most people write first: the
service answers it with 400, and for a good reason. Find out which (labs/06-serving.md), fix
it, and run `make check LAB=6`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from {{ package_name }}.config import Config


def to_request(row: pd.Series, config: Config) -> dict[str, Any]:
    """The JSON body of POST /predict for `row` (one row of the data file, typed as
    `load_dataset` reads it; it may hold columns the schema does not declare).

    Only the declared columns the service takes, the target and the columns known only after
    the outcome (`config.data`) left out; plain JSON values: numbers, text, times as ISO 8601
    text, and null for a missing value. `row` is not changed.
    """
    # TODO(lab 6): the whole row, as it is: what is in it that the service must not get?
    return row.to_dict()
