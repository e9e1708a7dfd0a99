"""A served office under load: 20 clients over Jepara and Demak, and one client asking for province desa maps.

    python benchmarks/bench_load.py [--seconds 30] [--clients 20] [--workers 4]

Needs ../shared/data. Builds a store of all of Jawa Tengah (boundaries, facilities, a month of figures for
every desa), then for each server, in the same run:
- `geojkn serve --production --workers N` (gunicorn, N processes of THREADS threads);
- `geojkn serve` (waitress, one process), the peer;
starts it on 127.0.0.1, warms the Jepara and Demak pages once, and lets `--clients` threads loop over
dashboards, maps and API answers of Jepara (33.20) and Demak (33.21) for `--seconds`, while one more thread asks
for the province desa map with a different target each time (every one a new map to draw). Prints requests per
second, p50/p95/p99 latency of the office clients and of /healthz, the province client's answers, and every
error (any status but 200 for an office client; 5xx other than 503 "busy" for the province client).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_jateng import FASKES, JATENG, figures_csv  # noqa: E402

OFFICE = ("/r/33.20", "/r/33.21", "/r/33.20/map", "/r/33.21/map?metric=gap", "/api/regions/33.20/summary",
          "/api/regions/33.21/ranking.json?level=desa", "/r/33.20.10", "/api/search?q=tlogorejo", "/healthz")


def geojkn(store: Path, *argv: str) -> None:
    subprocess.run([sys.executable, "-m", "geojkn", "--store", str(store), *argv], check=True,
                   stdout=subprocess.DEVNULL)


def build_store(folder: Path) -> Path:
    store = folder / "jateng.gpkg"
    geojkn(store, "import-boundaries", str(JATENG))
    geojkn(store, "import-facilities", str(FASKES))
    geojkn(store, "import-figures", str(figures_csv(folder)), "--period", "2024-01")
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 60) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0  # refused, reset or timed out
    return status, time.perf_counter() - start


def start(store: Path, production: bool, workers: int,
          settings: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "GEOJKN_STORE": str(store), "GEOJKN_SECRET_KEY": secrets.token_hex(32),
           "GEOJKN_PUBLIC_READ": "1", **(settings or {})}
    argv = [sys.executable, "-m", "geojkn", "serve", "--port", str(port)]
    if production:
        argv += ["--production", "--workers", str(workers)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if get(base + "/healthz", 2)[0] == 200:
            return proc, base
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def load(base: str, seconds: float, clients: int, paths: tuple[str, ...] = OFFICE) -> dict[str, object]:
    """`clients` threads looping over `paths` and one asking for province desa maps with a new target each time."""
    for path in paths:  # each process builds on first use; warm what the office asks for once
        get(base + path)
    stop = time.monotonic() + seconds
    office: list[tuple[str, int, float]] = []
    province: list[tuple[int, float]] = []
    lock = threading.Lock()

    def office_client(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            status, took = get(base + path)
            with lock:
                office.append((path, status, took))
            i += 1

    def province_client() -> None:
        i = 0
        while time.monotonic() < stop:
            status, took = get(f"{base}/r/33/map?level=desa&target=0.{900 + i % 99}", 120)
            with lock:
                province.append((status, took))
            i += 1

    threads = [threading.Thread(target=office_client, args=(k,)) for k in range(clients)]
    threads.append(threading.Thread(target=province_client))
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    times = [took for _, status, took in office if status == 200]
    health = [took for path, status, took in office if path == "/healthz" and status == 200]
    return {
        "requests": len(office), "rps": len(office) / elapsed,
        "p50": pct(times, 0.5), "p95": pct(times, 0.95), "p99": pct(times, 0.99),
        "healthz_p99": pct(health, 0.99),
        "office_errors": Counter(status for _, status, _ in office if status != 200),
        "province": Counter(status for status, _ in province),
        "province_p50": statistics.median([t for s, t in province if s == 200]) if any(
            s == 200 for s, _ in province) else float("nan"),
        "answers": office, "seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not JATENG.exists():
        raise SystemExit(f"skipped: {JATENG} not found (the ../shared data folder)")
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp))
        results = {}
        for name, production in ((f"serve --production --workers {args.workers}", True), ("serve (waitress)", False)):
            proc, base = start(store, production, args.workers)
            try:
                results[name] = load(base, args.seconds, args.clients)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
    print(f"{args.clients} office clients + 1 province-map client for {args.seconds:.0f} s on 127.0.0.1")
    print(f"{'server':<34}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'healthz p99':>13}  errors / province")
    for name, r in results.items():
        print(f"{name:<34}{r['rps']:>8.1f}{r['p50'] * 1000:>9.0f}{r['p95'] * 1000:>9.0f}{r['p99'] * 1000:>9.0f}"
              f"{r['healthz_p99'] * 1000:>11.0f}ms  {dict(r['office_errors']) or 'none'} / {dict(r['province'])}"
              f" (map p50 {r['province_p50']:.1f} s)")
    names = list(results)
    ratio = results[names[0]]["rps"] / results[names[1]]["rps"]
    print(f"throughput ratio production / waitress: {ratio:.2f}")


if __name__ == "__main__":
    main()
