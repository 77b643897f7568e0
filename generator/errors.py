"""Errors raised by mlops-new.

`MlopsNewError` is the root. `UserError` carries a message a person can act on: the CLI prints
it as `Error: <message>` and exits with status 1, without a traceback. The specific errors also
inherit the matching built-in, so `except LookupError` or `except FileExistsError` work too.
"""

from __future__ import annotations

import errno
import os

__all__ = [
    "DestinationError",
    "InvalidNameError",
    "MlopsNewError",
    "TemplateError",
    "UnknownUseCaseError",
    "UpdateError",
    "UseCaseUnavailableError",
    "UserError",
    "describe_os_error",
    "shorten_path",
]


class MlopsNewError(Exception):
    """Base class of every error raised by mlops-new."""


class UserError(MlopsNewError):
    """An error the user can fix; `message` says what was wrong and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnknownUseCaseError(UserError, LookupError):
    """No scenario folder has this name."""


class UseCaseUnavailableError(UserError, LookupError):
    """The use case is planned (its scenario.yml says `available: false`)."""


class InvalidNameError(UserError, ValueError):
    """The project name or the package name breaks the naming rule."""


class DestinationError(UserError, FileExistsError):
    """The destination is a file, is not empty, or holds files the project would overwrite."""


class TemplateError(UserError):
    """Copier could not render the template (its message is kept)."""


class InferenceError(UserError, ValueError):
    """`--data`/`--target` cannot describe the project's data: the file or column is missing,
    or the file cannot be read (the rendered project's schema inference says why)."""


class UpdateError(UserError):
    """`update_project` refused (not a generated project, a dirty tree, a newer version), or
    copier failed to update."""


_LONGEST_SHOWN_NAME = 40
"""Longer file names are shortened in messages, so that an error stays one readable line."""


def describe_os_error(error: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """What a failed file-system call means, and what to do, in one line.

    `path` is the file as the user knows it (the caller may translate a scratch path); by
    default, the one the error names. An error without a known meaning keeps the system's
    own words.
    """
    shown = shorten_path(path if path is not None else error.filename)
    at = f" ({shown})" if shown else ""
    match error.errno:
        case errno.ENOSPC:
            return f"no space left on the device{at}: free some space, or choose another disk"
        case errno.EDQUOT:
            return f"disk quota exceeded{at}: free some space, or choose another disk"
        case errno.EFBIG:
            return f"a file would exceed the file-size limit{at}: raise it (ulimit -f)"
        case errno.ENAMETOOLONG:
            return f"a file name is too long for the file system{at}: choose a shorter name"
        case errno.EACCES:
            return f"permission denied{at}: choose a folder you can write to"
        case errno.EPERM:
            return f"operation not permitted{at}: choose a folder you can write to"
        case errno.EROFS:
            return f"read-only file system{at}: choose a folder on a writable disk"
        case _:
            return f"{error.strerror or type(error).__name__}{at}"


def shorten_path(path: str | os.PathLike[str] | bytes | None) -> str:
    """`path` with each name longer than _LONGEST_SHOWN_NAME cut, saying how long it was."""
    if path is None:
        return ""
    text = os.fsdecode(path)
    return "/".join(
        f"{part[: _LONGEST_SHOWN_NAME // 2]}...({len(part)} characters)"
        if len(part) > _LONGEST_SHOWN_NAME
        else part
        for part in text.split("/")
    )
