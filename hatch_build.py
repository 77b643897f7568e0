"""Hatch build hook: ship the template's history in the wheel, as `generator/_template.bundle`.

`mlops-new update` needs every template version as a git tag (copier re-renders the version a
project was generated with). The wheel therefore carries a git bundle of this repository's
history with every `v*` tag, plus a tag `v<this version>` on the commit being built when the
checkout has none. The tag is made in a temporary clone, never in the checkout. At run time
the generator fetches the bundle into a per-user store (generator/_store.py).

The bundle must equal what ships, so the build refuses uncommitted changes to the template
(copier.yml, templates/, scenarios/), and a `v<version>` tag whose template differs from the
commit being built (bump the version instead). Editable installs render the working tree and
get no bundle; a source tree without git (an sdist) builds a wheel without one, whose projects
cannot be updated (a warning says so).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TEMPLATE_PATHS = ("copier.yml", "templates", "scenarios")
BUNDLE_IN_WHEEL = "generator/_template.bundle"


class TemplateBundleHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        if not (root / ".git").exists():
            warnings.warn(
                f"{root} is not a git checkout: the wheel carries no template history, and "
                "projects generated with it cannot be updated by `mlops-new update`",
                stacklevel=1,
            )
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="mlops-new-bundle-"))
        bundle = self._scratch / "template.bundle"
        write_bundle(root, f"v{self.metadata.version}", bundle, self._scratch / "clone")
        build_data["force_include"][str(bundle)] = BUNDLE_IN_WHEEL

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def write_bundle(root: Path, tag: str, bundle: Path, clone: Path) -> None:
    """Write the bundle of `root`'s `v*` tags, with `tag` on HEAD if missing, to `bundle`."""
    dirty = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *TEMPLATE_PATHS)
    if dirty.strip():
        raise RuntimeError(
            "refusing to build: the template has uncommitted changes, and the wheel's "
            f"template history must equal the template it ships:\n{dirty}"
            "Commit them (or stash them) and build again."
        )
    head = _git(root, "rev-parse", "HEAD").strip()
    _git(root, "clone", "--quiet", "--no-checkout", "--no-hardlinks", str(root), str(clone))
    existing = _git(clone, "tag", "--list", tag).strip()
    if existing:
        changed = subprocess.run(
            ["git", "diff", "--quiet", tag, head, "--", *TEMPLATE_PATHS],
            cwd=clone,
            check=False,
        ).returncode
        if changed:
            raise RuntimeError(
                f"refusing to build: the tag {tag} exists and its template differs from the "
                f"commit being built ({head[:12]}); bump the version in pyproject.toml"
            )
    else:
        _git(clone, "tag", tag, head)
    # Only the release tags: branches and other tags of the checkout stay out of the wheel.
    _git(clone, "bundle", "create", "--quiet", str(bundle), "--tags=v*")


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout
