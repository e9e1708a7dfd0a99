"""An office's load on a served store, for the load benchmark (bench_load.py) and its smaller twin in the tests.

- `start`: the server as an office runs it: `geojkn serve` (waitress), `serve --production` (gunicorn), or
  `serve --production` behind nginx with the site file geojkn ships (`geojkn nginx-site`).
- `idle`: connections that open and send nothing (a crowd of phones on a bad network, or someone's attack).
- `load`: office clients, each a process of its own, looping over dashboards, maps and API answers; and one
  client flooding the server with atlases, a new target each time, never waiting for one.

Only the standard library is imported at the top: each client is a spawned process.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 60, tell: bool = False) -> tuple[int, float]:
    """A GET's status (0: refused, reset or timed out) and how long it took; with tell, an answer other than
    200, 202 or 429 is printed with the start of its text, to see why."""
    began = time.perf_counter()
    text = b""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
        text = exc.read()[:2000]
    except OSError:
        status = 0
    if tell and status not in (200, 202, 429):
        print(f"{url} answered {status}: {text.decode('utf-8', 'replace')}", file=sys.stderr)
    return status, time.perf_counter() - began


def _wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if get(url, 2)[0] == 200:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def _nginx(app_port: int, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    """nginx with the shipped site in front of app_port, in a folder of its own; its process and port."""
    from geojkn.resources import nginx_site

    port = free_port()
    for part in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(nginx_site(app_port, "_", 50, f"127.0.0.1:{port}"), encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\n"
        "events { worker_connections 8192; }\nworker_rlimit_nofile 16384;\n"
        f"http {{ access_log off; client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;\n"
        f"  include {folder}/site.conf; }}\n", encoding="utf-8")
    proc = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g",
                             "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def nginx_binary() -> str:
    for path in ("/usr/sbin/nginx", "/usr/bin/nginx"):
        if os.access(path, os.X_OK):
            return path
    return ""


@contextmanager
def start(store: Path | str, mode: str, folder: Path, workers: int = 2,
          settings: dict[str, str] | None = None) -> Iterator[str]:
    """The server of `mode` (serve, production, nginx) on 127.0.0.1 for the block: its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOJKN_")}
    env.update({"GEOJKN_STORE": str(store), "GEOJKN_SECRET_KEY": secrets.token_hex(32), "GEOJKN_PUBLIC_READ": "1",
                "GEOJKN_PROXY": "127.0.0.1", **(settings or {})})
    argv = [sys.executable, "-m", "geojkn", "serve", "--port", str(port)]
    if mode != "serve":
        argv += ["--production", "--workers", str(workers)]
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    front = None
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        base = f"http://127.0.0.1:{port}"
        if mode == "nginx":
            front, front_port = _nginx(port, folder / "nginx")
            base = f"http://127.0.0.1:{front_port}"
            _wait_for(base + "/healthz")
        yield base
    finally:
        if front is not None:
            front.terminate()
            front.wait(30)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        errors = server.stderr.read().decode("utf-8", "replace") if server.stderr else ""
        if "Traceback" in errors:
            raise RuntimeError(f"the server wrote a traceback:\n{errors[-3000:]}")


@contextmanager
def idle(base: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections to the server that send nothing, held for the block."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 1024
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard),
                                                    hard))
    host, port = base.rsplit("/", 1)[-1].split(":")
    held = []
    try:
        for _ in range(count):
            held.append(socket.create_connection((host, int(port)), timeout=10))
        yield held
    finally:
        for sock in held:
            sock.close()


def _office_client(base: str, paths: list[str], start_at: int, stop: float) -> list[tuple[str, int, float]]:
    answers, i = [], start_at
    while time.time() < stop:
        path = paths[i % len(paths)]
        status, took = get(base + path, 60)
        answers.append((path, status, took))
        i += 1
    return answers


def _flooder(base: str, region: str, stop: float) -> list[tuple[int, float]]:
    """Atlases of a region, each with a new target, asked for and never waited for (the asker leaves)."""
    answers, i = [], 0
    while time.time() < stop:
        status, took = get(f"{base}/r/{region}/atlas.pdf?target=0.{9000 + i % 999}", 60, tell=True)
        answers.append((status, took))
        i += 1
    return answers


@dataclass
class Load:
    """What the office clients and the flooder got."""

    seconds: float
    office: list[tuple[str, int, float]]
    flood: list[tuple[int, float]] = field(default_factory=list)

    def times(self, dashboards: bool = False) -> list[float]:
        return sorted(took for path, status, took in self.office if status == 200 and
                      (not dashboards or (path.startswith("/r/") and path.split("?")[0].count("/") == 2)))

    @staticmethod
    def quantile(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    @property
    def errors(self) -> Counter[int]:
        return Counter(status for _, status, _ in self.office if status != 200)

    @property
    def flooded(self) -> Counter[int]:
        return Counter(status for status, _ in self.flood)


def load(base: str | list[str], seconds: float, clients: int, paths: list[str], flood: str | None = None) -> Load:
    """`clients` office clients (processes) for `seconds`, and a flooder of atlases of `flood` beside them; with
    several servers (bases), the clients take them in turn (client k asks server k mod n)."""
    bases = [base] if isinstance(base, str) else base
    for one in bases:
        for path in paths:  # what the office asks for, made once before the clock starts (as a working office has it)
            get(one + path, 120)
    context = multiprocessing.get_context("spawn")
    stop = time.time() + seconds + 2.0  # (the processes start meanwhile)
    with context.Pool(clients + (1 if flood else 0)) as pool:
        office = [pool.apply_async(_office_client, (bases[k % len(bases)], paths, k, stop)) for k in range(clients)]
        flooding = pool.apply_async(_flooder, (bases[0], flood, stop)) if flood else None
        answers = [answer for job in office for answer in job.get(seconds + 180)]
        flooded = flooding.get(seconds + 180) if flooding is not None else []
    return Load(seconds, answers, flooded)
