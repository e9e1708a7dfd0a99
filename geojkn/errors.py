"""The one exception type for problems a user can cause and fix."""

from __future__ import annotations


class DataError(Exception):
    """A user error: bad file, bad argument, unknown region. The message says what, where and how to fix."""

    status = 400


class NotFound(DataError):
    """A region, period or store that does not exist."""

    status = 404
