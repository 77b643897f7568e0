"""Helpers shared by the end-to-end tests and the benchmarks: one environment for generated
projects, built once with uv and cached under `.cache/`, and running commands in a project.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache"


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 1800) -> str:
    """Run a command; raise AssertionError with the tail of its output when it fails."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = result.stdout + result.stderr
    failure = f"{' '.join(command)} exited {result.returncode}:\n{output[-6000:]}"
    assert result.returncode == 0, failure
    return output


LOCK = REPO / "templates" / "project" / "requirements.lock"
"""The generated projects' lock: every use case has the same dependencies (`make lock`)."""


def shared_python() -> Path:
    """The Python of one environment holding the generated projects' dependencies.

    Installed from the generated projects' lock, as their `make setup` installs it, so the
    tests run on exactly the versions users get. Keyed by the Python version and the lock's
    content: a new lock builds a new environment; otherwise it is reused across runs.
    """
    recipe = "uv pip install --compile-bytecode --require-hashes -r"  # a change rebuilds it too
    key = hashlib.sha256("\n".join([sys.version, recipe, LOCK.read_text()]).encode()).hexdigest()
    venv = CACHE / f"project-env-{key[:12]}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        uv = [sys.executable, "-m", "uv"]
        env = dict(os.environ)
        run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], REPO, env)
        # Compiled bytecode: every command of a generated project imports xgboost, pandas and
        # scikit-learn, and without .pyc files (PYTHONDONTWRITEBYTECODE) that takes seconds.
        install = [*uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
        run([*install, "--require-hashes", "-r", str(LOCK)], REPO, env)
        (venv / ".complete").touch()
    return python


SYSTEM_PATH = os.pathsep.join(["/usr/sbin", "/usr/bin", "/sbin", "/bin"])
"""The operating system's own folders: the PATH of a fresh machine, before anything is installed."""


def fresh_path(*environments: Path) -> str:
    """A PATH of the given virtual environments' `bin` folders, then the system's folders.

    Commands run by the end-to-end tests get this PATH, not the developer's: a tool that
    exists only on this machine (a global uv, ruff, pip) cannot make them pass here and fail
    on a user's fresh machine.
    """
    return os.pathsep.join([*(str(venv / "bin") for venv in environments), SYSTEM_PATH])


def project_env(project: Path, python: Path) -> dict[str, str]:
    """The environment for running a generated project's code from its source folder.

    `python` is the environment's interpreter (`shared_python()`); its `bin` folder is the
    only one on PATH besides the system's.
    """
    # The developer's BentoML and MLflow settings (a tracking server, say) stay out.
    ignored = ("BENTOML_", "MLFLOW_", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ignored)}
    env["PATH"] = fresh_path(python.parent.parent)
    env["PYTHONPATH"] = str(project / "src")
    env["BENTOML_DO_NOT_TRACK"] = "True"
    return env


# Start the service on a project's champion and send it one row of a data file over HTTP
# (tests/test_e2e.py's real-data test, benchmarks/bench_onboarding.py).
SERVE_ONE_ROW = """
import sys
import httpx
from {package}.config import load_config
from {package}.core.data import load_dataset
from {package}.jobs.batch import request_rows
from {package}.adapters.server import start_server

config = load_config(sys.argv[1])
frame = load_dataset(config, sys.argv[2], require_target=False)
# The file's latest row: the service refuses a row dated before its entity's latest event
# (a series' last actual), and the model's history comes from this same file.
if config.data.time_column:
    frame = frame.sort_values(config.data.time_column, kind="stable")
row = request_rows(frame.tail(1), config)[0]
with start_server(config) as url:
    answer = httpx.post(url + "/predict", json=row, timeout=30)
print(answer.status_code, answer.text)
"""


# One row of a data file as a request (JSON), for the InfraValidator's canary: arguments are
# the configuration, the data file and where to write the row.
WRITE_CANARY = """
import json
import sys
from pathlib import Path
from {package}.config import load_config
from {package}.core.data import load_dataset
from {package}.jobs.batch import request_rows

config = load_config(sys.argv[1])
frame = load_dataset(config, sys.argv[2], require_target=False)
Path(sys.argv[3]).write_text(json.dumps(request_rows(frame.tail(1), config)[0]))
"""


MLFLOW_STATE = """
import json
from mlflow import MlflowClient
from {package}.adapters import registry, tracking
from {package}.config import load_config

config = load_config()
uri = tracking.tracking_uri(config)
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
experiment = client.get_experiment_by_name(tracking.experiment_name(config))
runs = client.search_runs([experiment.experiment_id]) if experiment else []
print("MLFLOW_STATE", json.dumps({{
    "uri": uri,
    "jobs": sorted({{run.data.tags["job"] for run in runs}}),
    "statuses": sorted({{run.info.status for run in runs}}),
    "champion_alias": tracking.aliased(config, tracking.CHAMPION_ALIAS),
    "champion_pointer": registry.champion_tag(config),
}}))
"""
"""Prints a generated project's MLflow runs and champion alias beside its champion pointer, as
JSON after `MLFLOW_STATE` (run with the project's Python, in the project): `mlflow_state`."""


def mlflow_state(output: str) -> dict:
    """What MLFLOW_STATE printed, from the output of its run."""
    for line in output.splitlines():
        if line.startswith("MLFLOW_STATE "):
            return json.loads(line.removeprefix("MLFLOW_STATE "))
    raise AssertionError(f"MLFLOW_STATE printed nothing:\n{output[-3000:]}")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the serving benchmark's servers, a test's MLflow)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
