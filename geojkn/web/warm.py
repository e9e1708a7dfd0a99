"""Maps and dashboards prepared ahead: after every import (from the web or the command line), one background thread
builds each province's map (at its own level and by desa) and dashboard, then each kabupaten's dashboard and map,
into the same cache the requests read, one at a time, so the first planner to ask gets them at once. A newer import
while it works makes it start over. It takes one build slot of the cache, like any request, and leaves the others.

With answers shared (shared.py), one process prepares for all, on every host: the one that takes the lock
`prepare` where the store keeps what its servers make; the others see the version it prepared (`prepared`) and
leave it. `geojkn prepare` does the same round from the command line, right after an import.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from ..errors import Busy, DataError, NotFound
from ..resources import maker
from ..schema import KABUPATEN, LEVEL
from ..shared import PREPARED
from ..workspace import Workspace

LOG = logging.getLogger("geojkn")
POLL_SECONDS = 5.0  # how often the store is looked at for a new import when no request comes
PAUSE_SECONDS = 0.05  # between two builds: requests that arrive meanwhile go first


class Warmer:
    """The one background preparer of an app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.workspace: Workspace = app.extensions["geojkn.workspace"]
        shared = self.workspace.shared
        self.kept = shared.kept if shared is not None else None  # where one process prepares for all
        self.prepared: str | None = None  # the store version everything was prepared for
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def poke(self) -> None:
        """Start preparing if the store changed since the last round and no round is running."""
        version = self.workspace.store.version()
        with self.lock:
            if version == self.prepared or not self.workspace.store.exists() or \
                    (self.thread is not None and self.thread.is_alive()):
                return
            if self._done_by_another(version):
                self.prepared = version
                return
            self.thread = threading.Thread(target=self.round, args=(version,), name="geojkn-prepare", daemon=True)
            self.thread.start()

    def plan(self) -> list[tuple[str, str]]:
        """(endpoint, path) of what to prepare: each province's maps and dashboard, then each kabupaten's."""
        index = self.workspace.unit_list()
        kabupaten = [str(code) for code in index.loc[index[LEVEL] == KABUPATEN, "code"]]
        provinces = sorted({code[:2] for code in index["code"].astype(str)})
        steps = []
        for code in provinces:
            steps += [("views.map_page", f"/r/{code}/map?level=desa"), ("views.map_page", f"/r/{code}/map"),
                      ("views.dashboard", f"/r/{code}")]
        for code in kabupaten:
            steps += [("views.dashboard", f"/r/{code}"), ("views.map_page", f"/r/{code}/map")]
        return steps

    def _done_by_another(self, version: str) -> bool:
        return self.kept is not None and self.kept.get(PREPARED, touch=False) == _mark(version)

    def round(self, version: str) -> bool:
        """Prepare for `version`: here when no answers are shared, else in the one process holding the lock. Whether
        this call prepared it (False: another process has, or a newer import came)."""
        if self.kept is None:
            return self.run(version)
        with self.kept.holding("prepare") as taken:
            if not taken:  # another process prepares: its answers are shared
                return False
            if self._done_by_another(version) or not self.run(version):
                return False
            self.kept.put(PREPARED, _mark(version))
            return True

    def run(self, version: str) -> bool:
        """Prepare every page of the plan for `version`, one at a time; False when a newer import stopped it."""
        started = time.monotonic()
        try:
            steps = self.plan()
        except (DataError, NotFound):
            return False
        for endpoint, path in steps:
            if self.workspace.store.version() != version:
                return False  # a newer import: the next poke starts over
            code = path.split("/")[2]
            try:
                with self.app.test_request_context(path):
                    self.app.view_functions[endpoint](code=code)
            except (Busy, DataError, NotFound):
                continue  # busy serving, or nothing to show there: the request will build it when asked
            except Exception:  # noqa: BLE001 (a failed preparation must never stop the server)
                LOG.exception("preparing %s failed", path)
            time.sleep(PAUSE_SECONDS)
        with self.lock:
            self.prepared = version
        LOG.info("prepared %d maps and dashboards in %.1f s", len(steps), time.monotonic() - started)
        return True


def register(app: Flask) -> None:
    """Prepare after every import: looked for before each request and every POLL_SECONDS."""
    warmer = Warmer(app)
    app.extensions["geojkn.warmer"] = warmer
    app.before_request(lambda: warmer.poke())

    def watch() -> None:
        while True:
            try:
                warmer.poke()
            except DataError as exc:  # the store's database cannot be reached now: looked for again later
                LOG.warning("looking for a new import: %s", exc)
            except Exception:  # noqa: BLE001 (the watcher outlives any one failure)
                LOG.exception("looking for a new import failed")
            time.sleep(POLL_SECONDS)
    threading.Thread(target=watch, name="geojkn-watch", daemon=True).start()


def _mark(version: str) -> bytes:
    """What the prepared mark holds: the store version and the code that prepared its pages."""
    return f"{version} {maker()}".encode()
