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

import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import yaml
from packaging.version import InvalidVersion, Version

from ._create import Source, render
from ._release import LEDGER, ReleaseError, checkout_version, release_commits, write_bundle
from ._store import (
    checkout_store,
    installed_version,
    packaged_bundle,
    recorded_path,
    refresh_store,
    tags_of,
)
from .errors import TemplateError, UpdateError, describe_os_error
from .template import template_root

__all__ = ["UpdateResult", "VersionCheck", "check_project", "update_project"]

ANSWERS_FILE = ".copier-answers.yml"
_UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}
MOVES_RECORD = "mlops-new-moved.json"
"""The file (in git's folder) where the template's migrations list the edited files they moved,
`[{"old": path, "new": path}]` relative to the project; migrations/layers.py writes it."""
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
    deleted_changes: dict[Path, str] = field(default_factory=dict)
    """Files the project deleted that the new version changes (they stay deleted): the
    template's change of each, as a unified diff."""
    diff_stat: str = ""
    """`git diff --stat` of the update (filled in by a dry run)."""
    dry_run: bool = False

    @property
    def up_to_date(self) -> bool:
        return self.old_version == self.new_version


@dataclass(frozen=True)
class VersionCheck:
    """The project's template version against the version an update would bring."""

    path: Path
    current: str
    """The project's template version (`_commit`): `v0.1.0`."""
    available: str
    """The version `mlops-new update` would update it to: `v0.2.0`."""

    @property
    def behind(self) -> bool:
        current, available = _parse_version(self.current), _parse_version(self.available)
        return current is None or (available is not None and current < available)


def check_project(
    project: str | os.PathLike[str] = ".", *, to_version: str | None = None
) -> VersionCheck:
    """Compare the project's template version with the one `update_project` would bring.

    Nothing is written, and the project need not be committed: this is for a project's CI
    (`mlops-new update --check`). An untagged project version counts as behind.
    """
    _which_git()
    project = Path(project).resolve()
    answers = _read_answers(project)
    recorded = str(answers["_src_path"])
    store, brings = _this_store()
    # An installed mlops-new compares with its own version, wherever the project records the
    # template (another machine's store, say); from a checkout, as `update_project` would.
    if store is not None and (packaged_bundle() is not None or _same_path(recorded, store)):
        source = str(store)
    else:
        source, brings = recorded, None
    target = _target_tag(tags_of(source), to_version or brings, source)
    return VersionCheck(project, str(answers["_commit"]), target)


