"""Monitoring job: has the traffic moved away from what the model learnt, and is it still right?

The model's bundle keeps a sample of its validation rows (`reference.csv`: model inputs, score
and outcome). Monitoring compares recent rows with that sample, using Evidently:

1. Current rows come from the prediction log (the inputs the served model saw, its scores,
   and the outcomes joined by id once they arrived), or from a CSV of raw rows, which is
   validated and scored with the same pipeline the service uses.
2. Data drift: every model input and the score (prediction drift) is compared with its
   reference distribution. A column drifts when its distance reaches
   `monitoring.column_drift_threshold`; the data has drifted when the share of drifted
   columns reaches `monitoring.max_drifted_share`.
3. Quality, when outcomes have arrived for enough current rows: PR AUC and recall at the
   model's own decision threshold, against `monitoring.min_pr_auc` and
   `monitoring.min_recall_at_threshold`.

It writes Evidently's HTML reports (`report.html` for drift, `quality.html` for quality) and
`summary.json`, the machine-readable verdict with the reasons for any breach; the CLI exits
non-zero on a breach so that a scheduler can act on it.

Evidently is imported inside the job only: the import alone takes seconds, and no other
command should pay for it.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import registry
from .config import Config, MonitoringConfig, UserError
from .data import labels, load_dataset
from .metrics import pr_auc, roc_auc
from .pipeline import (
    REFERENCE_FILE,
    ModelLoadError,
    PipelineSpec,
    ScoringPipeline,
    inputs_from_table,
)
from .predlog import PredictionLog

if TYPE_CHECKING:
    from evidently.core.report import Snapshot

# PR AUC and recall mean little with a handful of outcomes of either kind.
MIN_LABELLED_PER_CLASS = 5

# Drift methods, chosen explicitly. Left to itself, Evidently switches method at 1,000
# reference rows (p-value tests below, distances above), so the same data would be judged
# differently as the reference grows, and on large samples p-value tests flag differences
# too small to matter. Distances measure the size of a change, whatever the row count:
# Wasserstein normed by the reference's standard deviation for numbers, Jensen-Shannon for
# categories. Both flag a column when the distance is at or above the threshold.
NUMERICAL_DRIFT_METHOD = "wasserstein"
CATEGORICAL_DRIFT_METHOD = "jensenshannon"

NO_TRAFFIC_HINT = "send traffic to the service or pass --current FILE"


class MonitoringError(UserError, ValueError):
    """There is nothing sound to compare yet; the message says what is missing and what to do."""


@dataclass(frozen=True)
class MonitoringResult:
    """The verdict (`breached`, `reasons`), the full summary and where the reports are."""

    summary: dict[str, Any]
    breached: bool
    reasons: list[str]
    html_path: Path
    json_path: Path
    quality_html_path: Path | None = None


def monitoring_dir(config: Config) -> Path:
    return config.reports_dir / "monitoring"


def run_monitoring(
    config: Config,
    *,
    current: Path | None = None,
    model_tag: str | None = None,
    out_dir: Path | None = None,
) -> MonitoringResult:
    """Compare current rows with the model's reference sample; write the reports and verdict.

    `current` is a CSV of raw rows (the target column is optional); by default the most
    recent `monitoring.max_rows` predictions of the prediction log are used. `model_tag`
    names the model version to monitor (default: the champion).
    """
    settings = config.monitoring
    out_dir = monitoring_dir(config) if out_dir is None else Path(out_dir)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    with _timed(timings, "load_data"):
        pipeline = registry.load(config, model_tag)
        tag = pipeline.version  # the registered tag, recorded in the bundle at registration
        spec = pipeline.spec
        reference = read_reference(pipeline)
        if current is None:
            rows = logged_rows(config, pipeline)
            source = {
                "kind": "prediction_log",
                "path": str(config.path(config.serving.prediction_log)),
            }
        else:
            rows = scored_rows(config, pipeline, Path(current))
            source = {"kind": "file", "path": str(current)}
        source["rows"] = len(rows)
        # The same rows on every run: a verdict that changes on a re-run helps nobody.
        seed = config.training.seed
        reference = _sample(reference, settings.max_rows, seed)
        rows = _sample(rows, settings.max_rows, seed)
        _require_rows(reference, rows, tag, settings)

    with _timed(timings, "import_evidently"):
        import evidently  # noqa: F401  (seconds on first import; see the module docstring)

    with _timed(timings, "drift_run"):
        drift_snapshot = drift_report(reference, rows, spec, settings)
    drift = drift_summary(drift_snapshot, settings)

    notes: list[str] = []
    labelled = rows[rows["label"].notna()]
    positives = int(labelled["label"].sum())
    negatives = len(labelled) - positives
    quality: dict[str, Any] | None = None
    quality_snapshot = None
    if min(positives, negatives) >= MIN_LABELLED_PER_CLASS:
        with _timed(timings, "quality_run"):
            quality_snapshot = quality_report(reference, labelled, spec, settings)
        quality = quality_summary(reference, labelled, spec.threshold)
    else:
        notes.append(
            f"quality not checked: {len(labelled):,} of {len(rows):,} current rows have an "
            f"outcome ({positives} positive, {negatives} negative); at least "
            f"{MIN_LABELLED_PER_CLASS} of each are needed"
        )

    checks, reasons = verdict(drift, quality, settings)

    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "report.html"
    quality_path = out_dir / "quality.html"
    json_path = out_dir / "summary.json"
    with _timed(timings, "save_html"):
        # Evidently writes nothing when given a pathlib.Path: it needs a str.
        drift_snapshot.save_html(str(html_path))
        if quality_snapshot is not None:
            quality_snapshot.save_html(str(quality_path))
        else:
            quality_path.unlink(missing_ok=True)  # never leave an older run's verdict behind
    # Evidently's own share of the run (the rest is reading, scoring and our bookkeeping).
    evidently_phases = ("import_evidently", "drift_run", "quality_run", "save_html")
    timings["evidently"] = round(sum(timings.get(phase, 0.0) for phase in evidently_phases), 3)
    timings["total"] = round(time.perf_counter() - started, 3)

    summary = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_version": tag,
        "source": source,
        "reference_rows": len(reference),
        "current_rows": len(rows),
        "labelled_rows": len(labelled),
        "drift": drift,
        "quality": quality,
        "checks": checks,
        "breached": bool(reasons),
        "reasons": reasons,
        "notes": notes,
        "reports": {
            "drift": str(html_path),
            "quality": str(quality_path) if quality_snapshot is not None else None,
        },
        "timings_seconds": timings,
    }
    json_path.write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return MonitoringResult(
        summary=summary,
        breached=bool(reasons),
        reasons=reasons,
        html_path=html_path,
        json_path=json_path,
        quality_html_path=quality_path if quality_snapshot is not None else None,
    )


# Current and reference rows ---------------------------------------------------------------
# Both sides end up with the same columns: the model inputs (categories as their labels),
# `score`, and `label` (1 positive, 0 negative, NaN while the outcome is unknown).


def read_reference(pipeline: ScoringPipeline) -> pd.DataFrame:
    """The validation sample the model's bundle keeps for monitoring."""
    path = Path(pipeline.path or ".") / REFERENCE_FILE
    if not path.is_file():
        raise ModelLoadError(
            f"model {pipeline.version} has no {REFERENCE_FILE} in {path.parent}: retrain it "
            "with this version of the project to monitor it"
        )
    # Only empty cells are missing: a category such as "NA" or "None" stays a label.
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    missing = sorted({*pipeline.spec.feature_names, "score", "label"} - set(table.columns))
    if missing:
        raise ModelLoadError(f"{path} lacks the column(s) {', '.join(missing)}")
    return _frame(inputs_from_table(table, pipeline.spec), table["score"], table["label"])


