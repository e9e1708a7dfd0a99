"""Answers shared by every process that serves a store: finished pages, maps and API answers kept on disk beside
the store (`<store>.jobs/pages/`), keyed by the store's version and what was asked, bounded in bytes.

A server process keeps what it made in memory (workspace.py) and writes it here too; another process (a second
gunicorn worker, or a server started later) that is asked the same reads it instead of making it again. So the
pages prepared after an import (web/warm.py, or `geojkn prepare`) are prepared once for all of them. The files
are written by the server alone, into a folder only its user may read (pickled: never a file from a user).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Any

PRUNE_EVERY = 64  # writes between two looks at the folder's size


class SharedAnswers:
    """A folder of answers, each a file named by the hash of (store version, key parts)."""

    def __init__(self, folder: Path, keep_bytes: int) -> None:
        self.folder = folder
        self.keep_bytes = keep_bytes
        self._writes = 0
        self._lock = threading.Lock()

    def _path(self, version: str, parts: tuple[Hashable, ...]) -> Path:
        return self.folder / hashlib.sha256(repr((version, parts)).encode()).hexdigest()[:40]

    def get(self, version: str, parts: tuple[Hashable, ...]) -> Any | None:
        """The answer another process (or this one) made, or None."""
        path = self._path(version, parts)
        try:
            with open(path, "rb") as file:
                found = pickle.load(file)  # noqa: S301 (written by this server only, in its private folder)
            os.utime(path)  # asked for now: the last to go
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
            return None
        return found

    def put(self, version: str, parts: tuple[Hashable, ...], value: Any) -> None:
        """Keep an answer for every process (written whole: a reader never sees half of it)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = self._path(version, parts)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            with open(temporary, "wb") as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return  # a full disk or an answer that cannot be kept: it is made again when asked
        with self._lock:
            self._writes += 1
            prune = self._writes % PRUNE_EVERY == 1
        if prune:
            self.prune()

    def prune(self) -> None:
        """The answers asked for least recently go first, until the folder holds at most keep_bytes."""
        found = []
        for path in self.folder.iterdir():
            with contextlib.suppress(OSError):
                stat = path.stat()
                found.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in found)
        for _, size, path in sorted(found):
            if total <= self.keep_bytes:
                return
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
