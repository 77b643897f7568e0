"""Scenarios as plug-ins: each folder keeps the contract, and copier.yml finds it by itself.

A use case is one folder, scenarios/<name>/. The first test checks every folder against the
contract of generator/contract.py (its files, its scenario.yml, and the functions and classes of
its simulator and features module, read with `ast`: nothing is imported or rendered), so a new
scenario learns what it lacks before anything renders it. The checker itself is tested on
broken copies. Then copier.yml is rendered by copier, over the real scenario.yml files, to show
that the choices and the derived `task`, `forecasting` and `model_card` come from the folders;
and README.md's use-case table is checked against the same files.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator import TemplateError, list_use_cases
from generator.contract import check_scenario
from generator.usecases import get_use_case

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.name for p in (REPO_ROOT / "scenarios").iterdir() if p.is_dir())


# --- the contract ----------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_keeps_the_contract(scenario: str) -> None:
    problems = check_scenario(REPO_ROOT / "scenarios" / scenario)
    assert not problems, (
        f"scenarios/{scenario} breaks the scenario contract (generator/contract.py, "
        "docs/scenarios.md):\n" + "\n".join(problems)
    )


@pytest.fixture
def broken(tmp_path: Path, write_tree: Callable[..., Path]) -> Path:
    """A copy of the demand-forecasting scenario (it has a capability) beside a task folder."""
    shutil.copytree(
        REPO_ROOT / "scenarios" / "demand-forecasting",
        tmp_path / "scenarios" / "demand-forecasting",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    write_tree(
        tmp_path,
        {
            "templates/tasks/regression/metrics.py": (
                'METRICS = {"wape": Metric("WAPE", False), "coverage": Metric("coverage", True)}\n'
            )
        },
    )
    assert check_scenario(tmp_path / "scenarios" / "demand-forecasting") == []
    return tmp_path / "scenarios" / "demand-forecasting"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is no longer in {path}; update this test's breakage"
    path.write_text(text.replace(old, new, 1))


BREAKAGES = {
    "a slot file missing": (
        lambda s: (s / "examples" / "request.json").unlink(),
        "scenarios/demand-forecasting/examples/request.json: missing (every scenario provides it)",
    ),
    "the data protection paragraph missing": (
        lambda s: (s / "docs" / "data_protection.md").unlink(),
        "scenarios/demand-forecasting/docs/data_protection.md: missing (every scenario "
        "provides it)",
    ),
    "the entity's last event missing": (
        lambda s: edit(s / "src" / "features.py", "def last_seen(", "def latest("),
        "scenarios/demand-forecasting/src/features.py: `def last_seen(frame: pd.DataFrame, "
        "history: SalesHistory) -> pd.Series` is not defined",
    ),
    "a scenario.yml key missing": (
        lambda s: edit(s / "scenario.yml", "tagline:", "tag_line:"),
        "scenarios/demand-forecasting/scenario.yml: lacks tagline",
    ),
    "an unknown capability": (
        lambda s: edit(s / "scenario.yml", "capabilities: [forecasting]", "capabilities: [ab]"),
        "scenarios/demand-forecasting/scenario.yml: `capabilities` names unknown 'ab' "
        "(known: forecasting, model_card)",
    ),
    "a capability's file missing": (
        lambda s: edit(s / "scenario.yml", "[forecasting]", "[forecasting, model_card]"),
        "scenarios/demand-forecasting/docs/model_card.md: missing (the model_card capability "
        "needs it)",
    ),
    "a task without a folder": (
        lambda s: edit(s / "scenario.yml", "task: regression", "task: ranking"),
        "scenarios/demand-forecasting/scenario.yml: `task` is 'ranking', not a folder of "
        "templates/tasks/ (regression)",
    ),
    "a mistyped key": (
        lambda s: edit(s / "scenario.yml", "available: true", "available: yes please"),
        "scenarios/demand-forecasting/scenario.yml: `available` must be a boolean, "
        "not 'yes please'",
    ),
    "a headline metric the task lacks": (
        lambda s: edit(s / "scenario.yml", "name: wape", "name: smape"),
        "scenarios/demand-forecasting/scenario.yml: `headline_metric` 'smape' is not a metric "
        "of the regression task (wape, coverage)",
    ),
    "a capability's function missing": (
        lambda s: edit(s / "src" / "features.py", "def last_actuals(", "def last_actual("),
        "scenarios/demand-forecasting/src/features.py: `def last_actuals(history: SalesHistory) "
        "-> dict[str, int]` is not defined (capability 'forecasting')",
    ),
    "a mistyped parameter": (
        lambda s: edit(
            s / "src" / "features.py",
            "def engineer_features(frame: pd.DataFrame,",
            "def engineer_features(frame: pd.Series,",
        ),
        "scenarios/demand-forecasting/src/features.py: `engineer_features` parameter 1 (`frame`) "
        "is `pd.Series`, the contract says `pd.DataFrame`; contract: `def engineer_features("
        "frame: pd.DataFrame, history: SalesHistory) -> pd.DataFrame`",
    ),
    "a keyword-only parameter missing": (
        lambda s: edit(s / "src" / "simulate.py", "drift: bool = False", "shift: bool = False"),
        "scenarios/demand-forecasting/src/simulate.py: `simulate` lacks the keyword-only "
        "parameter `drift`",
    ),
    "a size missing": (
        lambda s: edit(s / "src" / "simulate.py", '"large":', '"huge":'),
        "scenarios/demand-forecasting/src/simulate.py: `SIZES` lacks the keys 'large'",
    ),
    "Jinja syntax in a scenario file": (
        lambda s: edit(s / "docs" / "problem.md", "\n", "\nSee {{ docs }}.\n"),
        "scenarios/demand-forecasting/docs/problem.md:2: Jinja delimiters",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_the_checker_names_the_scenario_the_file_and_the_item(broken: Path, breakage: str) -> None:
    do, expected = BREAKAGES[breakage]
    do(broken)
    problems = check_scenario(broken)
    assert any(problem.startswith(expected) for problem in problems), "\n".join(problems)


def test_a_malformed_scenario_yml_is_a_template_error(tmp_path: Path, broken: Path) -> None:
    edit(broken / "scenario.yml", "capabilities: [forecasting]", "capabilities: forecasting")
    with pytest.raises(TemplateError, match="`capabilities` must be a list, not 'forecasting'"):
        list_use_cases(tmp_path)
    edit(broken / "scenario.yml", "name: demand-forecasting", "name: demand")
    with pytest.raises(TemplateError, match="`name` is 'demand' but the folder is"):
        list_use_cases(tmp_path)


# --- copier.yml reads the scenarios ----------------------------------------------------------


@pytest.fixture
def probe_template(tmp_path: Path, write_tree: Callable[..., Path]) -> Path:
    """The real copier.yml and scenario.yml files over a project of two files: the answers
    file (the real one's template) and one that shows the derived values."""
    root = tmp_path / "template"
    for source in (REPO_ROOT / "scenarios").glob("*/scenario.yml"):
        target = root / source.relative_to(REPO_ROOT)
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
    shutil.copy(REPO_ROOT / "copier.yml", root / "copier.yml")
    answers = "{{ _copier_conf.answers_file }}.jinja"
    return write_tree(
        root,
        {
            "templates/project/derived.txt.jinja": (
                "{{ task }} {{ forecasting }} {{ model_card }}\n"
            ),
            f"templates/project/{answers}": (REPO_ROOT / "templates/project" / answers).read_text(),
        },
    )


def copy(template: Path, destination: Path, **data: str) -> Path:
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unexpected copier warning fails the test
        copier.run_copy(
            str(template), str(destination), data=data, defaults=True, quiet=True, unsafe=False
        )
    return destination


@pytest.mark.parametrize("name", [u.name for u in list_use_cases() if u.available])
def test_copier_derives_task_and_capabilities_from_scenario_yml(
    probe_template: Path, tmp_path: Path, name: str
) -> None:
    use_case = get_use_case(name)
    project = copy(probe_template, tmp_path / "p", use_case=name)
    derived = (project / "derived.txt").read_text().split()
    assert derived == [
        use_case.task,
        str("forecasting" in use_case.capabilities),
        str("model_card" in use_case.capabilities),
    ]
    # Derived values are not answers: the answers file records the questions asked (and the
    # workshop kit's `solutions` only when the kit was asked for).
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    asked = {"use_case", "project_name", "package_name", "description", "workshop"}
    asked |= {"ci", "kubernetes"}  # the CI provider, and whether to add the manifests
    assert set(answers) == {"_src_path", *asked}
    assert answers["workshop"] is False


def test_copier_offers_the_available_scenarios_and_refuses_others(
    probe_template: Path, tmp_path: Path
) -> None:
    planned = probe_template / "scenarios" / "ride-pricing" / "scenario.yml"
    edit(planned, "available: true", "available: false")
    with pytest.raises(ValueError) as refused:
        copy(probe_template, tmp_path / "p", use_case="ride-pricing")
    offered = sorted(u.name for u in list_use_cases() if u.available and u.name != "ride-pricing")
    assert str(refused.value) == (
        f"Invalid choice for 'use_case': 'ride-pricing' is not in {offered}"
    )
    assert not (tmp_path / "p").exists()


def test_copier_yml_names_no_use_case() -> None:
    """Adding a use case is adding its folder: copier.yml reads them, it never lists them."""
    text = (REPO_ROOT / "copier.yml").read_text()
    named = [u.name for u in list_use_cases() if u.name in text]
    assert not named, f"copier.yml names {named}; derive from `scenarios` instead"


# --- README.md -------------------------------------------------------------------------------


def readme_table() -> str:
    """README.md's use-case table, from the available scenarios' scenario.yml."""
    rows = [
        "| use case | domain | what the model does | real dataset |",
        "|---|---|---|---|",
    ]
    for u in list_use_cases():
        if u.available:
            dataset = u.real_dataset_label or "none"
            rows.append(f"| `{u.name}` | {u.domain} | {u.readme_summary} | {dataset} |")
    return "\n".join(rows) + "\n"


def test_readme_table_lists_the_scenarios() -> None:
    table = readme_table()
    assert table in (REPO_ROOT / "README.md").read_text(), (
        "README.md's use-case table differs from scenarios/*/scenario.yml (name, domain, "
        "readme_summary, real_dataset_label). Replace the table under '## Use cases' with:\n\n"
        + table
    )
