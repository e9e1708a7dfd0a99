"""The data path of a request: a region loaded once per store version, each store layer read at most once."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pyogrio
import pytest

from geojkn import create_app
from geojkn.store import GpkgStore, open_store
from geojkn.workspace import Workspace

from conftest import TINY_DESA, write_figures

LAYERS = {"unit_index", "provinsi", "kabupaten", "kecamatan", "desa", "figures", "facilities", "imports", "rollup"}


@pytest.fixture
def reads(monkeypatch) -> Counter:
    """Every read of the store, counted by what it reads (a level's units by the level), from here on, whatever
    the backend."""
    from geojkn.store.postgis import PostgisStore

    counter: Counter = Counter()
    names = {"unit_index": "unit_index", "figures": "figures", "facilities": "facilities", "imports": "imports",
             "rolled_up": "rollup"}

    def counted(method, name):
        def read(self, *args, **kwargs):
            counter[name or str(args[0] if args else kwargs["level"])] += 1
            return method(self, *args, **kwargs)
        return read

    for backend in (GpkgStore, PostgisStore):
        for method, name in (*names.items(), ("units", None)):
            monkeypatch.setattr(backend, method, counted(getattr(backend, method), name))
    return counter


def test_a_dashboard_request_reads_each_store_layer_at_most_once(client, reads):
    assert client.get("/r/99.01").status_code == 200
    assert set(reads) <= LAYERS and {"unit_index", "desa", "rollup", "facilities"} <= set(reads)
    assert max(reads.values()) == 1, dict(reads)


def test_the_map_the_api_and_other_choices_for_the_region_read_nothing_more(client, reads):
    client.get("/r/99.01")
    first = sum(reads.values())
    for url in ("/r/99.01/map", "/r/99.01/map?level=kecamatan&metric=gap", "/api/regions/99.01/summary",
                "/api/regions/99.01/ranking.json?level=desa", "/api/regions/99.01/units.geojson",
                "/r/99.01?period=2024-06&target=0.98&lang=en", "/r/99.01/export.html"):
        assert client.get(url).status_code == 200, url
    assert sum(reads.values()) == first, dict(reads)
    # a region named rather than coded is looked up in the index of every unit (a code: in its province's)
    assert client.get("/r/Kabupaten%20Sukamaju/export.html").status_code == 200
    assert sum(reads.values()) == first + 1 and reads["unit_index"] == 2, dict(reads)


def test_an_import_is_seen_by_the_next_request(tiny_store, tmp_path, runner, reads):
    client = create_app({"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True}).test_client()
    assert client.get("/api/regions/99.01/summary").get_json()["periods"] == ["2024-01"]
    client.get("/api/regions/99.01/summary")
    reads.clear()
    client.get("/api/regions/99.01/summary")
    assert sum(reads.values()) == 0  # nothing changed: nothing read
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    reads.clear()
    data = client.get("/api/regions/99.01/summary").get_json()
    assert data["periods"] == ["2024-01", "2024-02"] and data["registered"] == 4330
    # the import stored the figures rolled up, and left units and facilities as they were: none of those layers
    # is read again (the rolled-up figures and the distances are read from the store's own tables)
    assert reads["figures"] == 0 and reads["desa"] == 0 and reads["facilities"] == 0, dict(reads)
    assert reads["rollup"] == 1  # the new month's roll-up, stored by the import


def test_requests_at_the_same_moment_load_the_region_once(app, reads):
    barrier = threading.Barrier(8)
    statuses = []

    def ask() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.get("/api/regions/99.01/summary").status_code)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert reads["desa"] == 1 and reads["rollup"] == 1 and reads["figures"] == 0, dict(reads)


def test_the_cache_is_bounded(monkeypatch):
    workspace = Workspace(open_store(None), cache_size=2)
    for code in ("99.01", "99.01.01", "99.01.02", "99.01.03"):
        workspace.region(code)
    assert len(workspace.cache) == 2


def test_a_region_reads_only_what_lies_in_its_province_and_by_the_code_index(tiny_store, tmp_path, runner,
                                                                             monkeypatch):
    """A kabupaten costs the same in a store of one province or of the nation: every layer a region reads is
    filtered to its province in SQL, and the database (SQLite, PostgreSQL) finds those rows by an index."""
    from conftest import tiny_units

    other = tiny_units()
    other["kode"] = "98" + other["kode"].str[2:]
    other["geometry"] = other.geometry.translate(2.0, 0.0)
    other.to_file(tmp_path / "other.geojson", driver="GeoJSON")
    assert runner("--store", tiny_store, "import-boundaries", tmp_path / "other.geojson").status == 0
    write_figures(tmp_path / "other.csv", ["98" + code[2:] for code in TINY_DESA], [10, 20, 30, 40],
                  [9, 18, 27, 36], [5, 10, 15, 20])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "other.csv", "--period", "2024-01").status == 0
    (tmp_path / "faskes.csv").write_text("nama;jenis;lat;lon\nPKM Satu;Puskesmas;-5.95;127.05\n"
                                         "PKM Dua;Puskesmas;-5.95;129.05\n", encoding="utf-8")
    assert runner("--store", tiny_store, "import-facilities", tmp_path / "faskes.csv").status == 0

    wheres: list[tuple[str, str | None]] = []
    real = pyogrio.read_dataframe

    def recording(path, *args, **kwargs):
        wheres.append((kwargs.get("layer"), kwargs.get("where")))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pyogrio, "read_dataframe", recording)
    ws = Workspace(open_store(str(tiny_store)))
    data = ws.region("99.01")
    assert sorted(data.units["desa"]["code"]) == sorted(TINY_DESA)
    assert set(ws.region("98.01").units["desa"]["code"]) == {"98" + code[2:] for code in TINY_DESA}
    assert list(data.facilities["name"]) == ["PKM Satu"] and list(ws.region("98").facilities["name"]) == ["PKM Dua"]
    if isinstance(tiny_store, Path):
        _read_by_the_code_index_in_the_file(tiny_store, wheres)
    else:
        _read_by_the_code_index_in_the_database(tiny_store)


def _read_by_the_code_index_in_the_file(store: Path, wheres: list[tuple[str, str | None]]) -> None:
    import sqlite3

    from geojkn.store.gpkg import _INDEXES, _within

    unfiltered = [layer for layer, where in wheres if layer != "imports" and not where]
    assert not unfiltered, wheres
    assert all("'99" in where or "'98" in where for layer, where in wheres if layer != "imports"), wheres
    with sqlite3.connect(store) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"unit_index", "kabupaten", "kecamatan", "desa", "figures", "facilities", "geojkn_shapes"} <= tables
        for table, ((column, *_), *_) in _INDEXES.items():
            if table not in tables:
                continue
            where = _within(column, "99.01") if column != "area" else "area = '99' AND level = 'desa' AND zoom = 8"
            plan = connection.execute(f"EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE {where}")
            assert "USING INDEX" in " ".join(str(row[-1]) for row in plan), table
        plan = connection.execute("EXPLAIN QUERY PLAN SELECT max(stamp) FROM geojkn_shapes")
        assert "USING COVERING INDEX" in " ".join(str(row[-1]) for row in plan)


def _read_by_the_code_index_in_the_database(dsn: str) -> None:
    """Every query a region's load makes has an index to find its rows by (the planner is told to use one where
    it can: these tables are too small for it to bother on its own)."""
    import psycopg

    within = "code >= '99.01' AND code < '99.01/' AND (code = '99.01' OR code LIKE '99.01.%')"
    queries = {
        "units": f"SELECT * FROM units WHERE level = 'desa' AND {within}",
        "figures": f"SELECT * FROM figures WHERE until IS NULL AND {within}",
        "sources": f"SELECT DISTINCT period, source FROM figures WHERE until IS NULL AND {within}",
        "facilities": f"SELECT * FROM facilities WHERE {within.replace('code', 'unit_code')}",
        "shapes": "SELECT * FROM shapes WHERE level = 'desa' AND area = '99' AND zoom = 8",
        "stamp": "SELECT max(stamp) FROM shapes",
    }
    with psycopg.connect(dsn) as conn:
        conn.execute("SET search_path TO geojkn, public")
        conn.execute("SET enable_seqscan = off")
        for name, query in queries.items():
            plan = " ".join(str(row[0]) for row in conn.execute(f"EXPLAIN {query}"))
            assert "Index" in plan and "Seq Scan" not in plan, (name, plan)


def test_a_map_of_a_whole_province_fits_its_view_to_the_landmasses_stored_at_import(tiny_store, monkeypatch):
    def not_again(shapes):
        raise AssertionError("landmasses worked out again for a map of every unit of the province")

    monkeypatch.setattr("geojkn.maps.shapes._landmasses", not_again)
    client = create_app({"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True}).test_client()
    for url in ("/r/99/map?level=desa", "/r/99/map?level=kecamatan", "/r/99.01/export.html"):
        assert client.get(url).status_code == 200, url