def logged_rows(config: Config, pipeline: ScoringPipeline) -> pd.DataFrame:
    """The most recent predictions this model version served, with outcomes where known.

    Only this version's predictions count: another version's scores are not comparable with
    this version's reference scores, and its mistakes are not this model's.
    """
    path = config.path(config.serving.prediction_log)
    if not path.is_file():
        raise MonitoringError(
            f"no predictions logged yet ({path} does not exist): {NO_TRAFFIC_HINT}"
        )
    with PredictionLog(path) as log:
        logged = log.read(limit=config.monitoring.max_rows, model_version=pipeline.version)
        total = log.count()
    if logged.empty:
        others = f"; the log holds {total:,} from other versions" if total else ""
        raise MonitoringError(
            f"no predictions logged yet by {pipeline.version} in {path}{others}: {NO_TRAFFIC_HINT}"
        )
    missing = sorted(set(pipeline.spec.feature_names) - set(logged.columns))
    if missing:
        raise MonitoringError(
            f"the logged inputs in {path} lack the model input(s) {', '.join(missing)}"
        )
    return _frame(inputs_from_table(logged, pipeline.spec), logged["score"], logged["label"])


def scored_rows(config: Config, pipeline: ScoringPipeline, path: Path) -> pd.DataFrame:
    """Raw rows from a CSV, validated and scored exactly as the service would score them."""
    frame = load_dataset(config, path, require_target=False)
    predictions = pipeline.predict(frame)
    target = config.data.target
    outcome = pd.Series(np.nan, index=frame.index)
    if target in frame.columns:
        known = frame[target].notna()
        outcome[known] = labels(frame, config)[known.to_numpy()]
    return _frame(predictions[pipeline.spec.feature_names], predictions["score"], outcome)


