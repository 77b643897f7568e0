"""The naming rule: which project names are valid, and the package name and slug they give.

The rule is copier.yml's, written again in Python so that the generator can explain a bad name
before rendering anything (tests/test_naming.py renders with copier to keep both in step):

- a project name starts with an ASCII letter, then letters, digits, spaces, `-`, `_` or `.`,
  at most 64 characters;
- the package name defaults to the project name lowercased, with every run of other characters
  turned into `_` and `_` trimmed from both ends ("My Fraud Project" -> `my_fraud_project`);
- a package name is a lowercase identifier of at most 64 characters that is not a Python
  keyword and does not shadow a standard-library module or a library the generated project
  imports, since `import <package>` would then fail or load the wrong module;
- the slug (distribution name and the project's command) is derived like the package name,
  with `-` instead of `_`.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from .errors import InvalidNameError

__all__ = [
    "DEPENDENCY_MODULES",
    "KEYWORDS",
    "STDLIB_MODULES",
    "Names",
    "check_package_name",
    "check_project_name",
    "derive_package_name",
    "derive_project_slug",
    "resolve_names",
]

MAX_LENGTH = 64
_PROJECT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9 ._-]{0,63}")
_PACKAGE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")

# Only lowercase keywords can collide: `False`, `None` and `True` fail the pattern already.
KEYWORDS = frozenset(word for word in keyword.kwlist if _PACKAGE_NAME.fullmatch(word))

# What a generated project imports (its dependencies and their frameworks), plus `tests`
# (its test folder) and this generator (`copier`, `generator`), which share environments with
# generated projects in this repository's end-to-end tests.
DEPENDENCY_MODULES = frozenset(
    {
        "bentoml",
        "click",
        "copier",
        "evidently",
        "generator",
        "httpx",
        "numpy",
        "pandas",
        "pydantic",
        "pytest",
        "scipy",
        "sklearn",
        "starlette",
        "tests",
        "typer",
        "uvicorn",
        "xgboost",
        "yaml",
    }
)

# Removed from the standard library in Python 3.12 and 3.13; generated projects still run on
# 3.11, where these names are taken.
_REMOVED_AFTER_3_11 = frozenset(
    {
        "aifc",
        "asynchat",
        "asyncore",
        "audioop",
        "cgi",
        "cgitb",
        "chunk",
        "crypt",
        "distutils",
        "imghdr",
        "imp",
        "lib2to3",
        "mailcap",
        "msilib",
        "nis",
        "nntplib",
        "ossaudiodev",
        "pipes",
        "smtpd",
        "sndhdr",
        "spwd",
        "sunau",
        "telnetlib",
        "uu",
        "xdrlib",
    }
)
STDLIB_MODULES = frozenset(
    name for name in sys.stdlib_module_names | _REMOVED_AFTER_3_11 if _PACKAGE_NAME.fullmatch(name)
)

_PACKAGE_HINT = "choose another with --package"


@dataclass(frozen=True)
class Names:
    """The validated names of one project."""

    project_name: str
    package_name: str
    project_slug: str


def derive_package_name(project_name: str) -> str:
    """The default package name: copier.yml's `package_name` default, in Python."""
    return re.sub(r"[^a-z0-9]+", "_", project_name.lower()).strip("_")


def derive_project_slug(project_name: str) -> str:
    """The distribution name and command of the project: copier.yml's `project_slug`."""
    return re.sub(r"[^a-z0-9]+", "-", project_name.lower()).strip("-")


def check_project_name(name: str, *, hint: str = "choose another with --name") -> str:
    """Return `name` if it is a valid project name, else raise `InvalidNameError`."""
    if not _PROJECT_NAME.fullmatch(name):
        raise InvalidNameError(
            f"invalid project name {name!r}: it must start with a letter and contain only "
            f"ASCII letters, digits, spaces, '-', '_' or '.' (at most {MAX_LENGTH} "
            f"characters); {hint}"
        )
    return name


def check_package_name(name: str, *, derived_from: str | None = None) -> str:
    """Return `name` if it is a valid package name, else raise `InvalidNameError`.

    `derived_from` is the project name the package name was derived from, if it was; the
    message then says so, since the user never typed the package name.
    """
    what = f"package name {name!r}"
    if derived_from is not None:
        what += f" (derived from the project name {derived_from!r})"
    suggestion = f"{name}_project"
    example = (
        f" (for example --package {suggestion})" if _PACKAGE_NAME.fullmatch(suggestion) else ""
    )
    if not _PACKAGE_NAME.fullmatch(name):
        raise InvalidNameError(
            f"invalid {what}: a package name must be a lowercase Python identifier, a letter "
            f"then letters, digits or '_' (at most {MAX_LENGTH} characters); {_PACKAGE_HINT}"
        )
    if name in KEYWORDS:
        raise InvalidNameError(
            f"{what} is a Python keyword, so `import {name}` is a syntax error; "
            f"{_PACKAGE_HINT}{example}"
        )
    if name in STDLIB_MODULES:
        raise InvalidNameError(
            f"{what} would shadow the standard-library module {name!r}; {_PACKAGE_HINT}{example}"
        )
    if name in DEPENDENCY_MODULES:
        raise InvalidNameError(
            f"{what} would shadow {name!r}, which the generated project imports; "
            f"{_PACKAGE_HINT}{example}"
        )
    return name


def resolve_names(
    project_name: str,
    package_name: str | None = None,
    *,
    project_name_hint: str = "choose another with --name",
) -> Names:
    """Validate the project name, derive what is missing, and validate the package name."""
    check_project_name(project_name, hint=project_name_hint)
    if package_name is None:
        package_name = check_package_name(
            derive_package_name(project_name), derived_from=project_name
        )
    else:
        check_package_name(package_name)
    return Names(project_name, package_name, derive_project_slug(project_name))
