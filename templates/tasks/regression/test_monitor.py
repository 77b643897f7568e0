"""Monitoring: a real Evidently report, quiet on unchanged data, firing on drift and on errors.

The module builds one tiny project (a small configuration, a model trained in a fraction of a
second on synthetic deliveries, its reference sample, registered and promoted in a
project-local model store), then monitors current rows that match the training distribution,
rows that have shifted, and rows whose actual values no longer agree with the predictions.
Evidently's import takes seconds, so the project is built once for the module and every test
reuses it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from {{ package_name }}.adapters import registry
from {{ package_name }}.adapters.predlog import PredictionLog
from {{ package_name }}.config import Config, load_config
from {{ package_name }}.core.bundle import (
    REFERENCE_FILE,
    PipelineSpec,
    ScoringPipeline,
    model_inputs,
    write_table,
)
from {{ package_name }}.core.data import labels, load_dataset
from {{ package_name }}.jobs.monitor import MonitoringError, run_monitoring

PAYMENTS_CONFIG = """
schema_version: 2
data:
  path: data/deliveries.csv
  id_column: payment_id
  target: fee
  feature_engineering: none
  columns:
    payment_id: {type: string}
    amount: {type: float, min: 0.01, max: 1000000, feature: true}
    # Nullable: a file of current rows may lack it altogether.
    balance: {type: float, feature: true, nullable: true}
    account_age_days: {type: float, min: 0, max: 5000, feature: true}
    channel: {type: category, allowed: [web, store, phone], feature: true}
    fee: {type: float, min: 0}
evaluation:
  baseline: {kind: linear, columns: [amount]}
  gate: {limits: {mae: 5}}
registry:
  model_name: deliveries_model
monitoring:
  column_drift_threshold: 0.1
  max_drifted_share: 0.3
  quality: {wape: 0.3, abs_bias: 0.1}
  max_rows: 5000
