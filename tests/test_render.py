"""Rendering the template: the files a project gets, its answers file, unusual names, plain copier.

These tests render from this checkout's working tree (uncommitted changes included), through
`create_project` and through copier's own command line, and check the result as files; the
generated project's own tests run in the slower end-to-end suite (`-m e2e`).
"""

from __future__ import annotations

import importlib.machinery
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator import (
    DestinationError,
    GeneratedProject,
    TemplateError,
    UnknownUseCaseError,
    UseCaseUnavailableError,
    create_project,
    list_use_cases,
)
from generator._create import _template_source
from generator._release import checkout_version
from generator._store import recorded_path, store_home, tags_of
from generator.usecases import get_use_case

REPO_ROOT = Path(__file__).resolve().parents[1]

EXPECTED_FILES = [
    "README.md",
    "Makefile",
    "pyproject.toml",
    ".gitignore",
    ".copier-answers.yml",
    "config/pipeline.yaml",
    "config/real_data.yaml",
    "src/{package}/__init__.py",
    "src/{package}/cli.py",
    "src/{package}/errors.py",
    "src/{package}/config.py",
    "src/{package}/domain/simulate.py",
    "src/{package}/domain/features.py",
    "src/{package}/task/metrics.py",
    "src/{package}/core/bundle.py",
    "src/{package}/adapters/registry.py",
    "src/{package}/jobs/train.py",
    "src/{package}/jobs/retrain.py",
    "src/{package}/jobs/loop.py",
    "src/{package}/adapters/modelcard.py",
    "src/{package}/serving/service.py",
    "tests/test_architecture.py",
    "tests/conftest.py",
    "tests/fixtures/config/pipeline.yaml",
    "tests/test_end_to_end.py",
    "tests/test_loop.py",
    "tests/test_tooling.py",
    ".pre-commit-config.yaml",
    ".github/workflows/ci.yml",
    ".github/workflows/monitor.yml",
]

# Jinja's delimiters, unless preceded by `$`: `${{ ... }}` is a GitHub Actions expression and
# `${#var}` a shell string length, both legitimate in generated files.
LEFTOVER_JINJA = re.compile(r"(?<!\$)(\{\{|\{%|\{#)")


@pytest.mark.parametrize("relative", EXPECTED_FILES)
def test_expected_file_exists(generated: GeneratedProject, relative: str) -> None:
    path = generated.path / relative.format(package=generated.package_name)
    assert path.is_file(), f"{relative} was not generated"


def test_files_lists_what_was_written(generated: GeneratedProject) -> None:
    on_disk = sorted(
        p.relative_to(generated.path) for p in generated.path.rglob("*") if p.is_file()
    )
    assert generated.files == on_disk


def test_answers_file_records_the_answers(generated: GeneratedProject) -> None:
    answers = yaml.safe_load((generated.path / ".copier-answers.yml").read_text())
    assert answers["use_case"] == "fraud-detection"
    assert answers["project_name"] == "my-fraud-project"
    assert answers["package_name"] == "my_fraud_project"
    # Where `mlops-new update` will look for the template, and which version the project has:
    # the store and this checkout's version; a working tree with uncommitted changes has none.
    if generated.template_version is not None:
        assert Path(answers["_src_path"]) == store_home() / "template.bundle"
        assert answers["_commit"] == generated.template_version == f"v{checkout_version()}"
    else:
        assert Path(answers["_src_path"]) == REPO_ROOT
        assert "uncommitted changes" in generated.update_note


def test_a_committed_checkout_renders_its_version_from_the_store(tmp_path: Path) -> None:
    clone = tmp_path / "mlops-new"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)

    source = _template_source(clone)

    assert (source.path, source.ref) == (
        recorded_path(store_home() / "template.bundle"),
        f"v{checkout_version(clone)}",
    )
    assert tags_of(str(store_home() / "template.bundle"))[source.ref]
    assert source.update_note == ""

    (clone / "templates" / "project" / "Makefile.jinja").write_text("# work in progress\n")
    source = _template_source(clone)
    assert (source.path, source.ref) == (str(clone), "HEAD")
    assert "uncommitted changes" in source.update_note


def test_no_jinja_syntax_survives(generated: GeneratedProject) -> None:
    leftovers = []
    for path in generated.path.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(generated.path)
        if LEFTOVER_JINJA.search(str(relative)):
            leftovers.append(f"{relative} (in its name)")
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary
        for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
            if LEFTOVER_JINJA.search(line):
                leftovers.append(f"{relative}:{number}: {line.strip()}")
    assert not leftovers, "\n".join(leftovers)


def test_generated_python_compiles(generated: GeneratedProject) -> None:
    for path in generated.path.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize(
    ("project_name", "package_name"),
    [
        ("Fraud Detection 2026", "fraud_detection_2026"),
        ("a", "a"),
        ("x.y-z_w", "x_y_z_w"),
        # 64 characters, the longest name, ending in a space.
        ("Fraud Detection " * 4, "fraud_detection_fraud_detection_fraud_detection_fraud_detection"),
    ],
)
def test_unusual_names_give_importable_packages(
    tmp_path: Path, project_name: str, package_name: str
) -> None:
    project = create_project("fraud-detection", tmp_path / "p", project_name=project_name)
    assert project.package_name == package_name
    spec = importlib.machinery.PathFinder.find_spec(package_name, [str(tmp_path / "p" / "src")])
    assert spec is not None
    assert spec.submodule_search_locations  # a package, not a module
    answers = yaml.safe_load((tmp_path / "p" / ".copier-answers.yml").read_text())
    assert answers["project_name"] == project_name


