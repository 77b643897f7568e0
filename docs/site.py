"""Build the documentation site (mkdocs-material) that a teacher projects.

    .venv/bin/python docs/site.py                 # build/site, with mkdocs build --strict
    .venv/bin/python docs/site.py --serve         # browse it at http://127.0.0.1:8000
    .venv/bin/python docs/site.py --out DIR       # stage and build under DIR instead of build/

The site's pages come from several places: README.md (the home page) and docs/*.md, and,
for every available use case, a workshop kit rendered here by the generator: the domain story
(the kit's README.md up to its "## Architecture" heading), the labs (`labs/README.md`,
`labs/NN-*.md`) and, from a second kit rendered with solutions, the teacher's guide
(`labs/TEACHER.md`). So the site is built in two steps, both under OUT (build/ by default):

1. Staging. Every page is copied into OUT/site-src at its place on the site, with its
   relative links rewritten for that place: a link to a file that is a page of the site
   points to that page's staged copy (README.md's `docs/design.md`, a lab's `01-data.md`, the
   kit README's `labs/README.md`), and a link to anything else (`../CHANGELOG.md`, a lab not
   written yet) becomes its text, in code style when the text is a path. The site so has no
   broken link, and mkdocs' link validation stays strict (mkdocs.yml makes it stricter).

2. Configuration. The nav depends on what is staged (the use cases available, the labs that
   exist), so it is generated too: OUT/mkdocs.yml is a small config that INHERITs the
   repository's mkdocs.yml and adds only the nav and the staging's locations. The root
   mkdocs.yml keeps everything a person edits (theme, extensions, validation) and stays plain
   YAML that is never rewritten; the generated file is a few lines, thrown away with OUT.

Then `mkdocs build --strict` (or `mkdocs serve`) runs on the generated config, in this
process. Nothing here needs the network. Standard library, the generator, and mkdocs (with its
dependencies: PyYAML, Markdown) only.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify
from mkdocs.__main__ import cli as mkdocs_cli

from generator import create_project, list_use_cases
from generator.usecases import UseCase

REPO = Path(__file__).resolve().parent.parent

# The repository's own pages, in the "Architecture" tab, in this order; any other docs/*.md
# follows, sorted. workshop.md opens the "Use cases and labs" tab instead.
ARCHITECTURE = ["design.md", "scenarios.md", "reliability.md", "updating.md", "onboarding.md"]
WORKSHOP = "workshop.md"

# Where a generated project's README stops being its domain story.
STORY_END = re.compile(r"^## Architecture\s*$", re.MULTILINE)
# A fenced code block's opening or closing line (``` or ~~~, possibly indented in a list).
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# In prose: a code span (kept as it is, so a link written inside one is left alone), or an
# inline link `[text](target)` that is not an image. Reference-style links are not used.
INLINE = re.compile(
    r"(?P<code>(?P<ticks>`+).*?(?P=ticks))"
    r"|(?<!!)\[(?P<text>[^\[\]]*)\]\((?P<target>[^()\s]+)\)"
)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # https:, mailto:: left to the browser
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


@dataclass
class Page:
    """A page of the site: where it is staged, where it comes from, and its Markdown."""

    staged: str
    """Its path in the staging folder (POSIX, relative): `use-cases/readmission/index.md`."""
    source: Path
    """The file it comes from; its relative links are relative to this file's folder."""
    text: str
    anchors: set[str] | None = None
    """The only `#anchor` links the page may keep (when it is cut out of a longer file, as
    the domain story is); None keeps them all, and mkdocs validates them."""


