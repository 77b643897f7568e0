"""The per-user template store: every installed version of the template, as git tags.

A wheel of mlops-new carries `generator/_template.bundle`, a git bundle of the template's
history with a tag `v<version>` for every release up to its own (see hatch_build.py). Copier
can update a project only from a source that holds both the version the project was
generated with and the version to update to, and a wheel holds one version of the package;
so every installed version's bundle is fetched into one bare repository at a stable place,

    $MLOPS_NEW_HOME                      (if set; tests use it), else
    $XDG_DATA_HOME/mlops-new             (default ~/.local/share/mlops-new)
        template.git/                    bare repository: the union of every version's tags
        template.bundle                  re-created from template.git when new tags arrive

which survives reinstalls, upgrades and downgrades. Projects record `template.bundle` as their
`_src_path` (as `~/...` when it lies under the home folder, so that a project cloned on
another machine finds that machine's store), and `v<version>` as their `_commit`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .errors import TemplateError

__all__ = [
    "installed_version",
    "packaged_bundle",
    "recorded_path",
    "refresh_store",
    "store_home",
    "tags_of",
]

_PACKAGED_BUNDLE = Path(__file__).resolve().parent / "_template.bundle"


def packaged_bundle() -> Path | None:
    """The bundle shipped in the wheel, or None when running from a checkout.

    None too when git is missing: copier needs git to read a bundle, and the generator then
    renders the plain copy of the template (projects generated so cannot be updated).
    """
    if _PACKAGED_BUNDLE.is_file() and shutil.which("git") is not None:
        return _PACKAGED_BUNDLE
    return None


def installed_version() -> str:
    """The version of the installed mlops-new distribution (`0.2.0`)."""
    try:
        return version("mlops-new")
    except PackageNotFoundError as error:  # a wheel's files without its metadata
        raise TemplateError(
            "cannot tell which version of mlops-new is installed; reinstall mlops-new"
        ) from error


def store_home() -> Path:
    """The folder holding `template.git` and `template.bundle`."""
    if os.environ.get("MLOPS_NEW_HOME"):
        return Path(os.environ["MLOPS_NEW_HOME"]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / "mlops-new"


def refresh_store(packaged: Path) -> Path:
    """Fetch the tags of `packaged` into the store; return the store's bundle.

    Cheap when nothing changed: the tag lists are compared first. A tag that the packaged
    bundle holds with another commit (a rebuilt release) is replaced: the installed version
    is the one that renders.
    """
    home = store_home()
    repo = home / "template.git"
    bundle = home / "template.bundle"
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TemplateError(
            f"cannot create the template store {home}: {error}; set MLOPS_NEW_HOME to a "
            "writable folder"
        ) from error
    if not (repo / "HEAD").is_file():
        _git("init", "--quiet", "--bare", str(repo))
    wanted = tags_of(str(packaged))
    have = tags_of(str(repo))
    changed = any(have.get(tag) != sha for tag, sha in wanted.items())
    if changed:
        _git("-C", str(repo), "fetch", "--quiet", str(packaged), "+refs/tags/*:refs/tags/*")
    if changed or not bundle.is_file():
        # Written beside the target and renamed, so a reader never sees half a bundle.
        fd, partial = tempfile.mkstemp(prefix="template-", suffix=".bundle.tmp", dir=home)
        os.close(fd)
        try:
            _git("-C", str(repo), "bundle", "create", "--quiet", partial, "--tags")
            os.replace(partial, bundle)
        finally:
            Path(partial).unlink(missing_ok=True)
    return bundle


def recorded_path(bundle: Path) -> str:
    """How a project's answers file names `bundle`: `~/...` under the home folder."""
    try:
        return "~/" + bundle.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(bundle)


def tags_of(source: str) -> dict[str, str]:
    """`{tag name: object id}` of a git repository, bundle file or URL."""
    if Path(source).is_file():
        output = _git("bundle", "list-heads", source)
    else:
        output = _git("ls-remote", "--tags", "--refs", source)
    tags = {}
    for line in output.splitlines():
        sha, _, ref = line.partition(" ") if " " in line else line.partition("\t")
        ref = ref.strip()
        if ref.startswith("refs/tags/") and not ref.endswith("^{}"):
            tags[ref.removeprefix("refs/tags/")] = sha.strip()
    return tags


def _git(*args: str) -> str:
    result = subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise TemplateError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout
