"""The one exception type for problems a user can cause and fix."""

from __future__ import annotations


class DataError(Exception):
    """A user error: bad file, bad argument, unknown region. The message says what, where and how to fix."""

    status = 400


class NotFound(DataError):
    """A region, period or store that does not exist."""

    status = 404


class Conflict(DataError):
    """Someone else changed the data in the meantime: nothing was changed, try again with what is there now."""

    status = 409


class Unavailable(DataError):
    """The database of the store cannot be reached now: nothing was changed; the same request may succeed later."""

    status = 503
    retry_after = 10


class Busy(DataError):
    """The server is doing as much heavy work as it may at once: the same request will succeed shortly."""

    status = 503
    retry_after = 5

    def __init__(self, message: str = "") -> None:
        super().__init__(message or "The server is busy preparing other maps. Try again in a few seconds: "
                                    "what is being prepared now is kept, so the next answer comes quickly.")
