"""Benchmark: `monitor` on a full prediction log against a bare Evidently `Report.run`.

For each available use case: generate the project, run its pipeline at the given size (a
champion exists), simulate a production period, then fill the prediction log with `--rows`
rows the way `make traffic` does (`predict --log`, then `label`), in the project's
environment:

- the production file is scored once with the champion (`pipeline.predict`, as batch.py's
  `predict_file`), its rows and answers repeated until there are `--rows`, each with a fresh
  id, and logged with batch.py's `log_predictions` (`new_records`, `PredictionLog.write`) in
  chunks of 10,000; the outcomes of the production file are then attached to the fresh ids
  with batch.py's `attach_labels`, so that monitoring judges quality too. The fill is timed
  apart and is no part of the ratio.

Then, in a fresh interpreter (its start-up, its imports and a first small bare report that
warms Evidently up timed apart, before the runs), each of `--runs` rounds times both sides
back to back:

1. monitor: jobs/monitor.py's `run_monitoring(config)`, what `python -m <package> monitor`
   runs: the MLflow run, loading the champion, reading the log (the newest
   `monitoring.max_rows` rows of this version) and the reference sample, Evidently's drift
   and quality reports, the verdict, the HTML reports and summary.json. Its own
   `timings_seconds` split it; `log.read` is timed once more alone, to show its share;
2. bare: the same frames (`monitored_rows`, built outside the clock), the same
   `DataDriftPreset` (the model inputs and `score`, declared numerical or categorical, the
   same methods, threshold and drift share, include_tests) and, when monitor judges
   quality, the task's preset (`ClassificationPreset` at the model's threshold, or
   `RegressionPreset`) on `score` and `label` of the labelled rows: `Dataset.from_pandas`
   and `Report(...).run(current, reference)` only; no HTML, no verdict, no MLflow.

Each figure is the median over the runs, in seconds (each phase's median on its own: they
need not add up). Aim (issue 16): monitor at most 1.2 x bare. Monitor compares at most
`monitoring.max_rows` rows (20,000 by default): beyond that, more logged rows cost only the
read. Figures are printed, nothing is asserted.

    .venv/bin/python benchmarks/bench_monitor.py [--rows 100000] [--runs 3] [--size small]
        [--use-case X]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import support  # noqa: E402

from generator import create_project, list_use_cases  # noqa: E402

# Runs in the project's environment: fills the log; prints one JSON line of figures.
FILL = """
import json, time
import pandas as pd
from {package}.adapters import registry
from {package}.adapters.predlog import PredictionLog, log_location
from {package}.config import load_config
from {package}.core.data import load_dataset
from {package}.jobs.batch import attach_labels, log_predictions

config = load_config("config/pipeline.yaml")
id_column, target = config.data.id_column, config.data.target
if id_column is None:
    raise SystemExit("data.id_column is not configured: outcomes cannot be attached")
pipeline = registry.load(config)
frame = load_dataset(config, "data/production.csv", require_target=False)
start = time.perf_counter()
predictions = pipeline.predict(frame)
scored = time.perf_counter() - start

