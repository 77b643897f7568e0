"""Lab 8's checkpoint: `join_outcomes` must give each answered row once, with its outcome.

The prediction log and the outcomes are built from a simulated production period: every row
is answered once, some are asked again later (a client's retry) and answered by a newer model
version, the outcomes of some have not arrived yet, and a few outcomes are of rows this
service never answered. The right join is computed here the plain way, and the common
mistakes are recognised by what they leave in the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from labs.exercises.lab08_outcomes import join_outcomes

from .kit import Incomplete, config, settings, simulated

TITLE = "Retraining and the closed loop"
PAGE = "08-loop.md"

ANSWERED = 600
REPEATED = 0.1
ARRIVED = 0.7
STRANGERS = 30
FIRST_VERSION, NEXT_VERSION = "v1", "v2"


def check() -> str:
    kit, data = settings(), config().data
    key, target = data.id_column, data.target
    if key is None:
        raise Incomplete("this project's data has no id column: outcomes cannot be joined")
    predictions, outcomes = _log_and_outcomes(key, target)
    given = predictions.copy(), outcomes.copy()
    joined = join_outcomes(given[0], given[1], key)
    if not (given[0].equals(predictions) and given[1].equals(outcomes)):
        raise Incomplete("join_outcomes changed a frame it was given: build a new one instead")
    if not isinstance(joined, pd.DataFrame):
        raise Incomplete(f"join_outcomes must return a DataFrame, not {type(joined).__name__}")
    lacking = [name for name in (key, "model_version", "score", target) if name not in joined]
    if lacking:
        raise Incomplete(
            f"the joined rows lack the column `{lacking[0]}`: keep the prediction's columns "
            f"and the outcome's, side by side ({key} once)"
        )
    expected = (
        predictions.drop_duplicates(subset=key).merge(outcomes, on=key, how="inner").set_index(key)
    )
    ids = joined[key]
    _check_each_id_once(ids, predictions, key, kit)
    _check_outcomes_arrived(joined, predictions, outcomes, key, target, kit)
    _check_same_ids(ids, expected, key, kit)
    _check_first_answers(joined.set_index(key), expected, predictions, key, kit)
    waiting = predictions[key].nunique() - len(expected)
    return (
        f"{len(joined)} of {len(predictions)} logged predictions judged: "
        f"{int(predictions[key].duplicated().sum())} repeated {kit['rows']} counted once, by "
        f"their first answer, and {waiting} still waiting for their outcome left out"
    )


def _log_and_outcomes(key: str, target: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A prediction log with repeats, oldest first, and the outcomes that have arrived."""
    rng = np.random.default_rng(8)
    rows = _in_time_order(simulated(production=True)).head(ANSWERED)
    ids = rows[key].astype(str).to_numpy()
    # Each row is answered at its turn; a repeat comes a little later, from a newer version.
    repeated = rng.choice(len(ids), int(REPEATED * len(ids)), replace=False)
    turns = np.concatenate([np.arange(len(ids)), repeated + rng.integers(1, 40, len(repeated))])
    order = np.argsort(turns, kind="stable")
    versions = np.array([FIRST_VERSION] * len(ids) + [NEXT_VERSION] * len(repeated))[order]
    start = datetime(2026, 6, 1, 9, 0, 0)
    predictions = pd.DataFrame(
        {
            key: np.concatenate([ids, ids[repeated]])[order],
            "logged_at": [
                (start + timedelta(seconds=7 * n)).isoformat() for n in range(len(order))
            ],
            "model_version": versions,
            "score": rng.uniform(0.0, 1.0, len(order)).round(4),
        }
    )
    # Outcomes arrive in their own order; some not yet, and some are of rows never answered.
    arrived = rows.sample(frac=ARRIVED, random_state=8)
    strangers = simulated().sample(STRANGERS, random_state=8)
    outcomes = pd.concat([arrived, strangers])[[key, target]].sample(frac=1.0, random_state=8)
    outcomes[key] = outcomes[key].astype(str)
    outcomes["arrived_at"] = [
        (start + timedelta(days=30, minutes=n)).isoformat() for n in range(len(outcomes))
    ]
    return predictions, outcomes.reset_index(drop=True)


