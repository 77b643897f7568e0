"""Shared fixtures of the generator's tests.

`generated` renders the fraud-detection project once per session, with `create_project` from
this checkout (its committed version, or its working tree when it has uncommitted changes);
tests that only read a project share it. Every test uses a template store of the session's
own (`template_store`). `write_tree` builds a throwaway template from `{path: content}`, so a
test that needs an unusual template shows all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import GeneratedProject, create_project


def _write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture(scope="session", autouse=True)
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A template store of the test session's own (`MLOPS_NEW_HOME`), never the user's.

    Generating from a clean checkout fetches its template version into the store
    (generator/_store.py); subprocesses inherit the variable.
    """
    home = tmp_path_factory.mktemp("mlops-new-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_NEW_HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def write_tree() -> Callable[[Path, dict[str, str]], Path]:
    """`write_tree(root, {relative path: content})` writes the files and returns `root`."""
    return _write_tree


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedProject:
    """The fraud-detection project, generated once into `<tmp>/my-fraud-project`."""
    destination = tmp_path_factory.mktemp("generated") / "my-fraud-project"
    return create_project("fraud-detection", destination)
