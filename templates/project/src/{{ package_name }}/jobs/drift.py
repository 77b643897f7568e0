"""Data drift: have the model's inputs and scores moved away from its reference sample?

Every model input and the score (prediction drift) is compared with its reference
distribution by Evidently's data drift preset. A column drifts when its distance reaches
`monitoring.column_drift_threshold`; the data has drifted when the share of drifted columns
reaches `monitoring.max_drifted_share`. Monitoring (monitor.py) calls this on the rows it
prepared; Evidently is imported inside the functions only (see monitor.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..config import MonitoringConfig
from ..core.bundle import PipelineSpec

if TYPE_CHECKING:
    from evidently.core.report import Snapshot

# Drift methods, chosen explicitly. Left to itself, Evidently switches method at 1,000
# reference rows (p-value tests below, distances above), so the same data would be judged
# differently as the reference grows, and on large samples p-value tests flag differences
# too small to matter. Distances measure the size of a change, whatever the row count:
# Wasserstein normed by the reference's standard deviation for numbers, Jensen-Shannon for
# categories. Both flag a column when the distance is at or above the threshold.
NUMERICAL_DRIFT_METHOD = "wasserstein"
CATEGORICAL_DRIFT_METHOD = "jensenshannon"


def drift_report(
    reference: pd.DataFrame, current: pd.DataFrame, spec: PipelineSpec, settings: MonitoringConfig
) -> Snapshot:
    """Evidently's data drift preset over the model inputs and the score."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    numerical, categorical = drift_columns(spec, settings)
    # Declared, not inferred: Evidently would take a count with few distinct values for a
    # category and a mostly-unique string for free text (a different, much slower test).
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    columns = numerical + categorical
    preset = DataDriftPreset(
        columns=columns,
        num_method=NUMERICAL_DRIFT_METHOD,
        cat_method=CATEGORICAL_DRIFT_METHOD,
        threshold=settings.column_drift_threshold,
        drift_share=settings.max_drifted_share,
    )
    # include_tests: the HTML then shows each column's verdict and the share test.
    report = Report([preset], include_tests=True)
    return report.run(  # current first, then reference
        Dataset.from_pandas(current[columns], data_definition=definition),
        Dataset.from_pandas(reference[columns], data_definition=definition),
    )


def drift_columns(spec: PipelineSpec, settings: MonitoringConfig) -> tuple[list[str], list[str]]:
    """(numerical, categorical) columns compared for drift; the score counts as numerical.

    Inputs listed in `monitoring.exclude_from_drift` are left out.
    """
    watched = [name for name in spec.feature_names if name not in settings.exclude_from_drift]
    numerical = [name for name in watched if name not in spec.categorical_features]
    categorical = [name for name in watched if name in spec.categorical_features]
    return [*numerical, "score"], categorical


def drift_summary(snapshot: Snapshot, settings: MonitoringConfig) -> dict[str, Any]:
    """Per-column drift scores read back from the snapshot, and the share that drifted."""
    threshold = settings.column_drift_threshold
    per_column: dict[str, dict[str, Any]] = {}
    for metric in snapshot.dict()["metrics"]:
        metric_config = metric["config"]
        if metric_config["type"] != "evidently:metric_v2:ValueDrift":
            continue
        score = float(metric["value"])
        per_column[metric_config["column"]] = {
            "score": round(score, 4) if math.isfinite(score) else None,
            "method": metric_config["method"],
            "drifted": bool(score >= threshold),
        }
    drifted = [name for name, column in per_column.items() if column["drifted"]]
    share = len(drifted) / len(per_column)
    return {
        "share": round(share, 4),
        "threshold": settings.max_drifted_share,
        "column_threshold": threshold,
        "detected": share >= settings.max_drifted_share,
        "drifted_columns": drifted,
        "per_column": per_column,
    }
