"""The naming rule, and its agreement with copier.yml's validators.

generator/naming.py and copier.yml state the same rule twice: once so that `mlops-new` can
explain a bad name before rendering, once so that plain `copier copy` refuses it too. The last
tests render with copier itself and check that it accepts exactly the names naming.py accepts,
and derives the same package name and slug.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator import InvalidNameError, UserError, create_project
from generator.naming import (
    DEPENDENCY_MODULES,
    KEYWORDS,
    STDLIB_MODULES,
    check_package_name,
    check_project_name,
    derive_package_name,
    derive_project_slug,
    resolve_names,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("project_name", "package_name", "slug"),
    [
        ("My Fraud Project", "my_fraud_project", "my-fraud-project"),
        ("fraud-detection", "fraud_detection", "fraud-detection"),
        ("fraud.v2", "fraud_v2", "fraud-v2"),
        ("x.y-z_w", "x_y_z_w", "x-y-z-w"),
        ("Fraud Detection 2026", "fraud_detection_2026", "fraud-detection-2026"),
        ("a", "a", "a"),
        ("A--b__C", "a_b_c", "a-b-c"),
        ("churn-", "churn", "churn"),
        ("Fraud   detection ", "fraud_detection", "fraud-detection"),
    ],
)
def test_derivation(project_name: str, package_name: str, slug: str) -> None:
    assert derive_package_name(project_name) == package_name
    assert derive_project_slug(project_name) == slug
    assert resolve_names(project_name).package_name == package_name


BAD_PROJECT_NAMES = [
    "",
    "Über",
    "9lives",
    "-fraud",
    "_fraud",
    " fraud",
    "fraud/detection",
    "fraud:detection",
    "fraud\tdetection",
    "fraud\n",
    "a" * 65,
]
GOOD_PROJECT_NAMES = ["a", "Fraud Detection 2026", "x.y-z_w", "fraud-", "A" * 64]


@pytest.mark.parametrize("name", BAD_PROJECT_NAMES)
def test_invalid_project_names(name: str) -> None:
    with pytest.raises(InvalidNameError, match="must start with a letter") as caught:
        check_project_name(name)
    assert repr(name) in str(caught.value)
    assert "--name" in str(caught.value)


@pytest.mark.parametrize("name", GOOD_PROJECT_NAMES)
def test_valid_project_names(name: str) -> None:
    assert check_project_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("class", "is a Python keyword"),
        ("import", "is a Python keyword"),
        ("pandas", "which the generated project imports"),
        ("sklearn", "which the generated project imports"),
        ("tests", "which the generated project imports"),
        ("json", "shadow the standard-library module 'json'"),
        ("email", "shadow the standard-library module 'email'"),
        # Gone from Python 3.13's standard library, still there on 3.11.
        ("telnetlib", "shadow the standard-library module 'telnetlib'"),
        ("Fraud", "lowercase Python identifier"),
        ("fraud-detection", "lowercase Python identifier"),
        ("9lives", "lowercase Python identifier"),
        ("_private", "lowercase Python identifier"),
        ("é", "lowercase Python identifier"),
        ("", "lowercase Python identifier"),
        ("fraud\n", "lowercase Python identifier"),
        ("a" * 65, "lowercase Python identifier"),
    ],
)
def test_invalid_package_names(name: str, why: str) -> None:
    with pytest.raises(InvalidNameError, match=re.escape(why)) as caught:
        check_package_name(name)
    assert "--package" in str(caught.value)


def test_a_reserved_package_name_gets_a_suggestion() -> None:
    with pytest.raises(InvalidNameError, match="for example --package pandas_project"):
        check_package_name("pandas")


def test_a_derived_package_name_says_where_it_came_from() -> None:
    with pytest.raises(InvalidNameError, match="derived from the project name 'Class'"):
        resolve_names("Class")


def test_an_explicit_package_name_rescues_a_project_name() -> None:
    names = resolve_names("Class", "class_project")
    assert (names.project_name, names.package_name, names.project_slug) == (
        "Class",
        "class_project",
        "class",
    )


def test_invalid_name_error_is_a_value_error_and_a_user_error() -> None:
    with pytest.raises(ValueError) as caught:
        check_project_name("9lives")
    assert isinstance(caught.value, UserError)


def test_stdlib_list_covers_the_running_python() -> None:
    public = {name for name in sys.stdlib_module_names if re.fullmatch("[a-z][a-z0-9_]*", name)}
    assert public <= STDLIB_MODULES


# --- Agreement with copier.yml -----------------------------------------------------------


@pytest.fixture(scope="module")
def validator_template(
    tmp_path_factory: pytest.TempPathFactory, write_tree: Callable[..., Path]
) -> Path:
    """The real copier.yml (and the scenario.yml files it reads) over a two-file project that
    shows the package name and slug."""
    root = tmp_path_factory.mktemp("validators")
    shutil.copy(REPO_ROOT / "copier.yml", root / "copier.yml")
    for scenario in (REPO_ROOT / "scenarios").glob("*/scenario.yml"):
        (root / scenario.parent.relative_to(REPO_ROOT)).mkdir(parents=True)
        shutil.copy(scenario, root / scenario.relative_to(REPO_ROOT))
    return write_tree(
        root,
        {
            "templates/project/src/{{ package_name }}/__init__.py": "",
            "templates/project/{{ project_slug }}.slug": "",
        },
    )


def copier_accepts(template: Path, tmp_path: Path, **answers: str) -> Path | None:
    """Render with copier; return the project, or None if copier refused the answers."""
    import copier

    destination = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an unexpected copier warning fails the test
            copier.run_copy(
                str(template),
                str(destination),
                data={"use_case": "fraud-detection", **answers},
                defaults=True,
                quiet=True,
            )
    except ValueError as error:
        # What copier raises for an answer its validator refuses (a bare ValueError).
        assert "Validation error for question" in str(error)
        return None
    return destination


def naming_accepts(check: Callable[[str], str], name: str) -> bool:
    try:
        check(name)
    except InvalidNameError:
        return False
    return True


@pytest.mark.parametrize("name", GOOD_PROJECT_NAMES + BAD_PROJECT_NAMES)
def test_copier_accepts_the_same_project_names(
    validator_template: Path, tmp_path: Path, name: str
) -> None:
    accepted = copier_accepts(validator_template, tmp_path, project_name=name, package_name="p")
    assert (accepted is not None) == naming_accepts(check_project_name, name)


@pytest.mark.parametrize(
    "name",
    [
        "fraud_detection",
        "a",
        "x" * 64,
        "my_json",
        "class_project",
        "class",
        "async",
        "json",
        "os",
        "distutils",
        "zoneinfo",
        "pandas",
        "yaml",
        "generator",
        "Fraud",
        "9lives",
        "fraud-detection",
        "fraud\n",
        "x" * 65,
    ],
)
def test_copier_accepts_the_same_package_names(
    validator_template: Path, tmp_path: Path, name: str
) -> None:
    accepted = copier_accepts(validator_template, tmp_path, project_name="p", package_name=name)
    assert (accepted is not None) == naming_accepts(check_package_name, name)


class CopierYmlLoader(yaml.SafeLoader):
    """copier.yml's YAML; copier's `!include <glob>` is left as its pattern."""


CopierYmlLoader.add_constructor("!include", lambda loader, node: loader.construct_scalar(node))


def test_copier_yml_reserves_the_same_names() -> None:
    """The three name lists written in copier.yml's package validator are naming.py's."""
    copier_yml = yaml.load((REPO_ROOT / "copier.yml").read_text(), Loader=CopierYmlLoader)
    validator = copier_yml["package_name"]["validator"]
    lists = {
        match["name"]: set(match["words"].split())
        for match in re.finditer(r'{% set (?P<name>\w+) = "(?P<words>[^"]*)" %}', validator)
    }
    assert lists["keywords"] == KEYWORDS
    assert lists["imports"] == DEPENDENCY_MODULES
    # A newer Python's new modules belong in copier.yml too: add the missing names there.
    assert lists["stdlib"] == STDLIB_MODULES


@pytest.mark.parametrize(
    "project_name", ["My Fraud Project", "fraud.v2", "x.y-z_w", "Fraud   detection ", "A--b__C"]
)
def test_copier_derives_the_same_package_name_and_slug(
    validator_template: Path, tmp_path: Path, project_name: str
) -> None:
    project = copier_accepts(validator_template, tmp_path, project_name=project_name)
    assert project is not None
    assert [p.name for p in (project / "src").iterdir()] == [derive_package_name(project_name)]
    assert (project / f"{derive_project_slug(project_name)}.slug").is_file()


@pytest.mark.parametrize("package", ["a_kit", "zz_top"])
def test_the_projects_lint_holds_wherever_the_package_sorts(package: str, tmp_path: Path) -> None:
    """Import order must not depend on the package's name: the tests' helper modules
    (task_examples, test_service, ...) sort in a section of their own, after the package."""
    project = create_project(
        "fraud-detection", tmp_path / "p", package_name=package, workshop=True, solutions=True
    )
    ruff = [sys.executable, "-m", "ruff"]
    for command in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        done = subprocess.run(
            [*ruff, *command, "src", "tests", "labs"],
            cwd=project.path,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
