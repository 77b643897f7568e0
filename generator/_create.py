"""`create_project`: check the names and the destination, render with copier, copy the files.

The template is rendered into a fresh temporary folder first and copied into the destination
only when rendering succeeded, so a failed render never leaves half a project behind, and the
full list of files is known before anything in the destination is touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
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
from .errors import DestinationError, TemplateError
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


def create_project(
    use_case: str,
    destination: str | os.PathLike[str],
    *,
    project_name: str | None = None,
    package_name: str | None = None,
    allow_existing: bool = False,
    overwrite: bool = False,
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

    Raises:
        UnknownUseCaseError, UseCaseUnavailableError: no such use case, or not yet available.
        InvalidNameError: the project or package name breaks the naming rule.
        DestinationError: the destination is a file, is not empty, or holds colliding files.
        TemplateError: copier failed to render the template.
    """
    root = template_root()
    use_case = get_use_case(use_case, root).name
    destination = Path(destination)
    _check_destination(destination, allow_existing=allow_existing or overwrite)
    if project_name is None:
        names = resolve_names(
            destination.resolve().name,
            package_name,
            project_name_hint="the name comes from the destination folder; choose one with --name",
        )
    else:
        names = resolve_names(project_name, package_name)

    source = _template_source(root)
    with tempfile.TemporaryDirectory(prefix="mlops-new-") as tmp:
        rendered = Path(tmp) / "project"
        render(
            source,
            rendered,
            {
                "use_case": use_case,
                "project_name": names.project_name,
                "package_name": names.package_name,
            },
        )
        files = sorted(p.relative_to(rendered) for p in rendered.rglob("*") if not p.is_dir())
        _check_collisions(destination, files, overwrite=overwrite)
        _copy(rendered, destination, files)

    return GeneratedProject(
        path=destination,
        use_case=use_case,
        project_name=names.project_name,
        package_name=names.package_name,
        files=files,
        template_version=source.ref if not source.update_note else None,
        update_note=source.update_note,
    )


def _check_destination(destination: Path, *, allow_existing: bool) -> None:
    existing = destination
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        if existing == destination:
            raise DestinationError(
                f"destination {destination} is a file; choose a new or empty folder"
            )
        raise DestinationError(f"cannot create {destination}: {existing} is a file, not a folder")
    if existing == destination and not allow_existing and any(destination.iterdir()):
        raise DestinationError(
            f"destination {destination} is not empty; choose a new or empty folder, or pass "
            "--force to add the project to it (existing files are never overwritten unless "
            "you also pass --overwrite)"
        )


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


def _copy(rendered: Path, destination: Path, files: list[Path]) -> None:
    try:
        destination.mkdir(parents=True, exist_ok=True)
        for folder in sorted(p for p in rendered.rglob("*") if p.is_dir()):
            (destination / folder.relative_to(rendered)).mkdir(parents=True, exist_ok=True)
        for relative in files:
            target = destination / relative
            if target.is_symlink():
                # Replace the link itself rather than write through it.
                target.unlink()
            shutil.copy2(rendered / relative, target)
    except OSError as error:
        raise DestinationError(
            f"could not write the project into {destination}: {error}"
        ) from error
