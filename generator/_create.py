"""`create_project`: check the names and the destination, render with copier, move the files in.

Nothing is written into the destination until the whole project has been rendered, and then
nothing is copied: the template is rendered into a scratch folder on the destination's own
file system (beside a new destination, inside an existing one), and the rendered files are
moved into place by renaming them, which writes no data and so cannot run out of space half
way. A new destination appears at once, by one rename of its folder. Into an existing one
(`--force`), the files are renamed one by one, and a failure part way undoes the renames done
so far (files replaced with `--overwrite` wait in the scratch folder until the end), so the
destination is left with exactly the files and bytes it had. The project is never written
through a symbolic link inside the destination: such a link is refused, by name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from ._release import ReleaseError
from ._store import (
    checkout_store,
    installed_version,
    packaged_bundle,
    recorded_path,
    refresh_store,
)
from .errors import (
    DestinationError,
    InferenceError,
    TemplateError,
    UseCaseUnavailableError,
    describe_os_error,
    shorten_path,
)
from .naming import resolve_names
from .template import is_git_checkout, template_root
from .usecases import get_use_case

__all__ = ["GeneratedProject", "create_project"]

_LISTED_COLLISIONS = 10


@dataclass(frozen=True)
class GeneratedProject:
    """What `create_project` wrote."""

    path: Path
    """The destination folder."""
    use_case: str
    project_name: str
    package_name: str
    files: list[Path] = field(default_factory=list)
    """Every file written, relative to `path`, sorted."""
    template_version: str | None = None
    """The template version the project records (`v0.2.0`), from which `mlops-new update`
    later takes it; None when it records none and cannot be updated (`update_note` says why)."""
    update_note: str = ""
    inferred: list[str] = field(default_factory=list)
    """What schema inference found and the lines to check (`data`); empty without it."""


# The CI providers a project's workflows can be written for (copier.yml's `ci`).
CI_PROVIDERS = ("github", "gitlab")


def create_project(
    use_case: str,
    destination: str | os.PathLike[str],
    *,
    project_name: str | None = None,
    package_name: str | None = None,
    allow_existing: bool = False,
    overwrite: bool = False,
    data: str | os.PathLike[str] | None = None,
    target: str | None = None,
    workshop: bool = False,
    solutions: bool = False,
    ci: str = "github",
    kubernetes: bool = True,
) -> GeneratedProject:
    """Generate the reference project of `use_case` into `destination`.

    Args:
        use_case: a scenario name, as `list_use_cases()` gives them (`fraud-detection`).
        destination: the project folder; created if missing. It must be empty unless
            `allow_existing` is true.
        project_name: defaults to the destination folder's name.
        package_name: the Python package; derived from the project name by default.
        allow_existing: generate into a non-empty folder. Files of the project that already
            exist there are still an error, listing them, unless `overwrite` is true.
        overwrite: replace existing files of the same name (implies `allow_existing`).
        data, target: the user's data file (CSV, gzip too, or Parquet) and the column to
            predict: the rendered project's own schema inference profiles the file and writes
            `config/pipeline.yaml` for it, before anything is moved into `destination`.
        workshop: add the workshop kit, `labs/` (docs/workshop.md), with the exercises to
            complete; with `solutions`, their reference solutions and the teacher's guide.
        ci: where the project's CI runs, `github` (.github/workflows/) or `gitlab`
            (.gitlab-ci.yml).
        kubernetes: add deploy/kubernetes/, the service's Kubernetes manifests.

    Raises:
        UnknownUseCaseError, UseCaseUnavailableError: no such use case, or not yet available.
        InvalidNameError: the project or package name breaks the naming rule.
        DestinationError: the destination is a file, is not empty, holds colliding files or a
            symbolic link where the project needs a folder, or could not be written (no
            space left, permission denied...); the destination is then left as it was.
        TemplateError: copier failed to render the template.
        InferenceError: `data` and `target` go together, and the file must be readable with
            `target` among its columns; the destination is then left as it was.
    """
    root = template_root()
    found = get_use_case(use_case, root)
    use_case = found.name
    if workshop and not found.workshop:
        raise UseCaseUnavailableError(
            f"use case {use_case!r} has no workshop kit yet (its scenario.yml's `workshop` is "
            "null); generate the project without one: mlops-new " + use_case
        )
    destination = Path(destination)
    data = _check_data(data, target)
    existing = _check_destination(destination, allow_existing=allow_existing or overwrite)
    if project_name is None:
        names = resolve_names(
            destination.resolve().name,
            package_name,
            project_name_hint="the name comes from the destination folder; choose one with --name",
        )
    else:
        names = resolve_names(project_name, package_name)

    source = _template_source(root)
    answers = {
        "use_case": use_case,
        "project_name": names.project_name,
        "package_name": names.package_name,
    }
    if solutions and not workshop:
        raise ValueError("solutions come with a workshop kit: pass workshop=True as well")
    if ci not in CI_PROVIDERS:
        raise ValueError(f"ci must be one of {', '.join(CI_PROVIDERS)}, not {ci!r}")
    answers.update(ci=ci, kubernetes=kubernetes)
    if workshop:
        answers.update(workshop=True, solutions=solutions)
    inferred: list[str] = []

    def prepare(rendered: Path) -> None:
        if data is not None and target is not None:
            inferred.extend(_infer_schema(rendered, names.package_name, data, target))

    try:
        if existing == destination:
            files = _generate_into_folder(
                source, answers, destination, overwrite=overwrite, prepare=prepare
            )
        else:
            files = _generate_new_folder(source, answers, destination, existing, prepare)
    except (DestinationError, InferenceError):
        raise
    except OSError as error:  # no space, a name too long, no permission: nothing is left
        outcome = "left as it was" if destination.is_dir() else "not created"
        raise DestinationError(
            f"could not generate into {shorten_path(destination)} ({outcome}): "
            f"{describe_os_error(error)}"
        ) from error

    return GeneratedProject(
        path=destination,
        use_case=use_case,
        project_name=names.project_name,
        package_name=names.package_name,
        files=files,
        template_version=source.ref if not source.update_note else None,
        update_note=source.update_note,
        inferred=inferred,
    )


def _check_data(data: str | os.PathLike[str] | None, target: str | None) -> Path | None:
    """The user's data file, checked before anything is rendered (None without one)."""
    if data is None and target is None:
        return None
    if data is None:
        raise InferenceError("--target needs --data: the file whose column it is")
    if target is None:
        raise InferenceError(f"--data {data} needs --target: the column to predict")
    path = Path(data)
    if not path.is_file():
        raise InferenceError(
            f"data file not found: {path}; pass --data an existing CSV or Parquet file"
        )
    return path.resolve()


