"""Benchmark: the whole pipeline at the default data size, and model quality against the oracle.

Generates each available use case into a temporary folder and, in the shared environment of
generated projects (tests/support.py), measures:

- each step in one process (simulate, validate, train, evaluate + register, promote), with
  the import of the project's modules timed separately;
- the same steps as separate CLI commands (`make pipeline`), as a user runs them: every
  command pays its own imports;
- the model's PR AUC against the oracle's (the simulator's true probabilities) and the
  baseline's, on the same held-out rows.

Aims (issue 2): the whole pipeline under 60 s on 2 cores, installs excluded; model PR AUC at
least 0.95 of the oracle's. Figures are printed, nothing is asserted.

    .venv/bin/python benchmarks/bench_pipeline.py [--size medium]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import support

from generator import create_project, list_use_cases

IN_PROCESS = """
import json, sys, time
started = time.perf_counter()
from {package} import jobs, promotion
from {package}.config import load_config
from {package}.evaluate import evaluate
from {package}.train import train
timings = {{"import": time.perf_counter() - started}}
config = load_config("config/pipeline.yaml")
def timed(name, job):
    begin = time.perf_counter()
    value = job()
    timings[name] = time.perf_counter() - begin
    return value
timed("simulate", lambda: jobs.simulate_data(config, size=sys.argv[1]))
timed("validate", lambda: jobs.validate_data(config))
timed("train", lambda: train(config))
result = timed("evaluate", lambda: evaluate(config))
timed("promote", lambda: promotion.promote(config, result.registered_as))
print(json.dumps(timings))
"""


def bench(use_case: str, size: str, python: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project(use_case, Path(scratch) / "bench")
        env = support.project_env(project.path)
        code = IN_PROCESS.format(package=project.package_name)
        output = support.run([str(python), "-c", code, size], project.path, env)
        timings = json.loads(output.strip().splitlines()[-1])
        in_process = sum(timings.values())

        support.run(["make", "clean"], project.path, env)
        began = time.perf_counter()
        support.run(["make", f"PYTHON={python}", "pipeline", f"SIZE={size}"], project.path, env)
        as_commands = time.perf_counter() - began

        evaluation = json.loads((project.path / "reports/evaluation/evaluation.json").read_text())
        cards = evaluation["scorecards"]

    print(f"\n## {use_case} pipeline at size '{size}' (aim: under 60 s)")
    for name, seconds in timings.items():
        print(f"  {name:10} {seconds:7.2f} s")
    print(f"  {'total':10} {in_process:7.2f} s  in one process")
    print(f"  {'commands':10} {as_commands:7.2f} s  as `make pipeline` (5 commands, imports each)")
    print(f"\n## {use_case} model quality on {evaluation['test_rows']:,} held-out rows")
    print(f"  {'scorer':10} {'PR AUC':>8} {'ROC AUC':>8} {'recall@alert':>13} {'cost/row':>9}")
    for name, card in cards.items():
        print(
            f"  {name:10} {card['pr_auc']:8.4f} {card['roc_auc']:8.4f} "
            f"{card['recall_at_alert_rate']:13.4f} {card['expected_cost']:9.4f}"
        )
    if "oracle" in cards:
        ratio = cards["model"]["pr_auc"] / cards["oracle"]["pr_auc"]
        print(f"  model / oracle PR AUC = {ratio:.3f} (aim: at least 0.95)")
    over_baseline = cards["model"]["pr_auc"] / cards["baseline"]["pr_auc"]
    print(f"  model / baseline PR AUC = {over_baseline:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", help="simulated data size (default: medium)")
    args = parser.parse_args()
    python = support.shared_python()
    for use_case in list_use_cases():
        if use_case.available:
            bench(use_case.name, args.size, python)


if __name__ == "__main__":
    main()
