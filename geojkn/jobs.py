"""Heavy files built outside the page threads: a bounded pool of worker processes per server process, one build per
(store version, request) at a time across every process that serves the store, finished files kept on disk.

A server asks for a file by its request (documents.py). Its key, made with the store's version, names everything
about it where the store keeps what its servers make (store/kept.py: a folder beside a GeoPackage store, a table of
a PostgreSQL store, shared by every process of every host): `<key>.json` its state (queued, running with pages
done of all, done, failed with the message), the lock `<key>` held by the process that builds it (whoever cannot
take it knows another builds it), and `<key>` the file. A file already built is sent as it is, by any process; a
build whose asker left goes on and its file waits for the next asker. The files are kept under a number of bytes:
those asked for least recently go first.

Bounds: each server process runs at most `workers` builds at once and lets at most `waiting` more wait; an account
(or, without one, an address) may have at most `per_account` builds queued or running; beyond either a request is
told to try again (503) or that it asked too much (429), at once. Built with Python's own ProcessPoolExecutor: a
worker process is started by spawning (no fork of a threaded server), keeps its store and regions across builds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import socket
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import Busy, DataError
from .store.kept import Kept

if TYPE_CHECKING:
    from .documents import Request
    from .workspace import Workspace

LOG = logging.getLogger("geojkn")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALE_S = 600.0  # a queued job nobody took up after this long was lost with its process: asked again
RETRY_S = 60.0  # a failed build is tried again when asked for after this long
PROGRESS_EVERY = 0.5  # seconds between two writes of a build's progress
HOST = socket.gethostname()


class TooMany(DataError):
    """An account already has as many builds waiting as it may."""

    status = 429


@dataclass(frozen=True)
class JobState:
    """What is known of one build: its state, the steps done of all, the file's name, who asked and when."""

    key: str
    state: str
    done: int = 0
    total: int = 0
    name: str = ""
    account: str = ""
    message: str = ""
    at: float = 0.0  # when the state was written (epoch seconds)
    status: int = 0  # of a failure: 400 the request cannot be answered (message says why), 500 a bug
    pid: int = 0  # of a queued build: the server process whose pool it waits in...
    host: str = ""  # ...on this machine (a store in a database is served from several)

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "done": self.done, "total": self.total, "name": self.name,
                "message": self.message}


def _running(pid: int) -> bool:
    """Whether a process of this machine is still there (its queued builds are still on their way)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, under another user
        return True
    return True


class Folder:
    """The states and finished files of the builds, in the place the store keeps them for every process (a folder
    beside a GeoPackage store, a table of a PostgreSQL store: store/kept.py): `<key>.json` a state, `<key>` a
    file, the lock `<key>` held by the process that builds it."""

    def __init__(self, kept: Kept) -> None:
        self.kept = kept

    def state(self, key: str) -> JobState | None:
        data = self.kept.get(f"{key}.json", touch=False)
        try:
            found = json.loads(data) if data is not None else None
        except ValueError:
            return None
        return JobState(**found) if isinstance(found, dict) else None

    def write(self, state: JobState) -> None:
        """A state, written whole (a reader never sees half of it)."""
        self.kept.put(f"{state.key}.json", json.dumps(asdict(replace(state, at=time.time()))).encode("utf-8"))

    def forget(self, key: str) -> None:
        """Remove the state of a build nobody is doing (a lost one), so that it is asked for anew."""
        state = self.state(key)
        if state is not None and state.state in (QUEUED, RUNNING) and not self.building(key):
            self.kept.delete(f"{key}.json")

    def result(self, key: str) -> bytes | None:
        """The finished file of a key (marked as asked for now), or None."""
        return self.kept.get(key)

    def building(self, key: str) -> bool:
        """Whether some process holds the key's lock (is building it now)."""
        return self.kept.held(key)

    def states(self) -> list[JobState]:
        names = [entry.name for entry in self.kept.entries() if entry.name.endswith(".json")]
        return [state for state in (self.state(name[:-5]) for name in names) if state is not None]

    def waiting_for(self, account: str) -> int:
        """How many builds an account has queued or running now."""
        return sum(1 for state in self.states() if state.account == account and self.alive(state))

    def alive(self, state: JobState) -> bool:
        """Whether a queued or running build is still on its way (not lost with a process that stopped)."""
        if state.state == RUNNING:
            return self.building(state.key)
        on_its_way = _running(state.pid) if state.host in ("", HOST) else True  # another host's: by its age
        return state.state == QUEUED and time.time() - state.at < STALE_S and on_its_way

    def prune(self, keep_bytes: int) -> None:
        """Finished files, the least recently asked for first, until they take at most `keep_bytes`; the states
        and locks of files gone, and of failures no longer tried."""
        entries = self.kept.entries()
        self.kept.prune(keep_bytes, kept=frozenset(e.name for e in entries if e.name.endswith(".json")))
        files = {entry.name for entry in self.kept.entries()}
        for state in self.states():
            gone = (state.state == DONE and state.key not in files) or \
                (state.state == FAILED and time.time() - state.at > RETRY_S) or \
                (state.state in (QUEUED, RUNNING) and not self.alive(state))
            if gone and not self.building(state.key):
                self.kept.delete(f"{state.key}.json")
                self.kept.forget_lock(state.key)


