"""The office set-up: `geojkn serve --production` (gunicorn, threaded workers) behind nginx with the site file
geojkn ships. nginx reads each request whole, so a crowd of idle connections holds none of geojkn's threads; the
client addresses it writes are the ones the server counts; a client's own X-Forwarded-For is not believed."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geojkn.resources import nginx_site
from geojkn.web.production import open_files

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (apt-get install nginx)")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    client.request("GET", path, headers=headers or {})
    answer = client.getresponse()
    body = answer.read()
    client.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


@pytest.fixture
def office(tiny_store, tmp_path):
    """gunicorn (one worker of two threads: easy to exhaust) on one port, nginx with the shipped site on another."""
    app_port, front_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOJKN_")}
    env.update(GEOJKN_PUBLIC_READ="1", GEOJKN_PROXY="127.0.0.1", GEOJKN_THREADS="2", GEOJKN_PREPARE_AHEAD="0",
               GEOJKN_SECRET_KEY="s" * 40)
    server = subprocess.Popen([sys.executable, "-m", "geojkn", "--store", str(tiny_store), "serve", "--production",
                               "--workers", "1", "--port", str(app_port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    root = tmp_path / "nginx"
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (root / folder).mkdir(parents=True)
    (root / "site.conf").write_text(nginx_site(app_port, "_", 50, f"127.0.0.1:{front_port}"), encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    (root / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {root}/nginx.pid;\nerror_log {root}/logs/error.log;\n"
        "events { worker_connections 4096; }\n"
        f"http {{ access_log off; client_body_temp_path {root}/body; proxy_temp_path {root}/proxy;\n"
        f"  fastcgi_temp_path {root}/fastcgi; uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;\n"
        f"  include {root}/site.conf; }}\n", encoding="utf-8")
    checked = subprocess.run([NGINX, "-t", "-p", str(root), "-c", str(root / "nginx.conf")], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr
    front = subprocess.Popen([NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(app_port)
        wait_for(front_port)
        yield app_port, front_port
    finally:
        front.terminate()
        server.terminate()
        front.wait(20)
        server.wait(30)


def test_the_site_file_checks_and_serves_through_nginx(office):
    _, front = office
    status, headers, body = get(front, "/r/99.01", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert get(front, "/healthz")[0] == 200 and get(front, "/readyz")[0] == 200


def test_idle_connections_to_nginx_hold_no_thread_of_the_server(office):
    """Straight to gunicorn, two idle connections take both threads of its one worker; through nginx, eleven
    hundred idle connections leave every page answering."""
    app_port, front = office
    assert get(app_port, "/healthz")[0] == 200
    held = [socket.create_connection(("127.0.0.1", app_port), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.5)
        with pytest.raises(TimeoutError):  # straight to gunicorn: its two threads wait for the idle clients
            client = http.client.HTTPConnection("127.0.0.1", app_port, timeout=3)
            client.request("GET", "/healthz")
            client.getresponse()
    finally:
        for sock in held:
            sock.close()
    open_files(4096)
    idle = [socket.create_connection(("127.0.0.1", front), timeout=5) for _ in range(1100)]
    try:
        took = []
        for path in ("/r/99.01", "/api/regions/99.01/summary", "/healthz") * 4:
            began = time.perf_counter()
            assert get(front, path)[0] == 200
            took.append(time.perf_counter() - began)
        assert sorted(took)[-2] < 2.0, took
    finally:
        for sock in idle:
            sock.close()
