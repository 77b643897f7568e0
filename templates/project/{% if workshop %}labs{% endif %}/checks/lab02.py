"""Lab 2's checkpoint: `past_mean` must see only the entity's earlier rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exercises.lab02_features import past_mean
from .kit import Incomplete, config, settings, simulated

TITLE = "Features without leakage"
PAGE = "02-features.md"


def check() -> str:
    kit = settings()
    history = kit["history"]
    entity, value, who = history["entity"], history["value"], history["entity_name"]
    frame = _in_time_order(simulated())
    before = frame.copy()
    answer = past_mean(frame, entity, value)
    if not frame.equals(before):
        raise Incomplete("past_mean changed the frame it was given: compute a new Series instead")
    if not isinstance(answer, pd.Series) or len(answer) != len(frame):
        raise Incomplete(
            f"past_mean must return a Series with one value per row ({len(frame):,}), "
            f"not {type(answer).__name__}"
        )
    answer = answer.reindex(frame.index).astype(float)
    expected = _earlier_mean(frame, entity, value)
    whole = frame.groupby(entity)[value].transform("mean").astype(float)
    with_row = frame.groupby(entity)[value].transform(lambda s: s.expanding().mean()).astype(float)
    first = expected.isna()

    if _same(answer, whole):
        raise Incomplete(
            f"your feature averages all of a {who}'s {kit['rows']}, the later ones included: "
            f"when a row is scored, the {who}'s later {kit['rows']} have not happened yet. The "
            "model would learn from information it will never have when it serves."
        )
    if _same(answer, with_row):
        raise Incomplete(
            f"your feature includes the row's own {value}: the {kit['row']} being scored is "
            f"not history yet. Average only the {who}'s earlier {kit['rows']}."
        )
    if answer[first].notna().any():
        filled = answer[first].dropna()
        raise Incomplete(
            f"a {who}'s first {kit['row']} has no history, but your feature gives "
            f"{filled.iloc[0]:g} there ({len(filled):,} rows): leave it missing (NaN). A "
            "made-up average hides 'no history', itself a strong signal, from the model."
        )
    differ = ~np.isclose(answer, expected, rtol=1e-9, atol=1e-9, equal_nan=True)
    if differ.any():
        row = int(np.flatnonzero(differ)[0])
        raise Incomplete(
            f"{int(differ.sum()):,} rows differ from the average of the {who}'s earlier "
            f"{kit['rows']}; the first is row {row:,}: expected {expected.iloc[row]:g}, "
            f"got {answer.iloc[row]:g}"
        )
    # The decisive test of a past-only feature: later rows change nothing before them.
    half = frame.iloc[: len(frame) // 2]
    if not _same(past_mean(half.copy(), entity, value).astype(float), answer.iloc[: len(half)]):
        raise Incomplete(
            "adding later rows changed the feature of earlier rows: it depends on the future"
        )
    return (
        f"{history['feature']}: {int((~first).sum()):,} of {len(frame):,} {kit['rows']} have "
        "a history, and adding later rows changes none of them"
    )


def _in_time_order(frame: pd.DataFrame) -> pd.DataFrame:
    time = config().data.time_column
    if time is None:  # rows are already in arrival order (the file's order)
        return frame.reset_index(drop=True)
    return frame.sort_values(time, kind="stable").reset_index(drop=True)


def _earlier_mean(frame: pd.DataFrame, entity: list[str], value: str) -> pd.Series:
    """The same feature, written the slow and obvious way: shift, then a running mean."""
    earlier = frame.groupby(entity)[value].shift().astype(float)
    keys = [frame[column] for column in entity]
    total = earlier.fillna(0.0).groupby(keys).cumsum()
    count = earlier.notna().astype(int).groupby(keys).cumsum()
    return (total / count).where(count > 0)


def _same(a: pd.Series, b: pd.Series) -> bool:
    close = np.isclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True)
    return bool(close.all())
