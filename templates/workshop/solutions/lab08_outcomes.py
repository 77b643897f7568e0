"""Lab 8, retraining and the closed loop: logged predictions joined to the outcomes that
arrived later (reference solution).

A repeated request (a client's retry, the same file scored twice) leaves its id in the log
more than once; the first prediction is the one the service answered with and acted on (the
service answers a repeat with its first answer), so it is the one to judge. Only predictions
whose outcome has arrived can say whether the model was right: the join is an inner one, and
one-to-one once each id is kept once.
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
    first = predictions.drop_duplicates(subset=key, keep="first")
    return first.merge(outcomes, on=key, how="inner", validate="one_to_one")