@dataclass
class Site:
    """Every page to stage, the nav that lists them, and the other files that stand for a
    page (a lab page of the teachers' kit stands for the same page of the students' kit)."""

    pages: list[Page]
    nav: list[dict]
    aliases: dict[Path, str]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "build",
        help="where to stage (OUT/site-src, OUT/mkdocs.yml) and build (OUT/site); "
        "default: build/ of the repository",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="stage, then run `mkdocs serve` instead of building (re-run to pick up edits "
        "of the sources: the server watches the staged copies)",
    )
    parser.add_argument(
        "--dev-addr", default="127.0.0.1:8000", help="with --serve: the address to serve on"
    )
    args = parser.parse_args(argv)

    config = stage(args.out.resolve())
    if args.serve:
        command = ["serve", "--strict", "--dev-addr", args.dev_addr, "--config-file", str(config)]
    else:
        command = ["build", "--strict", "--config-file", str(config)]
    # mkdocs-material prints a notice about its end of life and MkDocs 2 on every run; the
    # pins in pyproject.toml keep mkdocs 1, so it says nothing to act on here.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    # mkdocs' own command line, in this process (so stopping this script stops the server):
    # it exits with mkdocs' status, 1 when --strict finds a warning.
    mkdocs_cli.main(args=command, prog_name="mkdocs")


def stage(out: Path) -> Path:
    """Stage the site under `out` and write its config; returns the config's path."""
    staging = out / "site-src"
    with tempfile.TemporaryDirectory(prefix="mlops-new-site-") as scratch:
        site = collect(Path(scratch))
        if staging.exists():
            shutil.rmtree(staging)
        targets = {_key(page.source): page.staged for page in site.pages} | site.aliases
        for page in site.pages:
            path = staging / page.staged
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rewrite_links(page, targets), encoding="utf-8")

    config = out / "mkdocs.yml"
    generated = {
        # Paths in a config are relative to the config file: these override the root's.
        "INHERIT": str(REPO / "mkdocs.yml"),
        "docs_dir": "site-src",
        "site_dir": "site",
        "nav": site.nav,
    }
    header = "# Generated by docs/site.py: the nav and the staging's locations. Do not edit.\n"
    config.write_text(header + yaml.safe_dump(generated, sort_keys=False), encoding="utf-8")
    return config


def collect(scratch: Path) -> Site:
    """The repository's pages, then each available use case's, from kits rendered in
    `scratch`."""
    docs = REPO / "docs"
    others = sorted(p.name for p in docs.glob("*.md") if p.name not in [*ARCHITECTURE, WORKSHOP])
    architecture = [name for name in ARCHITECTURE if (docs / name).is_file()] + others
    pages = [_read("index.md", REPO / "README.md")]
    pages += [_read(f"docs/{name}", docs / name) for name in [*architecture, WORKSHOP]]
    # A bare path in the nav takes its title from the page's first heading.
    use_cases_tab: list = [{"Workshop kits": f"docs/{WORKSHOP}"}]
    aliases: dict[Path, str] = {}

    for use_case in list_use_cases():
        if not (use_case.available and use_case.workshop):
            continue
        section, use_case_pages, use_case_aliases = _use_case(use_case, scratch)
        pages += use_case_pages
        aliases |= use_case_aliases
        use_cases_tab.append(section)

    nav = [
        {"Home": "index.md"},
        {"Architecture": [f"docs/{name}" for name in architecture]},
        {"Use cases and labs": use_cases_tab},
    ]
    return Site(pages=pages, nav=nav, aliases=aliases)


