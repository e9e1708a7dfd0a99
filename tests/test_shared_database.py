"""Two servers on two ports sharing one PostGIS database, as an office with several machines runs geojkn: what is
uploaded through one is shown by the other within seconds, in both directions; a preview is nobody's figures until
it is committed, and its page opens through either server (the drafts live in the database, so a balancer may send
the account's next request anywhere); an account's failed logins count on both."""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import TINY_DESA, clear_settings, write_figures

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from office_load import start  # noqa: E402

SEEN_WITHIN = 10.0  # seconds


def token(client: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url, timeout=30).text)
    assert found, url
    return found.group(1)


def logged_in(base: str, name: str, password: str) -> requests.Session:
    client = requests.Session()
    resp = client.post(f"{base}/login", data={"name": name, "password": password,
                                              "csrf_token": token(client, f"{base}/login")}, timeout=30,
                       allow_redirects=False)
    assert resp.status_code == 302, resp.text[:300]
    return client


def upload(client: requests.Session, base: str, path: Path, period: str) -> str:
    """Preview a month of figures: the preview page's address."""
    resp = client.post(f"{base}/upload", data={"kind": "figures", "period": period, "source": "BPJS",
                                               "csrf_token": token(client, f"{base}/upload")},
                       files={"file": (path.name, io.BytesIO(path.read_bytes()), "text/csv")}, timeout=60,
                       allow_redirects=False)
    assert resp.status_code == 302, resp.text.split("<main")[-1][:600]
    return base + resp.headers["Location"] if resp.headers["Location"].startswith("/") else resp.headers["Location"]


def commit(client: requests.Session, preview: str) -> int:
    return client.post(f"{preview}/commit", data={"csrf_token": token(client, preview)}, timeout=60,
                       allow_redirects=False).status_code


def latest(base: str) -> tuple[str, float]:
    summary = requests.get(f"{base}/api/regions/99.01/summary", timeout=30).json()
    return summary["period"], summary["registered"]


def seen(base: str, period: str) -> float:
    """Seconds until the server shows `period` as the latest month; fails after SEEN_WITHIN."""
    began = time.monotonic()
    while latest(base)[0] != period:
        assert time.monotonic() - began < SEEN_WITHIN, f"{base} still shows {latest(base)}, not {period}"
        time.sleep(0.2)
    return time.monotonic() - began


def test_two_servers_on_one_database_see_each_others_imports(tiny_geojson, pg_store, tmp_path, runner,
                                                              monkeypatch):
    clear_settings(monkeypatch)
    assert runner("--store", pg_store, "import-boundaries", tiny_geojson).status == 0
    months = {}
    for month, registered in (("2024-01", [950, 1500, 1200, 520]), ("2024-02", [960, 1600, 1250, 520]),
                              ("2024-03", [990, 1700, 1300, 500])):
        months[month] = write_figures(tmp_path / f"{month}.csv", TINY_DESA, [1000, 2000, 1500, 500], registered,
                                      [700, 1000, 900, 400])
    assert runner("--store", pg_store, "import-figures", months["2024-01"], "--period", "2024-01").status == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-panjang-1\n"))
    assert runner("--store", pg_store, "user", "add", "ani", "--role", "editor", "--password-stdin").status == 0

    with start(pg_store, "serve", tmp_path) as one, start(pg_store, "production", tmp_path) as two:
        assert latest(one) == latest(two) == ("2024-01", 4170)
        first, second = logged_in(one, "ani", "kata-sandi-panjang-1"), logged_in(two, "ani", "kata-sandi-panjang-1")

        preview = upload(first, one, months["2024-02"], "2024-02")
        assert latest(two)[0] == "2024-01"  # a preview is nobody's figures yet
        assert "2024-02.csv" in second.get(preview.replace(one, two), timeout=30).text  # through the other server
        assert commit(first, preview) == 302
        seen(two, "2024-02")
        assert latest(two) == latest(one) == ("2024-02", 4330)

        preview = upload(second, two, months["2024-03"], "2024-03")
        assert commit(second, preview) == 302
        seen(one, "2024-03")
        assert latest(one) == latest(two) == ("2024-03", 4490)
        history = first.get(f"{one}/history", timeout=30).text  # the change made through the other server, by ani
        assert history.count("2024-03.csv") == 1 and ">ani<" in history

        wrong = requests.Session()
        refused = [wrong.post(f"{base}/login", data={"name": "ani", "password": "salah", "csrf_token":
                                                     token(wrong, f"{base}/login")}, timeout=30).status_code
                   for base in (one, two) * 6]
        assert refused[:5] == [401] * 5 and 429 in refused[5:], refused  # failed logins counted across servers


@pytest.fixture(autouse=True)
def _postgis_only(pg_store) -> None:
    """These tests are of a shared database; a GeoPackage store is shared by processes of one host only."""
