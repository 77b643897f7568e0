"""The generated projects' locks are in step with the template's pyproject.toml, offline.

templates/project/requirements.lock (what `make setup` installs) and requirements-image.lock
(what the bento's image installs) are shipped as they are: every use case has the same
dependencies, so one pair serves them all. `make lock` writes them again (it needs the package
index); these tests fail, saying so, while a dependency of the template is edited and the
locks are not.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from generator import GeneratedProject, create_project, list_use_cases

PROJECT = Path(__file__).resolve().parents[1] / "templates" / "project"
LOCKS = ["requirements.lock", "requirements-image.lock"]
# The machines the locks must serve: the image's, CI's and developers' (Linux, macOS, Windows).
ENVIRONMENTS = [
    {"sys_platform": platform, "python_version": version, "python_full_version": f"{version}.9"}
    for platform in ("linux", "darwin", "win32")
    for version in ("3.11", "3.12")
]
FIX = "run `make lock` in this repository"


def locked(lock: str) -> dict[str, list[tuple[str, Marker | None, bool]]]:
    """A lock's pins by package: (version, marker, has hashes) for each entry."""
    pins: dict[str, list[tuple[str, Marker | None, bool]]] = {}
    for line in (PROJECT / lock).read_text().replace("\\\n", " ").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement, *hashes = line.split("--hash=")
        pinned = Requirement(requirement)
        (specifier,) = pinned.specifier
        assert specifier.operator == "==", f"{lock}: not pinned: {line}"
        entry = (specifier.version, pinned.marker, bool(hashes))
        pins.setdefault(canonicalize_name(pinned.name), []).append(entry)
    return pins


def version_on(pins: list[tuple[str, Marker | None, bool]], environment: dict) -> str | None:
    versions = {v for v, marker, _ in pins if marker is None or marker.evaluate(environment)}
    assert len(versions) <= 1, f"several versions for one machine: {versions}"
    return next(iter(versions), None)


def requirements(project: Path, lock: str) -> list[str]:
    """What `lock` must satisfy, from a generated project's pyproject.toml."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    if lock == "requirements-image.lock":
        return pyproject["dependency-groups"]["image"]
    metadata = pyproject["project"]
    return metadata["dependencies"] + metadata["optional-dependencies"]["dev"]


@pytest.mark.parametrize("lock", LOCKS)
@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: "-".join(e.values()))
def test_every_requirement_is_pinned_at_a_version_it_allows(
    generated: GeneratedProject, lock: str, environment: dict
) -> None:
    pins = locked(lock)
    for text in requirements(generated.path, lock):
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        version = version_on(pins.get(name, []), environment)
        assert version is not None, f"{lock} does not pin {name}, which pyproject needs: {FIX}"
        assert requirement.specifier.contains(Version(version)), (
            f"{lock} pins {name} {version}; pyproject.toml asks for {requirement}: {FIX}"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_has_hashes(lock: str) -> None:
    unhashed = [name for name, pins in locked(lock).items() if not all(h for *_, h in pins)]
    assert not unhashed, f"{lock}: no hashes for {unhashed}: {FIX}"


def test_the_image_installs_the_versions_of_the_project_lock() -> None:
    project = locked("requirements.lock")
    for name, pins in locked("requirements-image.lock").items():
        versions = {version for version, *_ in project.get(name, [])}
        for version, *_ in pins:
            assert version in versions, f"image {name} {version}, project {versions}: {FIX}"


def test_the_image_builds_nothing_from_source() -> None:
    # Wheels only: the image needs no compiler (image-cleanup.sh removes it).
    options = (PROJECT / "requirements-image.lock").read_text().splitlines()
    assert "--only-binary :all:" in options


@pytest.mark.parametrize("use_case", [u.name for u in list_use_cases()])
def test_every_use_case_ships_the_locks_of_the_same_dependencies(
    use_case: str, generated: GeneratedProject, tmp_path: Path
) -> None:
    project = create_project(use_case, tmp_path / "project").path
    for lock in LOCKS:
        assert (project / lock).read_bytes() == (PROJECT / lock).read_bytes()
        assert requirements(project, lock) == requirements(generated.path, lock), (
            f"{use_case}'s dependencies differ from fraud-detection's: one lock cannot serve both"
        )
    assert (project / "image-cleanup.sh").stat().st_mode & 0o111, "image-cleanup.sh: not executable"
