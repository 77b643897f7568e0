"""Benchmark: what a prediction log commit costs, alone and shared (group commit).

Generates the fraud-detection project (no training: the log needs none) and, in its
environment, writes predictions to a SQLite log and, where PostgreSQL is installed, to a
PostgreSQL log started for the run (the project's tests/local_servers.py), in transactions
of 1, 4, 8 and 32 rows, one after the other, as `PredictionLog.write` commits the writes of
that many concurrent requests in one transaction. Prints the time per commit and per row,
the median of 5 rounds; the ratio of one row alone to one row in a group of eight is what
group commit saves a busy service per request. Figures are printed, nothing is asserted.

    .venv/bin/python benchmarks/bench_log_write.py [--writes 400]
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

from generator import create_project  # noqa: E402

GROUPS = (1, 4, 8, 32)

# Runs in the project's environment; prints one JSON line: store -> group -> seconds per commit.
MEASURE = """
import json, statistics, sys, tempfile, time, uuid
from contextlib import ExitStack
from pathlib import Path
sys.path.insert(0, "tests")
from local_servers import postgres_server, server_programs
from {package}.adapters.predlog import PredictionLog

def record():
    return {{
        "request_id": uuid.uuid4().hex, "logged_at": "2026-01-01T00:00:00.000000+00:00",
        "entity_id": uuid.uuid4().hex, "model_version": "fraud_detector:bench",
        "score": 0.25, "decision": "review",
        "inputs": {{f"feature_{{i}}": i * 0.5 for i in range(30)}},
        "payload": {{f"column_{{i}}": i for i in range(20)}}, "answer": {{"score": 0.25}},
    }}

def per_commit(log, group, writes):
    rounds = []
    for _ in range(5):
        batches = [[record() for _ in range(group)] for _ in range(max(writes // group, 10))]
        start = time.perf_counter()
        for batch in batches:
            log.write(batch)
        rounds.append((time.perf_counter() - start) / len(batches))
    return statistics.median(rounds)

figures = {{}}
with ExitStack() as stack:
    stores = {{"sqlite": Path(tempfile.mkdtemp()) / "predictions.db"}}
    if server_programs() is not None:
        stores["postgresql"] = stack.enter_context(postgres_server()).new_database()
    for name, location in stores.items():
        with PredictionLog(location) as log:
            log.write([record()])  # the schema made, the connection open
            figures[name] = {{group: per_commit(log, group, {writes}) for group in {groups}}}
print(json.dumps(figures))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=400, help="Rows written per round.")
    args = parser.parse_args()
    python = support.shared_python()
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project("fraud-detection", Path(scratch) / "bench")
        env = support.project_env(project.path, python)
        script = MEASURE.format(package=project.package_name, writes=args.writes, groups=GROUPS)
        output = support.run([str(python), "-c", script], project.path, env)
    figures = json.loads(output.strip().splitlines()[-1])
    print("\n## the prediction log: one commit of N rows (median of 5 rounds)")
    print(f"  {'store':12} {'rows':>5} {'us per commit':>14} {'us per row':>11}")
    for store, groups in figures.items():
        for group, seconds in groups.items():
            micros = seconds * 1e6
            print(f"  {store:12} {group:>5} {micros:14.0f} {micros / int(group):11.0f}")
        alone, shared = groups["1"], groups["8"] / 8
        print(f"  {store}: a row alone / a row in a commit of 8 = {alone / shared:.1f}")
    if "postgresql" not in figures:
        print("  (no PostgreSQL: install Debian's postgresql for its rows)")


if __name__ == "__main__":
    main()
