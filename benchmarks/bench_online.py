"""Benchmark: what one request's row costs in-process, from the model alone to the whole path.

For each available use case: generate the project, simulate and train at the given size,
simulate a production period, then score its first rows one at a time, in time order, in a
fresh interpreter of the project's environment (no HTTP, no log), three ways:

1. model only: xgboost's `inplace_predict` on the row's ready float vector (one thread);
2. online path: the service's `online_inputs` (request JSON to the float vector, no pandas)
   plus `answer_matrix` and the task's `answers`: what the service computes per request;
3. frame path: the same row as a one-row DataFrame through `ScoringPipeline.predict` and
   `answers`: what the service computed per request before the online path.

Each figure is the median over the rows of the per-row wall time, in microseconds, with the
ratios measured in the same run. Aim (issue 16): the online path at most 0.5 ms per row.
Figures are printed, nothing is asserted.

    .venv/bin/python benchmarks/bench_online.py [--rows 2000] [--size small] [--use-case X]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import support  # noqa: E402

from generator import create_project, list_use_cases  # noqa: E402

# Runs in the project's environment; prints one JSON line of medians in microseconds.
MEASURE = """
import json, statistics, time
import xgboost as xgb
from {package}.config import load_config
from {package}.core.bundle import ScoringPipeline, candidate_dir
from {package}.core.data import load_dataset, time_ordered
from {package}.jobs.batch import request_rows
from {package}.core.schema import parse_datetimes
from {package}.task.answers import answers
import pandas as pd

config = load_config("config/pipeline.yaml")
frame = load_dataset(config, "data/production.csv", require_target=False)
frame = time_ordered(frame, config).head({rows})
payloads = request_rows(frame, config)
online, offline = (ScoringPipeline.load(candidate_dir(config)) for _ in range(2))
spec = online.spec
vectors = [online.online_inputs([online.online.typed(p)]).matrix for p in payloads[:50]]
online = ScoringPipeline.load(candidate_dir(config))

def median_us(step, items):
    times = []
    for item in items:
        start = time.perf_counter()
        step(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6

def model_only(matrix):
    online.booster.inplace_predict(matrix)

def online_path(payload):
    inputs = online.online_inputs([online.online.typed(payload)])
    answers(online.answer_matrix(inputs.matrix), spec)

# The request as a one-row frame, as serving/messages.py `rows_frame` built it (that module
# loads the champion when imported; this project has only a candidate).
DTYPES = {{"int": "Int64", "float": "float64"}}

def rows_frame(payload):
    return pd.DataFrame({{
        name: parse_datetimes([payload.get(name)]) if column.type == "datetime"
        else pd.Series([payload.get(name)], dtype=DTYPES.get(column.type, "string"))
        for name, column in spec.columns.items()
        if name != spec.target and name not in spec.known_after_outcome
    }})

def frame_path(payload):
    answers(offline.predict(rows_frame(payload)), spec)

with xgb.config_context(nthread=1):
    figures = {{
        "model only": median_us(model_only, vectors * ({rows} // 50 + 1)),
        "online path": median_us(online_path, payloads),
        "frame path": median_us(frame_path, payloads),
    }}
print(json.dumps(figures))
"""


def bench(use_case: str, size: str, rows: int, python: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project(use_case, Path(scratch) / "bench")
        env = support.project_env(project.path, python)
        cli = [str(python), "-m", project.package_name]
        support.run([*cli, "simulate", "--size", size], project.path, env)
        support.run([*cli, "train"], project.path, env)
        support.run([*cli, "simulate", "--size", size, "--production"], project.path, env)
        script = MEASURE.format(package=project.package_name, rows=rows)
        output = support.run([str(python), "-c", script], project.path, env)
    figures = json.loads(output.strip().splitlines()[-1])
    print(f"\n## {use_case}: one row at a time, {rows} production rows, in-process")
    print(f"  {'path':12} {'median µs':>10} {'/ model':>8}")
    for name, micros in figures.items():
        print(f"  {name:12} {micros:10.0f} {micros / figures['model only']:8.1f}")
    speedup = figures["frame path"] / figures["online path"]
    print(f"  online path {figures['online path'] / 1000:.2f} ms per row (aim: at most 0.5 ms)")
    print(f"  frame path / online path = {speedup:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--size", default="small")
    parser.add_argument(
        "--use-case", action="append", help="Only this use case (repeatable); default all."
    )
    args = parser.parse_args()
    python = support.shared_python()
    for use_case in list_use_cases():
        if use_case.available and (not args.use_case or use_case.name in args.use_case):
            bench(use_case.name, args.size, args.rows, python)


if __name__ == "__main__":
    main()
