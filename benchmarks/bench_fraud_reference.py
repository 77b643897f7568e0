"""Benchmark: does the fraud-detection reference model earn its place on its own simulated data?

Generates the fraud-detection project into a temporary folder (or uses `--project`, an
already generated one) and, in the shared environment of generated projects
(tests/support.py), for each seed: simulates the training period, trains a candidate, and
scores the model, the logistic-regression baseline and the oracle (the simulator's true
fraud probabilities) on the same held-out rows. It prints, per seed:

- the number of held-out rows and positives;
- PR AUC (the headline metric) and ROC AUC of each, with 95% bootstrap intervals
  (the held-out rows resampled with replacement);
- model minus baseline on each metric, paired (both scored on the same resamples), with
  twice its standard error: the sampling noise a real difference must exceed;
- the model's PR AUC as a share of the oracle's.

Aims (issue 13): the model beats the baseline on PR AUC by more than the noise, judged on at
least 300 held-out positives, and reaches at least 0.95 of the oracle's PR AUC, on every
seed. Figures are printed, nothing is asserted.

    .venv/bin/python benchmarks/bench_fraud_reference.py [--size medium] [--seeds 42 7 2026]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import support

from generator import create_project

IN_PROCESS = """
import json, sys, time
import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from {package}.config import load_config
from {package}.core.bundle import ScoringPipeline, candidate_dir
from {package}.jobs.batch import simulate_data
from {package}.jobs.evaluate import _oracle_scores, read_held_out
from {package}.jobs.train import train

size, rounds = sys.argv[1], int(sys.argv[2])
config = load_config("config/pipeline.yaml")
for seed in map(int, sys.argv[3:]):
    began = time.perf_counter()
    simulate_data(config, size=size, seed=seed, overwrite=True)
    simulated = time.perf_counter()
    trained = train(config)
    fitted = time.perf_counter()
    bundle = candidate_dir(config)
    candidate = ScoringPipeline.load(bundle)
    held_out = read_held_out(bundle, candidate)
    y = held_out.y
    scores = {{
        "model": candidate.score_inputs(held_out.inputs),
        "baseline": held_out.table["baseline_score"].to_numpy(),
        "oracle": _oracle_scores(config, held_out.table["row_id"]),
    }}
    metrics = {{"pr_auc": average_precision_score, "roc_auc": roc_auc_score}}
    rng = np.random.default_rng(seed)
    samples = {{(who, m): [] for who in scores for m in metrics}}
    for _ in range(rounds):
        rows = rng.integers(len(y), size=len(y))
        for who, values in scores.items():
            for m, metric in metrics.items():
                samples[who, m].append(metric(y[rows], values[rows]))
    figures = {{
        f"{{who}}.{{m}}": {{
            "value": metrics[m](y, scores[who]),
            "low": float(np.percentile(samples[who, m], 2.5)),
            "high": float(np.percentile(samples[who, m], 97.5)),
        }}
        for who in scores for m in metrics
    }}
    for m in metrics:
        difference = np.subtract(samples["model", m], samples["baseline", m])
        figures[f"gain.{{m}}"] = {{
            "value": figures[f"model.{{m}}"]["value"] - figures[f"baseline.{{m}}"]["value"],
            "noise": 2 * float(np.std(difference)),
        }}
    print(json.dumps({{
        "seed": seed, "rows": len(y), "positives": int(y.sum()),
        "train_rows": trained.rows, "rounds": trained.best_iteration,
        "simulate_s": simulated - began, "train_s": fitted - simulated, **figures,
    }}), flush=True)
"""


def measure(project: Path, package: str, size: str, seeds: list[int], rounds: int) -> None:
    python = support.shared_python()
    env = support.project_env(project, python)
    code = IN_PROCESS.format(package=package)
    args = [str(python), "-c", code, size, str(rounds), *map(str, seeds)]
    output = support.run(args, project, env)
    results = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    print(f"## fraud-detection reference at size '{size}', {rounds} bootstrap rounds")
    for r in results:
        print(
            f"\nseed {r['seed']}: {r['rows']:,} held-out rows, {r['positives']} positive "
            f"(trained on {r['train_rows']:,} rows, {r['rounds']} rounds; "
            f"simulate {r['simulate_s']:.1f} s, train {r['train_s']:.1f} s)"
        )
        for metric in ("pr_auc", "roc_auc"):
            cells = "  ".join(
                f"{who} {r[f'{who}.{metric}']['value']:.4f} "
                f"[{r[f'{who}.{metric}']['low']:.4f}, {r[f'{who}.{metric}']['high']:.4f}]"
                for who in ("model", "baseline", "oracle")
            )
            gain = r[f"gain.{metric}"]
            verdict = "beats" if gain["value"] > gain["noise"] else "does NOT beat"
            print(f"  {metric:8} {cells}")
            print(
                f"  {'':8} model - baseline {gain['value']:+.4f} (noise {gain['noise']:.4f}): "
                f"{verdict} the baseline beyond noise"
            )
        share = r["model.pr_auc"]["value"] / r["oracle.pr_auc"]["value"]
        print(f"  pr_auc model / oracle = {share:.3f} (aim: at least 0.95)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", help="simulated data size (default: medium)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 2026])
    parser.add_argument("--rounds", type=int, default=500, help="bootstrap rounds")
    parser.add_argument("--project", type=Path, help="an already generated fraud project")
    args = parser.parse_args()
    if args.project is not None:
        package = next(p.parent.name for p in (args.project / "src").glob("*/__init__.py"))
        measure(args.project.resolve(), package, args.size, args.seeds, args.rounds)
        return
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project("fraud-detection", Path(scratch) / "fraud_bench")
        measure(project.path, project.package_name, args.size, args.seeds, args.rounds)


if __name__ == "__main__":
    main()
