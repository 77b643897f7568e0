"""End to end: generate each use case, install it, run its own checks, tests and README run.

These tests do what a user does after `mlops-new <use-case> DEST`: `make lint`, `make test`
and `make run` in the generated project. Installing the stack (xgboost, BentoML, Evidently,
...) takes about a minute with uv, so all generated projects share one environment, cached
under `.cache/` and keyed by the generated dependency list (tests/support.py); each project's
own code is put on PYTHONPATH instead of being installed. The real-data test sends the public
dataset of the domain (from `../shared/datasets`, beside the repository) through the same
pipeline; which file each use case reads is its scenario.yml's `real_dataset_file`.
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
from pathlib import Path

import pytest
import support
from support import run

from generator import create_project, list_use_cases

pytestmark = pytest.mark.e2e

DATASETS = support.REPO.parent / "shared" / "datasets"
AVAILABLE = [use_case.name for use_case in list_use_cases() if use_case.available]
REAL_DATA = {
    use_case.name: DATASETS / use_case.real_dataset_file
    for use_case in list_use_cases()
    if use_case.real_dataset_file is not None
}


def count_rows(path: Path) -> int:
    """Data rows of a CSV, compressed or not (its header left out)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.fixture(scope="session")
def shared_python() -> Path:
    return support.shared_python()


@pytest.mark.parametrize("use_case", AVAILABLE)
def test_generated_project_passes_its_own_checks_tests_and_run(use_case, tmp_path, shared_python):
    project = create_project(use_case, tmp_path / f"my-{use_case}")
    env = support.project_env(project.path, shared_python)
    make = ["make", f"PYTHON={shared_python}"]

    run([*make, "lint"], project.path, env)
    tests = run([*make, "test"], project.path, env)
    assert " passed" in tests and " failed" not in tests and " error" not in tests, tests[-3000:]

    # The README's run command, exactly as a user types it (after `make setup`).
    output = run([*make, "run"], project.path, env)
    assert "Gate: passed" in output
    assert "InfraValidator: INFRA_BLESSED" in output
    assert "a malformed payload gets 400" in output
    evaluation = json.loads((project.path / "reports/evaluation/evaluation.json").read_text())
    assert evaluation["gate"]["passed"] and evaluation["registered_as"]
    normal = json.loads((project.path / "reports/monitoring/summary.json").read_text())
    drifted = json.loads((project.path / "reports/monitoring-drifted/summary.json").read_text())
    assert not normal["breached"] and drifted["breached"]
    assert (project.path / "reports/monitoring/report.html").stat().st_size > 10_000
    # MLflow, in the project's own store: the runs, and the alias naming what serves.
    script = support.MLFLOW_STATE.format(package=project.package_name)
    state = support.mlflow_state(run([str(shared_python), "-c", script], project.path, env))
    assert state["uri"].startswith("sqlite:///"), state
    assert {"train", "evaluate", "infra_validate", "monitor"} <= set(state["jobs"]), state
    assert state["statuses"] == ["FINISHED"], state
    assert state["champion_alias"] == state["champion_pointer"] is not None, state
    # The same steps as a Kubeflow pipeline, compiled and run here (kfp.local), as its CI does.
    run([*make, "kfp-compile"], project.path, env)
    assert (project.path / "pipelines/training.yaml").is_file()
    pipeline = run([*make, "kfp-local"], project.path, env)
    assert "Pipeline" in pipeline and "finished with status" in pipeline, pipeline[-3000:]
    assert "pipeline finished" in pipeline


@pytest.mark.parametrize("use_case", AVAILABLE)
def test_real_public_dataset_goes_through_the_same_pipeline(use_case, tmp_path, shared_python):
    source = REAL_DATA.get(use_case)
    if source is None or not source.is_file():
        pytest.skip(f"no real dataset for {use_case} beside the repository ({DATASETS})")
    project = create_project(use_case, tmp_path / f"real-{use_case}")
    env = support.project_env(project.path, shared_python)
    cli = [str(shared_python), "-m", project.package_name]
    options = ["--config", "config/real_data.yaml"]

    run([*cli, "validate", "--data", str(source), *options], project.path, env)
    run([*cli, "train", "--data", str(source), *options], project.path, env)
    evaluated = run([*cli, "evaluate", "--data", str(source), *options], project.path, env)
    assert "registered as" in evaluated and "no oracle" in evaluated
    # The example request is the simulator's: the canary is a row of the real file instead.
    write_canary = support.WRITE_CANARY.format(package=project.package_name)
    canary = "examples/real_row.json"
    write = [str(shared_python), "-c", write_canary, options[1], str(source), canary]
    run(write, project.path, env)
    blessed = run([*cli, "infra-validate", "--example", canary, *options], project.path, env)
    assert "INFRA_BLESSED" in blessed, blessed
    run([*cli, "promote", *options], project.path, env)
    listed = run([*cli, "models", *options], project.path, env)
    assert "* " in listed
    run([*cli, "predict", str(source), "-o", "reports/real.csv", *options], project.path, env)
    rows = count_rows(source)
    with (project.path / "reports/real.csv").open(newline="") as written:
        scored = list(csv.DictReader(written))
    assert len(scored) == rows and all(row["model_version"] for row in scored)
    serve_one_row = support.SERVE_ONE_ROW.format(package=project.package_name)
    command = [str(shared_python), "-c", serve_one_row, "config/real_data.yaml", str(source)]
    served = run(command, project.path, env)
    assert served.startswith("200 ") and '"model_version"' in served, served
    monitored = subprocess.run(
        [*cli, "monitor", "--current", str(source), *options],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    # Monitoring runs to a verdict (0: no breach, 1: breach) with its report; on a sample this
    # small a drift verdict is noise-prone, so either verdict is accepted, an error is not.
    assert monitored.returncode in (0, 1), monitored.stdout + monitored.stderr
    assert "Error:" not in monitored.stderr, monitored.stderr
    summary = json.loads((project.path / "reports/monitoring/summary.json").read_text())
    # Every row the model is meant for (data.exclude_rows leaves some out), or the configured
    # cap on rows compared (a seeded sample).
    assert 0.95 * min(rows, 20_000) <= summary["current_rows"] <= min(rows, 20_000)
    assert summary["breached"] == (monitored.returncode == 1)