"""


def payments(n: int, seed: int, *, shifted: bool = False) -> pd.DataFrame:
    """Synthetic deliveries: the fee is 5% of the amount plus a surcharge by channel.

    `shifted` moves two inputs the way a new market would: orders three times larger, and
    most of them by phone.
    """
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.5, 1.0, n) * (3 if shifted else 1)
    channel = rng.choice(
        ["web", "store", "phone"], n, p=[0.2, 0.2, 0.6] if shifted else [0.5, 0.3, 0.2]
    )
    expected = 2.0 + 0.05 * amount + np.where(channel == "web", 1.5, 0.5)
    return pd.DataFrame(
        {
            "payment_id": [f"p{seed}-{i}" for i in range(n)],
            "amount": amount.round(2),
            "balance": rng.normal(1000, 300, n).round(2),
            "account_age_days": rng.uniform(0, 3000, n).round(1),
            "channel": channel,
            "fee": (expected * rng.lognormal(0, 0.05, n)).round(2),
        }
    )


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """A project with a champion: xgboost on 6,000 deliveries, 2,000 more as its reference."""
    root = tmp_path_factory.mktemp("project")
    (root / "config").mkdir()
    (root / "config" / "pipeline.yaml").write_text(PAYMENTS_CONFIG)
    (root / "data").mkdir()
    payments(8000, seed=1).to_csv(root / "data" / "deliveries.csv", index=False)
    config = load_config(root / "config" / "pipeline.yaml")

    frame = load_dataset(config)
    spec = PipelineSpec.from_config(config)
    inputs, outcome = model_inputs(frame, spec, None), labels(frame, config)
    train, reference = inputs.iloc[:6000], inputs.iloc[6000:]
    booster = xgb.train(
        {"max_depth": 4, "seed": 0},
        xgb.DMatrix(train, label=outcome[:6000], enable_categorical=True),
        num_boost_round=80,
    )
    pipeline = ScoringPipeline(booster, spec, None, {"schema_version": 1})
    bundle = root / "artifacts" / "candidate"
    pipeline.save(bundle)
    write_table(
        reference,
        bundle / REFERENCE_FILE,
        score=pipeline.score_inputs(reference),
        label=outcome[6000:],
    )
    registry.promote(config, registry.register(config, bundle, pipeline.metadata))
    return config


def with_prediction_log(config: Config, path: Path) -> Config:
    """The same project, logging predictions to `path` (each test gets a log of its own)."""
    serving = config.serving.model_copy(update={"prediction_log": path})
    return config.model_copy(update={"serving": serving})


@pytest.fixture
def write_csv(tmp_path: Path):
    def write(frame: pd.DataFrame, name: str = "current.csv") -> Path:
        frame.to_csv(tmp_path / name, index=False)
        return tmp_path / name

    return write


def test_unchanged_data_raises_no_alarm(config, write_csv, tmp_path):
    result = run_monitoring(config, current=write_csv(payments(2000, seed=2)), out_dir=tmp_path)

    assert not result.breached, result.reasons
    assert result.reasons == []
    assert result.summary["drift"]["share"] < 0.3
    quality = result.summary["quality"]
    assert quality["wape"] <= 0.3 and quality["abs_bias"] <= 0.1
    assert all(check["passed"] for check in result.summary["checks"])


def test_shifted_inputs_raise_a_drift_alarm_naming_the_columns(config, write_csv, tmp_path):
    shifted = payments(2000, seed=3, shifted=True).drop(columns="fee")

    result = run_monitoring(config, current=write_csv(shifted), out_dir=tmp_path)

    assert result.breached
    drift = result.summary["drift"]
    assert {"amount", "channel"} <= set(drift["drifted_columns"])
    assert "balance" not in drift["drifted_columns"]
    assert drift["per_column"]["amount"]["method"] == "wasserstein"
    assert drift["per_column"]["channel"]["method"] == "jensenshannon"
    assert "score" in drift["per_column"]  # prediction drift is watched too
    [reason] = result.reasons
    assert reason.startswith("data drift") and "amount" in reason and "channel" in reason
    # Without outcomes there is no quality verdict, and the summary says why.
    assert result.summary["quality"] is None and result.quality_html_path is None
    assert "quality not checked" in result.summary["notes"][0]


def test_actual_values_that_no_longer_match_the_predictions_raise_a_quality_alarm(
    config, write_csv, tmp_path
):
    current = payments(2000, seed=4)
    current["fee"] = (current["fee"] * 1.5).round(2)  # a new tariff the model does not know

    result = run_monitoring(config, current=write_csv(current), out_dir=tmp_path)

    assert result.breached
    failed = [check["name"] for check in result.summary["checks"] if not check["passed"]]
    assert {"wape", "abs_bias"} <= set(failed) and "drifted_share" not in failed
    assert any(reason.startswith("absolute bias") for reason in result.reasons)
    assert result.summary["quality"]["bias"] < -0.2  # the model predicts too little
    assert result.summary["quality"]["reference"]["wape"] <= 0.1  # it was fine before
    assert "MAE" in result.quality_html_path.read_text(encoding="utf-8")


def test_reports_and_summary_are_written(config, write_csv, tmp_path):
    result = run_monitoring(config, current=write_csv(payments(2000, seed=5)), out_dir=tmp_path)

    assert result.html_path == tmp_path / "report.html"
    assert result.html_path.stat().st_size > 10_000  # Evidently's self-contained page
    assert result.quality_html_path is not None and result.quality_html_path.is_file()
    summary = json.loads(result.json_path.read_text(encoding="utf-8"))
    assert {
        "generated_at",
        "model_version",
        "reference_rows",
        "current_rows",
        "labelled_rows",
        "drift",
        "quality",
        "checks",
        "breached",
        "reasons",
        "timings_seconds",
    } <= set(summary)
    assert summary["model_version"] == registry.champion_tag(config)
    assert (summary["reference_rows"], summary["current_rows"], summary["labelled_rows"]) == (
        2000,
        2000,
        2000,
    )
    assert {"share", "threshold", "drifted_columns", "per_column"} <= set(summary["drift"])
    assert set(summary["drift"]["per_column"]) == {
        "amount",
        "balance",
        "account_age_days",
        "channel",
        "score",
    }
    assert {"mae", "wape", "bias"} <= set(summary["quality"])
    assert {"import_evidently", "drift_run", "save_html"} <= set(summary["timings_seconds"])
    for check in summary["checks"]:
        assert {"name", "value", "threshold", "passed"} <= set(check)


def served_records(pipeline: ScoringPipeline, served: pd.DataFrame) -> list[dict]:
    """What the service logs for each delivery it prices: model inputs and prediction."""
    predictions = pipeline.predict(served)
    inputs = predictions[pipeline.spec.feature_names].to_dict(orient="records")
    return [
        {
            "request_id": f"request-{i}",
            "logged_at": "2026-02-01T00:00:00+00:00",
            "entity_id": payment_id,
            "model_version": pipeline.version,
            "score": score,
            "decision": "",
            "inputs": row_inputs,
            "payload": {},
        }
        for i, (payment_id, score, row_inputs) in enumerate(
            zip(served["payment_id"], predictions["score"], inputs, strict=True)
        )
    ]


def test_monitors_the_logged_predictions_with_the_outcomes_that_arrived(config, tmp_path):
    config = with_prediction_log(config, tmp_path / "log.db")
    champion = ScoringPipeline.load(registry.model_path(config, registry.champion_tag(config)))
    served = payments(1500, seed=6)
    arrived = served.iloc[:1000]  # actual fees are known for the first 1,000 deliveries only
    with PredictionLog(tmp_path / "log.db") as log:
        log.write(served_records(champion, served))
        log.add_labels(pd.DataFrame({"entity_id": arrived["payment_id"], "label": arrived["fee"]}))

    result = run_monitoring(config, out_dir=tmp_path)

    assert result.summary["source"]["kind"] == "prediction_log"
    assert result.summary["current_rows"] == 1500
    assert result.summary["labelled_rows"] == 1000
    assert result.summary["quality"]["rows"] == 1000
    assert not result.breached, result.reasons


def test_a_window_above_max_rows_is_sampled_and_the_summary_says_so(config, tmp_path):
    config = with_prediction_log(config, tmp_path / "log.db")
    limits = {"max_rows": 1200, "window_rows": 3000}
    config = config.model_copy(update={"monitoring": config.monitoring.model_copy(update=limits)})
    champion = ScoringPipeline.load(registry.model_path(config, registry.champion_tag(config)))
    with PredictionLog(tmp_path / "log.db") as log:
        log.write(served_records(champion, payments(2500, seed=8)))

    result = run_monitoring(config, out_dir=tmp_path)

    assert result.summary["source"]["rows"] == 2500  # the window: all 2,500 (below 3,000)
    assert result.summary["current_rows"] == 1200
    assert "sampled 1,200 of 2,500 current rows" in " ".join(result.summary["notes"])
    again = run_monitoring(config, out_dir=tmp_path / "again")
    assert again.summary["drift"] == result.summary["drift"]  # seeded: the same sample


def test_an_empty_prediction_log_is_a_clear_error(config, tmp_path):
    config = with_prediction_log(config, tmp_path / "log.db")
    with PredictionLog(tmp_path / "log.db") as log:
        assert log.count() == 0

    with pytest.raises(MonitoringError, match="no predictions logged yet.*pass --current FILE"):
        run_monitoring(config, out_dir=tmp_path)


def test_too_few_rows_is_a_clear_error(config, write_csv, tmp_path):
    with pytest.raises(MonitoringError, match="only 300 current rows"):
        run_monitoring(config, current=write_csv(payments(300, seed=7)), out_dir=tmp_path)


def test_an_input_empty_in_every_current_row_is_a_clear_error(config, write_csv, tmp_path):
    current = payments(2000, seed=2).assign(balance=np.nan)
    with pytest.raises(MonitoringError, match="leave balance empty in every row") as refused:
        run_monitoring(config, current=write_csv(current), out_dir=tmp_path)
    assert "pass --current FILE with rows that have it" in str(refused.value)


def test_a_project_without_a_champion_is_a_clear_error(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "pipeline.yaml").write_text(PAYMENTS_CONFIG)
    config = load_config(tmp_path / "config" / "pipeline.yaml")

    with pytest.raises(registry.RegistryError, match="no champion model"):
        run_monitoring(config)
