"""Benchmark: the whole pipeline at the default data size, and model quality against the oracle.

Generates each available use case into a temporary folder and, in the shared environment of
generated projects (tests/support.py), measures:

- each step in one process (simulate, validate, train, evaluate + register, promote), with
  the import of the project's modules timed separately;
- the same steps as separate CLI commands (`make pipeline`), as a user runs them: every
  command pays its own imports;
- the model's headline metric against the oracle's (the simulator's ground truth) and the
  baseline's, on the same held-out rows;
- the same pipeline on the domain's real public dataset (config/real_data.yaml, from
  ../shared/datasets), model against baseline.

The headline metric and the real dataset's file of each use case come from its scenario.yml
(`headline_metric`, `real_dataset_file`).

Aims (issues 2 and 3): the whole pipeline under 60 s on 2 cores, installs excluded; the
model within 5% of the oracle on its headline metric. Figures are printed, nothing is
asserted.

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

from generator import UseCase, create_project, list_use_cases

DATASETS = support.REPO.parent / "shared" / "datasets"

IN_PROCESS = """
import json, sys, time
started = time.perf_counter()
from {package} import jobs, promotion
from {package}.config import load_config
from {package}.jobs.evaluate import evaluate
from {package}.jobs.train import train
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


def bench(use_case: UseCase, size: str, python: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project(use_case.name, Path(scratch) / "bench")
        env = support.project_env(project.path, python)
        code = IN_PROCESS.format(package=project.package_name)
        output = support.run([str(python), "-c", code, size], project.path, env)
        timings = json.loads(output.strip().splitlines()[-1])
        in_process = sum(timings.values())

        support.run(["make", "clean"], project.path, env)
        began = time.perf_counter()
        support.run(["make", f"PYTHON={python}", "pipeline", f"SIZE={size}"], project.path, env)
        as_commands = time.perf_counter() - began

        evaluation = json.loads((project.path / "reports/evaluation/evaluation.json").read_text())
        real = real_data(use_case, project, python, env)

    print(f"\n## {use_case.name} pipeline at size '{size}' (aim: under 60 s)")
    for name, seconds in timings.items():
        print(f"  {name:10} {seconds:7.2f} s")
    print(f"  {'total':10} {in_process:7.2f} s  in one process")
    print(f"  {'commands':10} {as_commands:7.2f} s  as `make pipeline` (5 commands, imports each)")
    print(f"\n## {use_case.name} model quality on {evaluation['test_rows']:,} held-out rows")
    print_cards(use_case, evaluation["scorecards"])
    if real is not None:
        print(f"\n## {use_case.name} on the real dataset: {real['test_rows']:,} held-out rows")
        print_cards(use_case, real["scorecards"])


def real_data(use_case: UseCase, project, python: Path, env: dict) -> dict | None:
    """Train and evaluate on the real public dataset; its evaluation record (None without it)."""
    if use_case.real_dataset_file is None:
        return None
    source = DATASETS / use_case.real_dataset_file
    if not source.is_file():
        return None
    cli = [str(python), "-m", project.package_name]
    options = ["--data", str(source), "--config", "config/real_data.yaml"]
    support.run([*cli, "train", *options], project.path, env)
    support.run([*cli, "evaluate", "--no-register", *options], project.path, env)
    return json.loads((project.path / "reports/evaluation/evaluation.json").read_text())


def print_cards(use_case: UseCase, cards: dict) -> None:
    metrics = [name for name, value in cards["model"].items() if value is not None]
    widths = [max(10, len(name)) + 2 for name in metrics]
    header = "".join(f"{name:>{w}}" for name, w in zip(metrics, widths, strict=True))
    print(f"  {'':10}{header}")
    for scorer, card in cards.items():
        cells = "".join(
            f"{card[name]:{w}.4f}" if card.get(name) is not None else f"{'n/a':>{w}}"
            for name, w in zip(metrics, widths, strict=True)
        )
        print(f"  {scorer:10}{cells}")
    headline = use_case.headline_metric
    if headline is None:
        return
    metric, higher_is_better = headline.name, headline.higher_is_better

    def ratio(rival: str) -> float:
        model, other = cards["model"][metric], cards[rival][metric]
        return model / other if higher_is_better else other / model

    if "oracle" in cards:
        print(f"  {metric}: model against oracle = {ratio('oracle'):.3f} (aim: at least 0.95)")
    print(f"  {metric}: model against baseline = {ratio('baseline'):.3f} (above 1: model better)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", help="simulated data size (default: medium)")
    args = parser.parse_args()
    python = support.shared_python()
    for use_case in list_use_cases():
        if use_case.available:
            bench(use_case, args.size, python)


if __name__ == "__main__":
    main()
