import zipfile

import geopandas as gpd
import pytest
import shapely

from geojkn.errors import DataError
from geojkn.options import Lang
from geojkn.readers.boundaries import read_boundaries

from conftest import tiny_units


def write(frame, path, driver="GeoJSON"):
    frame.to_file(path, driver=driver)
    return path


def test_levels_and_parents_follow_from_codes(tiny_geojson):
    units, report = read_boundaries(tiny_geojson)
    assert units.set_index("code").loc["99.01.02.2001", "level"] == "desa"
    assert units.set_index("code").loc["99.01.02.2001", "parent_code"] == "99.01.02"
    assert sorted(units.level.unique()) == ["desa", "kabupaten", "kecamatan"]
    assert report.repaired == []


def test_plain_and_prefixed_codes_and_other_field_names(tmp_path):
    frame = tiny_units().rename(columns={"kode": "KODE_DESA", "nama": "NAMOBJ"})
    frame["KODE_DESA"] = ["ID" + c.replace(".", "") for c in frame["KODE_DESA"]]
    units, _ = read_boundaries(write(frame, tmp_path / "x.geojson"))
    assert "99.01.01.2001" in set(units.code)


def test_fields_given_by_the_user(tmp_path):
    frame = tiny_units().rename(columns={"kode": "id_area", "nama": "label"})
    path = write(frame, tmp_path / "x.geojson")
    with pytest.raises(DataError, match="--code-field"):
        read_boundaries(path)
    units, _ = read_boundaries(path, code_field="id_area", name_field="label")
    assert len(units) == 7
    with pytest.raises(DataError, match="no field 'nope'"):
        read_boundaries(path, code_field="nope", name_field="label")


def test_projected_file_is_reprojected(tmp_path):
    path = write(tiny_units().to_crs(32752), tmp_path / "utm.gpkg", driver="GPKG")
    units, _ = read_boundaries(path)
    assert units.crs.to_epsg() == 4326
    assert units.total_bounds[0] == pytest.approx(127.0, abs=1e-6)


def test_zipped_shapefile(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    write(tiny_units(), folder / "wilayah.shp", driver="ESRI Shapefile")
    archive = tmp_path / "wilayah.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    units, _ = read_boundaries(archive)
    assert len(units) == 7


def test_missing_crs_accepted_over_indonesia_refused_elsewhere_swapped_reported(tmp_path):
    bare = tiny_units().set_crs(None, allow_override=True)
    units, report = read_boundaries(write(bare, tmp_path / "bare.shp", driver="ESRI Shapefile"))
    assert any("no CRS" in line for line in report.lines(Lang.EN))
    assert any("tanpa CRS" in line for line in report.lines(Lang.ID))
    far = bare.translate(xoff=500000, yoff=9000000)
    with pytest.raises(DataError, match="--crs"):
        read_boundaries(write(gpd.GeoDataFrame(bare.drop(columns="geometry"), geometry=far), tmp_path / "far.shp",
                              driver="ESRI Shapefile"))
    swapped = bare.geometry.map(lambda g: shapely.transform(g, lambda c: c[:, ::-1]))
    with pytest.raises(DataError, match="swapped"):
        read_boundaries(write(gpd.GeoDataFrame(bare.drop(columns="geometry"), geometry=swapped), tmp_path / "sw.shp",
                              driver="ESRI Shapefile"))


def test_invalid_polygon_repaired_and_reported_by_code(tmp_path):
    frame = tiny_units()
    bowtie = shapely.Polygon([(127.0, -6.0), (127.1, -5.9), (127.1, -6.0), (127.0, -5.9), (127.0, -6.0)])
    frame.loc[0, "geometry"] = bowtie
    units, report = read_boundaries(write(frame, tmp_path / "x.geojson"))
    assert len(report.repaired) == 1 and report.repaired[0][0].startswith("99.01.01.2001")
    assert any(line.startswith("repaired invalid polygon 99.01.01.2001") for line in report.lines(Lang.EN))
    fixed = units.set_index("code").loc["99.01.01.2001", "geometry"]
    assert fixed.is_valid and fixed.geom_type in ("Polygon", "MultiPolygon")
    assert fixed.area == pytest.approx(bowtie.buffer(0).area + shapely.Polygon(
        [(127.0, -6.0), (127.05, -5.95), (127.0, -5.9)]).area, rel=0.5)


def test_duplicate_codes_and_empty_geometries_are_errors_naming_codes(tmp_path):
    frame = tiny_units()
    frame.loc[1, "kode"] = frame.loc[0, "kode"]
    with pytest.raises(DataError, match=r"99\.01\.01\.2001"):
        read_boundaries(write(frame, tmp_path / "dupe.geojson"))
    frame = tiny_units()
    frame.loc[2, "geometry"] = None
    with pytest.raises(DataError, match=r"no geometry: 99\.01\.02\.2001"):
        read_boundaries(write(frame, tmp_path / "empty.gpkg", driver="GPKG"))


def test_bad_codes_are_errors(tmp_path):
    frame = tiny_units()
    frame.loc[0, "kode"] = "Sidomulyo"
    with pytest.raises(DataError, match="'Sidomulyo'"):
        read_boundaries(write(frame, tmp_path / "bad.geojson"))


def test_unreadable_file(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text("{not json")
    with pytest.raises(DataError, match="cannot be read"):
        read_boundaries(path)
    path.write_text("kode,nama\n33,x\n")
    with pytest.raises(DataError, match=r"x.geojson: is really text \(CSV\); here geojkn reads GeoJSON"):
        read_boundaries(path)
    with pytest.raises(DataError, match="no such file"):
        read_boundaries(tmp_path / "missing.gpkg")


@pytest.mark.shared
def test_real_jepara_demak(shared_data):
    units, report = read_boundaries(shared_data / "boundaries" / "jepara_demak_cahyadsn_2025.gpkg")
    counts = units.level.value_counts()
    assert (counts["desa"], counts["kecamatan"], counts["kabupaten"]) == (444, 30, 2)
    assert len(report.repaired) == 1 and report.repaired[0][0] == "33.21.13.2008 Berahan Wetan"
    assert units.geometry.is_valid.all()
    karimunjawa = units.set_index("code").loc["33.20.10", "geometry"]
    assert len(shapely.get_parts(karimunjawa)) == 30
    assert units.set_index("code").loc["33.20.10.2001", "geometry"].bounds[3] > -5.9
