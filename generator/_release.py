"""Versions of mlops-new and its template, read from the release ledger and git history.

**The ledger.** CHANGELOG.md lists every release under a heading `## [0.2.0] - 2027-01-15`.
A release's commit is the commit that added its heading (`make release` makes it), so a
clone of main knows every released version and its exact tree from its own history, without
tags: `git log -S '## [0.2.0] - ' -- CHANGELOG.md` finds it. Tags named `v0.2.0` in a
checkout are only a convenience; one that disagrees with the ledger stops the build.

**The version of a checkout** (`checkout_version`):

- the newest released version, when nothing shipped (the package, the template, the build
  files: `SHIPPED_PATHS`) differs from that release's commit, committed or not;
- otherwise a development version after it, named by the commit: `0.2.1.dev4+g1a2b3c4d5e6f`
  is 4 commits after the 0.2.0 release, at commit 1a2b3c4d5e6f; `.dirty` is appended when
  shipped files have uncommitted changes (such a tree is never bundled, see below).

So one version never names two templates: a released version is one commit, and a
development version carries its commit in its name. hatchling reads the package's version
from here (pyproject.toml: `[tool.hatch.version]`); an sdist records it in PKG-INFO, which
hatchling reads instead when building a wheel from the sdist.

**The template bundle** (`write_bundle`): a git bundle with a tag `v<version>` for every
release (at its ledger commit) and, for a development version, for the commit being built.
The wheel carries it (hatch_build.py), and the generator fetches it into the per-user
template store (_store.py), from which copier renders and updates projects.

This module uses only the standard library: the build runs it before anything is installed.
`python generator/_release.py version` prints the checkout's version; `make release
VERSION=0.2.0` runs `cut_release`.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LEDGER = "CHANGELOG.md"
TEMPLATE_PATHS = ("copier.yml", "templates", "scenarios", "migrations")
"""What copier renders or runs (`migrations/`: scripts of copier.yml's `_migrations`): a template
version is a tree of these."""
SHIPPED_PATHS = ("generator", "hatch_build.py", "pyproject.toml", *TEMPLATE_PATHS)
"""What a wheel is made of (README.md, the long description, aside)."""
UNRELEASED = "## [Unreleased]"
_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})\s*$", re.M)
_RELEASE_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_ROOT = Path(__file__).resolve().parent.parent


class ReleaseError(RuntimeError):
    """The checkout cannot say which version it is, or cannot be released or bundled."""


def released_versions(root: Path = _ROOT) -> list[str]:
    """The versions the ledger lists, newest first (`["0.2.0", "0.1.0"]`)."""
    ledger = root / LEDGER
    if not ledger.is_file():
        raise ReleaseError(f"{ledger} is missing: it is the release ledger, restore it from git")
    versions = [match["version"] for match in _HEADING.finditer(ledger.read_text("utf-8"))]
    for version in versions:
        if not _RELEASE_VERSION.match(version):
            raise ReleaseError(
                f"{ledger}: release heading [{version}] is not a version like 1.2.3; fix it"
            )
    if versions != sorted(versions, key=_key, reverse=True) or len(set(versions)) < len(versions):
        raise ReleaseError(
            f"{ledger}: releases must be listed once each, newest first: {', '.join(versions)}"
        )
    return versions


def release_commit(root: Path, version: str) -> str:
    """The commit that released `version`: the one that added its heading to the ledger."""
    heading = f"## [{version}] - "
    found = _git(root, "log", "--reverse", "--format=%H", "-S", heading, "--", LEDGER).split()
    if not found:
        raise ReleaseError(
            f"no commit of {root} added the heading '{heading}...' to {LEDGER}: a release is "
            "made by committing its heading (`make release VERSION=...`)"
        )
    return found[0]


def release_commits(root: Path = _ROOT) -> dict[str, str]:
    """`{version: commit}` of every release in the ledger."""
    _require_history(root)
    return {version: release_commit(root, version) for version in released_versions(root)}


def checkout_version(root: Path = _ROOT, rev: str = "HEAD") -> str:
    """The version of the checkout `root` at `rev` (see the module's docstring)."""
    _require_history(root)
    commit = _git(root, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()
    dirty = rev == "HEAD" and bool(_git(root, "status", "--porcelain", "--", *SHIPPED_PATHS))
    for latest in released_versions(root):
        released = release_commit(root, latest)
        if _git_ok(root, "merge-base", "--is-ancestor", released, commit):
            unchanged = _git_ok(root, "diff", "--quiet", released, commit, "--", *SHIPPED_PATHS)
            if unchanged and not dirty:
                return latest
            since = int(_git(root, "rev-list", "--count", f"{released}..{commit}").strip())
            break
    else:  # no release before it
        latest, since = "0.0.0", int(_git(root, "rev-list", "--count", commit).strip())
    major, minor, patch = (int(part) for part in latest.split("."))
    version = f"{major}.{minor}.{patch + 1}.dev{since}+g{commit[:12]}"
    return version + ".dirty" if dirty else version


def bundle_tags(root: Path, version: str, rev: str = "HEAD") -> dict[str, str]:
    """`{tag: commit}` of the bundle of `root` at `version` (the `checkout_version` of `rev`).

    Every release at its ledger commit, and a development version at `rev`. Refused for
    uncommitted changes to what ships: the bundle must equal the files built.
    """
    if version.endswith(".dirty"):
        changes = _git(root, "status", "--porcelain", "--", *SHIPPED_PATHS)
        raise ReleaseError(
            "shipped files have uncommitted changes; commit or stash them first (the "
            f"template history in a build must equal what it ships):\n{changes.rstrip()}"
        )
    releases = release_commits(root)
    tags = {f"v{v}": commit for v, commit in releases.items()}
    if version not in releases:
        tags[f"v{version}"] = _git(root, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()
    for tag, commit in tags.items():
        existing = _git(root, "tag", "--list", tag).strip()
        if existing and _git(root, "rev-parse", f"{tag}^{{commit}}").strip() != commit:
            raise ReleaseError(
                f"the tag {tag} of {root} points at another commit than {LEDGER} says "
                f"({commit[:12]}, the commit that added the release's heading); the ledger "
                f"is what builds trust: `git tag -d {tag}` (and fix the remote's tag)"
            )
    return tags


def write_bundle(root: Path, version: str, bundle: Path, rev: str = "HEAD") -> dict[str, str]:
    """Write the template bundle of `root` at `version` (of `rev`) to `bundle`; its tags."""
    tags = bundle_tags(root, version, rev)
    write_tags(root, tags, bundle)
    return tags


def write_tags(root: Path, tags: dict[str, str], bundle: Path) -> None:
    """Write a bundle of `root`'s history holding exactly `tags` (`bundle_tags`) to `bundle`."""
    with tempfile.TemporaryDirectory(prefix="mlops-new-bundle-") as scratch:
        clone = Path(scratch) / "clone"
        _git(root, "clone", "--quiet", "--no-checkout", "--no-tags", "--no-hardlinks", ".", clone)
        for tag, commit in tags.items():
            _git(clone, "tag", tag, commit)
        _git(clone, "bundle", "create", "--quiet", bundle, "--tags")


def cut_release(root: Path, version: str, today: datetime.date | None = None) -> str:
    """Release `version`: date the ledger's Unreleased notes, commit, tag; return the commit.

    The commit is the release: the template and the package as they are in it.
    """
    _require_history(root)
    if not _RELEASE_VERSION.match(version):
        raise ReleaseError(f"{version!r} is not a release version like 1.2.3")
    dirty = _git(root, "status", "--porcelain").strip()
    if dirty:
        raise ReleaseError(f"commit or stash everything before releasing:\n{dirty}")
    previous = released_versions(root)
    if previous and _key(version) <= _key(previous[0]):
        raise ReleaseError(f"{version} is not newer than the latest release, {previous[0]}")
    ledger = root / LEDGER
    text = ledger.read_text("utf-8")
    start = text.find(UNRELEASED)
    end = _HEADING.search(text, start + 1) if start >= 0 else None
    notes = text[start + len(UNRELEASED) : end.start() if end else len(text)].strip()
    if start < 0 or not notes:
        raise ReleaseError(
            f"{ledger} has no notes under '{UNRELEASED}': say what this release changes "
            "(and how to upgrade a project, when something needs doing) before releasing"
        )
    date = (today or datetime.date.today()).isoformat()
    heading = f"{UNRELEASED}\n\n## [{version}] - {date}\n\n"
    ledger.write_text(text[:start] + heading + text[start + len(UNRELEASED) :].lstrip("\n"))
    _git(root, "add", LEDGER)
    _git(root, "commit", "--quiet", "--message", f"Release {version}")
    commit = _git(root, "rev-parse", "HEAD").strip()
    _git(root, "tag", f"v{version}", commit)
    return commit


def _require_history(root: Path) -> None:
    if shutil.which("git") is None:
        raise ReleaseError("git is not installed; the version is read from git history")
    if not (root / ".git").exists():
        raise ReleaseError(
            f"{root} is not a git checkout: the version and the template history come from "
            "git; build from a clone of the repository, or from an sdist made by `uv build`"
        )
    if _git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
        raise ReleaseError(
            f"{root} is a shallow clone: the releases' commits are not in it, so its version "
            "and template history cannot be known. Fetch the whole history first: "
            "`git fetch --unshallow` (GitHub Actions: actions/checkout with fetch-depth: 0)"
        )


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _git(cwd: Path, *args: object) -> str:
    result = subprocess.run(
        ["git", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        command = " ".join(map(str, args))
        raise ReleaseError(f"git {command} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout


def _git_ok(cwd: Path, *args: object) -> bool:
    command = ["git", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, check=False).returncode == 0


def main(argv: list[str]) -> int:
    """`version` prints the checkout's version; `release X.Y.Z` cuts a release."""
    try:
        if argv == ["version"]:
            print(checkout_version())
            return 0
        if len(argv) == 2 and argv[0] == "release":
            commit = cut_release(_ROOT, argv[1])
            print(f"Released {argv[1]} as commit {commit[:12]} (tag v{argv[1]}).")
            return 0
    except ReleaseError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print("usage: python generator/_release.py version | release X.Y.Z", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
