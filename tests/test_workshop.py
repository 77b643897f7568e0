"""The workshop kit (`mlops-new workshop`, docs/workshop.md), for every use case.

On the starter kit every lab's checkpoint must say the lab is not done, with a message that
teaches (status `todo`: the exercise's classic mistake, found and explained, never a crash);
with the reference solutions every checkpoint passes. `make doctor` must pass on this
machine, and the kit's Python must pass the project's own ruff rules. A project generated
without the kit has no trace of it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import support
from support import run
from typer.testing import CliRunner

from generator import create_project, list_use_cases
from generator.cli import app

pytestmark = pytest.mark.e2e

AVAILABLE = [use_case.name for use_case in list_use_cases() if use_case.available]


@pytest.fixture(scope="module")
def shared_python() -> Path:
    return support.shared_python()


def checkpoints(project: Path, python: Path) -> list[dict]:
    env = support.project_env(project, python)
    output = run([str(python), "-m", "labs.checks", "--json"], project, env)
    return json.loads(output)


def lint(project: Path, python: Path) -> None:
    env = support.project_env(project, python)
    run([str(python), "-m", "ruff", "check", "labs"], project, env)
    run([str(python), "-m", "ruff", "format", "--check", "labs"], project, env)


@pytest.mark.parametrize("use_case", AVAILABLE)
def test_starter_checkpoints_all_teach_and_solutions_all_pass(use_case, tmp_path, shared_python):
    starter = create_project(use_case, tmp_path / "starter", workshop=True).path
    solved = create_project(use_case, tmp_path / "solved", workshop=True, solutions=True).path
    for kit in (starter, solved):
        lint(kit, shared_python)

    todo = checkpoints(starter, shared_python)
    assert len(todo) >= 11, todo
    for lab in todo:
        # `todo`: the checkpoint recognised the starter's mistake and explained it; `error`
        # would be a crash, and a bare assertion would carry no message.
        assert lab["status"] == "todo", lab
        assert len(lab["message"]) > 60 and "Traceback" not in lab["message"], lab
        assert (starter / lab["page"]).is_file(), lab
    done = checkpoints(solved, shared_python)
    assert [lab["status"] for lab in done] == ["done"] * len(todo), done
    assert [lab["title"] for lab in done] == [lab["title"] for lab in todo]

    # The student's and the teacher's commands: make check exits 1 until the lab is done.
    make = ["make", f"PYTHON={shared_python}"]
    env = support.project_env(starter, shared_python)
    failed = subprocess.run(
        [*make, "check", "LAB=1"], cwd=starter, env=env, capture_output=True, text=True
    )
    assert failed.returncode != 0 and "not done yet" in failed.stdout, failed.stdout
    assert "Read: labs/01-data.md" in failed.stdout
    env = support.project_env(solved, shared_python)
    assert "done" in run([*make, "check", "LAB=1"], solved, env)
    progress = run([*make, "progress"], solved, env)
    assert f"{len(done)} of {len(done)} labs done" in progress, progress
    doctor = run([*make, "doctor"], solved, env)
    assert "Everything is ready for the workshop." in doctor, doctor
    assert (solved / "labs" / "TEACHER.md").is_file()
    assert not (starter / "labs" / "TEACHER.md").exists()
    # The project's own suite does not collect the labs: the starter's are meant to fail.
    pytest_options = tomllib.loads((starter / "pyproject.toml").read_text())["tool"]["pytest"]
    assert pytest_options["ini_options"]["testpaths"] == ["tests"]


def test_a_project_without_the_kit_has_none_of_it(generated) -> None:
    assert not (generated.path / "labs").exists()
    assert not any("labs" in Path(file).parts for file in generated.files)


def test_the_workshop_command_generates_the_kit_and_says_what_next(tmp_path) -> None:
    destination = tmp_path / "class-kit"
    result = CliRunner().invoke(
        app, ["workshop", "fraud-detection", str(destination), "--solutions"], prog_name="mlops-new"
    )
    assert result.exit_code == 0, result.output
    assert "make setup && make doctor" in result.stdout
    assert "labs/TEACHER.md" in result.stdout
    assert (destination / "labs" / "README.md").is_file()
    answers = (destination / ".copier-answers.yml").read_text()
    assert "workshop: true" in answers and "solutions: true" in answers

    unknown = CliRunner().invoke(app, ["workshop", "fraud-detektion", str(tmp_path / "x")])
    assert unknown.exit_code == 1 and "fraud-detection" in unknown.stderr, unknown.output
    assert not (tmp_path / "x").exists()


def test_lab_10_a_class_shares_a_git_remote_and_a_tracking_server(tmp_path, shared_python):
    """The collaboration lab for real: the teacher's `class_server.py` serves the starter kit
    with git daemon and runs MLflow; a student clones it, runs the pipeline against the
    class's MLflow, writes the proposal with `make proposal` and pushes it for review."""
    teacher = create_project("fraud-detection", tmp_path / "fraud-workshop", workshop=True).path
    identity = {
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
    }
    env = {**support.project_env(teacher, shared_python), **identity}
    run(["git", "init", "--quiet", "--initial-branch=main"], teacher, env)
    run(["git", "add", "-A"], teacher, env)
    run(["git", "commit", "--quiet", "-m", "The starter kit"], teacher, env)

    git_port, mlflow_port = support.free_port(), support.free_port()
    version = re.search(r"^mlflow-skinny==(\S+)", support.LOCK.read_text(), re.MULTILINE)
    server_log = (tmp_path / "class-server.log").open("w")
    command = [
        str(shared_python), "labs/class_server.py", "--dir", str(tmp_path / "class"),
        "--host", "127.0.0.1", "--git-port", str(git_port),
        "--mlflow-port", str(mlflow_port), "--python", str(shared_python),
        "--mlflow-version", version.group(1),
    ]  # fmt: skip
    server = subprocess.Popen(
        command,
        cwd=teacher,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    tracking = f"http://127.0.0.1:{mlflow_port}"
    try:
        deadline = time.monotonic() + 600  # the first run downloads mlflow into uv's cache
        while not _answers(f"{tracking}/health"):
            assert server.poll() is None, (tmp_path / "class-server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "class-server.log").read_text()
            time.sleep(1)
        clone = tmp_path / "student"
        url = f"git://127.0.0.1:{git_port}/fraud-workshop.git"
        run(["git", "clone", "--quiet", url, str(clone)], tmp_path, env)
        student = {
            **support.project_env(clone, shared_python),
            **identity,
            "MLFLOW_TRACKING_URI": tracking,
            "LOGNAME": "ada",
        }
        make = ["make", f"PYTHON={shared_python}"]
        run(["git", "switch", "--quiet", "-c", "proposal/ada"], clone, student)
        run([*make, "pipeline", "SIZE=small"], clone, student)
        wrote = run([*make, "proposal"], clone, student)
        assert "card/" in wrote, wrote
        assert "pr_auc" in (clone / "proposal" / "README.md").read_text()
        assert (clone / "proposal" / "evaluation.md").is_file()
        run(["git", "add", "proposal"], clone, student)
        run(["git", "commit", "--quiet", "-m", "Proposal"], clone, student)
        run(["git", "push", "--quiet", "origin", "proposal/ada"], clone, student)

        # The class sees the branch, and the runs under the student's name.
        heads = run(["git", "ls-remote", "--heads", url], tmp_path, env)
        assert "refs/heads/proposal/ada" in heads and "refs/heads/main" in heads, heads
        script = (
            "import json, mlflow\n"
            "runs = mlflow.search_runs(search_all_experiments=True, output_format='list')\n"
            "print(json.dumps([r.data.tags.get('mlflow.user') for r in runs]))\n"
        )
        users = json.loads(run([str(shared_python), "-c", script], clone, student).strip())
        assert users and set(users) == {"ada"}, users
        assert not (clone / "mlruns").exists()  # nothing stayed on the student's laptop
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def test_a_classroom_without_internet_sets_up_from_the_teachers_wheelhouse(tmp_path):
    """`make wheelhouse` (the teacher, online) then `make setup-offline` (a student, with no
    index, empty caches and a proxy that refuses every connection): `make doctor` passes."""
    teacher = create_project("fraud-detection", tmp_path / "teacher", workshop=True).path
    student = create_project("fraud-detection", tmp_path / "student", workshop=True).path
    wheelhouse = tmp_path / "wheelhouse"
    ignored = ("BENTOML_", "MLFLOW_", "VIRTUAL_ENV", "UV_", "PIP_REQUIRE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ignored)}
    env.update(PATH=support.SYSTEM_PATH, BENTOML_DO_NOT_TRACK="True")
    built = run(["make", "wheelhouse", f"WHEELHOUSE={wheelhouse}"], teacher, env)
    assert "copy the folder to the" in built, built[-2000:]

    dead = "http://127.0.0.1:9"  # nothing listens on the discard port: every request fails
    offline = {
        **env,
        **dict.fromkeys(["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"], dead),
        "UV_CACHE_DIR": str(tmp_path / "empty-uv-cache"),
        "PIP_NO_CACHE_DIR": "1",
    }
    run(["make", "setup-offline", f"WHEELHOUSE={wheelhouse}"], student, offline)
    doctor = run(["make", "doctor"], student, offline)
    assert "packages as requirements.lock pins them" in doctor, doctor
    assert "a tiny run (simulate, validate, train on small data) works" in doctor, doctor

    missing = subprocess.run(
        ["make", "setup-offline", f"WHEELHOUSE={tmp_path / 'nowhere'}"],
        cwd=student,
        env=offline,
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "ask the teacher for it" in missing.stderr