def update_project(
    project: str | os.PathLike[str] = ".",
    *,
    to_version: str | None = None,
    dry_run: bool = False,
    conflict: Literal["inline", "rej"] = "inline",
    skip: Sequence[str] = (),
    exclude: Sequence[str] = (),
    data: Mapping[str, object] | None = None,
) -> UpdateResult:
    """Update the generated project in `project` to a newer template version.

    Args:
        project: the project folder (holding `.copier-answers.yml`), in a clean git tree.
        to_version: the template version to update to (`0.2.0` or `v0.2.0`). By default, the
            version of the installed mlops-new, or of the checkout it runs from; for a project
            that records another template, the newest `v*` tag of that template.
        dry_run: update a temporary clone of the project instead and report what changed;
            the project itself is not touched.
        conflict: `inline` leaves conflict markers in the files, `rej` leaves `.rej` files.
        skip: copier's `skip_if_exists`: patterns of files the update leaves as they are.
        exclude: copier's `exclude`: patterns of template files the update does not render.
        data: answers to change (`{"project_name": "..."}`), as copier's `data`.

    Raises:
        UpdateError: not a generated project, not a clean git tree, the project's version is
            newer than the target, the versions are not in the template store, or copier
            failed.
    """
    _which_git()
    project = Path(project).resolve()
    _read_answers(project)
    top = _git_toplevel(project)
    dirty = _git(project, "status", "--porcelain", "--", ".").splitlines()
    if dirty:
        raise UpdateError(
            f"{project} has uncommitted changes ({_first(dirty)}); commit or stash them "
            "first, so that the update's changes can be reviewed and undone with git"
        )
    options = _Options(to_version, conflict, tuple(skip), tuple(exclude), dict(data or {}))
    if not dry_run:
        return _update_or_restore(project, options)
    with tempfile.TemporaryDirectory(prefix="mlops-new-update-") as scratch:
        clone = Path(scratch) / "project"
        # The tree is clean, so the clone holds exactly the project's files.
        _git(Path(scratch), "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
        copy = clone / project.relative_to(top)
        result = _update(copy, options)
        _git(copy, "add", "--all", "--", ".")
        diff_stat = _git(copy, "diff", "--cached", "--stat", "--", ".").rstrip()
        return replace(result, path=project, diff_stat=diff_stat, dry_run=True)


@dataclass(frozen=True)
class _Options:
    to_version: str | None
    conflict: Literal["inline", "rej"]
    skip: tuple[str, ...]
    exclude: tuple[str, ...]
    data: dict[str, object]


_RESTORE = [
    ["git", "reset", "--quiet", "--", "."],
    ["git", "checkout", "--", "."],
    ["git", "clean", "-fd", "--quiet", "--", "."],
]
"""Back to the last commit, in the current folder only: the index, the tracked files, and
the new untracked files (never ignored ones, which the update does not write)."""


def _update_or_restore(project: Path, options: _Options) -> UpdateResult:
    """`_update` on the project itself; when it fails part way (copier's error, a full disk,
    an interruption), the project goes back to its last commit, which the check for a clean
    tree made sure holds all of it, and the error says so.

    Should restoring fail too (the disk still full), the error gives the commands that
    restore it later. A project that was adopted onto the template store (`_adopt`) keeps
    that commit, which is complete in itself.
    """
    try:
        return _update(project, options)
    except BaseException as error:
        if not _git(project, "status", "--porcelain", "--", ".").strip():
            raise  # refused before writing anything
        reason = describe_os_error(error) if isinstance(error, OSError) else str(error)
        try:
            for command in _RESTORE:
                _git(project, *command[1:])
        except UpdateError as failed:
            restore = " && ".join(shlex.join(command) for command in _RESTORE)
            raise UpdateError(
                f"the update of {project} failed ({reason}), and so did restoring it "
                f"({' '.join(str(failed).split())}); once that is fixed, restore the last "
                f"commit with: cd {shlex.quote(str(project))} && {restore}"
            ) from error
        if isinstance(error, UpdateError | OSError):
            raise UpdateError(
                f"{reason}; {project} is back at its last commit, as it was before the update"
            ) from error
        raise


def _update(project: Path, options: _Options) -> UpdateResult:
    """`update_project` on a clean project folder (the project, or a dry run's clone)."""
    source, installed = _template_source(project, _read_answers(project), adopt=True)
    answers = _read_answers(project)
    old_version = str(answers["_commit"])
    tags = tags_of(source)
    target = _target_tag(tags, options.to_version or installed, source)
    old = _parse_version(old_version)
    if old is None:
        raise UpdateError(
            f"{project} was generated from an untagged template commit ({old_version}); "
            "copier can update only from a version: generate the project again with a "
            "released mlops-new and move your changes over"
        )
    if old > _parse_version(target):  # type: ignore[operator]
        if options.to_version is not None:
            raise UpdateError(
                f"{project} has template version {old_version}, newer than {target}: "
                "downgrading is not supported (revert the update's commit with git instead)"
            )
        raise UpdateError(
            f"{project} has template version {old_version}, newer than {target}, the version "
            "this mlops-new brings; upgrade mlops-new (`pip install -U mlops-new`), then run "
            "the update again"
        )
    if old == _parse_version(target):
        return UpdateResult(project, old_version, old_version)
    if old_version not in tags and not _DESCRIBED.match(old_version):
        raise UpdateError(
            f"the template version {old_version} of {project} is not in {source}: copier "
            "needs it to tell your changes from the template's; install that version of "
            f"mlops-new once (`pip install mlops-new=={old.public}`, then your version "
            "again) so that the template store records it"
        )
    with tempfile.TemporaryDirectory(prefix="mlops-new-versions-") as scratch:
        before = Path(scratch) / "before"
        _render(source, old_version, before, answers)
        deleted = [
            path
            for path in _files(before)
            if not (project / path).exists() and not (project / path).is_symlink()
        ]
        record = _moves_record(project)
        record.unlink(missing_ok=True)
        _run_copier(project, target, options)
        moves = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else []
        record.unlink(missing_ok=True)
        deleted_changes = {}
        if deleted or moves:
            after = Path(scratch) / "after"
            _render(source, target, after, _read_answers(project))
            deleted_changes = {
                path: diff
                for path in deleted
                if (after / path).is_file() and (diff := _diff(before, after, path))
            }
            _merge_moved_files(project, before, after, moves)
    return UpdateResult(
        project,
        old_version,
        str(_read_answers(project)["_commit"]),
        changed=_changed(project),
        conflicts=_conflicts(project),
        deleted_changes=deleted_changes,
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


def _template_source(
    project: Path, answers: dict[str, object], *, adopt: bool
) -> tuple[str, str | None]:
    """The template source copier will read, and the version this mlops-new brings.

    An installed mlops-new brings its own version, from the per-user template store (see
    _store.py); one running from a git checkout brings the checkout's version, fetched into
    the store the same way. Copier reads the old and the new template version from the
    answers' `_src_path` (its `run_update` takes no other source), so a project must record
    the store. One generated from a checkout by an earlier mlops-new records the checkout
    instead: with `adopt`, its answers are moved onto the store first (`_adopt`). A project
    recording any other template (plain `copier copy`) is updated from that template, when
    mlops-new runs from a checkout, to its newest tag; an installed mlops-new refuses it
    with the one-line edit that fixes it.
    """
    recorded = str(answers["_src_path"])
    store, brings = _this_store()
    if store is not None and _same_path(recorded, store):
        return str(store), brings
    if adopt and (adopted := _adopt(project, answers)) is not None:
        return str(adopted), brings
    if store is not None and packaged_bundle() is not None:
        raise UpdateError(
            f"{project / ANSWERS_FILE} names the template {recorded}, not this machine's "
            f"template store {store}; set `_src_path: {recorded_path(store)}` in it, commit, "
            "and run the update again"
        )
    return recorded, None


def _this_store() -> tuple[Path | None, str | None]:
    """The store holding this mlops-new's template version, and that version.

    `(None, None)` when running from a checkout with uncommitted changes: it has no version.
    """
    bundle = packaged_bundle()
    if bundle is not None:
        return refresh_store(bundle), installed_version()
    try:
        return checkout_store(template_root())
    except ReleaseError:
        return None, None


def _same_path(recorded: str, path: Path) -> bool:
    return Path(recorded).expanduser().resolve() == path.resolve()


def _adopt(project: Path, answers: dict[str, object]) -> Path | None:
    """Move a project generated from a git checkout onto the template store; commit that.

    Earlier versions of mlops-new, run from a checkout of its repository, recorded the
    checkout's path and commit (`_src_path: /home/me/mlops-new`, `_commit: 1a2b3c4`). That
    commit gets its version, as a build of it would (a release, or a development version
    naming it), the store gets it, and the answers file records both, in a commit of its
    own; the store's bundle is returned. None when `_src_path` is not a git checkout of
    mlops-new (one with its release ledger): the project records another template.
    """
    checkout = Path(str(answers["_src_path"])).expanduser()
    if not all((checkout / name).exists() for name in (".git", "copier.yml", LEDGER)):
        return None
    recorded = str(answers["_commit"])
    described = _DESCRIBED.match(recorded)
    try:
        released = release_commits(checkout).get(recorded.removeprefix("v"))
        revision = described["sha"] if described else recorded
        commit = released or _git(checkout, "rev-parse", "--verify", f"{revision}^{{commit}}")
        commit = commit.strip()
        version = checkout_version(checkout, commit)
        with tempfile.TemporaryDirectory(prefix="mlops-new-adopt-") as scratch:
            write_bundle(checkout, version, Path(scratch) / "template.bundle", commit)
            store = refresh_store(Path(scratch) / "template.bundle")
    except (ReleaseError, UpdateError) as error:
        raise UpdateError(
            f"{project} was generated from the checkout {checkout} at {recorded}, whose "
            f"version cannot be known ({error}). If it was generated from uncommitted "
            "changes, no version of the template holds them: generate the project again and "
            "move your changes over"
        ) from None
    path = project / ANSWERS_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    replaced = {"_src_path": recorded_path(store), "_commit": f"v{version}"}
    path.write_text(
        "".join(
            f"{key}: {replaced[key]}\n" if (key := line.partition(":")[0]) in replaced else line
            for line in lines
        ),
        encoding="utf-8",
    )
    _git(project, "add", "--", ANSWERS_FILE)
    _git(
        project,
        "commit",
        "--quiet",
        "--message",
        f"Template source: the mlops-new template store (was {checkout} at {recorded}, "
        f"version v{version})",
        "--",
        ANSWERS_FILE,
    )
    return store


def _target_tag(tags: dict[str, str], wanted: str | None, source: str) -> str:
    versions = {tag: v for tag in tags if (v := _parse_version(tag)) is not None}
    if wanted is None:
        if not versions:
            raise UpdateError(f"the template {source} has no version tags (v1.2.3) to update to")
        return max(versions, key=lambda tag: versions[tag])
    version = _parse_version(wanted)
    matches = [tag for tag, v in versions.items() if v == version]
    if version is None or not matches:
        known = ", ".join(sorted(versions, key=lambda tag: versions[tag])) or "none"
        raise UpdateError(
            f"template version {wanted!r} is not in {source} (it has: {known}); install "
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


def _run_copier(project: Path, target: str, options: _Options) -> None:
    import copier

    with _copier_errors(project, target):
        copier.run_update(
            str(project),
            data=options.data,
            vcs_ref=target,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            skip_if_exists=options.skip,
            exclude=options.exclude,
            conflict=options.conflict,
            # Our own template's migrations (copier.yml `_migrations`) run during an
            # update; copier refuses to run them without this.
            unsafe=True,
            quiet=True,
        )


def _render(source: str, version: str, destination: Path, answers: dict[str, object]) -> None:
    """Render `version` of the template with the project's answers into `destination`."""
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    with _copier_errors(destination, version):
        render(Source(source, version), destination, data)


@contextmanager
def _copier_errors(project: Path, version: str) -> Iterator[None]:
    from copier.errors import CopierError
    from jinja2 import TemplateError as JinjaTemplateError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except (CopierError, ValueError, JinjaTemplateError, TemplateError) as error:
        raise UpdateError(
            f"copier could not update {project} to {version}: {error or type(error).__name__}"
        ) from error


def _moves_record(project: Path) -> Path:
    """Where a migration of the template records the edited files it moved (in git's folder,
    out of the project's tree; migrations/layers.py writes it)."""
    return project / _git(project, "rev-parse", "--git-path", MOVES_RECORD).strip()


def _merge_moved_files(
    project: Path, before: Path, after: Path, moves: list[dict[str, str]]
) -> None:
    """Merge each edited file a migration moved three ways, as git merges a renamed file.

    Copier sees a moved file as new on both sides, with nothing in common, and leaves it as
    one conflict over the whole file. Its real ancestor is the old version's file at the old
    path (`before`): merged from there, the project's edits (its committed file at the old
    path) and the new version's changes (`after`, at the new path) combine, and only the
    lines both changed remain to resolve, marked as copier marks them. A clean merge is
    staged, which resolves copier's conflict.
    """
    for move in moves:
        old, new = Path(move["old"]), Path(move["new"])
        if not ((before / old).is_file() and (after / new).is_file()):
            continue
        with tempfile.TemporaryDirectory(prefix="mlops-new-merge-") as scratch:
            ours = Path(scratch) / old.name
            ours.write_text(_git(project, "show", f"HEAD:./{old.as_posix()}"), encoding="utf-8")
            labels = [
                f"-L{label}" for label in ("before updating", "last update", "after updating")
            ]
            merge = subprocess.run(
                [
                    "git",
                    "merge-file",
                    "-p",
                    *labels,
                    str(ours),
                    str(before / old),
                    str(after / new),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        if not 0 <= merge.returncode < 128:
            raise UpdateError(f"git merge-file failed on {new}: {merge.stderr.strip()}")
        (project / new).write_text(merge.stdout, encoding="utf-8")
        if merge.returncode == 0:
            _git(project, "add", "--", new.as_posix())


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def _diff(before: Path, after: Path, path: Path) -> str:
    """The template's change to `path`, as a unified diff (empty if it did not change it)."""
    old, new = (root / path for root in (before, after))
    old_lines, new_lines = (p.read_text(encoding="utf-8", errors="replace") for p in (old, new))
    return "".join(
        difflib.unified_diff(
            old_lines.splitlines(keepends=True),
            new_lines.splitlines(keepends=True),
            f"a/{path.as_posix()}",
            f"b/{path.as_posix()}",
        )
    )


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
