"""Moving a store between backends: `geojkn copy-store` copies a GeoPackage store to PostGIS and back with its
history and accounts, and every API answer of the copy is the answer of the original (the bundled demo, and the
real Jepara and Demak with two months of office figures)."""

from __future__ import annotations

import json

import pytest

from geojkn import create_app
from geojkn.resources import demo_store
from geojkn.store import open_store

from conftest import FASKES_JD, JEPARA_DEMAK, TINY_DESA, clear_settings, write_figures

LEVELS = ("kabupaten", "kecamatan", "desa")


def answers(location: str, regions: list[str], desa_every: int = 0) -> dict[str, object]:
    """Every API answer for the regions (and the summary of every n-th desa when asked; every desa's figures are in
    the desa layers of its kecamatan already), by URL."""
    client = create_app({"TESTING": True, "STORE": location, "PUBLIC_READ": True}).test_client()
    found: dict[str, object] = {}

    def get(url: str) -> None:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:300])
        found[url] = resp.get_json() if resp.is_json or url.endswith(".geojson") else resp.get_data(as_text=True)

    get("/api/regions")
    for level in LEVELS:
        get(f"/api/regions?level={level}")
    for code in regions:
        base = f"/api/regions/{code}"
        finer = LEVELS[code.count("."):]
        for url in (f"{base}/summary", f"{base}/desa-jkn", f"{base}/worklist.json", f"{base}/ranking.csv",
                    f"/r/{code}/worklist.csv"):
            get(url)
        for level in finer:
            for url in (f"{base}/units.geojson?level={level}", f"{base}/ranking.json?level={level}",
                        f"{base}/ranking.json?level={level}&metric=change", f"{base}/summary?target=0.98"):
                get(url)
    if desa_every:
        index = client.get("/api/regions?level=desa").get_json()
        for unit in (index["regions"] if isinstance(index, dict) else index)[::desa_every]:
            get(f"/api/regions/{unit['code']}/summary")
    for text in ("sido", "33.20.01", "kedung"):
        get(f"/api/search?q={text}")
    return found


def assert_same(first: dict[str, object], second: dict[str, object]) -> None:
    assert first.keys() == second.keys()
    different = [url for url in first if first[url] != second[url]]
    assert not different, (different[:5], json.dumps(first[different[0]])[:400] if different else "",
                           json.dumps(second[different[0]])[:400] if different else "")


def test_the_demo_copied_to_postgis_and_back_answers_the_same(pg_store, tmp_path, runner, monkeypatch):
    clear_settings(monkeypatch)
    demo = str(demo_store())
    back = tmp_path / "back.gpkg"
    result = runner("copy-store", demo, pg_store, "--lang", "en")
    assert result.status == 0 and "228 units, 2 months of figures, 60 facilities, 4 changes" in result.out, result
    assert runner("copy-store", pg_store, back, "--lang", "en").status == 0
    kabupaten = ["99", "99.01"] + [f"99.01.{k:02d}" for k in range(1, 9)]
    original = answers(demo, kabupaten)
    assert len(original) > 100
    assert_same(original, answers(pg_store, kabupaten))
    assert_same(original, answers(str(back), kabupaten))
    again = runner("copy-store", demo, pg_store)
    assert again.status == 2 and "already holds data" in again.err  # never over a store in use


def test_history_and_accounts_travel_with_the_copy(tiny_geojson, pg_store, tmp_path, runner, monkeypatch):
    """Copied out of a GeoPackage store (whose changes each keep the store before them) and back: the same changes,
    the same ones restorable, the same month restored, the same accounts with the same passwords."""
    clear_settings(monkeypatch)
    tiny_store = tmp_path / "tiny.gpkg"
    assert runner("--store", tiny_store, "import-boundaries", tiny_geojson).status == 0
    for month, registered in (("2024-01", [950, 1500, 1200, 520]), ("2024-02", [960, 1600, 1250, 520]),
                              ("2024-01", [901, 1901, 1401, 401])):
        write_figures(tmp_path / f"{month}.csv", TINY_DESA, [1000, 2000, 1500, 500], registered,
                      [700, 1000, 900, 400])
        assert runner("--store", tiny_store, "import-figures", tmp_path / f"{month}.csv", "--period", month,
                      "--replace").status == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("kata-sandi-panjang-1\n"))
    assert runner("--store", tiny_store, "user", "add", "budi", "--role", "editor", "--regions", "99.01.02",
                  "--password-stdin").status == 0
    assert runner("copy-store", tiny_store, pg_store).status == 0
    back = tmp_path / "back.gpkg"
    assert runner("copy-store", pg_store, back).status == 0
    stores = [open_store(str(tiny_store)), open_store(pg_store), open_store(str(back))]
    changes = [[(c.number, c.kind, c.file, c.rows, c.period, c.user, c.sha256, c.restorable) for c in s.changes()]
               for s in stores]
    assert changes[0] == changes[1] == changes[2] and [c[-1] for c in changes[0]] == [False, True, True, True]
    for store in stores:
        assert store.accounts().check("budi", "kata-sandi-panjang-1").regions == ("99.01.02",)
        # change 4 made January 901, 1901, 1401, 401: before it, January was the month of the tiny store
        assert store.restore_figures(4, "2024-01", "99.01", "restore of change 4", actor="budi") == 4
        january = store.figures("2024-01").set_index("code")["registered"].to_dict()
        assert january == {"99.01.01.2001": 950, "99.01.01.2002": 1500, "99.01.02.2001": 1200,
                           "99.01.02.2002": 520}, store.shown


@pytest.mark.shared
def test_real_jepara_and_demak_answer_the_same_from_both_backends(shared_data, pg_store, tmp_path, runner,
                                                                   monkeypatch):
    """Boundaries, facilities and two months of office figures (test_recompute's: blanks, a split desa, a desa
    missing) in a GeoPackage store, copied to PostGIS: every API answer of the province, both kabupaten, every
    kecamatan, every desa's figures in the desa layers and the summary of one desa in five is the same."""
    from test_recompute import _write as write_month
    from test_recompute import months

    clear_settings(monkeypatch)
    gpkg = tmp_path / "jd.gpkg"
    assert runner("--store", gpkg, "import-boundaries", JEPARA_DEMAK).status == 0
    assert runner("--store", gpkg, "import-facilities", FASKES_JD).status == 0
    for month, rows in months().items():
        assert runner("--store", gpkg, "import-figures", write_month(tmp_path / f"{month}.csv", rows), "--period",
                      month, "--replace").status == 0
    assert runner("copy-store", gpkg, pg_store).status == 0
    index = open_store(pg_store).unit_index()
    regions = ["33", "33.20", "33.21"] + sorted(index.loc[index["level"] == "kecamatan", "code"])
    original = answers(str(gpkg), regions, desa_every=5)
    assert len(original) > 400
    assert_same(original, answers(pg_store, regions, desa_every=5))
