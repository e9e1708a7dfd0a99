"""Every unit has a shape: a kecamatan or kabupaten without a polygon of its own gets one made from its units."""

from __future__ import annotations

import json

import shapely

from geojkn.schema import Level
from geojkn.store import open_store

from conftest import TINY_DESA, tiny_units, write_figures


def test_a_desa_only_file_gives_kecamatan_and_kabupaten_shapes(store_path, tmp_path, runner):
    frame = tiny_units()
    desa = frame[frame["kode"].str.count(r"\.") == 3]
    desa.to_file(tmp_path / "desa.geojson", driver="GeoJSON")
    result = runner("--store", store_path, "import-boundaries", tmp_path / "desa.geojson", "--lang", "en")
    assert result.status == 0
    assert "3 kecamatan/kabupaten without a polygon of their own got one made" in result.out
    assert "99.01, 99.01.01, 99.01.02" in result.out
    store = open_store(str(store_path))
    kecamatan = store.units(Level.KECAMATAN).set_index("code")
    assert kecamatan["derived"].all() and kecamatan.loc["99.01.01", "name"] == "Kecamatan 99.01.01"
    expected = shapely.union_all(desa[desa["kode"].str.startswith("99.01.01.")].geometry.to_numpy())
    assert kecamatan.loc["99.01.01", "geometry"].symmetric_difference(expected).area < 1e-12
    assert store.units(Level.KABUPATEN)["code"].tolist() == ["99.01"]
    write_figures(tmp_path / "jan.csv", TINY_DESA, [1000, 2000, 1500, 500], [950, 1500, 1200, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", store_path, "import-figures", tmp_path / "jan.csv", "--period", "2024-01").status == 0
    ranked = json.loads(runner("--store", store_path, "rank", "99.01", "--format", "json").out)
    assert [u["code"] for u in ranked["units"]] == ["99.01.01", "99.01.02"]  # on the kecamatan ranking
    export = runner("--store", store_path, "export", "99.01", "--level", "kecamatan", "-o", tmp_path / "k.html")
    assert export.status == 0


def test_a_real_polygon_replaces_the_made_one(store_path, tmp_path, runner):
    frame = tiny_units()
    frame[frame["kode"].str.count(r"\.") == 3].to_file(tmp_path / "desa.geojson", driver="GeoJSON")
    frame[frame["kode"] == "99.01.01"].assign(nama="Kedungjati").to_file(tmp_path / "kec.geojson", driver="GeoJSON")
    runner("--store", store_path, "import-boundaries", tmp_path / "desa.geojson")
    result = runner("--store", store_path, "import-boundaries", tmp_path / "kec.geojson", "--lang", "en")
    assert "got one made" not in result.out  # nothing new was made
    kecamatan = open_store(str(store_path)).units(Level.KECAMATAN).set_index("code")
    assert not kecamatan.loc["99.01.01", "derived"] and kecamatan.loc["99.01.01", "name"] == "Kedungjati"
    assert kecamatan.loc["99.01.02", "derived"]
