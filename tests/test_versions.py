"""Versions from the release ledger and git history (generator/_release.py), and the store.

Each test builds a small repository shaped like this one (a ledger, a package, a template)
and releases, changes and bundles it with real git. The last tests read this repository's
own ledger and history.
"""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import TemplateError
from generator._release import (
    LEDGER,
    ReleaseError,
    bundle_tags,
    checkout_version,
    cut_release,
    release_commit,
    released_versions,
    write_bundle,
)
from generator._store import refresh_store, tags_of

REPO = Path(__file__).resolve().parents[1]
DAY = datetime.date(2026, 12, 1)
LEDGER_START = "# Changelog\n\n## [Unreleased]\n\n### Added\n- The first use case.\n"
SHAPE = {
    LEDGER: LEDGER_START,
    "copier.yml": "_subdirectory: templates/project\n",
    "templates/project/README.md": "# A project\n",
    "generator/__init__.py": '"""The generator."""\n',
    "docs/design.md": "How it is built.\n",
}


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits need an identity, which a CI machine may lack."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "mlops-new tests")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tests@mlops-new.invalid")


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def commit(repo: Path, files: dict[str, str], message: str = "A change") -> str:
    for relative, content in files.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(content)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", message)
    return git(repo, "rev-parse", "HEAD").strip()


def add_notes(repo: Path, note: str) -> None:
    """Write `note` under the ledger's Unreleased heading and commit it."""
    text = (repo / LEDGER).read_text().replace("## [Unreleased]\n", f"## [Unreleased]\n\n{note}\n")
    commit(repo, {LEDGER: text}, "Notes for the next release")


@pytest.fixture
def repo(tmp_path: Path, write_tree: Callable[[Path, dict[str, str]], Path]) -> Path:
    """A repository shaped like mlops-new's, with one commit and no release."""
    root = write_tree(tmp_path / "mlops-new", SHAPE)
    git(root, "init", "--quiet")
    commit(root, {}, "The first commit")
    return root


def test_before_any_release_the_version_is_a_development_version_naming_the_commit(
    repo: Path,
) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    assert checkout_version(repo) == f"0.0.1.dev1+g{head[:12]}"


def test_a_release_is_the_commit_that_adds_its_heading_to_the_ledger(repo: Path) -> None:
    released = cut_release(repo, "0.1.0", today=DAY)

    assert released == git(repo, "rev-parse", "HEAD").strip()
    assert release_commit(repo, "0.1.0") == released
    assert git(repo, "log", "-1", "--format=%s").strip() == "Release 0.1.0"
    assert git(repo, "rev-parse", "v0.1.0^{commit}").strip() == released
    ledger = (repo / LEDGER).read_text()
    assert (
        "## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n\n### Added\n- The first use case.\n" in ledger
    )
    assert released_versions(repo) == ["0.1.0"]
    assert checkout_version(repo) == "0.1.0"


def test_only_a_change_to_what_ships_makes_a_development_version(repo: Path) -> None:
    cut_release(repo, "0.1.0", today=DAY)
    commit(repo, {"docs/design.md": "Better prose.\n"}, "Docs only")
    assert checkout_version(repo) == "0.1.0"

    head = commit(repo, {"templates/project/README.md": "# A better project\n"}, "Template")
    assert checkout_version(repo) == f"0.1.1.dev2+g{head[:12]}"

    (repo / "generator" / "__init__.py").write_text('"""Being edited."""\n')
    assert checkout_version(repo) == f"0.1.1.dev2+g{head[:12]}.dirty"
    with pytest.raises(ReleaseError, match=r"(?s)uncommitted changes.*generator/__init__\.py"):
        bundle_tags(repo, checkout_version(repo))


def test_released_versions_are_known_from_history_without_tags(repo: Path, tmp_path: Path) -> None:
    released = cut_release(repo, "0.1.0", today=DAY)
    git(repo, "tag", "--delete", "v0.1.0")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--no-tags", str(repo), str(clone))

    assert git(clone, "tag") == ""
    assert checkout_version(clone) == "0.1.0"
    assert bundle_tags(clone, "0.1.0") == {"v0.1.0": released}


def test_the_bundle_holds_every_release_and_the_development_commit(
    repo: Path, tmp_path: Path
) -> None:
    first = cut_release(repo, "0.1.0", today=DAY)
    commit(repo, {"copier.yml": "_subdirectory: templates/project\n# 2\n"})
    add_notes(repo, "### Changed\n- copier.yml")
    second = cut_release(repo, "0.2.0", today=DAY)
    head = commit(repo, {"copier.yml": "_subdirectory: templates/project\n# 3\n"})
    version = checkout_version(repo)
    assert version == f"0.2.1.dev1+g{head[:12]}"

    tags = write_bundle(repo, version, tmp_path / "t.bundle")

    assert tags == {"v0.1.0": first, "v0.2.0": second, f"v{version}": head}
    assert tags_of(str(tmp_path / "t.bundle")) == tags


