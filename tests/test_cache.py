"""The one cache: bounded, least recently used first out, one build per key however many threads ask."""

from __future__ import annotations

import threading
import time

import pytest

from geojkn.cache import Cache


def test_keeps_at_most_size_entries_dropping_the_least_recently_used():
    cache = Cache(2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 0)  # a is now the most recent
    cache.get("c", lambda: 3)
    assert len(cache) == 2
    assert cache.get("a", lambda: "rebuilt") == 1
    assert cache.get("b", lambda: "rebuilt") == "rebuilt"


def test_threads_asking_for_the_same_key_share_one_build():
    cache, calls, barrier = Cache(4), [], threading.Barrier(6)

    def build() -> str:
        calls.append(1)
        time.sleep(0.1)
        return "value"

    results = []

    def ask() -> None:
        barrier.wait()
        results.append(cache.get("key", build))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["value"] * 6 and len(calls) == 1


def test_a_failed_build_is_not_kept_and_every_waiting_thread_sees_the_error():
    cache, barrier, errors = Cache(4), threading.Barrier(3), []

    def failing() -> str:
        time.sleep(0.1)
        raise ValueError("bad file")

    def ask() -> None:
        barrier.wait()
        try:
            cache.get("key", failing)
        except ValueError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == ["bad file"] * 3
    assert cache.get("key", lambda: "fine") == "fine"


def test_clear_forgets_everything():
    cache = Cache(3)
    cache.get("a", lambda: 1)
    cache.clear()
    assert len(cache) == 0 and cache.get("a", lambda: 2) == 2


def test_a_cache_holds_something():
    with pytest.raises(ValueError):
        Cache(0)
