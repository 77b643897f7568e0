"""Lab 11's checkpoint: `newer_releases` must compare versions as versions."""

from __future__ import annotations

from ..exercises.lab11_updates import newer_releases
from .kit import Incomplete

TITLE = "Updating the project"
PAGE = "11-updating.md"

# (recorded, releases, expected, what a wrong answer means)
CASES = [
    (
        "0.9.0",
        ["0.8.1", "0.9.0", "0.9.1", "0.10.0"],
        ["0.9.1", "0.10.0"],
        "as text, '0.10.0' sorts before '0.9.0' (the character '1' before '9'), so a check "
        "that compares strings never sees 0.10.0, nor any release after it. A version is a "
        "sequence of numbers: compare it as one (packaging.version.Version).",
    ),
    (
        "0.2.1.dev3+g1a2b3c4d5e6f",
        ["0.2.0", "0.2.1", "0.3.0"],
        ["0.2.1", "0.3.0"],
        "a project generated from a development build (0.2.1.dev3+g..., built three commits "
        "after 0.2.0) is behind the release 0.2.1 itself: PEP 440 orders a .dev build before "
        "the release it leads to.",
    ),
    (
        "v0.1.0",
        ["v0.1.1", "0.2.0", "v0.1.0"],
        ["v0.1.1", "0.2.0"],
        "git tags write versions with a leading 'v' (v0.1.0), the package without: the 'v' "
        "is not part of the version. Keep each release as it was written in your answer.",
    ),
    (
        "1.2.0",
        ["1.10.0", "1.3.0", "2.0.0", "1.2.0", "0.9.0"],
        ["1.3.0", "1.10.0", "2.0.0"],
        "the releases to take must come oldest first: each release's upgrade notes assume "
        "the ones before it were applied.",
    ),
    ("2.0.0", ["1.0.0", "2.0.0"], [], "a project on the newest release has nothing to take."),
]


def check() -> str:
    for recorded, releases, expected, meaning in CASES:
        answer = newer_releases(recorded, list(releases))
        if list(answer) != expected:
            raise Incomplete(
                f"for a project on {recorded} and the releases {', '.join(releases)}, your "
                f"check answers {answer} where the newer releases are {expected}: {meaning}"
            )
    return (
        f"{len(CASES)} projects told which releases to take, in order: double-digit "
        "versions, development builds, git tags' 'v'"
    )
