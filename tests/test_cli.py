"""The `mlops-new` command, as a person uses it: what it prints, what it writes, its exit codes.

Every bad input must end with one `Error: ...` line that says what to do, a non-zero exit code
and no traceback, and must leave the destination as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()


def mlops_new(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(arg) for arg in args], prog_name="mlops-new")


def assert_user_error(result, exit_code: int, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # not an uncaught exception
    assert "Error: " in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_list_shows_the_use_cases() -> None:
    result = mlops_new("list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["USE", "CASE", "DOMAIN"]
    fraud = next(row for row in rows if row.startswith("fraud-detection "))
    assert fraud.split()[1:3] == ["finance", "available"]
    assert "Score payment transactions for fraud" in fraud


def test_help_lists_one_command_per_use_case() -> None:
    result = mlops_new("--help")
    assert result.exit_code == 0
    assert "list" in result.stdout
    assert "fraud-detection" in result.stdout


def test_version() -> None:
    result = mlops_new("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("mlops-new ")


def test_generates_a_project_and_prints_the_next_steps(tmp_path: Path) -> None:
    destination = tmp_path / "my fraud project"
    result = mlops_new("fraud-detection", destination)
    assert result.exit_code == 0, result.output
    assert (destination / ".copier-answers.yml").is_file()
    assert (destination / "src" / "my_fraud_project").is_dir()
    assert "'my fraud project'" in result.stdout
    assert f"cd '{destination}'" in result.stdout  # quoted: the path has spaces
    assert "make setup && make run" in result.stdout


def test_destination_defaults_to_the_use_case_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = mlops_new("fraud-detection", "--name", "Card Fraud", "--package", "cards")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fraud-detection" / "src" / "cards").is_dir()
    answers = (tmp_path / "fraud-detection" / ".copier-answers.yml").read_text()
    assert "project_name: Card Fraud" in answers
    assert "cd fraud-detection" in result.stdout


@pytest.mark.parametrize(
    ("command", "fragments"),
    [
        (
            "fraud-detecton",
            ["unknown use case 'fraud-detecton'", "did you mean 'fraud-detection'?"],
        ),
        ("Fraud-Detection", ["did you mean 'fraud-detection'?"]),
        ("weather", ["unknown use case 'weather'", "`mlops-new list` shows them"]),
        ("lst", ["unknown command 'lst'", "did you mean 'list'?"]),
    ],
)
def test_unknown_use_case(tmp_path: Path, command: str, fragments: list[str]) -> None:
    result = mlops_new(command, tmp_path / "x")
    assert_user_error(result, 2, *fragments)  # a usage error
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", ["9lives", "Über", "a/b", "x" * 65])
def test_invalid_project_name(tmp_path: Path, name: str) -> None:
    result = mlops_new("fraud-detection", tmp_path / "p", "--name", name)
    assert_user_error(result, 1, "invalid project name", "must start with a letter", "--name")
    assert not (tmp_path / "p").exists()


def test_invalid_project_name_from_the_folder(tmp_path: Path) -> None:
    result = mlops_new("fraud-detection", tmp_path / "2026-fraud")
    assert_user_error(result, 1, "'2026-fraud'", "destination folder", "--name")


@pytest.mark.parametrize(
    ("package", "fragment"),
    [
        ("Fraud-Project", "lowercase Python identifier"),
        ("class", "is a Python keyword"),
        ("pandas", "would shadow 'pandas'"),
        ("json", "would shadow the standard-library module 'json'"),
    ],
)
def test_invalid_package_name(tmp_path: Path, package: str, fragment: str) -> None:
    result = mlops_new("fraud-detection", tmp_path / "p", "--package", package)
    assert_user_error(result, 1, fragment, "--package")
    assert not (tmp_path / "p").exists()


def test_a_project_name_whose_package_would_shadow_asks_for_package(tmp_path: Path) -> None:
    result = mlops_new("fraud-detection", tmp_path / "numpy")
    assert_user_error(result, 1, "derived from the project name 'numpy'", "--package")


def test_non_empty_destination_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = mlops_new("fraud-detection", tmp_path, "--name", "p")
    assert_user_error(result, 1, "is not empty", "--force")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_force_adds_to_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = mlops_new("fraud-detection", tmp_path, "--name", "p", "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "Makefile").is_file()


def test_force_still_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("my own readme")
    result = mlops_new("fraud-detection", tmp_path, "--name", "p", "--force")
    assert_user_error(result, 1, "already exist", "README.md", "--overwrite")
    assert (tmp_path / "README.md").read_text() == "my own readme"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]  # nothing written


def test_overwrite_replaces_colliding_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("my own readme")
    (tmp_path / "notes.txt").write_text("mine")
    result = mlops_new("fraud-detection", tmp_path, "--name", "p", "--overwrite")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_text() != "my own readme"
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_destination_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "p").write_text("")
    result = mlops_new("fraud-detection", tmp_path / "p", "--force")
    assert_user_error(result, 1, "is a file")


def test_destination_inside_a_file(tmp_path: Path) -> None:
    (tmp_path / "p").write_text("")
    result = mlops_new("fraud-detection", tmp_path / "p" / "q")
    assert_user_error(result, 1, "is a file, not a folder")


def test_installed_entry_point() -> None:
    """The console script that `pip install` wrote runs (not only the app object)."""
    search_path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    script = shutil.which("mlops-new", path=search_path)
    if script is None:
        pytest.skip("the mlops-new script is not installed (pip install -e .)")
    result = subprocess.run(
        [script, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "fraud-detection" in result.stdout


def test_python_dash_m_generator() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mlops-new ")


def _small_table(path: Path) -> Path:
    """A small CSV as users export them: dates day first, labels as floats, "?" for missing."""
    lines = ["ref,booked,amount,region,label"]
    for index in range(120):
        day = 1 + index % 28
        amount = "?" if index % 17 == 3 else f"{(index * 37) % 500 + 0.5}"
        label = "1.0" if index % 5 == 0 else "0.0"
        lines.append(f"b{index},{day:02d}-{1 + index % 12:02d}-2021,{amount},r{index % 3},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_data_and_target_write_the_configuration_for_the_file(tmp_path: Path) -> None:
    data = _small_table(tmp_path / "bookings.csv")
    destination = tmp_path / "mine"
    result = mlops_new("fraud-detection", destination, "--data", data, "--target", "label")
    assert result.exit_code == 0, result.output
    config = (destination / "config" / "pipeline.yaml").read_text()
    assert f'path: "{data.resolve().as_posix()}"' in config
    assert 'booked: {type: datetime, format: "%d-%m-%Y"' in config
    assert 'positive_label: "1.0"' in config and 'missing_values: ["?"]' in config
    assert "registry:" in config and "monitoring:" in config  # the use case's other sections
    assert "wrote config/pipeline.yaml: 5 columns of bookings.csv (120 rows)" in result.stdout
    assert "id column: ref; time column: booked" in result.stdout
    assert "validate && " in result.stdout


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--target", "label"], ["--target needs --data"]),
        (["--data", "DATA"], ["needs --target: the column to predict"]),
        (["--data", "MISSING", "--target", "label"], ["data file not found", "pass --data"]),
        (["--data", "DATA", "--target", "nope"], ["--target 'nope' is not a column of", "ref"]),
        (["--data", "EMPTY", "--target", "label"], ["is empty"]),
    ],
)
def test_data_errors_name_the_fix_and_leave_nothing(
    tmp_path: Path, options: list[str], fragments: list[str]
) -> None:
    files = {
        "DATA": _small_table(tmp_path / "bookings.csv"),
        "MISSING": tmp_path / "none.csv",
        "EMPTY": tmp_path / "empty.csv",
    }
    files["EMPTY"].write_text("")
    destination = tmp_path / "mine"
    result = mlops_new(
        "fraud-detection", destination, *[str(files.get(option, option)) for option in options]
    )
    assert_user_error(result, 1, *fragments)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not destination.exists()
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".mlops-new-")]


def test_data_errors_leave_an_existing_destination_as_it_was(tmp_path: Path) -> None:
    destination = tmp_path / "mine"
    destination.mkdir()
    (destination / "notes.txt").write_text("mine")
    data = _small_table(tmp_path / "bookings.csv")
    result = mlops_new(
        "fraud-detection", destination, "--force", "--data", data, "--target", "nope"
    )
    assert_user_error(result, 1, "--target 'nope' is not a column of")
    assert sorted(path.name for path in destination.iterdir()) == ["notes.txt"]
