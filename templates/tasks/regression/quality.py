"""How monitoring judges a regression model's quality on the rows whose actual value arrived.

Monitoring (jobs/monitor.py) compares recent rows with the model's reference sample. Both
hold the model inputs, `score` (the prediction) and `label` (the actual value, NaN while it
is unknown); rows scored from a CSV also keep the interval (`lower`, `upper`), so that its
coverage can be checked. This module says when enough actual values have arrived to judge
quality, builds Evidently's regression report, and computes the figures the configuration's
`monitoring.quality` limits refer to with the same `score_card` evaluation uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .metrics import score_card

if TYPE_CHECKING:
    from evidently.core.report import Snapshot


def quality_columns(predictions: pd.DataFrame) -> dict[str, pd.Series]:
    """Columns of `ScoringPipeline.predict` that monitoring keeps besides `score`: the
    interval's bounds, when the model has one."""
    if "lower" not in predictions.columns:
        return {}
    return {"lower": predictions["lower"], "upper": predictions["upper"]}


def outcome_shortfall(labelled: pd.DataFrame, min_labelled_rows: int) -> str | None:
    """Why the labelled rows are too few to judge quality, or None when they are enough."""
    if len(labelled) >= min_labelled_rows:
        return None
    return (
        f"quality not checked: {len(labelled):,} current rows have an actual value; at least "
        f"{min_labelled_rows:,} are needed"
    )


def quality_report(reference: pd.DataFrame, labelled: pd.DataFrame, spec: object) -> Snapshot:
    """Evidently's regression preset on the current rows whose actual value is known.

    Evidently cannot skip rows with a missing target, so only labelled rows are passed; the
    reference's quality is shown beside them.
    """
    from evidently import DataDefinition, Dataset, Regression, Report
    from evidently.presets import RegressionPreset

    definition = DataDefinition(
        numerical_columns=["score", "label"],
        regression=[Regression(target="label", prediction="score")],
    )

    def dataset(frame: pd.DataFrame) -> Dataset:
        return Dataset.from_pandas(frame[["score", "label"]], data_definition=definition)

    return Report([RegressionPreset()]).run(dataset(labelled), dataset(reference))


def quality_card(frame: pd.DataFrame, spec: object, evaluation: object) -> dict[str, float]:
    """The figures of `score_card` on labelled rows, with the interval where every row has
    one (the prediction log keeps none)."""
    has_interval = "lower" in frame.columns and frame["lower"].notna().all()
    return score_card(
        frame["label"].to_numpy(dtype="float64"),
        frame["score"].to_numpy(dtype="float64"),
        lower=frame["lower"].to_numpy(dtype="float64") if has_interval else None,
        upper=frame["upper"].to_numpy(dtype="float64") if has_interval else None,
    )
