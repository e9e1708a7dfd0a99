"""Reading facilities: CSV/XLSX with coordinates, point files, type spellings and coordinate checks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from openpyxl import Workbook
from shapely.geometry import Point, Polygon

from geojkn.errors import DataError
from geojkn.readers.facilities import FACILITY_CODE, TYPE_SOURCE, read_facilities
from geojkn.readers.facility_types import TYPE_ALIASES, facility_type, facility_types
from geojkn.schema import CRS, FACILITY_NAME, FACILITY_TYPE, FACILITY_TYPES

from maps_fixtures import page_data

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FASKES = SHARED / "facilities" / "faskes_bppsdmk2019_jepara_demak.geojson"
FASKES_JATENG = SHARED / "facilities" / "faskes_bppsdmk2019_jateng.gpkg"


def write(tmp_path, text: str, name: str = "faskes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_decimal_commas_and_type_spellings(tmp_path):
    path = write(tmp_path, "Nama Faskes;Jenis Faskes;Kode Faskes;Lat;Long\n"
                           "PKM Kedung  I;Puskesmas Rawat Inap;P3320010101;-6,7074;110,6229\n"
                           "RSUD Kartini;RSUD;R3320010;-6.5973;110.6749\n"
                           "Klinik Sehat;Klinik Pratama;;-6,60;110,70\n"
                           "drg. Ani;drg;;-6.61;110.71\n")
    facilities = read_facilities(path)
    assert facilities[FACILITY_TYPE].tolist() == ["puskesmas", "rumah_sakit", "klinik", "dokter"]
    assert facilities[TYPE_SOURCE].tolist()[:2] == ["Puskesmas Rawat Inap", "RSUD"]
    assert facilities[FACILITY_CODE].tolist()[:3] == ["P3320010101", "R3320010", None]
    assert facilities[FACILITY_NAME].tolist()[0] == "PKM Kedung I"
    assert facilities["row"].tolist() == [2, 3, 4, 5]
    assert facilities.crs == CRS
    assert (facilities.geometry.x[0], facilities.geometry.y[0]) == (110.6229, -6.7074)


def test_xlsx_with_title_row(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["Daftar Faskes Kabupaten Demak"])
    ws.append(["nama", "kategori", "latitude", "longitude"])
    ws.append(["Optik Terang", "Optik", -6.89, 110.64])
    ws.append(["Lab Prodia", "Laboratorium Klinik", "-6,90", "110,65"])
    path = tmp_path / "faskes.xlsx"
    book.save(path)
    facilities = read_facilities(path)
    assert facilities[FACILITY_TYPE].tolist() == ["optik", "lab"]
    assert facilities["row"].tolist() == [3, 4]
    assert facilities.geometry.y.tolist() == [-6.89, -6.90]


def test_no_code_column_gives_none(tmp_path):
    facilities = read_facilities(write(tmp_path, "name,type,lat,lon\nKimia Farma,pharmacy,-6.9,110.6\n"))
    assert facilities[FACILITY_CODE].tolist() == [None] and facilities[FACILITY_TYPE].tolist() == ["apotek"]


def test_unknown_types_listed_with_counts(tmp_path):
    path = write(tmp_path, "nama,jenis,lat,lon\nA,Posyandu,-6.9,110.6\nB,posyandu,-6.9,110.6\n"
                           "C,Posyandu,-6.9,110.6\nD,Toko Obat,-6.9,110.6\nE,,-6.9,110.6\nF,RS,-6.9,110.6\n"
                           "G,Pustu Baru,-6.9,110.6\n")
    with pytest.raises(DataError) as err:
        read_facilities(path)
    message = str(err.value)
    assert "column 'jenis'" in message
    assert "'Posyandu' (2 rows), 'posyandu' (1 row), 'Toko Obat' (1 row), '(empty)' (1 row)" in message
    assert "Pustu Baru" not in message  # a pustu, known since JKN's own types are read
    assert "puskesmas (puskesmas, pkm" in message and "rumah_sakit (" in message and "'RS'" not in message


def test_swapped_outside_and_missing_coordinates(tmp_path):
    path = write(tmp_path, "nama,jenis,lat,lon\nA,puskesmas,110.6,-6.9\nB,puskesmas,48.85,2.35\n"
                           "C,puskesmas,,110.6\nD,puskesmas,-6.9,110.6\n")
    with pytest.raises(DataError) as err:
        read_facilities(path)
    message = str(err.value)
    assert "look swapped in row 2" in message
    assert "outside Indonesia in row 3 ('2.3500, 48.8500')" in message
    assert "missing or unreadable coordinates in row 4" in message
    assert "row 5" not in message


def test_unreadable_coordinates_name_rows(tmp_path):
    path = write(tmp_path, "nama;jenis;lat;lon\nA;puskesmas;-6.9;110.6\nB;puskesmas;-6.903.1;110.6\n")
    with pytest.raises(DataError, match=r"not decimal numbers in row 3 \('-6.903.1, 110.6'\)"):
        read_facilities(path)


def test_missing_type_column(tmp_path):
    with pytest.raises(DataError, match="no type column found.*'nama', 'lat', 'lon'.*jenis_faskes"):
        read_facilities(write(tmp_path, "nama,lat,lon\nA,-6.9,110.6\n"))


def test_point_file_is_reprojected(tmp_path):
    frame = gpd.GeoDataFrame({"nama_faskes": ["KEDUNG I"], "jenis_faskes": ["PUSKESMAS"], "kode_faskes": ["P1"]},
                             geometry=[Point(110.6229, -6.7074)], crs=CRS).to_crs("EPSG:32749")
    path = tmp_path / "faskes.gpkg"
    frame.to_file(path, layer="faskes", engine="pyogrio")
    facilities = read_facilities(path)
    assert facilities.crs == CRS and facilities[FACILITY_TYPE].tolist() == ["puskesmas"]
    assert facilities.geometry.x[0] == pytest.approx(110.6229, abs=1e-7)
    assert facilities[FACILITY_CODE].tolist() == ["P1"] and facilities["row"].tolist() == [1]


def test_polygon_file_is_refused(tmp_path):
    frame = gpd.GeoDataFrame({"nama": ["A"], "jenis": ["klinik"]},
                             geometry=[Polygon([(110, -7), (111, -7), (111, -6)])], crs=CRS)
    path = tmp_path / "area.geojson"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(DataError, match="no point layer"):
        read_facilities(path)


@pytest.mark.parametrize("spelling, expected", [
    ("PUSKESMAS", "puskesmas"), ("PKM", "puskesmas"), ("Puskesmas Rawat Inap", "puskesmas"),
    ("Puskesmas Mlonggo", "puskesmas"), ("Klinik Pratama", "klinik"), ("klinik utama", "rumah_sakit"),
    ("Dokter Praktik Perorangan", "dokter"), ("DPP", "dokter"), ("Dokter Gigi", "dokter"), ("drg.", "dokter"),
    ("dokter umum", "dokter"), ("Rumah Sakit", "rumah_sakit"), ("RUMAH SAKIT", "rumah_sakit"), ("R.S.", "rumah_sakit"),
    ("RSU", "rumah_sakit"), ("RSIA", "rumah_sakit"), ("RSKIA", "rumah_sakit"), ("Hospital", "rumah_sakit"),
    ("Laboratorium", "lab"), ("lab klinik", "lab"), ("OPTIK", "optik"), ("optical", "optik"),
    ("Apotek", "apotek"), ("pharmacy", "apotek"), ("posyandu", None), ("", None), (None, None),
    ("Puskesmas Pembantu", "pustu"), ("PUSTU Kedung", "pustu"), ("Polindes", "poskesdes"), ("RS Khusus", "rumah_sakit"),
    ("RSJ", "rumah_sakit"), ("Praktik Dokter (Gigi)", "dokter"), ("Klinik Rawat Inap", "klinik"),
    ("Rumah Bersalin", "rumah_bersalin"), ("Praktik Mandiri Bidan", "bidan"), ("RS Umum Islam", "rumah_sakit"),
])
def test_facility_type(spelling, expected):
    assert facility_type(spelling) == expected


def test_every_type_has_spellings():
    assert set(TYPE_ALIASES) == set(FACILITY_TYPES)
    assert facility_types(["RS", "pkm"], column="jenis") == ["rumah_sakit", "puskesmas"]


@pytest.mark.shared
@pytest.mark.skipif(not FASKES.exists(), reason=f"real facilities not found at {FASKES}")
def test_real_jepara_demak_facilities():
    facilities = read_facilities(FASKES)
    assert len(facilities) == 53
    assert facilities[FACILITY_TYPE].value_counts().to_dict() == {"puskesmas": 48, "rumah_sakit": 5}
    assert set(facilities[TYPE_SOURCE]) == {"PUSKESMAS", "RUMAH SAKIT"}
    assert facilities[FACILITY_CODE].str.match(r"^[PR]33(20|21)").all()
    assert "KEDUNG I" in set(facilities[FACILITY_NAME])  # the source's double space is collapsed


@pytest.mark.shared
@pytest.mark.skipif(not FASKES_JATENG.exists(), reason=f"real facilities not found at {FASKES_JATENG}")
def test_real_jateng_facilities():
    facilities = read_facilities(FASKES_JATENG)
    assert facilities[FACILITY_TYPE].value_counts().to_dict() == {"puskesmas": 866, "rumah_sakit": 168}
    assert facilities.geometry.x.between(108, 113).all()


def test_a_table_prefix_in_headers_is_read_through(tmp_path):
    path = write(tmp_path, "d.nama_rs,d.jenis_rs,d.lat,d.lon\nRSUD Kartini,RSU,-6.59,110.67\n")
    facilities = read_facilities(path)
    assert facilities[FACILITY_NAME].tolist() == ["RSUD Kartini"] and facilities[FACILITY_TYPE].tolist() == [
        "rumah_sakit"]


def test_a_list_without_coordinates_is_placed_by_its_area_code(tmp_path, runner, store_path, tiny_geojson):
    import json
    assert runner("--store", store_path, "import-boundaries", tiny_geojson).status == 0
    path = write(tmp_path, "nama;jenis;kode_wilayah\nPustu Sidomulyo;Puskesmas Pembantu;99.01.01.2001\n"
                           "PKM Tegalsari;Puskesmas;9901022002\nKlinik Jauh;Klinik;99.07.01.2001\n"
                           "Klinik BPS;Klinik;3320010\n")
    result = runner("--store", store_path, "import-facilities", path, "--lang", "en")
    assert result.status == 0, result.err
    assert "2 facilities without coordinates placed at a point inside the unit" in result.out
    assert "2 facilities without coordinates not placed" in result.out
    assert "row 4 ('99.07.01.2001')" in result.out and "row 5 ('None')" not in result.out
    data = json.loads(runner("--store", store_path, "summary", "99.01", "--json").out)["facilities"]
    assert (data["fktp"], data["non_jkn"], data["approximate"]) == (1, 1, 2)  # the pustu is never an FKTP
    kec = json.loads(runner("--store", store_path, "summary", "99.01.02", "--json").out)["facilities"]
    assert kec["fktp"] == 1
    assert runner("--store", store_path, "import-boundaries", tiny_geojson).status == 0  # placed anew: kept
    again = json.loads(runner("--store", store_path, "summary", "99.01.01", "--json").out)["facilities"]
    assert (again["non_jkn"], again["approximate"]) == (1, 1)


@pytest.mark.shared
def test_the_rs_online_list_joins_the_kemenkes_points_without_counting_twice(shared_data, store_path, tmp_path, runner,
                                                                            client):
    import json

    from conftest import FASKES_JD, JEPARA_DEMAK
    runner("--store", store_path, "import-boundaries", JEPARA_DEMAK)
    runner("--store", store_path, "import-facilities", FASKES_JD)
    result = runner("--store", store_path, "import-facilities",
                    shared_data / "facilities" / "rs_online_2021_jepara_demak.csv", "--lang", "en")
    assert result.status == 0 and "imported 5 facilities" in result.out and "5 already in the store" in result.out
    jepara = json.loads(runner("--store", store_path, "summary", "33.20", "--json").out)["facilities"]
    demak = json.loads(runner("--store", store_path, "summary", "33.21", "--json").out)["facilities"]
    # SOURCES.md: 6 hospitals in Jepara and 4 in Demak; 5 of the 10 are in the point file with coordinates
    assert (jepara["fkrtl"], jepara["approximate"], demak["fkrtl"], demak["approximate"]) == (6, 2, 4, 3)
    page = runner("--store", store_path, "export", "33.20", "-o", tmp_path / "j.html").status
    assert page == 0
    html = (tmp_path / "j.html").read_text(encoding="utf-8")
    spec = page_data(html)["facilities"]  # the page writes "lokasi perkiraan: di <unit>" for these
    assert spec["approximate"] == "lokasi perkiraan: di {unit}" and "Kabupaten Jepara" in spec["units"]
    assert "gj-ring" in html