def _infer_schema(rendered: Path, package: str, data: Path, target: str) -> list[str]:
    """Run the rendered project's schema inference on `data`: it rewrites the project's
    `config/pipeline.yaml` for the file, keeping the use case's other sections.

    The module imports only the standard library, so this interpreter runs it before the
    project's own dependencies are installed.
    """
    config = rendered / "config" / "pipeline.yaml"
    command = [sys.executable, "-m", f"{package}.core.schema_inference", str(data)]
    command += ["--target", target, "--out", str(config), "--force"]
    environment = {**os.environ, "PYTHONPATH": str(rendered / "src")}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise InferenceError(lines[-1].removeprefix("Error: "))
    return [line.replace(str(config), "config/pipeline.yaml") for line in done.stdout.splitlines()]


def _check_destination(destination: Path, *, allow_existing: bool) -> Path:
    """Refuse a destination that cannot take the project; return its nearest existing folder
    (the destination itself when it exists)."""
    try:
        existing = destination
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.exists() and not existing.is_dir():
            if existing == destination:
                raise DestinationError(
                    f"destination {destination} is a file; choose a new or empty folder"
                )
            raise DestinationError(
                f"cannot create {destination}: {existing} is a file, not a folder"
            )
        if existing == destination and not allow_existing and any(destination.iterdir()):
            raise DestinationError(
                f"destination {destination} is not empty; choose a new or empty folder, or "
                "pass --force to add the project to it (existing files are never overwritten "
                "unless you also pass --overwrite)"
            )
    except DestinationError:
        raise
    except OSError as error:  # a name too long for the file system, a folder not readable
        raise DestinationError(
            f"cannot use {shorten_path(destination)} as the destination: "
            f"{describe_os_error(error, '')}"
        ) from error
    return existing


class Source(NamedTuple):
    """What copier renders: `path` at `ref`; `update_note` says why the project records no
    version that `mlops-new update` can start from (empty when it does)."""

    path: str
    ref: str | None
    update_note: str = ""


