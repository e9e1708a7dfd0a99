"""The one cache: a bounded least-recently-used map, safe under threads, that builds each missing entry once.

Whoever holds a Cache owns its key rule and its size (the Workspace keys everything by store version). When
several threads ask for the same missing key, one builds it and the others wait for that result; a build
that fails is not cached, and every waiting thread sees the same error.

A server also bounds the work: at most `builders` builds run at once, and a caller that would wait longer
than `patience` seconds (for a build slot, or for another thread's build of its key) gets `Busy` and can
answer "try again shortly" at once; its thread is free for the requests that are ready. A thread that
is already building (a map that needs its region's data) never waits for a second slot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from .errors import Busy

T = TypeVar("T")


class _Build:
    """A build in progress: the thread that started it fills in the value or the error, then sets done."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Cache:
    """At most `size` entries; the least recently used goes first."""

    def __init__(self, size: int, builders: int | None = None, patience: float | None = None,
                 slots_of: Cache | None = None, max_bytes: int | None = None,
                 weigh: Callable[[Any], int] | None = None) -> None:
        """`slots_of`: another cache whose build slots (and patience) this one shares, so that the bound holds
        for the builds of both together. `max_bytes`: the most the entries may weigh together, by `weigh` (an
        entry heavier than that alone is returned but not kept)."""
        if size < 1:
            raise ValueError("a cache holds at least one entry")
        self.size = size
        self.max_bytes = max_bytes
        self._weigh = weigh or (lambda value: 0)
        self._weights: dict[Hashable, int] = {}
        self.bytes = 0
        self.patience: float | None = patience if slots_of is None else slots_of.patience
        self._slots: threading.BoundedSemaphore | None = slots_of._slots if slots_of is not None else \
            threading.BoundedSemaphore(builders) if builders else None
        # how many builds this thread is inside
        self._mine: threading.local = slots_of._mine if slots_of is not None else threading.local()
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, _Build] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.builds = 0

    def get(self, key: Hashable, build: Callable[[], T], *, light: bool = False) -> T:
        """The entry for `key`, built by `build()` if missing (once, however many threads ask); a `light` build
        (quick, such as the unit index) needs no build slot."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    self.hits += 1
                    value: T = self._items[key]
                    return value
                pending = self._building.get(key)
            if pending is not None:
                if not pending.done.wait(self.patience):
                    raise Busy()
                if pending.error is not None:
                    raise pending.error
                result: T = pending.value
                return result
            # the slot is taken before the build is made known: a thread that waits for a build never waits for
            # one that is itself still waiting for a slot (which the waiters could be holding)
            slot = False if light else self._take_slot()
            with self._lock:
                if key not in self._items and key not in self._building:
                    pending = self._building[key] = _Build()
                    break
            if slot and self._slots is not None:  # another thread started it meanwhile: wait for that one
                self._slots.release()
        try:
            self._mine.depth = getattr(self._mine, "depth", 0) + 1
            try:
                pending.value = build()
            finally:
                self._mine.depth -= 1
        except BaseException as exc:
            pending.error = exc
            raise
        finally:
            if slot and self._slots is not None:
                self._slots.release()
            with self._lock:
                del self._building[key]
                if pending.error is None:
                    self.builds += 1
                    self._keep(key, pending.value)
            pending.done.set()
        built: T = pending.value
        return built

    def _keep(self, key: Hashable, value: Any) -> None:
        """Keep an entry (under the lock), then drop the least recently used until both bounds hold."""
        weight = self._weigh(value) if self.max_bytes is not None else 0
        if self.max_bytes is not None and weight > self.max_bytes:
            return
        self._items[key] = value
        self._weights[key] = weight
        self.bytes += weight
        while len(self._items) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
            gone, _ = self._items.popitem(last=False)
            self.bytes -= self._weights.pop(gone, 0)

    def _take_slot(self) -> bool:
        """Take a build slot (True), or none when unbounded or already inside a build (False); Busy on timeout."""
        if self._slots is None or int(getattr(self._mine, "depth", 0)) > 0:
            return False
        if not self._slots.acquire(timeout=self.patience if self.patience is not None else -1):
            raise Busy()
        return True

    def clear(self) -> None:
        """Forget every entry (builds in progress still finish and are stored)."""
        with self._lock:
            self._items.clear()
            self._weights.clear()
            self.bytes = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
