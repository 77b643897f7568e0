"""Lab 8, retraining and the closed loop: logged predictions joined to the outcomes that
arrived later.

Your task: `join_outcomes` below pairs each prediction the service logged with its outcome,
by the row's id: the rows monitoring judges the model on, and retraining learns from. The
first draft is the one most people write first: it counts some rows twice and others that
have no outcome yet. Find out which (labs/08-loop.md), fix it, and run `make check LAB=8`.
"""

from __future__ import annotations

import pandas as pd


def join_outcomes(predictions: pd.DataFrame, outcomes: pd.DataFrame, key: str) -> pd.DataFrame:
    """Each logged prediction whose outcome has arrived, with that outcome.

    `predictions` holds one row per logged prediction, oldest first: the row's id (column
    `key`), `logged_at`, `model_version` and `score`; a request repeated with the same id
    was logged again. `outcomes` holds one row per outcome that has arrived: the id, the
    outcome's columns and `arrived_at`. The answer has one row per id that has both: its
    first prediction's columns and its outcome's. Neither frame is changed.
    """
    # TODO(lab 8): every logged prediction, with its outcome if it came: count the rows.
    return predictions.merge(outcomes, on=key, how="left")
