"""Lab 11, updating a project: which template releases came out since this project's
(reference solution).

Versions are compared as versions (PEP 440, `packaging.version.Version`), not as text: as
text, `0.10.0` sorts before `0.9.0`, and a development build's `.dev3+g...` after the release
it precedes. A git tag's leading `v` is not part of the version.
"""

from __future__ import annotations

from packaging.version import Version


def newer_releases(recorded: str, releases: list[str]) -> list[str]:
    """The releases newer than `recorded` (the template version in .copier-answers.yml's
    `_commit`), oldest first, each written as given.

    Versions follow PEP 440 (`0.10.0`, `0.2.1.dev3+g1a2b3c4`: a development build after
    0.2.0, before 0.2.1), with or without a leading `v` (a git tag).
    """
    current = _version(recorded)
    return sorted((r for r in releases if _version(r) > current), key=_version)


def _version(text: str) -> Version:
    return Version(text.removeprefix("v"))
