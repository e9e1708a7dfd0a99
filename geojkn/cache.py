"""The one cache: a bounded least-recently-used map, safe under threads, that builds each missing entry once.

Whoever holds a Cache owns its key rule and its size (the Workspace keys everything by store version). When
several threads ask for the same missing key, one builds it and the others wait for that result; a build
that fails is not cached, and every waiting thread sees the same error.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class _Build:
    """A build in progress: the thread that started it fills in the value or the error, then sets done."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Cache:
    """At most `size` entries; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a cache holds at least one entry")
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, _Build] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.builds = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The entry for `key`, built by `build()` if missing (once, however many threads ask)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                value: T = self._items[key]
                return value
            pending = self._building.get(key)
            owner = pending is None
            if pending is None:
                pending = self._building[key] = _Build()
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            result: T = pending.value
            return result
        try:
            pending.value = build()
        except BaseException as exc:
            pending.error = exc
            raise
        finally:
            with self._lock:
                del self._building[key]
                if pending.error is None:
                    self.builds += 1
                    self._items[key] = pending.value
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
            pending.done.set()
        built: T = pending.value
        return built

    def clear(self) -> None:
        """Forget every entry (builds in progress still finish and are stored)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
