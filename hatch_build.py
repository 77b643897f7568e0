"""Hatch build hook: ship the template's release history in the wheel, as a git bundle.

`mlops-new update` needs the template version a project was generated with and the version
to update to, as git tags (copier re-renders the old one). The wheel therefore carries
`generator/_template.bundle`: a tag `v<version>` for every release in CHANGELOG.md, at the
commit that released it, and one for this build's own version when it is a development
version (generator/_release.py explains the versions). At run time the generator fetches the
bundle into a per-user store (generator/_store.py).

- From a git checkout, the bundle is written here. A shallow clone, or shipped files with
  uncommitted changes, stop the build with a message saying what to do: such a wheel would
  generate projects that `mlops-new update` cannot follow.
- An sdist carries the bundle at its root (`_template.bundle`), written from the checkout
  like the wheel's, so that the wheel `uv build` makes from the sdist carries it too. A
  source tree with neither git nor a bundle stops the build.
- Editable installs render the working tree and get no bundle.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE_IN_WHEEL = "generator/_template.bundle"
BUNDLE_IN_SDIST = "_template.bundle"


def _release_module() -> Any:
    """generator/_release.py, loaded by path: the package's dependencies are not installed."""
    name = "_mlops_new_release"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent / "generator" / "_release.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


class TemplateBundleHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        target = BUNDLE_IN_WHEEL if self.target_name == "wheel" else BUNDLE_IN_SDIST
        packaged = root / BUNDLE_IN_SDIST
        if not (root / ".git").exists() and packaged.is_file():
            # A wheel built from our sdist: its bundle was written from the checkout.
            _check_bundle(packaged, f"v{self.metadata.version}")
            build_data["force_include"][str(packaged)] = target
            return
        release = _release_module()
        self._scratch = Path(tempfile.mkdtemp(prefix="mlops-new-bundle-"))
        bundle = self._scratch / "template.bundle"
        try:
            release.write_bundle(root, self.metadata.version, bundle)
        except release.ReleaseError as error:
            raise RuntimeError(f"mlops-new cannot be built from {root}: {error}") from None
        build_data["force_include"][str(bundle)] = target

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _check_bundle(bundle: Path, tag: str) -> None:
    if shutil.which("git") is None:  # it is copied as it is; the generator checks it again
        return
    # Run from the filesystem's root: git looks for a repository around its working folder,
    # and uv's build folder has a `.git` file of its own that git cannot read.
    heads = subprocess.run(
        ["git", "bundle", "list-heads", str(bundle)],
        cwd=bundle.anchor,
        capture_output=True,
        text=True,
        check=False,
    )
    if f"refs/tags/{tag}" not in heads.stdout.split():
        raise RuntimeError(
            f"{bundle} does not hold the tag {tag} of the version being built "
            f"({heads.stderr.strip() or 'its tags: ' + heads.stdout.strip()}); build from a "
            "clone of the repository, or from an sdist made by `uv build`, unchanged"
        )
