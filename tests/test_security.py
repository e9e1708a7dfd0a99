"""What the server sends and writes is safe: security headers on every response, nothing about the server in
answers, names that cannot run as spreadsheet formulas, and outputs that never replace the store."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from geojkn import create_app
from geojkn.web.security import POLICY, TILE_ORIGINS

from conftest import TINY_DESA, fingerprint, tiny_units, write_figures

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)"]


@pytest.fixture
def formula_store(tmp_path, runner):
    """The tiny regency with desa named like spreadsheet formulas."""
    units = tiny_units()
    for code, name in zip(TINY_DESA, FORMULAS, strict=True):
        units.loc[units["kode"] == code, "nama"] = name
    units.to_file(tmp_path / "w.geojson", driver="GeoJSON")
    store = tmp_path / "s.gpkg"
    assert runner("--store", store, "import-boundaries", tmp_path / "w.geojson").status == 0
    write_figures(tmp_path / "f.csv", TINY_DESA, [100, 200, 300, 400], [90, 150, 200, 390], [80, 100, 150, 300])
    assert runner("--store", store, "import-figures", tmp_path / "f.csv", "--period", "2024-01").status == 0
    return store


URLS = ["/", "/r/99.01", "/r/99.01/map", "/r/99.01/map?basemap=osm", "/api/regions/99.01/summary",
        "/api/regions/99.01/ranking.csv", "/r/99.01/worklist.csv", "/healthz", "/r/99.77", "/r/99.01?target=7",
        "/static/vendor/leaflet.js", "/search?q=sido"]


@pytest.mark.parametrize("url", URLS)
def test_every_response_carries_the_security_headers(client, url):
    resp = client.get(url)
    assert resp.status_code < 500
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    remote = [part.rstrip(";") for part in csp.split() if part.startswith(("http", "//", "*"))]
    assert remote == ([TILE_ORIGINS["osm"]] if "basemap=osm" in url else []), csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_the_policy_names_no_remote_origin():
    assert not any("http" in value or "*" in value for value in POLICY.values())


def test_healthz_says_nothing_about_the_server(tiny_store, monkeypatch):
    monkeypatch.setenv("GEOJKN_STORE", str(tiny_store))
    body = create_app({"TESTING": True, "PUBLIC_READ": True}).test_client().get("/healthz").get_data(as_text=True)
    assert '"status":"ok"' in body.replace(" ", "")
    where = str(tiny_store.parent) if isinstance(tiny_store, Path) else str(tiny_store)
    assert where not in body and "gpkg" not in body and "postgresql" not in body and "127.0.0.1" not in body


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";" if ";" in text else ",")
            for cell in row]


def test_names_never_become_formulas_in_any_csv(formula_store, runner, monkeypatch):
    monkeypatch.setenv("GEOJKN_STORE", str(formula_store))
    client = create_app({"TESTING": True, "PUBLIC_READ": True}).test_client()
    outputs = {
        "rank --format csv": runner("--store", formula_store, "rank", "99.01", "--level", "desa", "--format",
                                    "csv").out,
        "ranking.csv": client.get("/api/regions/99.01/ranking.csv?level=desa").get_data(as_text=True),
        "worklist.csv": client.get("/r/99.01/worklist.csv?level=desa").get_data(as_text=True),
    }
    for where, text in outputs.items():
        cells = _cells(text)
        for formula in FORMULAS:
            assert "'" + formula in cells, (where, formula)
        assert not [c for c in cells if c.startswith(("=", "+", "@")) or (c.startswith("-") and not
                    c[1:2].isdigit())], where


@pytest.mark.gpkg_only
def test_an_export_never_replaces_the_store_or_another_geopackage(tiny_store, tmp_path, runner):
    before = fingerprint(tiny_store)
    result = runner("--store", tiny_store, "export", "99.01", "-o", tiny_store)
    assert result.status == 2 and "the store itself" in result.err
    link = tmp_path / "link.html"
    link.symlink_to(tiny_store)
    result = runner("--store", tiny_store, "export", "99.01", "-o", link)
    assert result.status == 2 and "the store itself" in result.err
    other = tmp_path / "other.gpkg"
    other.write_bytes(before)
    result = runner("--store", tiny_store, "worklist", "99.01", "-o", other)
    assert result.status == 2 and "database (GeoPackage)" in result.err
    assert fingerprint(tiny_store) == before and other.read_bytes() == before
    result = runner("--store", tiny_store, "export", "99.01", "-o", tmp_path)
    assert result.status == 2 and "it is a folder" in result.err


def test_an_export_is_written_whole_and_keeps_its_permissions(tiny_store, tmp_path, runner):
    out = tmp_path / "peta.html"
    out.write_text("old")
    os.chmod(out, 0o640)
    assert runner("--store", tiny_store, "export", "99.01", "-o", out).status == 0
    assert out.read_text().startswith("<!DOCTYPE html>") and oct(out.stat().st_mode & 0o777) == "0o640"
    assert not list(tmp_path.glob(".peta.html.*"))


@pytest.mark.gpkg_only
def test_a_symlinked_store_stays_a_link_and_a_read_only_store_is_not_changed(tiny_store, tmp_path, runner):
    link = tmp_path / "link.gpkg"
    link.symlink_to(tiny_store)
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1, 2, 3, 4], [1, 1, 1, 1], [1, 1, 1, 1])
    assert runner("--store", link, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    assert link.is_symlink() and "2024-02" in runner("--store", tiny_store, "summary", "99.01").out
    os.chmod(tiny_store, 0o444)
    before = fingerprint(tiny_store)
    result = runner("--store", link, "import-figures", tmp_path / "feb.csv", "--period", "2024-03")
    assert result.status == 2 and "read-only" in result.err
    assert fingerprint(tiny_store) == before


def test_a_store_that_is_not_a_geopackage_gets_a_message(tmp_path, runner):
    fake = tmp_path / "mine.gpkg"
    fake.write_text("kode,nama\n")
    for argv in (["summary", "99.01"], ["import-figures", fake, "--period", "2024-01"]):
        result = runner("--store", fake, *argv)
        assert result.status == 2 and "is not a GeoPackage" in result.err, result
    assert fake.read_text() == "kode,nama\n"
