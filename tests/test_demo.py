"""The demo generator (scripts/make_demo.py): well-formed, realistic, deterministic, and matching shapes/."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geojkn.codes import parse_code

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "shapes"
FILES = ("demo_wilayah.geojson", "demo_kepesertaan_2024-06.csv", "demo_kepesertaan_2024-12.csv", "demo_faskes.csv")


def load_script():
    """Import scripts/make_demo.py (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_demo", ROOT / "scripts" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """One fresh generation of the demo files."""
    out = tmp_path_factory.mktemp("demo")
    assert load_script().main(["--out", str(out), "--no-store"]) == 0
    return out


@pytest.fixture(scope="module")
def units(demo) -> pd.DataFrame:
    """The boundary features: code, name, level and shapely geometry."""
    features = json.loads((demo / FILES[0]).read_text(encoding="utf-8"))["features"]
    return pd.DataFrame({"code": [f["properties"]["kode"] for f in features],
                         "name": [f["properties"]["nama"] for f in features],
                         "geometry": [shapely.geometry.shape(f["geometry"]) for f in features]}).assign(
        level=lambda d: d["code"].str.count(r"\.").map({1: "kabupaten", 2: "kecamatan", 3: "desa"}))


def read_figures(path: Path) -> pd.DataFrame:
    """A demo figures file read the way its format says: title row, ';', BOM, dotted thousands."""
    table = pd.read_csv(path, sep=";", skiprows=1, thousands=".", encoding="utf-8-sig", dtype={"Kode Desa": str})
    return table


def desa_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The figures without the JUMLAH row."""
    return table[table["Kode Desa"] != "JUMLAH"]


def test_codes_are_unique_well_formed_and_nested(units):
    assert units["code"].is_unique
    assert all(parse_code(c) == c for c in units["code"])
    assert set(units.loc[units["level"] == "kabupaten", "code"]) == {"99.01"}
    kecamatan = set(units.loc[units["level"] == "kecamatan", "code"])
    desa = units[units["level"] == "desa"]
    assert set(desa["code"].str[:8]) == kecamatan
    assert desa["code"].str[9].isin(["1", "2"]).all()
    assert desa["code"].str[9].eq("1").sum() >= 3  # a few kelurahan in the seat


def test_sizes_are_those_of_a_regency(units):
    counts = units["level"].value_counts()
    assert counts["kabupaten"] == 1
    assert 13 <= counts["kecamatan"] <= 17
    assert 180 <= counts["desa"] <= 230


def test_desa_geometries_are_valid_and_tile_without_overlaps(units):
    desa = units[units["level"] == "desa"].reset_index(drop=True)
    geoms = desa["geometry"].to_numpy()
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max() < 1e-9  # degrees squared: about 10 m2, a sliver at most
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    assert 94 < minx < maxx < 142 and -11.5 < miny < maxy < 6.5


def test_desa_lie_in_their_kecamatan_and_the_shape_is_not_trivial(units):
    kecamatan = dict(zip(units["code"], units["geometry"], strict=True))
    desa = units[units["level"] == "desa"]
    for code, geom in zip(desa["code"], desa["geometry"], strict=True):
        assert kecamatan[code[:8]].buffer(1e-6).contains(geom), code
    kinds = desa["geometry"].map(lambda g: g.geom_type)
    assert (kinds == "MultiPolygon").any()  # island desa with islets
    assert any(len(p.interiors) for g in desa["geometry"] for p in shapely.get_parts(g))  # a lake
    assert kecamatan["99.01"].geom_type == "MultiPolygon"  # mainland plus islands


def test_names_repeat_across_kecamatan_but_not_within(units):
    desa = units[units["level"] == "desa"].assign(kec=lambda d: d["code"].str[:8])
    assert desa["name"].duplicated().any()
    assert not desa.duplicated(["kec", "name"]).any()


@pytest.mark.parametrize("period", ["2024-06", "2024-12"])
def test_figures_are_realistic(demo, units, period):
    table = read_figures(demo / f"demo_kepesertaan_{period}.csv")
    rows = desa_rows(table)
    coverage = rows["Peserta Terdaftar"] / rows["Jumlah Penduduk"]
    assert 0.55 < coverage.min() < 0.7 and 1.0 < coverage.max() < 1.1
    activity = rows["Peserta Aktif"] / rows["Peserta Terdaftar"]
    assert activity.between(0.55, 0.92).all()
    segments = rows[["PBI JK", "PBPU Pemda", "PPU", "PBPU", "BP"]].sum(axis=1)
    assert (segments == rows["Peserta Terdaftar"]).all()
    total = table[table["Kode Desa"] == "JUMLAH"].iloc[0]
    assert (total.iloc[3:] == rows.iloc[:, 3:].sum()).all()
    assert 0.85 <= total["Peserta Terdaftar"] / total["Jumlah Penduduk"] <= 0.90
    assert 0.62 <= total["Peserta Aktif"] / total["Jumlah Penduduk"] <= 0.68
    missing = set(units.loc[units["level"] == "desa", "code"]) - set(rows["Kode Desa"])
    assert 3 <= len(missing) <= 6
    assert set(rows["Kode Desa"]) <= set(units["code"])


def test_figures_files_look_like_spreadsheet_exports(demo):
    raw = (demo / FILES[1]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Rekap Kepesertaan") and lines[1].startswith("Kode Desa;Nama Desa;Kecamatan")
    assert lines[-1].startswith("JUMLAH;") and "." in lines[-1]


def test_second_period_covers_more(demo):
    first, second = (desa_rows(read_figures(demo / f)) for f in FILES[1:3])
    share = [t["Peserta Terdaftar"].sum() / t["Jumlah Penduduk"].sum() for t in (first, second)]
    assert share[1] > share[0]


def test_facilities_of_every_type_lie_in_a_desa(demo, units):
    facilities = pd.read_csv(demo / FILES[3])
    kinds = set(facilities["jenis"])
    assert {"Puskesmas", "Klinik Pratama", "Dokter Praktik Perorangan", "Dokter Gigi", "RSUD",
            "Laboratorium Klinik", "Optik", "Apotek"} <= kinds
    assert facilities["nama"].is_unique
    desa = units[units["level"] == "desa"]
    tree = shapely.STRtree(desa["geometry"].to_numpy())
    points = shapely.points(facilities["lon"], facilities["lat"])
    hits, _ = tree.query(points, predicate="within")
    assert sorted(set(hits)) == list(range(len(facilities)))


def test_generation_is_deterministic(demo, tmp_path):
    load_script().main(["--out", str(tmp_path), "--no-store"])
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (demo / name).read_bytes(), name


def test_committed_files_match_a_fresh_generation(demo):
    for name in FILES:
        committed = (SHAPES / name).read_bytes().replace(b"\r\n", b"\n")  # a Windows checkout may add CRs
        assert committed == (demo / name).read_bytes(), f"shapes/{name} is stale: run python scripts/make_demo.py"


def test_readme_reports_the_generated_totals(demo):
    readme = (SHAPES / "README.md").read_text(encoding="utf-8")
    script = load_script()
    for name in FILES[1:3]:
        total = read_figures(demo / name).query("`Kode Desa` == 'JUMLAH'").iloc[0]
        for column in ("Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif"):
            assert script.ribuan(int(total[column])) in readme, (name, column)
        assert script.percent(total["Peserta Terdaftar"] / total["Jumlah Penduduk"]) in readme