copies = -(-{rows} // len(frame))
def repeated(table):
    return pd.concat([table] * copies, ignore_index=True).head({rows})
many, answers = repeated(frame), repeated(predictions)
many[id_column] = pd.Series([f"bench-{{n}}" for n in range({rows})], dtype="string")

start = time.perf_counter()
for first in range(0, {rows}, 10000):
    chunk = slice(first, first + 10000)
    log_predictions(config, pipeline, many.iloc[chunk], answers.iloc[chunk])
logged = time.perf_counter() - start

outcomes = "data/bench_outcomes.csv"
many[[id_column, target]].to_csv(outcomes, index=False)
start = time.perf_counter()
matched = attach_labels(config, outcomes)
labelled = time.perf_counter() - start
with PredictionLog(log_location(config)) as log:
    count = log.count()
print(json.dumps({{"production_rows": len(frame), "score_s": scored, "log_s": logged,
                  "label_s": labelled, "logged": count, "matched": matched}}))
"""

# Runs in the project's environment: prints one JSON line of figures in seconds.
MEASURE = """
import time
began = time.perf_counter()
import json, statistics
from {package}.adapters.predlog import PredictionLog, log_location
from {package}.config import load_config
from {package}.jobs import monitor
from {package}.jobs.drift import (
    CATEGORICAL_DRIFT_METHOD, NUMERICAL_DRIFT_METHOD, drift_columns,
)
from {package}.task.quality import outcome_shortfall
imports = {{"package": time.perf_counter() - began}}
start = time.perf_counter()
from evidently import DataDefinition, Dataset, Report
from evidently import BinaryClassification, Regression
from evidently.presets import ClassificationPreset, DataDriftPreset, RegressionPreset
imports["evidently"] = time.perf_counter() - start
start = time.perf_counter()
import bentoml, mlflow  # what monitor's first run imports (the registry, the MLflow run)
imports["bentoml + mlflow"] = time.perf_counter() - start

config = load_config("config/pipeline.yaml")
settings = config.monitoring


def monitor_run():
    start = time.perf_counter()
    result = monitor.run_monitoring(config)
    wall = time.perf_counter() - start
    timings = result.summary["timings_seconds"]
    start = time.perf_counter()
    with PredictionLog(log_location(config)) as log:
        log.read(limit=settings.max_rows, model_version=result.summary["model_version"],
                 payload_fields=config.evaluation.subgroups)
    return {{"wall": wall, "log_read": time.perf_counter() - start, **timings}}, result.summary


def bare_run(head=None):
    pipeline, reference, rows, _ = monitor.monitored_rows(config, None, None)
    if head is not None:
        reference, rows = reference.head(head), rows.head(head)
    spec = pipeline.spec
    numerical, categorical = drift_columns(spec, settings)
    columns = numerical + categorical
    labelled = rows[rows["label"].notna()]
    quality = outcome_shortfall(labelled, settings.min_labelled_rows) is None
    figures = {{}}

    start = time.perf_counter()
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    current_set = Dataset.from_pandas(rows[columns], data_definition=definition)
    reference_set = Dataset.from_pandas(reference[columns], data_definition=definition)
    figures["drift datasets"] = time.perf_counter() - start
    start = time.perf_counter()
    preset = DataDriftPreset(
        columns=columns, num_method=NUMERICAL_DRIFT_METHOD, cat_method=CATEGORICAL_DRIFT_METHOD,
        threshold=settings.column_drift_threshold, drift_share=settings.max_drifted_share,
    )
    Report([preset], include_tests=True).run(current_set, reference_set)
    figures["drift Report.run"] = time.perf_counter() - start

    if quality:
        start = time.perf_counter()
        if "{task}" == "binary":
            definition = DataDefinition(numerical_columns=["score"], classification=[
                BinaryClassification(target="label", prediction_probas="score", pos_label=1)])
            preset = ClassificationPreset(probas_threshold=spec.threshold)
            types = {{"label": "int64"}}
        else:
            definition = DataDefinition(numerical_columns=["score", "label"],
                                        regression=[Regression(target="label", prediction="score")])
            preset = RegressionPreset()
            types = {{}}
        current_set, reference_set = (
            Dataset.from_pandas(frame[["score", "label"]].astype(types), data_definition=definition)
            for frame in (labelled, reference)
        )
        figures["quality datasets"] = time.perf_counter() - start
        start = time.perf_counter()
        Report([preset]).run(current_set, reference_set)
        figures["quality Report.run"] = time.perf_counter() - start
    figures["wall"] = sum(figures.values())
    shape = {{"reference": len(reference), "current": len(rows), "labelled": len(labelled),
              "numerical": len(numerical), "categorical": len(categorical), "quality": quality}}
    return figures, shape


# Evidently's first report in a process pays lazy set-up that later ones do not: paid here,
# on a few rows, so that neither side's first run carries it.
start = time.perf_counter()
bare_run(head=2000)
warm_up = time.perf_counter() - start
monitors, bares = [], []
for _ in range({runs}):
    figures, summary = monitor_run()
    monitors.append(figures)
    figures, shape = bare_run()
    bares.append(figures)


def medians(runs):
    return {{name: statistics.median(run.get(name, 0.0) for run in runs) for name in runs[0]}}


print(json.dumps({{"imports": imports, "inside": time.perf_counter() - began,
                  "monitor": medians(monitors), "bare": medians(bares), "shape": shape,
                  "source_rows": summary["source"]["rows"], "warm_up": warm_up,
                  "walls": [[run["wall"] for run in monitors], [run["wall"] for run in bares]]}}))
"""


def bench(use_case: str, task: str, size: str, rows: int, runs: int, python: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project(use_case, Path(scratch) / "bench")
        env = support.project_env(project.path, python)
        env["BENTOML_HOME"] = str(project.path / ".bentoml")
        package = project.package_name
        support.run(["make", f"PYTHON={python}", "pipeline", f"SIZE={size}"], project.path, env)
        cli = [str(python), "-m", package]
        support.run([*cli, "simulate", "--size", size, "--production"], project.path, env)
        fill_script = FILL.format(package=package, rows=rows)
        fill = json.loads(
            support.run([str(python), "-c", fill_script], project.path, env)
            .strip()
            .splitlines()[-1]
        )
        script = MEASURE.format(package=package, task=task, runs=runs)
        start = time.perf_counter()
        output = support.run([str(python), "-c", script], project.path, env)
        outside = time.perf_counter() - start
    figures = json.loads(output.strip().splitlines()[-1])
    monitor, bare, shape = figures["monitor"], figures["bare"], figures["shape"]

    print(f"\n## {use_case}: monitor on {fill['logged']:,} logged rows, median of {runs} run(s)")
    print(
        f"  fill (not in the ratio): {fill['production_rows']:,} production rows scored once in "
        f"{fill['score_s']:.2f} s, {'repeated' if rows > fill['production_rows'] else 'cut'} "
        f"to {rows:,} with fresh ids, logged in "
        f"{fill['log_s']:.2f} s; outcomes attached in {fill['label_s']:.2f} s "
        f"({fill['matched']:,} matched)"
    )
    imports, interpreter = figures["imports"], outside - figures["inside"]
    print(
        f"  start-up (not in the ratio): interpreter start and exit {interpreter:.2f} s, "
        + ", ".join(f"import {name} {seconds:.2f} s" for name, seconds in imports.items())
        + f"; a first bare report on 2,000 rows to warm Evidently up {figures['warm_up']:.2f} s"
    )
    print(
        f"  frames: {shape['current']:,} current rows of {figures['source_rows']:,} read "
        f"(monitoring.max_rows caps both), {shape['labelled']:,} labelled; "
        f"{shape['reference']:,} reference rows; drift on {shape['numerical']} numerical "
        f"(with score) + {shape['categorical']} categorical columns; quality report: "
        f"{'yes' if shape['quality'] else 'no'}"
    )
    evidently = ("drift_run", "quality_run", "save_html", "import_evidently")
    rest = monitor["total"] - monitor["load_data"] - sum(monitor.get(name, 0) for name in evidently)
    lines = [
        ("monitor (run_monitoring)", monitor["wall"]),
        ("  load data (model, reference, log)", monitor["load_data"]),
        ("    of which log.read alone", monitor["log_read"]),
        ("  drift report (datasets + run)", monitor["drift_run"]),
        ("  quality report (datasets + run)", monitor.get("quality_run", 0.0)),
        ("  save_html", monitor["save_html"]),
        ("  verdict, summaries, summary.json", rest),
        ("  MLflow run and logging", monitor["wall"] - monitor["total"]),
        ("bare Evidently", bare["wall"]),
        *((f"  {name}", seconds) for name, seconds in bare.items() if name != "wall"),
    ]
    print(f"  {'side':36} {'median s':>9}")
    for name, seconds in lines:
        print(f"  {name:36} {seconds:9.3f}")
    walls = figures["walls"]
    print(
        "  each run, s: monitor "
        + " ".join(f"{seconds:.2f}" for seconds in walls[0])
        + "; bare "
        + " ".join(f"{seconds:.2f}" for seconds in walls[1])
        + " (monitor's first run also opens the MLflow store)"
    )
    ratio = monitor["wall"] / bare["wall"]
    print(f"  monitor / bare Report.run = {ratio:.2f} (aim: at most 1.2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows logged (default 100000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each side")
    parser.add_argument("--size", default="small", help="simulated data size (default: small)")
    parser.add_argument(
        "--use-case",
        action="append",
        help="Only this use case (repeatable); default fraud-detection.",
    )
    args = parser.parse_args()
    chosen = args.use_case or ["fraud-detection"]
    python = support.shared_python()
    for use_case in list_use_cases():
        if use_case.available and use_case.name in chosen:
            bench(use_case.name, use_case.task, args.size, args.rows, args.runs, python)


if __name__ == "__main__":
    main()
