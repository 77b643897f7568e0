"""Where the copier template lives.

An installed wheel carries the template inside the package, in `generator/_template` (see
pyproject.toml's force-include). A source checkout or an editable install uses the repository
itself: the folder above `generator/` that holds `copier.yml`. (Hatchling also copies the
template into site-packages/generator/_template for an editable install, but `generator` is
then imported from the checkout, whose `generator/` has no `_template`: the working tree wins.)
"""

from __future__ import annotations

from pathlib import Path

from .errors import TemplateError

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_root() -> Path:
    """Return the folder that holds `copier.yml`, `templates/` and `scenarios/`."""
    for candidate in (_PACKAGE_DIR / "_template", _PACKAGE_DIR.parent):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise TemplateError(
        f"the copier template is missing: neither {_PACKAGE_DIR / '_template'} nor "
        f"{_PACKAGE_DIR.parent} holds copier.yml; reinstall mlops-new"
    )


def is_git_checkout(root: Path) -> bool:
    """Tell whether `root` is the top of a git working tree (a developer's checkout).

    `.git` is a folder in a clone and a file in a `git worktree`; either counts.
    """
    return (root / ".git").exists()
