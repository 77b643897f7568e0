"""The workshop kit (`mlops-new workshop`, docs/workshop.md), for every use case.

On the starter kit every lab's checkpoint must say the lab is not done, with a message that
teaches (status `todo`: the exercise's classic mistake, found and explained, never a crash);
with the reference solutions every checkpoint passes. `make doctor` must pass on this
machine, and the kit's Python must pass the project's own ruff rules. A project generated
without the kit has no trace of it.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
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
    assert len(todo) >= 9, todo
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