def test_a_tag_that_disagrees_with_the_ledger_stops_the_build(repo: Path) -> None:
    cut_release(repo, "0.1.0", today=DAY)
    earlier = git(repo, "rev-parse", "HEAD~1").strip()
    git(repo, "tag", "--force", "v0.1.0", earlier)
    with pytest.raises(ReleaseError, match=r"tag v0\.1\.0 .* points at another commit"):
        bundle_tags(repo, "0.1.0")


def test_a_release_is_refused_when_it_cannot_be_honest(repo: Path) -> None:
    with pytest.raises(ReleaseError, match="not a release version"):
        cut_release(repo, "0.1", today=DAY)
    (repo / "docs" / "design.md").write_text("Uncommitted.\n")
    with pytest.raises(ReleaseError, match=r"(?s)commit or stash everything.*docs/design\.md"):
        cut_release(repo, "0.1.0", today=DAY)
    git(repo, "checkout", "--", "docs")
    cut_release(repo, "0.1.0", today=DAY)
    with pytest.raises(ReleaseError, match="no notes under"):
        cut_release(repo, "0.2.0", today=DAY)
    add_notes(repo, "- something")
    with pytest.raises(ReleaseError, match=r"not newer than the latest release, 0\.1\.0"):
        cut_release(repo, "0.0.9", today=DAY)


def test_the_ledger_lists_each_release_once_newest_first(repo: Path) -> None:
    (repo / LEDGER).write_text(
        LEDGER_START + "\n## [0.1.0] - 2026-01-01\n\n## [0.2.0] - 2026-02-01\n"
    )
    with pytest.raises(ReleaseError, match=r"newest first: 0\.1\.0, 0\.2\.0"):
        released_versions(repo)


def test_a_shallow_clone_cannot_name_its_version(repo: Path, tmp_path: Path) -> None:
    cut_release(repo, "0.1.0", today=DAY)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo}", str(shallow))
    with pytest.raises(ReleaseError, match=r"shallow clone.*git fetch --unshallow"):
        checkout_version(shallow)


# The store -----------------------------------------------------------------------------------


def tagged_bundle(root: Path, files: dict[str, str], message: str, tag: str) -> Path:
    """A repository holding `files` in one commit tagged `tag`, as a bundle beside it."""
    root.mkdir(parents=True)
    git(root, "init", "--quiet")
    commit(root, files, message)
    git(root, "tag", tag)
    bundle = root.with_suffix(".bundle")
    git(root, "bundle", "create", "--quiet", str(bundle), "--tags")
    return bundle


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MLOPS_NEW_HOME", str(tmp_path / "store"))
    yield tmp_path / "store" / "template.git"


def test_the_store_refuses_a_version_with_another_template(store: Path, tmp_path: Path) -> None:
    first = tagged_bundle(tmp_path / "a", {"copier.yml": "a: 1\n"}, "Build A", "v0.1.0")
    other = tagged_bundle(tmp_path / "b", {"copier.yml": "b: 2\n"}, "Build B", "v0.1.0")
    refresh_store(first)
    kept = tags_of(str(store))

    with pytest.raises(TemplateError, match=r"already holds template version v0\.1\.0 with other"):
        refresh_store(other)

    assert tags_of(str(store)) == kept
    assert git(store, "for-each-ref", "refs/mlops-new") == ""  # nothing left half-fetched


def test_the_store_keeps_its_copy_of_the_same_template_and_adds_new_versions(
    store: Path, tmp_path: Path
) -> None:
    files = {"copier.yml": "a: 1\n"}
    first = tagged_bundle(tmp_path / "a", files, "Build A", "v0.1.0")
    rebuilt = tagged_bundle(tmp_path / "b", files, "The same template, another commit", "v0.1.0")
    refresh_store(first)
    kept = tags_of(str(store))
    later = tmp_path / "a" / "later.bundle"
    commit(tmp_path / "a", {"copier.yml": "a: 2\n"})
    git(tmp_path / "a", "tag", "v0.2.0")
    git(tmp_path / "a", "bundle", "create", "--quiet", str(later), "--tags")

    refresh_store(rebuilt)
    assert tags_of(str(store)) == kept
    bundle = refresh_store(later)
    assert tags_of(str(store)) == tags_of(str(later))
    assert tags_of(str(bundle)) == tags_of(str(later))


# This repository ----------------------------------------------------------------------------


def release_headings(ledger: str) -> set[str]:
    return {line for line in ledger.splitlines() if line.startswith("## [") and " - " in line}


def test_this_repositorys_released_headings_are_never_changed_or_removed() -> None:
    current = release_headings((REPO / LEDGER).read_text())
    assert len(current) == len(released_versions(REPO))
    for revision in git(REPO, "log", "--format=%H", "--", LEDGER).split():
        earlier = release_headings(git(REPO, "show", f"{revision}:{LEDGER}"))
        assert earlier <= current, f"{LEDGER} lost {earlier - current}, released by {revision}"


def test_each_release_of_this_repository_builds_as_its_version() -> None:
    for version in released_versions(REPO):
        assert checkout_version(REPO, release_commit(REPO, version)) == version