def _use_case(use_case: UseCase, scratch: Path) -> tuple[dict, list[Page], dict[Path, str]]:
    """One use case's nav section, pages and aliases, from its two workshop kits: the
    students' (the story and the labs) and the teachers' (the teacher's guide)."""
    name = use_case.name
    # The destination folder's name is the project's name: the pages say `fraud-detection`.
    students = scratch / "students" / name
    teachers = scratch / "teachers" / name
    create_project(name, students, workshop=True)
    create_project(name, teachers, workshop=True, solutions=True)

    base = f"use-cases/{name}"
    readme = students / "README.md"
    story = _story(use_case, readme)
    pages = [story, _read(f"{base}/labs/index.md", students / "labs" / "README.md")]
    labs = sorted((students / "labs").glob("[0-9][0-9]-*.md"))
    pages += [_read(f"{base}/labs/{lab.name}", lab) for lab in labs]
    # The teachers' kit's lab pages stand for the students' (the guide links `01-data.md`).
    aliases = {_key(teachers / "labs" / page.source.name): page.staged for page in pages[1:]}
    aliases[_key(teachers / "labs" / "README.md")] = f"{base}/labs/index.md"
    lab_nav: list = [page.staged for page in pages[1:]]
    guide = teachers / "labs" / "TEACHER.md"
    if guide.is_file():
        pages.append(_read(f"{base}/labs/TEACHER.md", guide))
        lab_nav.append({"For teachers": f"{base}/labs/TEACHER.md"})

    # With navigation.indexes, a section's index.md is the section's own page: clicking the
    # use case shows its story, clicking "Labs" the path through the labs.
    section = {f"{use_case.title} ({use_case.domain})": [story.staged, {"Labs": lab_nav}]}
    return section, pages, aliases


def _story(use_case: UseCase, readme: Path) -> Page:
    """The domain story: the generated README up to its architecture, under the use case's
    title, with a closing line that says where the rest is."""
    text = readme.read_text(encoding="utf-8")
    end = STORY_END.search(text)
    if end is None:
        raise SystemExit(
            f"{use_case.name}: the generated README.md has no '## Architecture' heading, where "
            "the domain story ends (docs/site.py's STORY_END)"
        )
    story = text[: end.start()].rstrip()
    # The generated README is titled with the project's name; the site uses the use case's.
    story = re.sub(r"\A# .*", f"# {use_case.title}", story, count=1)
    story += (
        "\n\n---\n\n"
        f"*Generate this project with `mlops-new {use_case.name} DEST`, or its workshop kit "
        f"with `mlops-new workshop {use_case.name} DEST`: its README goes on with the "
        "architecture, the lifecycle step by step and the project's layout. "
        "The kit's labs: [the path through the labs](labs/README.md).*\n"
    )
    anchors = {slugify(_plain(title), "-") for title in HEADING.findall(story)}
    return Page(f"use-cases/{use_case.name}/index.md", readme, story, anchors)


def rewrite_links(page: Page, targets: dict[Path, str]) -> str:
    """`page`'s Markdown with every relative link made right for its staged place: to the
    staged page when the target is a page of the site (by `targets`, source file -> staged
    path), to plain text otherwise. Code blocks and code spans are left as they are."""

    def link(match: re.Match[str]) -> str:
        if match["code"] is not None:
            return match[0]
        text, target = match["text"], match["target"]
        path, _, anchor = target.partition("#")
        if SCHEME.match(target):
            return match[0]
        if not path:  # an anchor on the same page
            if page.anchors is None or anchor in page.anchors:
                return match[0]
            return text
        staged = targets.get(_key(page.source.parent / path))
        if staged is not None:
            relative = posixpath.relpath(staged, posixpath.dirname(page.staged) or ".")
            return f"[{text}]({relative}{'#' + anchor if anchor else ''})"
        # Not a page of the site (a repository file, or a lab not written yet): its text.
        # A path is shown as code, as the pages write the files they name without a link.
        if re.fullmatch(r"[^`\s]*[./][^`\s]*", text):
            return f"`{text}`"
        return text

    lines, fence = [], None
    for line in page.text.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening[1]
        elif fence is not None:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = None
        else:
            line = INLINE.sub(link, line)
        lines.append(line)
    return "".join(lines)


def _read(staged: str, source: Path) -> Page:
    return Page(staged, source, source.read_text(encoding="utf-8"))


def _key(path: Path) -> Path:
    """A file's path as the link targets are looked up by (absolute, `..` resolved)."""
    return path.resolve()


def _plain(heading: str) -> str:
    """A heading's text without Markdown's code and bold marks, as its anchor is made."""
    return re.sub(r"[`*]", "", heading)


if __name__ == "__main__":
    main()