def _frame(inputs: pd.DataFrame, score: pd.Series, label: pd.Series) -> pd.DataFrame:
    frame = inputs.reset_index(drop=True)
    # Categories as plain labels: Evidently counts the values it sees, not declared levels.
    categorical = [
        name for name in frame.columns if isinstance(frame[name].dtype, pd.CategoricalDtype)
    ]
    frame = frame.astype({name: object for name in categorical})
    frame["score"] = pd.to_numeric(score, errors="raise").to_numpy(dtype="float64")
    frame["label"] = pd.to_numeric(label, errors="raise").to_numpy(dtype="float64")
    return frame


def _sample(frame: pd.DataFrame, max_rows: int, seed: int) -> pd.DataFrame:
    """At most `max_rows` rows, the same ones on every run (Evidently's cost grows with rows)."""
    if len(frame) <= max_rows:
        return frame
    return frame.sample(n=max_rows, random_state=seed).sort_index().reset_index(drop=True)


def _require_rows(
    reference: pd.DataFrame, current: pd.DataFrame, tag: str, settings: MonitoringConfig
) -> None:
    minimum = min(settings.min_rows, settings.max_rows)
    if len(current) < minimum:
        raise MonitoringError(
            f"only {len(current):,} current rows to compare; at least {minimum:,} are needed for a "
            f"drift verdict that is not sampling noise: wait for more traffic or pass --current "
            "FILE with more rows"
        )
    if len(reference) < minimum:
        raise MonitoringError(
            f"the reference sample of {tag} holds only {len(reference):,} rows; at least "
            f"{minimum:,} are needed: retrain on more data"
        )


# Evidently ---------------------------------------------------------------------------------