def test_plain_copier_copy(tmp_path: Path) -> None:
    """`copier copy` of this repository works without mlops-new.

    `--vcs-ref HEAD` renders the working tree, as `create_project` does; without it copier
    would render the latest git tag.
    """
    destination = tmp_path / "plain"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "HEAD",
            "--data",
            "use_case=fraud-detection",
            str(REPO_ROOT),
            str(destination),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "my-fraud-detection"  # copier.yml's default
    assert (destination / "src" / "my_fraud_detection" / "__init__.py").is_file()


# copier.yml's choices and derived values come from scenario.yml: tests/test_scenarios.py.


def test_use_cases_read_scenario_yml() -> None:
    fraud = get_use_case("fraud-detection")
    assert fraud.title == "Fraud detection"
    assert fraud.domain == "finance"
    assert (fraud.task, fraud.capabilities) == ("binary", ())
    assert fraud.available


# --- create_project's errors, with throwaway templates ---------------------------------------

# Every key of scenario.yml (generator/contract.py), for the throwaway templates' scenarios.
SCENARIO_YML = """\
name: {name}
title: {title}
domain: tests
summary: {summary}
tagline: test the generator
readme_summary: tests the generator
task: binary
capabilities: []
real_dataset: null
real_dataset_label: null
real_dataset_file: null
headline_metric: null
available: {available}
workshop: null
"""


@pytest.fixture
def throwaway_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_tree: Callable[..., Path]
) -> Path:
    """A template with an available scenario whose slot is missing, and a planned one."""
    root = write_tree(
        tmp_path / "template",
        {
            "copier.yml": (
                "_subdirectory: project\n"
                "use_case: {type: str, choices: [broken]}\n"
                "project_name: {type: str}\n"
                "package_name: {type: str}\n"
            ),
            "project/README.md.jinja": '{% include "scenarios/" ~ use_case ~ "/missing.md" %}\n',
            "scenarios/broken/scenario.yml": SCENARIO_YML.format(
                name="broken", title="Broken", summary="A slot file is missing.", available="true"
            ),
            "scenarios/weather/scenario.yml": SCENARIO_YML.format(
                name="weather", title="Weather", summary="Planned.", available="false"
            ),
        },
    )
    monkeypatch.setattr("generator._create.template_root", lambda: root)
    return root


def test_unknown_use_case_suggests_the_nearest(tmp_path: Path) -> None:
    with pytest.raises(UnknownUseCaseError) as caught:
        create_project("fraud-detecton", tmp_path / "p")
    assert str(caught.value) == (
        "unknown use case 'fraud-detecton'; did you mean 'fraud-detection'? "
        "`mlops-new list` shows them"
    )
    assert isinstance(caught.value, LookupError)
    assert not (tmp_path / "p").exists()


def test_planned_use_case_is_unavailable(throwaway_template: Path, tmp_path: Path) -> None:
    assert [u.name for u in list_use_cases(throwaway_template)] == ["broken", "weather"]
    with pytest.raises(UseCaseUnavailableError, match="'weather' \\(Weather\\) is planned"):
        create_project("weather", tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_failed_render_leaves_nothing(throwaway_template: Path, tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"'scenarios/broken/missing\.md' does not exist"):
        create_project("broken", tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_destination_errors_are_file_exists_errors(tmp_path: Path) -> None:
    (tmp_path / "p").write_text("")
    with pytest.raises(FileExistsError) as caught:
        create_project("fraud-detection", tmp_path / "p")
    assert isinstance(caught.value, DestinationError)


# --- what differs by use case and task -------------------------------------------------------


@pytest.mark.parametrize("use_case", [u.name for u in list_use_cases() if u.available])
def test_each_use_case_gets_only_its_own_task_and_files(use_case: str, tmp_path: Path) -> None:
    project = create_project(use_case, tmp_path / "p")
    src = project.path / "src" / project.package_name
    task, capabilities = get_use_case(use_case).task, get_use_case(use_case).capabilities
    code = ""
    for path in src.rglob("*.py"):
        text = path.read_text()
        assert not LEFTOVER_JINJA.search(text), path.name
        compile(text, str(path), "exec")
        code += text
    serving = "".join(path.read_text() for path in (src / "serving").glob("*.py"))
    # A binary project decides with a threshold; a regression project answers an interval.
    assert ("def decide(" in code) == (task == "binary")
    assert ("interval_booster" in code) == (task == "regression")
    assert (src / "jobs" / "backtest.py").is_file() == ("forecasting" in capabilities)
    assert (src / "jobs" / "horizon.py").is_file() == ("forecasting" in capabilities)
    assert ("async def forecast(" in serving) == ("forecasting" in capabilities)
    assert (project.path / "MODEL_CARD.md").is_file() == ("model_card" in capabilities)


# A file a generated configuration cites: `docs/problem.md`, `README.md`, `src/.../metrics.py`.
CITED_FILE = re.compile(r"\b((?:docs|config|src|tests)/[\w./{}-]+\.(?:md|py|yaml)|README\.md)\b")


@pytest.mark.parametrize("use_case", [u.name for u in list_use_cases() if u.available])
def test_the_configurations_cite_only_files_the_project_has(use_case: str, tmp_path: Path) -> None:
    project = create_project(use_case, tmp_path / "p")
    cited = {
        match
        for path in (project.path / "config").glob("*.yaml")
        for match in CITED_FILE.findall(path.read_text())
    }
    missing = [name for name in cited if "..." not in name and not (project.path / name).exists()]
    assert not missing, f"{use_case}'s configuration cites {missing}, which it does not have"
