"""`update_project`: bring a generated project to a newer template version with copier.

Copier's update re-renders the version the project was generated with and the target
version, and applies the project's own changes (the difference between the first rendering
and the project) on top of the second, so the user's edits survive. It needs the project in a
clean git repository and a template source holding both versions as tags: for an installed
mlops-new that is the per-user template store (see _store.py), for a project generated from a
checkout or by plain `copier copy` it is whatever `_src_path` the answers file records.

Copier never fails on a conflict: it leaves `<<<<<<< before updating` markers (unmerged in
git's index) or, with `conflict="rej"`, `.rej` files. `update_project` looks for both and
returns them, so that the CLI can list them and exit non-zero.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from packaging.version import InvalidVersion, Version

from ._store import installed_version, packaged_bundle, recorded_path, refresh_store, tags_of
from .errors import TemplateError, UpdateError

__all__ = ["UpdateResult", "update_project"]

ANSWERS_FILE = ".copier-answers.yml"
_UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}
_DESCRIBED = re.compile(r"^(?P<base>.+)-(?P<count>\d+)-g(?P<sha>[0-9a-f]+)$")


@dataclass(frozen=True)
class UpdateResult:
    """What `update_project` did (or, with `dry_run`, would do)."""

    path: Path
    """The project folder."""
    old_version: str
    """The template version (`_commit`) the project had: `v0.1.0`."""
    new_version: str
    """The template version it has after the update: `v0.2.0`."""
    changed: list[Path] = field(default_factory=list)
    """Files the update changed, added or deleted, relative to `path`, sorted."""
    conflicts: list[Path] = field(default_factory=list)
    """Files left with conflict markers, unmerged in git, or `.rej` files; relative to `path`."""
    diff_stat: str = ""
    """`git diff --stat` of the update (filled in by a dry run)."""
    dry_run: bool = False

    @property
    def up_to_date(self) -> bool:
        return self.old_version == self.new_version


def update_project(
    project: str | os.PathLike[str] = ".",
    *,
    to_version: str | None = None,
    dry_run: bool = False,
    conflict: Literal["inline", "rej"] = "inline",
) -> UpdateResult:
    """Update the generated project in `project` to a newer template version.

    Args:
        project: the project folder (holding `.copier-answers.yml`), in a clean git tree.
        to_version: the template version to update to (`0.2.0` or `v0.2.0`). By default, the
            version of the installed mlops-new; when running from a checkout (no packaged
            template), the newest `v*` tag of the template the project records.
        dry_run: update a temporary clone of the project instead and report what changed;
            the project itself is not touched.
        conflict: `inline` leaves conflict markers in the files, `rej` leaves `.rej` files.

    Raises:
        UpdateError: not a generated project, not a clean git tree, the project's version is
            newer than the target, the versions are not in the template store, or copier
            failed.
    """
    _which_git()
    project = Path(project).resolve()
    answers = _read_answers(project)
    old_version = str(answers["_commit"])
    top = _git_toplevel(project)
    dirty = _git(project, "status", "--porcelain", "--", ".").splitlines()
    if dirty:
        raise UpdateError(
            f"{project} has uncommitted changes ({_first(dirty)}); commit or stash them "
            "first, so that the update's changes can be reviewed and undone with git"
        )

    source = _template_source(project, str(answers["_src_path"]))
    tags = tags_of(source)
    target = _target_tag(tags, to_version, source)
    old = _parse_version(old_version)
    if old is None:
        raise UpdateError(
            f"{project} was generated from an untagged template commit ({old_version}); "
            "copier can update only from a tagged version: regenerate it from a released "
            "mlops-new, or use `copier update --vcs-ref <tag>` by hand"
        )
    if old > _parse_version(target):  # type: ignore[operator]
        raise UpdateError(
            f"{project} has template version {old_version}, newer than {target}, the version "
            "to update to; upgrade mlops-new (`pip install -U mlops-new`), then run the "
            "update again"
        )
    if _parse_version(old_version) == _parse_version(target):
        return UpdateResult(project, old_version, old_version, dry_run=dry_run)
    if old_version not in tags and not _DESCRIBED.match(old_version):
        raise UpdateError(
            f"the template version {old_version} of {project} is not in {source}: copier "
            "needs it to tell your changes from the template's; install that version of "
            f"mlops-new once (`pip install mlops-new=={old.public}`, then your version "
            "again) so that the template store records it"
        )

    if not dry_run:
        _run_copier(project, target, conflict)
        return UpdateResult(
            project,
            old_version,
            _read_answers(project)["_commit"],
            changed=_changed(project),
            conflicts=_conflicts(project),
        )
    with tempfile.TemporaryDirectory(prefix="mlops-new-update-") as scratch:
        clone = Path(scratch) / "project"
        # The tree is clean, so the clone holds exactly the project's files.
        _git(Path(scratch), "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
        copy = clone / project.relative_to(top)
        _run_copier(copy, target, conflict)
        conflicts = _conflicts(copy)
        changed = _changed(copy)
        _git(copy, "add", "--all", "--", ".")
        diff_stat = _git(copy, "diff", "--cached", "--stat", "--", ".")
        return UpdateResult(
            project,
            old_version,
            _read_answers(copy)["_commit"],
            changed=changed,
            conflicts=conflicts,
            diff_stat=diff_stat.rstrip(),
            dry_run=True,
        )


def _read_answers(project: Path) -> dict[str, object]:
    path = project / ANSWERS_FILE
    not_a_project = (
        f"{project} is not a project generated by mlops-new: it has no {ANSWERS_FILE} "
        "naming the template (_src_path) and its version (_commit); run the update in the "
        "project's folder, or pass that folder"
    )
    if not path.is_file():
        raise UpdateError(not_a_project)
    try:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise UpdateError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(answers, dict) or not answers.get("_src_path") or not answers.get("_commit"):
        raise UpdateError(not_a_project)
    return answers


def _git_toplevel(project: Path) -> Path:
    result = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise UpdateError(
            f"{project} is not in a git repository; copier updates only git-tracked projects. "
            "Run `git init && git add -A && git commit -m 'Generated project'` in it first"
        )
    return Path(result.stdout.strip()).resolve()


def _template_source(project: Path, recorded: str) -> str:
    """The template source copier will read: the store's bundle for an installed generator.

    Copier reads the old and the new template version from the answers' `_src_path` (its
    `run_update` takes no other source), so a project recording another path than this
    machine's store is refused with the one-line edit that fixes it.
    """
    bundle = packaged_bundle()
    if bundle is None:
        return recorded
    store = refresh_store(bundle)
    if Path(recorded).expanduser().resolve() != store.resolve():
        raise UpdateError(
            f"{project / ANSWERS_FILE} names the template {recorded}, not this machine's "
            f"template store {store}; set `_src_path: {recorded_path(store)}` in it, commit, "
            "and run the update again"
        )
    return str(store)


def _target_tag(tags: dict[str, str], to_version: str | None, source: str) -> str:
    versions = {tag: v for tag in tags if (v := _parse_version(tag)) is not None}
    if to_version is None and packaged_bundle() is not None:
        to_version = installed_version()
    if to_version is None:
        if not versions:
            raise UpdateError(f"the template {source} has no version tags (v1.2.3) to update to")
        return max(versions, key=lambda tag: versions[tag])
    wanted = _parse_version(to_version)
    matches = [tag for tag, v in versions.items() if v == wanted]
    if wanted is None or not matches:
        known = ", ".join(sorted(versions, key=lambda tag: versions[tag])) or "none"
        raise UpdateError(
            f"template version {to_version!r} is not in {source} (it has: {known}); install "
            "that version of mlops-new once so that the template store records it"
        )
    return matches[0]


def _parse_version(text: str) -> Version | None:
    """PEP 440 version of a tag (`v0.2.0`) or of copier's `git describe` form."""
    described = _DESCRIBED.match(text)
    if described:
        text = f"{described['base']}.post{described['count']}+g{described['sha']}"
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _run_copier(project: Path, target: str, conflict: Literal["inline", "rej"]) -> None:
    import copier
    from copier.errors import CopierError
    from jinja2 import TemplateError as JinjaTemplateError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copier.run_update(
                str(project),
                vcs_ref=target,
                defaults=True,
                overwrite=True,
                skip_answered=True,
                conflict=conflict,
                # Our own template's migrations (copier.yml `_migrations`) run during an
                # update; copier refuses to run them without this.
                unsafe=True,
                quiet=True,
            )
    except (CopierError, ValueError, JinjaTemplateError, TemplateError) as error:
        raise UpdateError(
            f"copier could not update {project} to {target}: {error or type(error).__name__}"
        ) from error


