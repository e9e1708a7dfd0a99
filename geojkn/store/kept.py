"""What the server makes from a store and keeps for every process that serves it, on this machine or (with a
PostgreSQL store) on any: the downloads built by the workers and their states (jobs.py), the answers made once
(shared.py), the mark of what was prepared ahead (web/warm.py).

A place is a set of named blobs, each with the time it was last asked for, and named locks a process holds while
it makes something (whoever cannot take one knows another process is making it; a lock dies with its process).
A GeoPackage store keeps them in a folder beside the file (`<store>.jobs/`); a PostgreSQL store in a table of its
own, so that a file asked for on one host can be fetched from another.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    """One blob kept: its name, when it was last asked for (epoch seconds) and its size in bytes."""

    name: str
    used_at: float
    size: int


class Kept(ABC):
    """Named blobs and locks shared by every process that serves a store."""

    @abstractmethod
    def get(self, name: str, touch: bool = True) -> bytes | None:
        """A blob (marked as asked for now unless `touch` is False), or None."""

    @abstractmethod
    def put(self, name: str, data: bytes) -> None:
        """Keep a blob, written whole (a reader never sees half of it)."""

    @abstractmethod
    def delete(self, name: str) -> None:
        """Forget a blob (nothing when there is none)."""

    @abstractmethod
    def entries(self) -> list[Entry]:
        """Every blob kept."""

    @abstractmethod
    def holding(self, name: str) -> AbstractContextManager[bool]:
        """Try to take a lock for the block: True when taken (released at its end), False when another process
        holds it (nothing waits)."""

    def forget_lock(self, name: str) -> None:
        """Clear what a lock leaves once nothing is made under it any more (a backend whose locks leave nothing
        does nothing)."""
        return None

    def held(self, name: str) -> bool:
        """Whether some process holds a lock now."""
        with self.holding(name) as taken:
            return not taken

    def prune(self, keep_bytes: int, kept: frozenset[str] = frozenset()) -> None:
        """The blobs asked for least recently go first, until they take at most `keep_bytes` (those named in `kept`
        stay and are not counted)."""
        found = sorted((e for e in self.entries() if e.name not in kept), key=lambda e: e.used_at)
        total = sum(e.size for e in found)
        for entry in found:
            if total <= keep_bytes:
                return
            self.delete(entry.name)
            total -= entry.size


class FolderKept(Kept):
    """A folder only the server's user may read: a file per blob (its time of change: when last asked for), and an
    flock on a file of its own per lock."""

    LOCK = ".lock"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _file(self, name: str) -> Path:
        if not name or "/" in name or name.startswith(".") or name.endswith(self.LOCK):
            raise ValueError(f"not a name a blob may have: {name!r}")
        return self.path / name

    def get(self, name: str, touch: bool = True) -> bytes | None:
        path = self._file(name)
        try:
            data = path.read_bytes()
            if touch:
                os.utime(path)
        except OSError:
            return None
        return data

    def put(self, name: str, data: bytes) -> None:
        path = self._file(name)
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path / f".{name}.{os.getpid()}.{threading.get_ident()}.part"
        temporary.write_bytes(data)
        os.replace(temporary, path)

    def delete(self, name: str) -> None:
        with contextlib.suppress(OSError):
            self._file(name).unlink()

    def entries(self) -> list[Entry]:
        found: list[Entry] = []
        if not self.path.is_dir():
            return found
        for path in self.path.iterdir():
            if path.name.startswith(".") or path.name.endswith(self.LOCK) or not path.is_file():
                continue
            with contextlib.suppress(OSError):
                stat = path.stat()
                found.append(Entry(path.name, stat.st_mtime, stat.st_size))
        return found

    @contextlib.contextmanager
    def holding(self, name: str) -> Iterator[bool]:
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.path / f"{name}{self.LOCK}", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def forget_lock(self, name: str) -> None:
        with contextlib.suppress(OSError):
            (self.path / f"{name}{self.LOCK}").unlink()
