"""The project's errors a person can act on.

`UserError` is the root: the CLI prints its message (no traceback) and exits 1. Every such
error of the project derives from it and from the matching built-in error
(`ConfigError(UserError, ValueError)`), so callers may catch either.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on. The CLI prints its message (no traceback) and exits 1.

    Every such error of the project derives from it and from the matching built-in error.
    """