def _status(project: Path) -> list[tuple[str, Path]]:
    """`(XY code, path relative to project)` of every change under `project`."""
    top = _git_toplevel(project)
    entries = _git(project, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".")
    result: list[tuple[str, Path]] = []
    fields = iter(entries.split("\0"))
    for entry in fields:
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        if "R" in code or "C" in code:
            next(fields, None)  # the rename's source path
        result.append((code, (top / path).relative_to(project)))
    return result


def _changed(project: Path) -> list[Path]:
    return sorted({path for _, path in _status(project)})


def _conflicts(project: Path) -> list[Path]:
    conflicts = set()
    for code, path in _status(project):
        marked = (project / path).is_file() and _has_markers(project / path)
        if code in _UNMERGED or path.suffix == ".rej" or marked:
            conflicts.add(path)
    # `.rej` files that a `*.rej` rule in .gitignore hides from `git status`.
    ignored = _git(
        project, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--", "*.rej"
    )
    conflicts.update(Path(p) for p in ignored.split("\0") if p.endswith(".rej"))
    return sorted(conflicts)


def _has_markers(path: Path) -> bool:
    with path.open("rb") as lines:
        return any(line.startswith(b"<<<<<<< ") for line in lines)


def _first(lines: list[str], shown: int = 5) -> str:
    paths = [line[3:] for line in lines[:shown]]
    return ", ".join(paths) + (f" and {len(lines) - shown} more" if len(lines) > shown else "")


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UpdateError(f"git {' '.join(args)} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout


def _which_git() -> None:
    if shutil.which("git") is None:
        raise UpdateError("git is not installed; copier needs it to update a project")
