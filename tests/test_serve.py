"""Serving from established parts: waitress through its public options holds more than a thousand idle
connections and keeps answering; /healthz reads nothing, /readyz reads the store."""

from __future__ import annotations

import http.client
import resource
import socket
import threading
import time

import pytest

from geojkn import create_app
from geojkn.web.production import CONNECTIONS, office_server, open_files


def test_the_limit_of_open_files_is_raised_as_far_as_the_system_allows():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    now = open_files(min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096)
    assert now >= min(soft, 4096) and resource.getrlimit(resource.RLIMIT_NOFILE)[0] == now


@pytest.mark.slow
def test_the_office_server_keeps_answering_beside_eleven_hundred_idle_connections(app):
    """waitress on poll(): descriptors above 1024 are no error (select() would stop the server), and the idle
    connections hold no page thread."""
    open_files(CONNECTIONS + 256)
    server = office_server(app, "127.0.0.1", 0, 4)
    threading.Thread(target=server.run, daemon=True).start()
    port, idle = server.effective_port, []
    try:
        for _ in range(1100):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.5)  # every one accepted, each with its own descriptor on the server's side
        took = []
        for path in ("/healthz", "/r/99.01", "/api/regions/99.01/summary", "/readyz") * 3:
            began = time.perf_counter()
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            client.request("GET", path)
            answer = client.getresponse()
            assert answer.status == 200, (path, answer.status)
            answer.read()
            client.close()
            took.append(time.perf_counter() - began)
        assert sorted(took)[-2] < 5.0, took  # (the first dashboard loads the region)
        assert max(sock.fileno() for sock in idle) > 1024
    finally:
        for sock in idle:
            sock.close()
        server.close()


def test_liveness_reads_nothing_and_readiness_reads_the_store(tiny_store, monkeypatch):
    app = create_app({"TESTING": True, "STORE": str(tiny_store)})
    client = app.test_client()
    assert client.get("/readyz").get_json() == {"status": "ready", "units": 7}
    store = app.extensions["geojkn.workspace"].store

    def unreadable() -> str:
        raise OSError("the disk went away")

    monkeypatch.setattr(store, "version", unreadable)
    assert client.get("/healthz").status_code == 200 and client.get("/healthz").get_json() == {"status": "ok"}
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.get_json() == {"status": "not ready", "error": "OSError"}
