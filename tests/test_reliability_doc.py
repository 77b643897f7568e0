"""docs/reliability.md names, for every promise, the test that holds it: each one must exist.

A test renamed or removed would otherwise leave the page promising something nothing checks.
Names are written `file.py::test_name`, and a later `::other_test` in the same cell means the
same file. Generated projects' tests are looked up in the template (`templates/project/tests`,
where they end in `.jinja`, and the tasks' and scenarios' test folders they include), this
repository's under `tests/`.
"""

from __future__ import annotations

import re

import support

PAGE = support.REPO / "docs" / "reliability.md"
TEMPLATE_TESTS = support.REPO / "templates" / "project" / "tests"


def cited_tests() -> list[tuple[str, str]]:
    """(file, test) pairs cited in the page's tables."""
    cited = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        current = None
        for file, name in re.findall(r"`(?:tests/)?([\w]+\.py)?::(\w+)`", line):
            current = file or current
            assert current, f"{name} is cited without its file: {line}"
            cited.append((current, name))
    return cited


def test_every_test_the_reliability_page_cites_exists():
    cited = cited_tests()
    assert len(cited) > 40, "the page's tables were not read"
    missing = []
    for file, name in cited:
        candidates = [
            support.REPO / "tests" / file,
            TEMPLATE_TESTS / file,
            TEMPLATE_TESTS / f"{file}.jinja",
            # A task's tests (test_metrics.py, ...) and a scenario's are included into the
            # generated project's from these folders.
            *(support.REPO / "templates" / "tasks").glob(f"*/{file}"),
            *(support.REPO / "scenarios").glob(f"*/tests/{file}"),
        ]
        sources = [path.read_text(encoding="utf-8") for path in candidates if path.is_file()]
        if not any(re.search(rf"^(async )?def {name}\(", text, re.MULTILINE) for text in sources):
            missing.append(f"{file}::{name}")
    assert not missing, f"docs/reliability.md cites tests that do not exist: {missing}"