def _template_source(root: Path) -> Source:
    """The template source and version to render.

    An installed wheel renders its own version `v<version>` from the per-user template store
    (see _store.py), so that `mlops-new update` can later find this version again. A git
    checkout whose shipped files are committed does the same with its own version (a release,
    or a development version naming the commit; see _release.py). A checkout with
    uncommitted changes renders its working tree, "HEAD" (copier commits the changes in its
    own clone and warns with DirtyLocalWarning, which is expected while developing the
    template), and a plain folder (a wheel used without git) renders as it is: neither
    records a version that can be found again, so such projects cannot be updated.
    """
    bundle = packaged_bundle()
    if bundle is not None:
        return Source(recorded_path(refresh_store(bundle)), f"v{installed_version()}")
    if shutil.which("git") is None:
        return Source(str(root), None, "git is not installed, and copier keeps versions in git")
    if not is_git_checkout(root):
        return Source(str(root), None, "this mlops-new carries no template history; reinstall it")
    try:
        store, version = checkout_store(root)
    except ReleaseError as error:
        # The first line says why; the rest lists files.
        reason = str(error).splitlines()[0].rstrip(":")
        return Source(str(root), "HEAD", f"it was generated from the checkout {root}: {reason}")
    return Source(recorded_path(store), f"v{version}")


def render(source: Source, destination: Path, data: dict[str, object]) -> None:
    # Imported here: copier and its dependencies take about a second to import, which
    # `mlops-new --help` and `mlops-new list` need not pay.
    import copier
    from copier.errors import CopierError, DirtyLocalWarning
    from jinja2 import TemplateError as JinjaTemplateError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DirtyLocalWarning)
            copier.run_copy(
                source.path,
                str(destination),
                data=data,
                defaults=True,
                quiet=True,
                unsafe=False,
                vcs_ref=source.ref,
                overwrite=True,
            )
    # Copier raises CopierError subclasses for its own failures, ValueError for answers that
    # fail a validator or a choice, and lets Jinja's errors through (an included scenario
    # file that does not exist: TemplateNotFound).
    except (CopierError, ValueError, JinjaTemplateError) as error:
        raise TemplateError(
            f"copier could not render the template in {source.path}: {_describe(error)}"
        ) from error


def _describe(error: Exception) -> str:
    from jinja2 import TemplateNotFound

    if isinstance(error, TemplateNotFound):
        return f"the template file {error.name!r} does not exist"
    return str(error) or type(error).__name__


def _check_collisions(destination: Path, files: list[Path], *, overwrite: bool) -> None:
    existing: list[Path] = []
    blocked: list[str] = []
    for relative in files:
        target = destination / relative
        for parent in reversed(relative.parents[:-1]):
            if (destination / parent).exists() and not (destination / parent).is_dir():
                blocked.append(f"{parent} (a file where the project needs a folder)")
        if target.is_dir() and not target.is_symlink():
            blocked.append(f"{relative} (a folder where the project writes a file)")
        elif target.exists() or target.is_symlink():
            existing.append(relative)
    if blocked:
        raise DestinationError(
            f"cannot generate into {destination}: {_enumerate(sorted(set(blocked)))}; "
            "move them away first"
        )
    if existing and not overwrite:
        raise DestinationError(
            f"{len(existing)} file(s) of the project already exist in {destination}: "
            f"{_enumerate([str(p) for p in existing])}; move them away, or pass --overwrite "
            "to replace them"
        )


def _enumerate(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED_COLLISIONS])
    more = len(items) - _LISTED_COLLISIONS
    return shown + (f" and {more} more" if more > 0 else "")


_SCRATCH_PREFIX = ".mlops-new-"


def _generate_new_folder(
    source: Source,
    data: dict[str, object],
    destination: Path,
    existing: Path,
    prepare: Callable[[Path], None],
) -> list[Path]:
    """Render into a scratch folder in `existing`, the nearest existing folder of the new
    `destination`, `prepare` it, then rename the first missing folder into place: the
    destination, with any missing folders above it, appears whole or not at all."""
    missing = destination.relative_to(existing)
    top = missing.parts[0]
    scratch = _scratch_folder(existing)
    try:
        rendered = scratch / missing
        with _errors_name_the_destination(rendered, destination):
            rendered.parent.mkdir(parents=True, exist_ok=True)
            render(source, rendered, data)
            prepare(rendered)
            files = _files(rendered)
        if (existing / top).exists() or (existing / top).is_symlink():
            # Made by someone else while the project was rendered: not ours to replace.
            raise DestinationError(
                f"{existing / top} appeared while the project was rendered; run again"
            )
        _rename(scratch / top, existing / top)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return files


