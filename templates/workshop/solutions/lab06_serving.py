"""Lab 6, serving: one row of the data file as the JSON body the service takes (reference
solution).

The service's request type is built from the schema in config/pipeline.yaml: the declared
columns, without the target and what is known only after it. `to_request` sends exactly
those, each as a plain JSON value: a numpy number becomes a Python one, a time ISO 8601 text,
and a missing value (NaN, NA, NaT) null, which JSON has and NaN it has not.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from {{ package_name }}.config import Config


def to_request(row: pd.Series, config: Config) -> dict[str, Any]:
    """The JSON body of POST /predict for `row` (one row of the data file, typed as
    `load_dataset` reads it; it may hold columns the schema does not declare).

    Only the declared columns the service takes, the target and the columns known only after
    the outcome (`config.data`) left out; plain JSON values: numbers, text, times as ISO 8601
    text, and null for a missing value. `row` is not changed.
    """
    unknown_yet = {config.data.target, *config.data.known_after_outcome}
    return {
        name: _json_value(row[name])
        for name in config.data.columns
        if name not in unknown_yet and name in row.index
    }


def _json_value(value: Any) -> Any:
    """`value` as JSON has it: None for missing, ISO 8601 text for a time, plain numbers."""
    if pd.isna(value):
        return None
    if isinstance(value, datetime | date | np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
