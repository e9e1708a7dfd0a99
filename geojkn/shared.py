"""Answers shared by every process that serves a store: finished pages, maps and API answers kept where the store
keeps what its servers make (store/kept.py: `<store>.jobs/pages/` beside a GeoPackage, a table of a PostgreSQL
store), keyed by the store's version and what was asked, bounded in bytes.

A server process keeps what it made in memory (workspace.py) and keeps it here too; another process (a second
gunicorn worker, a server started later, a server on another host) that is asked the same reads it instead of
making it again. So the pages prepared after an import (web/warm.py, or `geojkn prepare`) are prepared once for
all of them. An answer is text, bytes, numbers and lists of them, written as tagged JSON: reading one back runs
nothing of what it holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Hashable
from typing import Any

from .errors import DataError
from .resources import maker
from .store.kept import Kept

PRUNE_EVERY = 64  # writes between two looks at the size of what is kept
PREPARED = "prepared"  # the store version whose pages were prepared ahead (web/warm.py); never pruned


def encode(value: Any) -> Any:
    """An answer as JSON values, each part tagged with its type; TypeError for anything else."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return {"s": value}
    if isinstance(value, bytes):
        return {"b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (tuple, list)):
        return {"t" if isinstance(value, tuple) else "l": [encode(part) for part in value]}
    raise TypeError(f"an answer of type {type(value).__name__} is not kept")


def decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    (tag, part), = value.items()
    if tag == "s":
        return str(part)
    if tag == "b":
        return base64.b64decode(part)
    found = [decode(item) for item in part]
    return tuple(found) if tag == "t" else found


class SharedAnswers:
    """Answers kept for every process, each named by the hash of (store version, key parts)."""

    def __init__(self, kept: Kept, keep_bytes: int) -> None:
        self.kept = kept
        self.keep_bytes = keep_bytes
        self._writes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _name(version: str, parts: tuple[Hashable, ...]) -> str:
        return hashlib.sha256(repr((version, maker(), parts)).encode()).hexdigest()[:40]

    def get(self, version: str, parts: tuple[Hashable, ...]) -> Any | None:
        """The answer another process (or this one) made, or None."""
        data = self.kept.get(self._name(version, parts))
        if data is None:
            return None
        try:
            return decode(json.loads(data))
        except (ValueError, TypeError, AttributeError):
            return None

    def put(self, version: str, parts: tuple[Hashable, ...], value: Any) -> None:
        """Keep an answer for every process (written whole: a reader never sees half of it)."""
        try:
            data = json.dumps(encode(value), separators=(",", ":")).encode("utf-8")
            self.kept.put(self._name(version, parts), data)
        except (OSError, TypeError, ValueError, DataError):
            return  # a full disk, a database out of reach or an answer that cannot be kept: it is made again when asked
        with self._lock:
            self._writes += 1
            prune = self._writes % PRUNE_EVERY == 1
        if prune:
            self.prune()

    def prune(self) -> None:
        """The answers asked for least recently go first, until they take at most keep_bytes."""
        self.kept.prune(self.keep_bytes, kept=frozenset({PREPARED}))