def _generate_into_folder(
    source: Source,
    data: dict[str, object],
    destination: Path,
    *,
    overwrite: bool,
    prepare: Callable[[Path], None],
) -> list[Path]:
    """Render into a scratch folder inside the existing `destination` (so on its file
    system, even when it is a mount point), `prepare` it, check the files against what is
    there, then move them in (`_move_in`)."""
    scratch = _scratch_folder(destination)
    rendered = scratch / "project"
    try:
        with _errors_name_the_destination(rendered, destination):
            render(source, rendered, data)
            prepare(rendered)
            files = _files(rendered)
        _check_links(destination, files)
        _check_collisions(destination, files, overwrite=overwrite)
        _move_in(rendered, destination, files, scratch / "replaced")
    except _UndoFailed:
        raise  # the scratch folder keeps the replaced files, where the message says
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    shutil.rmtree(scratch, ignore_errors=True)
    return files


def _scratch_folder(folder: Path) -> Path:
    """A new scratch folder in `folder`; an error names `folder`, the one the user chose."""
    try:
        return Path(tempfile.mkdtemp(prefix=_SCRATCH_PREFIX, dir=folder))
    except OSError as error:
        error.filename = str(folder)
        raise


@contextmanager
def _errors_name_the_destination(rendered: Path, destination: Path) -> Iterator[None]:
    """Name the file an OSError is about where it would be in the destination: the user
    never sees the scratch folder."""
    try:
        yield
    except OSError as error:
        if isinstance(error.filename, str) and Path(error.filename).is_relative_to(rendered):
            error.filename = str(destination / Path(error.filename).relative_to(rendered))
        raise


def _files(rendered: Path) -> list[Path]:
    return sorted(p.relative_to(rendered) for p in rendered.rglob("*") if not p.is_dir())


def _check_links(destination: Path, files: list[Path]) -> None:
    """Refuse a symbolic link where the project needs a folder: writing through it would put
    the project's files wherever it points, outside the destination perhaps."""
    folders = {parent for relative in files for parent in relative.parents[:-1]}
    links = sorted(folder for folder in folders if (destination / folder).is_symlink())
    if links:
        link = destination / links[0]
        raise DestinationError(
            f"{link} is a symbolic link (to {os.readlink(link)}) where the project needs a "
            "folder; mlops-new does not write through links: remove it, or choose another "
            "destination"
        )


class _UndoFailed(DestinationError):
    """Moving the project in failed, and so did undoing it: the message says what is left."""


def _move_in(rendered: Path, destination: Path, files: list[Path], replaced: Path) -> None:
    """Move the rendered files into `destination` by renaming them, all or none.

    The missing folders are created first, then each file is renamed into place; an
    existing file of that name (allowed by `--overwrite`) is renamed into `replaced` first.
    On any failure, an interruption too, every step done so far is undone in reverse order,
    so the destination has exactly its previous files and folders, and the error is raised
    again. Renames write no data, so undoing them needs no free space.
    """
    undo: list[Callable[[], None]] = []
    try:
        folders = sorted({parent for relative in files for parent in relative.parents[:-1]})
        for folder in folders:
            target = destination / folder
            if not target.is_dir():
                undo.append(partial(_remove_folder, target))
                target.mkdir(mode=(rendered / folder).stat().st_mode & 0o7777)
        for relative in files:
            target = destination / relative
            if target.exists() or target.is_symlink():
                kept = replaced / relative
                kept.parent.mkdir(parents=True, exist_ok=True)
                _move(target, kept, undo)
            _move(rendered / relative, target, undo)
    except BaseException as error:
        try:
            for step in reversed(undo):
                step()
        except OSError as undo_error:
            reason = describe_os_error(error) if isinstance(error, OSError) else repr(error)
            raise _UndoFailed(
                f"could not generate into {destination} ({reason}), nor undo what was moved "
                f"in so far ({describe_os_error(undo_error)}); the files it replaced are "
                f"in {replaced}: move them back"
            ) from error
        raise


def _move(source: Path, target: Path, undo: list[Callable[[], None]]) -> None:
    """Rename `source` to `target`, its undoing registered first: a signal that arrives right
    after the rename must not leave the rename out of the undo."""
    undo.append(partial(_move_back, target, source))
    _rename(source, target)


def _move_back(target: Path, source: Path) -> None:
    """Undo `_move(source, target)`, if it happened."""
    if os.path.lexists(target) and not os.path.lexists(source):
        _rename(target, source)


def _remove_folder(folder: Path) -> None:
    """Undo the creation of `folder`, if it happened."""
    if folder.is_dir():
        folder.rmdir()


def _rename(source: Path, target: Path) -> None:
    """`os.rename`, as one seam: tests make it fail part way through a move."""
    os.rename(source, target)
