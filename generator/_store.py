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

from ._release import TEMPLATE_PATHS, bundle_tags, checkout_version, write_tags
from .errors import TemplateError

__all__ = [
    "checkout_store",
    "installed_version",
    "packaged_bundle",
    "recorded_path",
    "refresh_store",
    "store_home",
    "tags_of",
]

_PACKAGED_BUNDLE = Path(__file__).resolve().parent / "_template.bundle"
_INCOMING = "refs/mlops-new/incoming/"
"""Where a bundle's tags land first, to be compared with the store's before they are kept."""


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

    Cheap when nothing changed: the tag lists are compared first. A version the store already
    holds is never replaced by a different template: that would change, under the projects
    generated from it, the base `mlops-new update` compares them with. The same template under
    another commit (a rebuilt history) is kept as the store has it.
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
    differing = {tag: sha for tag, sha in wanted.items() if have.get(tag) != sha}
    new: dict[str, str] = {}
    if differing:
        incoming = f"+refs/tags/*:{_INCOMING}*"
        _git("-C", str(repo), "fetch", "--quiet", "--no-tags", str(packaged), incoming)
        try:
            new = _new_tags(repo, differing, have)
        finally:
            refs = _git("-C", str(repo), "for-each-ref", "--format=delete %(refname)", _INCOMING)
            _git_input(refs, "-C", str(repo), "update-ref", "--stdin")
        creates = "".join(f"create refs/tags/{tag} {sha}\n" for tag, sha in new.items())
        _git_input(creates, "-C", str(repo), "update-ref", "--stdin")
    if new or not bundle.is_file():
        # Written beside the target and renamed, so a reader never sees half a bundle.
        fd, partial = tempfile.mkstemp(prefix="template-", suffix=".bundle.tmp", dir=home)
        os.close(fd)
        try:
            _git("-C", str(repo), "bundle", "create", "--quiet", partial, "--tags")
            os.replace(partial, bundle)
        finally:
            Path(partial).unlink(missing_ok=True)
    return bundle


def _new_tags(repo: Path, differing: dict[str, str], have: dict[str, str]) -> dict[str, str]:
    """The tags of `differing` to add to the store; refuse a version with another template."""
    new = {}
    for tag, sha in differing.items():
        if tag not in have:
            new[tag] = sha
        elif template_tree(repo, have[tag]) != template_tree(repo, sha):
            home = repo.parent
            raise TemplateError(
                f"the template store {home} already holds template version {tag} with other "
                f"contents (commit {have[tag][:12]}) than this mlops-new's {tag} (commit "
                f"{sha[:12]}): one of the two builds gave unreleased code a released version "
                "(every build made before mlops-new 0.1.0 was released called itself 0.1.0). "
                "The store keeps its copy, because projects generated from it compare their "
                "edits with it when they update (CHANGELOG.md, 0.1.0, Upgrading, says how to "
                f"bring them to a release). Once no project needs it, move {repo} away and "
                "run the command again"
            )
    return new


def template_tree(repo: Path, commit: str) -> str:
    """What identifies the template of `commit`: the objects of `TEMPLATE_PATHS` (`git ls-tree`)."""
    return _git("-C", str(repo), "ls-tree", commit, "--", *TEMPLATE_PATHS)


def checkout_store(root: Path) -> tuple[Path, str]:
    """The store's bundle, holding the template of the git checkout `root`; and its version.

    A checkout's committed template is a version like any wheel's (generator/_release.py), so
    projects generated from it can be updated the same way. Raises ReleaseError when the
    checkout cannot name its version (uncommitted changes to what ships, a shallow clone).
    """
    version = checkout_version(root)
    tag = f"v{version}"
    repo = store_home() / "template.git"
    tags = bundle_tags(root, version)
    stored = tags_of(str(repo)) if (repo / "HEAD").is_file() else {}
    if stored.get(tag) == tags[tag] and (repo.parent / "template.bundle").is_file():
        return repo.parent / "template.bundle", version
    with tempfile.TemporaryDirectory(prefix="mlops-new-checkout-") as scratch:
        bundle = Path(scratch) / "template.bundle"
        write_tags(root, tags, bundle)
        return refresh_store(bundle), version


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
    return _git_input("", *args)


def _git_input(text: str, *args: str) -> str:
    result = subprocess.run(["git", *args], input=text, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TemplateError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout
