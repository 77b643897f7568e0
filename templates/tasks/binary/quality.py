"""How monitoring judges a binary model's quality on the rows whose outcome has arrived.

Monitoring (jobs/monitor.py) compares recent rows with the model's reference sample. Both
hold the model inputs, `score` (the probability of the positive class) and `label` (1
positive, 0 negative, NaN while the outcome is unknown). This module says when enough
outcomes have arrived to judge quality, builds Evidently's classification report, and
computes the figures the configuration's `monitoring.quality` limits refer to with the same
`score_card` evaluation uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from .metrics import score_card

if TYPE_CHECKING:
    from evidently.core.report import Snapshot

# PR AUC and recall mean little with a handful of outcomes of either kind.
MIN_LABELLED_PER_CLASS = 5


class QualitySpec(Protocol):
    """The part of the bundle's `PipelineSpec` the figures depend on."""

    threshold: float


class QualitySettings(Protocol):
    """The part of the configuration's `evaluation` section the figures depend on."""

    alert_rate: float
    costs: Any


def quality_columns(predictions: pd.DataFrame) -> dict[str, pd.Series]:
    """Columns of `ScoringPipeline.predict` that monitoring keeps besides `score`: none."""
    return {}


def outcome_shortfall(labelled: pd.DataFrame, min_labelled_rows: int) -> str | None:
    """Why the labelled rows are too few to judge quality, or None when they are enough:
    at least `min_labelled_rows`, with MIN_LABELLED_PER_CLASS of each outcome."""
    positives = int(labelled["label"].sum())
    negatives = len(labelled) - positives
    if len(labelled) >= min_labelled_rows and min(positives, negatives) >= MIN_LABELLED_PER_CLASS:
        return None
    return (
        f"quality not checked: {len(labelled):,} current rows have an outcome ({positives} "
        f"positive, {negatives} negative); at least {min_labelled_rows:,}, with "
        f"{MIN_LABELLED_PER_CLASS} of each kind, are needed"
    )


def quality_report(reference: pd.DataFrame, labelled: pd.DataFrame, spec: QualitySpec) -> Snapshot:
    """Evidently's classification preset on the current rows whose outcome is known.

    Evidently cannot skip rows with a missing target, so only labelled rows are passed; the
    reference's quality is shown beside them.
    """
    from evidently import BinaryClassification, DataDefinition, Dataset, Report
    from evidently.presets import ClassificationPreset

    definition = DataDefinition(
        numerical_columns=["score"],
        classification=[
            BinaryClassification(target="label", prediction_probas="score", pos_label=1)
        ],
    )
    preset = ClassificationPreset(probas_threshold=spec.threshold)

    def dataset(frame: pd.DataFrame) -> Dataset:
        table = frame[["score", "label"]].astype({"label": "int64"})
        return Dataset.from_pandas(table, data_definition=definition)

    return Report([preset]).run(dataset(labelled), dataset(reference))


def quality_card(
    frame: pd.DataFrame, spec: QualitySpec, evaluation: QualitySettings
) -> dict[str, float]:
    """The figures of `score_card` on labelled rows, at the model's threshold."""
    return score_card(
        frame["label"].to_numpy(dtype="int64"),
        frame["score"].to_numpy(),
        threshold=spec.threshold,
        alert_rate=evaluation.alert_rate,
        costs=evaluation.costs,
    )
