"""The production server under an office's load, on 127.0.0.1: 20 clients for 30 s over the dashboards, maps and
API of Jepara and Demak, and one client asking for the province desa map with a new target each time."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from conftest import FASKES_JD, JEPARA_DEMAK

SECONDS, CLIENTS = 30, 20
OFFICE = ("/r/33.20", "/r/33.21", "/r/33.20/map", "/r/33.21/map?metric=gap", "/api/regions/33.20/summary",
          "/api/regions/33.21/ranking.json?level=desa", "/r/33.21.05", "/api/search?q=tlogorejo", "/healthz",
          "/r/33.20/worklist.csv")


def get(url: str, timeout: float = 90) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # refused, reset or timed out


@pytest.mark.shared
def test_twenty_clients_and_a_province_map_get_no_errors_from_the_production_server(shared_data, tmp_path):
    store = tmp_path / "jd.gpkg"
    for argv in (["import-boundaries", JEPARA_DEMAK], ["import-facilities", FASKES_JD]):
        subprocess.run([sys.executable, "-m", "geojkn", "--store", store, *argv], check=True, capture_output=True)
    figures = tmp_path / "f.csv"
    import pyogrio

    desa = pyogrio.read_dataframe(JEPARA_DEMAK, layer="desa_kelurahan", read_geometry=False)
    figures.write_text("kode;penduduk;terdaftar;aktif\n" + "\n".join(
        f"{code};{4000 + i % 50 * 100};{3200 + i % 40 * 100};{2500 + i % 30 * 50}"
        for i, code in enumerate(desa["kode"])) + "\n")
    subprocess.run([sys.executable, "-m", "geojkn", "--store", store, "import-figures", figures, "--period",
                    "2024-01"], check=True, capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "GEOJKN_STORE": str(store), "GEOJKN_SECRET_KEY": secrets.token_hex(32),
           "GEOJKN_PUBLIC_READ": "1"}
    server = subprocess.Popen([sys.executable, "-m", "geojkn", "serve", "--production", "--workers", "2",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if get(base + "/healthz", 2) == 200:
                break
            time.sleep(0.1)
        office, province = Counter(), Counter()
        lock = threading.Lock()
        stop = time.monotonic() + SECONDS

        def office_client(k: int) -> None:
            while time.monotonic() < stop:
                status = get(base + OFFICE[k % len(OFFICE)])
                with lock:
                    office[status] += 1
                k += 1

        def province_client() -> None:
            i = 0
            while time.monotonic() < stop:
                status = get(f"{base}/r/33/map?level=desa&target=0.{9000 + i % 1000}")  # a new target each time
                with lock:
                    province[status] += 1
                i += 1

        threads = [threading.Thread(target=office_client, args=(k,)) for k in range(CLIENTS)]
        threads.append(threading.Thread(target=province_client))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(office) == {200} and office[200] >= 2 * CLIENTS, office  # every office request answered
        assert set(province) <= {200, 503} and province[200] >= 1, province  # busy is an answer, not an error
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert b"Traceback" not in server.stderr.read()