def _in_time_order(frame: pd.DataFrame) -> pd.DataFrame:
    time = config().data.time_column
    if time is None:
        return frame.reset_index(drop=True)
    return frame.sort_values(time, kind="stable").reset_index(drop=True)


def _check_each_id_once(ids: pd.Series, predictions: pd.DataFrame, key: str, kit: dict) -> None:
    twice = ids[ids.duplicated()]
    if len(twice):
        raise Incomplete(
            f"{twice.nunique()} {kit['rows']} appear more than once in your join ({key} "
            f"{twice.iloc[0]!r}, for one): a client asked again after a timeout, and the log "
            "holds the request twice. Joined as they are, the monitoring figures count those "
            f"{kit['rows']} twice and retraining learns them twice. Keep one prediction per "
            f"{key} before joining."
        )


def _check_outcomes_arrived(
    joined: pd.DataFrame,
    predictions: pd.DataFrame,
    outcomes: pd.DataFrame,
    key: str,
    target: str,
    kit: dict,
) -> None:
    waiting = joined[target].isna()
    if waiting.any():
        raise Incomplete(
            f"{int(waiting.sum())} of your joined rows have no {target}: their outcome has "
            f"not arrived yet. A prediction without its outcome cannot say whether the model "
            "was right; counted as one (a missing label read as 0, say), it makes the model "
            "look better or worse than it is. Keep only the predictions whose outcome arrived."
        )
    never = ~joined[key].isin(predictions[key])
    if never.any():
        raise Incomplete(
            f"{int(never.sum())} of your joined rows are outcomes of {kit['rows']} this "
            f"service never answered ({key} {joined.loc[never, key].iloc[0]!r}): with no "
            "prediction there is nothing to judge. Keep only the ids that have both."
        )


def _check_same_ids(ids: pd.Series, expected: pd.DataFrame, key: str, kit: dict) -> None:
    dropped = expected.index.difference(pd.Index(ids))
    if len(dropped):
        raise Incomplete(
            f"{len(dropped)} answered {kit['rows']} whose outcome arrived are missing from "
            f"your join ({key} {dropped[0]!r}, for one). Dropping every copy of a repeated id "
            "(drop_duplicates with keep=False) loses the row itself: keep its first copy."
        )


def _check_first_answers(
    joined: pd.DataFrame,
    expected: pd.DataFrame,
    predictions: pd.DataFrame,
    key: str,
    kit: dict,
) -> None:
    got = joined.reindex(expected.index)
    later = got["model_version"].ne(expected["model_version"])
    if later.any():
        example = later[later].index[0]
        raise Incomplete(
            f"for {int(later.sum())} repeated {kit['rows']} you keep a later prediction "
            f"({key} {example!r}: {got.loc[example, 'model_version']} instead of "
            f"{expected.loc[example, 'model_version']}). The first answer is the one the "
            "service gave, and acted on (it answers a repeat with its first answer): judge "
            "that one. The log is oldest first: keep each id's first row."
        )
    for column in ("score", *[name for name in expected if name not in predictions]):
        differ = ~_equal(got[column], expected[column])
        if differ.any():
            example = differ[differ].index[0]
            raise Incomplete(
                f"`{column}` of {key} {example!r} is {got.loc[example, column]!r} in your join, "
                f"{expected.loc[example, column]!r} in the log: join each prediction to its "
                f"own outcome, by {key}"
            )


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        close = np.isclose(a.to_numpy(float), b.to_numpy(float), equal_nan=True)
        return pd.Series(close, index=a.index)
    return (a.astype(str) == b.astype(str)) | (a.isna() & b.isna())
