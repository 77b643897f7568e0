"""A generated project logs to a team's MLflow server named by MLFLOW_TRACKING_URI.

The server is the real thing: the full `mlflow` package (which generated projects do not
install: their mlflow-skinny needs no server) run by `uv tool run` at the version of the
projects' lock, on a free port, with a SQLite store and an artifacts folder of the test's
own. The project then runs its pipeline with `MLFLOW_TRACKING_URI` set and nothing else
changed; the server's REST API is asked what it holds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import support
from support import run

from generator import create_project

pytestmark = pytest.mark.e2e


def locked_mlflow_version() -> str:
    found = re.search(r"^mlflow-skinny==(\S+)", support.LOCK.read_text(), re.MULTILINE)
    assert found, "the generated projects' lock has no mlflow-skinny"
    return found.group(1)


def get(url: str, **params: str) -> tuple[int, str]:
    """GET a URL; its status and body (the repository's tests do without an HTTP client)."""
    if params:
        url = f"{url}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = support.free_port()
    command = [
        sys.executable, "-m", "uv", "tool", "run", "--python", sys.executable, "--from",
        f"mlflow=={locked_mlflow_version()}", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
        "--artifacts-destination", str(folder / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        # The first run fetches the package into uv's cache: allow for the download.
        deadline = time.monotonic() + 600
        while True:
            assert server.poll() is None, (folder / "server.log").read_text()[-3000:]
            try:
                if get(f"{url}/health")[0] == 200:
                    break
            except OSError:  # not listening yet
                pass
            assert time.monotonic() < deadline, (folder / "server.log").read_text()[-3000:]
            time.sleep(1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_runs_versions_and_the_champion_alias_go_to_the_server(
    mlflow_server: str, tmp_path: Path
) -> None:
    project = create_project("fraud-detection", tmp_path / "team-project")
    python = support.shared_python()
    env = {**support.project_env(project.path, python), "MLFLOW_TRACKING_URI": mlflow_server}
    cli = [str(python), "-m", project.package_name]
    run([*cli, "simulate", "--size", "small"], project.path, env)
    run([*cli, "train"], project.path, env)
    evaluated = run([*cli, "evaluate"], project.path, env)
    assert "registered as" in evaluated, evaluated[-3000:]
    run([*cli, "infra-validate"], project.path, env)
    run([*cli, "promote"], project.path, env)

    script = support.MLFLOW_STATE.format(package=project.package_name)
    state = support.mlflow_state(run([str(python), "-c", script], project.path, env))
    assert state["uri"] == mlflow_server
    assert {"train", "evaluate", "infra_validate"} <= set(state["jobs"])
    assert state["statuses"] == ["FINISHED"]
    assert state["champion_alias"] == state["champion_pointer"] is not None
    # Nothing was written to the project's own store.
    assert not (project.path / "mlruns").exists()
    # The server's own API, asked directly, names the same version as the pointer.
    model = state["champion_pointer"].split(":")[0]
    status, body = get(
        f"{mlflow_server}/api/2.0/mlflow/registered-models/alias", name=model, alias="champion"
    )
    assert status == 200, body
    tags = {tag["key"]: tag["value"] for tag in json.loads(body)["model_version"]["tags"]}
    assert tags["bentoml_tag"] == state["champion_pointer"]
