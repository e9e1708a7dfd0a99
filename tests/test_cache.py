"""The one cache: bounded, least recently used first out, one build per key however many threads ask."""

from __future__ import annotations

import threading
import time

import pytest

from geojkn.cache import Cache
from geojkn.errors import Busy

from conftest import clear_settings


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


def _hold(cache: Cache, key: str, seconds: float, started: threading.Event) -> threading.Thread:
    """A thread building `key` slowly, as a province map does."""
    def build() -> str:
        started.set()
        time.sleep(seconds)
        return key

    thread = threading.Thread(target=lambda: cache.get(key, build))
    thread.start()
    return thread


def test_a_bounded_cache_answers_busy_instead_of_tying_up_threads():
    from geojkn.errors import Busy

    cache = Cache(8, builders=1, patience=0.2)
    started = threading.Event()
    slow = _hold(cache, "province", 1.0, started)
    assert started.wait(2)
    for key in ("other", "province"):  # no free slot; the same key is still being built
        begin = time.perf_counter()
        with pytest.raises(Busy):
            cache.get(key, lambda: "built")
        assert time.perf_counter() - begin < 0.6
    assert cache.get("index", lambda: "quick", light=True) == "quick"  # light builds need no slot
    slow.join()
    assert cache.get("province", lambda: "rebuilt") == "province"  # the slow build was kept
    assert cache.get("other", lambda: "built") == "built"  # the slot is free again


def test_a_build_inside_a_build_needs_no_second_slot():
    cache = Cache(8, builders=1, patience=0.1)
    assert cache.get("map", lambda: "map of " + cache.get("region", lambda: "region")) == "map of region"


def test_the_server_answers_503_with_retry_after_while_every_build_slot_is_busy(monkeypatch):
    from geojkn import create_app

    clear_settings(monkeypatch)
    app = create_app({"TESTING": True, "THREADS": 2, "BUSY_AFTER": 1})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # the unit index is ready
    started = threading.Event()
    slow = _hold(app.extensions["geojkn.workspace"].cache, "someone's province map", 2.5, started)
    assert started.wait(2)
    begin = time.perf_counter()
    resp = client.get("/r/99.01/map?target=0.93")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    assert "Try again in a few seconds" in resp.get_data(as_text=True)
    assert time.perf_counter() - begin < 2.0
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/regions/99.01/summary").status_code == 503
    slow.join()
    assert client.get("/r/99.01/map?target=0.93").status_code == 200


def test_a_build_inside_a_build_never_waits_for_a_thread_that_waits_for_a_slot():
    """One slot, held by a map being built; another request asks for the region the map needs and waits for the
    slot. The map's build then makes the region itself (it is inside a build: no slot needed) rather than waiting
    for the request that waits for the map's slot, which would answer both 503 after BUSY_AFTER."""
    cache = Cache(8, builders=1, patience=2)
    started, results = threading.Event(), {}

    def ask(name: str, key: str, build) -> None:
        try:
            results[name] = cache.get(key, build)
        except Busy:
            results[name] = "busy"

    def the_map() -> str:
        started.set()
        time.sleep(0.3)  # meanwhile the other request asks for the region and waits for the one slot
        return "map of " + cache.get("region", lambda: "region made by the map")

    first = threading.Thread(target=ask, args=("map", "map", the_map))
    first.start()
    assert started.wait(2)
    second = threading.Thread(target=ask, args=("region", "region", lambda: "region made by the request"))
    second.start()
    first.join(5)
    second.join(5)
    assert results == {"map": "map of region made by the map", "region": "region made by the map"}


def test_a_cache_is_bounded_by_bytes_too():
    cache = Cache(100, max_bytes=1000, weigh=len)
    for key in "abcd":
        cache.get(key, lambda: "x" * 300)
    assert len(cache) == 3 and cache.bytes == 900  # the least recently used went
    assert cache.get("big", lambda: "y" * 5000) == "y" * 5000 and "big" not in cache._items  # too heavy to keep
    cache.clear()
    assert cache.bytes == 0