class Jobs:
    """The builds of one server process: its pool, and what every process shares through the folder."""

    def __init__(self, kept: Kept, store: str | None, workers: int = 1, waiting: int = 4, per_account: int = 2,
                 keep_bytes: int = 500 * 1024 * 1024, workspace: Workspace | None = None) -> None:
        """`kept`: where the store keeps the builds for every process (Store.kept("jobs")); `workspace`: the
        server's own, used when builds run in the asking thread (workers 0)."""
        self.folder = Folder(kept)
        self.workspace = workspace
        self.store = store
        self.workers = workers
        self.waiting = waiting
        self.per_account = per_account
        self.keep_bytes = keep_bytes
        self._pool: ProcessPoolExecutor | None = None
        self._pending: set[str] = set()  # keys this process has handed to its pool and not heard back of
        self._lock = threading.Lock()

    def ask(self, request: Request, version: str, account: str) -> JobState:
        """The state of the file a request makes from the store at `version`, its build started if nobody has it
        built or on its way. Raises TooMany (429) or Busy (503) when the bounds say no."""
        key = request.key(version)
        with self._lock:
            state = self.folder.state(key)
            if state is not None and state.state == DONE and self.folder.result(key) is not None:
                return state
            if state is not None and self.folder.alive(state):
                return state
            if state is not None and state.state == FAILED and time.time() - state.at < RETRY_S:
                return state
            if self.folder.waiting_for(account) >= self.per_account:
                raise TooMany(f"{self.per_account} files you asked for are still being prepared: wait for them "
                              "(each page says when it is ready) before asking for more.")
            if self.workers and len(self._pending) >= self.workers + self.waiting:
                raise Busy()
            queued = JobState(key, QUEUED, account=account, pid=os.getpid(), host=HOST)
            self.folder.write(queued)
            if not self.workers:  # built here, in the asking thread (tests, and a server told to)
                self._pending.add(key)
        if not self.workers:
            try:
                build_file(self.store, key, request, version, self.keep_bytes, self.workspace)
            finally:
                with self._lock:
                    self._pending.discard(key)
            return self.folder.state(key) or queued
        future = self._executor().submit(build_file, self.store, key, request, version, self.keep_bytes)
        with self._lock:
            self._pending.add(key)
        future.add_done_callback(lambda done, key=key: self._finished(key, done))  # type: ignore[misc]
        return queued

    def wait(self, key: str, seconds: float) -> JobState | None:
        """The state of a key once it is done or failed, or as it is after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.folder.state(key)
            if state is None or state.state in (DONE, FAILED) or time.monotonic() >= deadline:
                return state
            time.sleep(0.05)

    def state(self, key: str) -> JobState | None:
        return self.folder.state(key)

    def result(self, key: str) -> bytes | None:
        return self.folder.result(key)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_prepare_worker)
            return self._pool

    def _finished(self, key: str, done: Future[None]) -> None:
        with self._lock:
            self._pending.discard(key)
        error = None if done.cancelled() else done.exception()
        if done.cancelled() or error is not None:
            # the worker process was stopped (the server restarting a worker, or killed): the build is lost, not
            # failed; its state is removed, so the next asker starts it again
            LOG.warning("building %s was stopped: %s", key, error or "cancelled")
            self.folder.forget(key)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


NICE = 10  # a worker process gives way to the server's own (pages first, files when the processor is free)


def _prepare_worker() -> None:
    """A worker process gives way to the pages and loads what every build needs once, before its first build."""
    with contextlib.suppress(OSError):
        os.nice(NICE)
    import geojkn.documents  # noqa: F401
    import geojkn.printed  # noqa: F401


@lru_cache(maxsize=4)
def _workspace(store: str | None) -> Workspace:
    """A worker process's workspace of a store: its regions and shapes stay loaded from one build to the next (the
    cache is keyed by the store's version, so a newer import is read anew)."""
    from .store import open_store
    from .workspace import Workspace

    return Workspace(open_store(store))


def build_file(store: str | None, key: str, request: Request, version: str, keep_bytes: int,
               workspace: Workspace | None = None) -> None:
    """Build one file into the place the store keeps builds in, unless another process is building it or it is
    built already; its state says how it goes (run in a worker process with its own workspace, or in the asking
    thread with the server's)."""
    ws = workspace or _workspace(store)
    place = Folder(ws.store.kept("jobs"))
    with place.kept.holding(key) as taken:
        if not taken:  # another process builds it
            return
        if place.result(key) is None:
            _build(place, ws, key, request, version)
    place.prune(keep_bytes)


def _build(place: Folder, ws: Workspace, key: str, request: Request, version: str) -> None:
    from .documents import build

    asked = place.state(key)
    account = asked.account if asked is not None else ""
    state = JobState(key, RUNNING, account=account)
    place.write(state)
    written = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - written[0] >= PROGRESS_EVERY or done == total:
            place.write(replace(state, done=done, total=total))
            written[0] = time.monotonic()

    try:
        if ws.store.version() != version:
            raise DataError("The data changed while the file was waiting to be made: ask for it again.")
        content, name = build(ws, request, progress)
        place.kept.put(key, content)
        place.write(JobState(key, DONE, 1, 1, name, account))
    except DataError as exc:
        place.write(JobState(key, FAILED, account=account, message=str(exc), status=exc.status))
    except Exception:  # a bug: logged, and the asker told the file could not be made
        LOG.exception("building %s failed", key)
        place.write(JobState(key, FAILED, account=account, status=500,
                             message="The file could not be made (an unexpected error, logged on the server)."))
