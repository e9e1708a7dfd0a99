"""Access to FKTP: straight-line distances per desa, residents far from an FKTP, FKTP supply, once per version."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest

from geojkn.analysis.region import unit_table
from geojkn.options import Question
from geojkn.period import Period
from geojkn.schema import (
    CODE,
    DESA,
    FKTP,
    FKTP_PER_10K,
    FKTP_TYPES,
    KECAMATAN,
    NEAREST_FKTP_KM,
    NEAREST_HOSPITAL_KM,
    NEAREST_PUSKESMAS_KM,
    POPULATION_BEYOND,
    REGISTERED_PER_FKTP,
)
from geojkn.store import open_store
from geojkn.workspace import Workspace

from conftest import FASKES_JD, JEPARA_DEMAK

GEOD = pyproj.Geod(ellps="WGS84")
# The tiny regency's desa are 0.1 degree squares; each facility stands at the centre of one desa.
CENTRES = {"99.01.01.2001": (127.05, -5.95), "99.01.01.2002": (127.15, -5.95),
           "99.01.02.2001": (127.05, -5.85), "99.01.02.2002": (127.15, -5.85)}
FACILITIES = "nama;jenis;lat;lon\nPKM Satu;Puskesmas;-5.95;127.05\nKlinik Dua;Klinik Pratama;-5.95;127.15\n" \
             "RSUD Tiga;Rumah Sakit Umum;-5.85;127.05\n"


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The geodesic distance on the WGS 84 ellipsoid, computed apart from geojkn's projection."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000


@pytest.fixture
def store(tiny_store: Path, tmp_path: Path, runner) -> Path:
    (tmp_path / "faskes.csv").write_text(FACILITIES, encoding="utf-8")
    assert runner("--store", tiny_store, "import-facilities", tmp_path / "faskes.csv").status == 0
    return tiny_store


def _data(store: Path, code: str = "99.01"):
    return Workspace(open_store(str(store))).region(code)


def test_each_desa_is_measured_to_its_nearest_fktp_puskesmas_and_hospital(store):
    table = unit_table(_data(store), DESA, Question(Period(2024, 1))).set_index(CODE)
    pkm, klinik, rs = CENTRES["99.01.01.2001"], CENTRES["99.01.01.2002"], CENTRES["99.01.02.2001"]
    expected = {  # code: (nearest FKTP, nearest puskesmas, nearest hospital)
        "99.01.01.2001": (0.0, 0.0, km(pkm, rs)),
        "99.01.01.2002": (0.0, km(klinik, pkm), km(klinik, rs)),
        "99.01.02.2001": (km(rs, pkm), km(rs, pkm), 0.0),
        "99.01.02.2002": (km(CENTRES["99.01.02.2002"], klinik), km(CENTRES["99.01.02.2002"], pkm),
                          km(CENTRES["99.01.02.2002"], rs)),
    }
    for code, distances in expected.items():
        found = table.loc[code, [NEAREST_FKTP_KM, NEAREST_PUSKESMAS_KM, NEAREST_HOSPITAL_KM]].to_numpy(dtype=float)
        assert found == pytest.approx(distances, rel=0.005, abs=0.01), code  # UTM against the ellipsoid


def test_kecamatan_access_weighs_desa_by_population_and_counts_fktp_inside(store):
    table = unit_table(_data(store), KECAMATAN, Question(Period(2024, 1))).set_index(CODE)
    far = km(CENTRES["99.01.02.2001"], CENTRES["99.01.01.2001"])  # both desa of 99.01.02 lie 0.1 degree away
    north = table.loc["99.01.02"]
    assert north[NEAREST_FKTP_KM] == pytest.approx(far, rel=0.005)
    assert north[POPULATION_BEYOND] == 1500 + 500 and north[FKTP] == 0
    assert north[FKTP_PER_10K] == 0 and math.isnan(north[REGISTERED_PER_FKTP])  # no FKTP: no load to share
    south = table.loc["99.01.01"]
    assert south[NEAREST_FKTP_KM] == pytest.approx(0.0, abs=0.01) and south[POPULATION_BEYOND] == 0
    assert south[FKTP] == 2 and south[FKTP_PER_10K] == pytest.approx(2 / 3000 * 10_000)
    assert south[REGISTERED_PER_FKTP] == pytest.approx((950 + 1500) / 2)
    wider = unit_table(_data(store), KECAMATAN, Question(Period(2024, 1), access_km=12.0)).set_index(CODE)
    assert wider.loc["99.01.02", POPULATION_BEYOND] == 0  # 11 km is not beyond 12 km


def test_the_summary_gives_the_region_access(store, runner):
    access = json.loads(runner("--store", store, "summary", "99.01", "--json").out)["access"]
    far = km(CENTRES["99.01.02.2001"], CENTRES["99.01.01.2001"])
    assert access["access_km"] == 5 and access["desa_measured"] == 4 and access["desa_beyond"] == 2
    assert access["population_beyond"] == 2000 and access["population_beyond_share"] == pytest.approx(0.4)
    assert access["nearest_fktp_km"] == pytest.approx((1500 + 500) * far / 5000, rel=0.005)
    assert access["fktp"] == 2 and access["fktp_per_10k"] == pytest.approx(4.0)
    assert access["registered_per_fktp"] == pytest.approx((950 + 1500 + 1200 + 520) / 2)
    text = runner("--store", store, "summary", "99.01", "--access-km", "12").out
    assert "0 desa/kel. lebih dari 12 km dari FKTP terdekat (0 penduduk, 0,00 %)" in text
    refused = runner("--store", store, "summary", "99.01", "--access-km", "0")
    assert refused.status == 2 and "a number of km from 0.5 to 100" in refused.err


def test_rankings_and_work_lists_put_the_farthest_and_the_least_served_first(store, runner):
    far = json.loads(runner("--store", store, "rank", "99.01", "--level", "desa", "--metric", "nearest_fktp_km",
                            "--format", "json").out)["units"]
    assert {u["code"] for u in far[:2]} == {"99.01.02.2001", "99.01.02.2002"}  # the two 11 km away
    assert far[-1]["nearest_fktp_km"] == pytest.approx(0.0, abs=0.01)
    supply = json.loads(runner("--store", store, "rank", "99.01", "--metric", "fktp_per_10k", "--format",
                               "json").out)["units"]
    assert [u["code"] for u in supply] == ["99.01.02", "99.01.01"]  # the fewest FKTP per resident first
    work = json.loads(runner("--store", store, "worklist", "99.01", "--by", "population_beyond", "--level",
                             "kecamatan", "--format", "json").out)
    assert work["by"] == "population_beyond" and work["units"][0]["population_beyond"] == 2000


def test_access_is_measured_at_import_and_only_read_afterwards(store, tmp_path, runner, monkeypatch):
    import geojkn.workspace as workspace

    calls = []
    real = workspace.desa_access
    monkeypatch.setattr(workspace, "desa_access", lambda *a: calls.append(1) or real(*a))
    ws = Workspace(open_store(str(store)))
    assert ws.store.distances("99") is not None  # measured when the boundaries and facilities were imported
    for code in ("99.01", "99.01.01", "99.01.02", "99.01.02.2001"):
        ws.region(code)
    assert calls == []  # no question measures again
    (tmp_path / "more.csv").write_text("nama;jenis;lat;lon\nPKM Empat;Puskesmas;-5.85;127.15\n", encoding="utf-8")
    assert runner("--store", store, "import-facilities", tmp_path / "more.csv").status == 0
    table = unit_table(ws.region("99.01"), DESA, Question(Period(2024, 1))).set_index(CODE)
    assert calls == [] and table.loc["99.01.02.2002", NEAREST_FKTP_KM] == pytest.approx(0.0, abs=0.01)


def test_a_store_without_measured_distances_measures_them_once(store, monkeypatch):
    import geojkn.workspace as workspace

    calls = []
    real = workspace.desa_access
    monkeypatch.setattr(workspace, "desa_access", lambda *a: calls.append(1) or real(*a))
    ws = Workspace(open_store(str(store)))
    monkeypatch.setattr(ws.store, "distances", lambda area=None: None)  # a store written before they were stored
    first = ws.region("99.01").access
    for code in ("99.01.01", "99.01.02", "99.01.02.2001"):
        ws.region(code)
    assert len(calls) == 1 and first[NEAREST_FKTP_KM].notna().all()


def test_the_access_map_states_its_method(store, runner, tmp_path):
    out = tmp_path / "akses.html"
    assert runner("--store", store, "export", "99.01", "-o", out, "--metric", "nearest_fktp_km").status == 0
    page = out.read_text(encoding="utf-8")
    assert "Jarak ke FKTP terdekat (km, garis lurus)" in page and "bukan waktu tempuh" in page
    assert json.dumps("5,0 – 10,0 km")[1:-1] in page  # a policy band starts at the access distance


@pytest.mark.shared
def test_real_distances_match_an_independent_geodesic_computation(shared_data, store_path, runner):
    assert runner("--store", store_path, "import-boundaries", JEPARA_DEMAK).status == 0
    assert runner("--store", store_path, "import-facilities", FASKES_JD).status == 0
    ws = Workspace(open_store(str(store_path)))
    access = ws.access()
    desa = gpd.read_file(JEPARA_DEMAK, layer="desa_kelurahan")
    fktp = ws.store.facilities()
    fktp = fktp[fktp["type"].isin(FKTP_TYPES)]
    assert len(access) == 444 and access[NEAREST_FKTP_KM].notna().all()
    lon, lat = fktp.geometry.x.to_numpy(), fktp.geometry.y.to_numpy()
    worst = 0.0
    for code, shape in zip(desa["kode"], desa.geometry, strict=True):
        spot = shape.representative_point()
        geodesic = GEOD.inv(np.full(len(lon), spot.x), np.full(len(lon), spot.y), lon, lat)[2].min() / 1000
        found = access.loc[code, NEAREST_FKTP_KM]
        worst = max(worst, abs(found - geodesic) / max(geodesic, 0.1))
    assert worst < 0.005  # UTM zone 49S against the ellipsoid: within 0.5 % for every desa


def test_a_hospital_placed_only_by_its_kabupaten_code_is_no_distance(store, tmp_path, runner):
    """An RS Online hospital without coordinates stands at a point inside its kabupaten: counted there, but never
    the nearest hospital of the desa around that point (its real place is unknown)."""
    before = unit_table(_data(store), DESA, Question(Period(2024, 1))).set_index(CODE)[NEAREST_HOSPITAL_KM]
    (tmp_path / "rs.csv").write_text("kode_wilayah;nama_rs;jenis_rs\n99.01;RSU Perkiraan;RSU\n", encoding="utf-8")
    result = runner("--store", store, "import-facilities", tmp_path / "rs.csv")
    assert result.status == 0, result.err
    data = _data(store)
    assert int(data.facilities["approximate"].eq(True).sum()) == 1  # it is stored, placed in 99.01
    after = unit_table(data, DESA, Question(Period(2024, 1))).set_index(CODE)[NEAREST_HOSPITAL_KM]
    assert after.round(6).equals(before.round(6))  # RSUD Tiga is still every desa's nearest hospital
    summary = json.loads(runner("--store", store, "summary", "99.01", "--json").out)
    assert summary["facilities"]["fkrtl"] == 2 and summary["facilities"]["approximate"] == 1
