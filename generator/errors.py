"""Errors raised by mlops-new.

`MlopsNewError` is the root. `UserError` carries a message a person can act on: the CLI prints
it as `Error: <message>` and exits with status 1, without a traceback. The specific errors also
inherit the matching built-in, so `except LookupError` or `except FileExistsError` work too.
"""

from __future__ import annotations

__all__ = [
    "DestinationError",
    "InvalidNameError",
    "MlopsNewError",
    "TemplateError",
    "UnknownUseCaseError",
    "UpdateError",
    "UseCaseUnavailableError",
    "UserError",
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


class UpdateError(UserError):
    """`update_project` refused (not a generated project, a dirty tree, a newer version), or
    copier failed to update."""
