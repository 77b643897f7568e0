"""Lab 9's checkpoint: the student's test must pass a correct feature and fail leaky ones.

This is mutation testing: labs/exercises/test_lab09.py is run by pytest, in this process,
once with a correct `past_mean` and once with each of a few leaky ones (the mutants), given
to the test as the `past_mean` fixture. A test earns its place in CI when it passes on the
first and fails on every mutant. The implementations live here, not in the student's lab 2
file, so that this lab does not depend on that one.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pytest

from .kit import LABS, ROOT, Incomplete

TITLE = "CI: a test that can fail"
PAGE = "09-ci.md"

TEST_FILE = LABS / "exercises" / "test_lab09.py"
Feature = Callable[[pd.DataFrame, list[str], str], pd.Series]


def correct(frame: pd.DataFrame, entity: list[str], value: str) -> pd.Series:
    """The mean of the entity's earlier rows: running sum and count, the row taken out."""
    values = frame[value].astype(float)
    groups = values.groupby([frame[column] for column in entity], sort=False)
    count = groups.cumcount()
    return ((groups.cumsum() - values) / count).where(count > 0)


def whole_group(frame: pd.DataFrame, entity: list[str], value: str) -> pd.Series:
    """Leaky: the mean of every row of the entity, the later ones included."""
    return frame.groupby(entity)[value].transform("mean").astype(float)


def with_the_row(frame: pd.DataFrame, entity: list[str], value: str) -> pd.Series:
    """Leaky: the running mean up to and including the row itself (its label, say); the
    entity's first row is left missing, as it should be, so that only the values tell."""
    values = frame[value].astype(float)
    groups = values.groupby([frame[column] for column in entity], sort=False)
    count = groups.cumcount()
    return (groups.cumsum() / (count + 1)).where(count > 0)


def next_row(frame: pd.DataFrame, entity: list[str], value: str) -> pd.Series:
    """Leaky: the shift the wrong way round, so each row sees the entity's next row (the
    entity's first row again left missing)."""
    groups = frame[value].astype(float).groupby([frame[column] for column in entity], sort=False)
    ahead = groups.shift(-1)
    running = ahead.groupby([frame[column] for column in entity], sort=False).transform(
        lambda s: s.expanding().mean()
    )
    return running.where(groups.cumcount() > 0)


MUTANTS: dict[str, tuple[Feature, str]] = {
    "the mean of all the entity's rows": (
        whole_group,
        "check the values themselves: the entity's first row has no earlier row (NaN), and "
        "each later one the mean of the rows before it, worked out by hand on a tiny frame",
    ),
    "a running mean that includes the row itself": (
        with_the_row,
        "change one row's own value and check that its feature does not move: the row being "
        "scored is not history yet",
    ),
    "a mean that sees the entity's next row": (
        next_row,
        "compute the feature on the first rows only, then on all of them: the features of the "
        "first rows must not change when later rows are added",
    ),
}


@dataclass
class _Run:
    """What pytest reported for one run: the tests, and the first failure's message."""

    tests: list[str] = field(default_factory=list)
    using_fixture: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Plugin:
    """Gives the test its `past_mean` fixture and records what pytest reports."""

    def __init__(self, feature: Feature) -> None:
        self.feature = feature
        self.run = _Run()

    @pytest.fixture
    def past_mean(self) -> Feature:
        return self.feature

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.run.tests = [item.name for item in items]
        self.run.using_fixture = [
            item.name for item in items if "past_mean" in getattr(item, "fixturenames", ())
        ]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.run.errors.append(_last_line(report.longreprtext))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else _last_line(report.longreprtext)
            self.run.failures.append(f"{report.head_line}: {_first_lines(message)}")


def _last_line(text: str) -> str:
    """The last line of pytest's long report, without its "E" margin."""
    lines = [line.strip().removeprefix("E").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if lines else "(no message)"


def _first_lines(text: str, count: int = 3) -> str:
    """The start of a (numpy's multi-line) assertion message, on one line."""
    return " ".join([line.strip() for line in text.splitlines() if line.strip()][:count])


def run_test(feature: Feature) -> _Run:
    """Run the student's test file with `feature` as `past_mean`, quietly, in this process.

    No conftest is loaded (labs/exercises/conftest.py gives the lab 2 function to a test run
    by hand), no plugin of the environment (the test needs none, and loading them all takes
    seconds), no cache written, and the file is imported afresh for every run.
    """
    plugin = _Plugin(feature)
    arguments = [
        str(TEST_FILE),
        "-q",
        "--noconftest",
        "--import-mode=importlib",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        f"--rootdir={ROOT}",
    ]
    quiet = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
    ):
        patch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        pytest.main(arguments, plugins=[plugin])
    return plugin.run


def check() -> str:
    if not TEST_FILE.is_file():
        raise Incomplete(f"{TEST_FILE.relative_to(ROOT)} is missing: write your test there")
    run = run_test(correct)
    if run.errors:
        raise RuntimeError(f"pytest cannot load {TEST_FILE.name}: {run.errors[0]}")
    if not run.tests:
        raise Incomplete(
            f"pytest finds no test in {TEST_FILE.name}: a test is a function whose name starts "
            "with test_, such as test_past_mean(past_mean)"
        )
    if not run.using_fixture:
        raise Incomplete(
            "no test asks for the `past_mean` fixture: name it as an argument of the test "
            "function, def test_...(past_mean), and pytest passes the feature in"
        )
    if run.failures:
        raise Incomplete(
            f"your test fails a correct past_mean: {run.failures[0]}. A test that fails on "
            "correct code is noise, and a team soon learns to ignore a red CI."
        )
    for name, (mutant, hint) in MUTANTS.items():
        if not run_test(mutant).failures:
            raise Incomplete(
                f"your test passes a leaky feature too: {name}. A test that cannot fail "
                f"protects nothing: CI stays green while the leak ships. To catch this one, "
                f"{hint}."
            )
    return (
        f"{len(run.tests)} test(s): pass on a correct past_mean, and fail on each of the "
        f"{len(MUTANTS)} leaky ones ({', '.join(MUTANTS)})"
    )