def drift_report(
    reference: pd.DataFrame, current: pd.DataFrame, spec: PipelineSpec, settings: MonitoringConfig
) -> Snapshot:
    """Evidently's data drift preset over the model inputs and the score."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    numerical, categorical = drift_columns(spec)
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


def drift_columns(spec: PipelineSpec) -> tuple[list[str], list[str]]:
    """(numerical, categorical) columns compared for drift; the score counts as numerical."""
    numerical = [name for name in spec.feature_names if name not in spec.categorical_features]
    return [*numerical, "score"], list(spec.categorical_features)


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


def quality_report(
    reference: pd.DataFrame, labelled: pd.DataFrame, spec: PipelineSpec, settings: MonitoringConfig
) -> Snapshot:
    """Evidently's classification preset on the current rows whose outcome is known.

    Evidently cannot skip rows with a missing target, so only labelled rows are passed; the
    reference's quality is shown beside them.
    """
    from evidently import BinaryClassification, DataDefinition, Dataset, Report
    from evidently.presets import ClassificationPreset
    from evidently.tests import gte

    definition = DataDefinition(
        numerical_columns=["score"],
        classification=[
            BinaryClassification(target="label", prediction_probas="score", pos_label=1)
        ],
    )
    preset = ClassificationPreset(
        probas_threshold=spec.threshold,
        recall_tests=[gte(settings.min_recall_at_threshold)],
    )

    def dataset(frame: pd.DataFrame) -> Dataset:
        table = frame[["score", "label"]].astype({"label": "int64"})
        return Dataset.from_pandas(table, data_definition=definition)

    return Report([preset]).run(dataset(labelled), dataset(reference))


def quality_summary(
    reference: pd.DataFrame, labelled: pd.DataFrame, threshold: float
) -> dict[str, Any]:
    """PR AUC and recall at the model's threshold, computed as evaluation computes them.

    (Evidently's preset shows recall but not PR AUC, so both come from the project's own
    metric functions: the figures the gate judged the model by, on the same definitions.)
    """
    quality = _quality(labelled, threshold)
    if reference["label"].nunique() == 2:
        quality["reference"] = _quality(reference, threshold)
    return quality


def _quality(frame: pd.DataFrame, threshold: float) -> dict[str, Any]:
    outcome = frame["label"].to_numpy(dtype="int64")
    score = frame["score"].to_numpy()
    flagged = score >= threshold
    return {
        "rows": len(frame),
        "positives": int(outcome.sum()),
        "threshold": round(threshold, 6),
        "pr_auc": round(pr_auc(outcome, score), 4),
        "roc_auc": round(roc_auc(outcome, score), 4),
        "recall_at_threshold": round(float(flagged[outcome == 1].mean()), 4),
        "flagged_share": round(float(flagged.mean()), 4),
    }


# The verdict --------------------------------------------------------------------------------


def verdict(
    drift: dict[str, Any], quality: dict[str, Any] | None, settings: MonitoringConfig
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every check with its value and threshold, and a sentence for each one that failed."""
    checks = [
        {
            "name": "drifted_share",
            "value": drift["share"],
            "threshold": settings.max_drifted_share,
            "rule": "below",
            "passed": not drift["detected"],
        }
    ]
    reasons = []
    if drift["detected"]:
        columns = drift["per_column"]
        listed = ", ".join(
            f"{name} ({columns[name]['score']:.3f})" for name in drift["drifted_columns"]
        )
        reasons.append(
            f"data drift: {len(drift['drifted_columns'])} of {len(columns)} columns drifted "
            f"(share {drift['share']:.2f} >= {settings.max_drifted_share:.2f}): {listed}"
        )
    if quality is None:
        return checks, reasons
    for name, label, minimum in (
        ("pr_auc", "PR AUC", settings.min_pr_auc),
        (
            "recall_at_threshold",
            f"recall at the model's threshold ({quality['threshold']:.4f})",
            settings.min_recall_at_threshold,
        ),
    ):
        passed = quality[name] >= minimum
        checks.append(
            {
                "name": name,
                "value": quality[name],
                "threshold": minimum,
                "rule": "at_least",
                "passed": passed,
            }
        )
        if not passed:
            reasons.append(
                f"{label} is {quality[name]:.3f}, below the minimum {minimum:.2f} "
                f"({quality['rows']:,} labelled rows, {quality['positives']:,} positive)"
            )
    return checks, reasons


@contextmanager
def _timed(timings: dict[str, float], phase: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[phase] = round(time.perf_counter() - start, 3)
