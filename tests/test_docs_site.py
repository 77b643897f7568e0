"""The documentation site (mkdocs.yml, docs/site.py) builds with --strict, and holds the home
page, the search index, and every use case's domain story, labs and teacher's guide.

The site is built once, into a temporary folder (`docs/site.py --out`), never into the
checkout's build/. Which labs a kit has is discovered from a kit rendered here (`labs/NN-*.md`),
not listed: the workshop kits grow. About 15 seconds: eight kits and one mkdocs build.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator import create_project, list_use_cases

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "site.py"
USE_CASES = [u.name for u in list_use_cases() if u.available and u.workshop]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build folder: `site/` (the built site), `site-src/` (the staged pages)."""
    out = tmp_path_factory.mktemp("docs-site")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}"
    return out


@pytest.fixture(scope="module")
def kits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A students' kit per use case, rendered independently of the site's build."""
    scratch = tmp_path_factory.mktemp("kits")
    return {name: create_project(name, scratch / name, workshop=True).path for name in USE_CASES}


def test_the_home_page_and_the_architecture_pages_are_built(built: Path) -> None:
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert "Generate a complete, runnable MLOps reference project" in home
    # README.md's `docs/design.md` is a working link to the page, not to a Markdown file.
    assert 'href="docs/workshop/"' in home
    for page in ("design", "scenarios", "reliability", "updating", "onboarding", "workshop"):
        assert (built / "site" / "docs" / page / "index.html").is_file(), page


def test_the_search_index_holds_every_page(built: Path) -> None:
    index = json.loads((built / "site" / "search" / "search_index.json").read_text("utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "docs/design/" in locations
    for name in USE_CASES:
        assert f"use-cases/{name}/labs/02-features/" in locations, name
    assert any("Features without leakage" in doc["title"] for doc in index["docs"])


@pytest.mark.parametrize("name", USE_CASES)
def test_every_use_case_has_its_story_labs_and_teachers_guide(
    name: str, built: Path, kits: dict[str, Path]
) -> None:
    base = built / "site" / "use-cases" / name
    use_case = next(u for u in list_use_cases() if u.name == name)

    story = (base / "index.html").read_text(encoding="utf-8")
    # Titled with the use case, not with the project's name as the generated README is.
    assert re.search(rf'<h1 id="[^"]*">{re.escape(html.escape(use_case.title))}<', story)
    assert "What the model sees" in story  # a section every use case's story has
    assert "Architecture</h2>" not in story, "the story stops before the architecture"

    overview = (base / "labs" / "index.html").read_text(encoding="utf-8")
    labs = sorted((kits[name] / "labs").glob("[0-9][0-9]-*.md"))
    assert {"01-data", "02-features"} <= {lab.stem for lab in labs}
    for lab in labs:
        page = base / "labs" / lab.stem / "index.html"
        assert page.is_file(), f"{name}: {lab.name} is not on the site"
        title = re.match(r"# (.*)", lab.read_text(encoding="utf-8"))[1]
        assert html.escape(title, quote=False) in page.read_text(encoding="utf-8"), title
        # The overview's link to the lab works (labs/README.md links `NN-name.md`).
        assert f'href="{lab.stem}/"' in overview, f"{name}: the overview does not link {lab.name}"
    assert "Features without leakage" in (base / "labs" / "02-features" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "Teacher" in (base / "labs" / "TEACHER" / "index.html").read_text(encoding="utf-8")


def _site_module() -> ModuleType:
    # Not importable by name: docs/ is no package, and `site` is a standard library module.
    spec = importlib.util.spec_from_file_location("docs_site", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def test_links_to_pages_are_kept_and_other_links_become_text(tmp_path: Path) -> None:
    site = _site_module()
    labs = tmp_path / "labs"
    source = labs / "README.md"
    text = (
        "[Data](01-data.md) and [Serving](06-serving.md), [the notes](../CHANGELOG.md#0-1-0),\n"
        "[config/pipeline.yaml](../config/pipeline.yaml), [copier](https://copier.readthedocs.io),\n"
        "`[not a link](01-data.md)`, [Goal](#goal), [Gone](#gone)\n"
        "```markdown\n[Data](01-data.md)\n```\n"
    )
    page = site.Page("use-cases/x/labs/index.md", source, text, anchors={"goal"})
    targets = {(labs / "01-data.md").resolve(): "use-cases/x/labs/01-data.md"}
    assert site.rewrite_links(page, targets) == (
        "[Data](01-data.md) and Serving, the notes,\n"
        "`config/pipeline.yaml`, [copier](https://copier.readthedocs.io),\n"
        "`[not a link](01-data.md)`, [Goal](#goal), Gone\n"
        "```markdown\n[Data](01-data.md)\n```\n"
    )
