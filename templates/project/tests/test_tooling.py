"""The development tools agree: `make lint` and the pre-commit hooks run the same ruff."""

import re
import tomllib
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def requirements_of(name: str, requirements: list[str]) -> set[str]:
    """The requirements on package `name` among `requirements`, spaces removed."""
    return {
        requirement.replace(" ", "")
        for requirement in requirements
        if re.split(r"[\s=<>!~;\[]", requirement, maxsplit=1)[0] == name
    }


def test_make_lint_and_the_hooks_run_the_same_ruff():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    dev = requirements_of("ruff", pyproject["project"]["optional-dependencies"]["dev"])
    assert len(dev) == 1 and next(iter(dev)).startswith("ruff=="), f"pin one version: {dev}"

    config = yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    ruff_hooks = [hook for hook in hooks if hook.get("entry", "").split()[:1] == ["ruff"]]
    assert {"ruff-check", "ruff-format"} <= {hook["id"] for hook in ruff_hooks}
    for hook in ruff_hooks:
        pinned = requirements_of("ruff", hook.get("additional_dependencies", []))
        assert pinned == dev, f"hook {hook['id']} installs {pinned}, the dev extra {dev}"
