"""Work lists: the units to visit first, their order, distances, and files a spreadsheet reads right."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl
import pyproj
import pytest
import shapely

from geojkn.analysis.access import distances_km
from geojkn.formatting import safe_cell
from geojkn.schema import FACILITY_NAME, FACILITY_TYPE

from conftest import TINY_DESA, write_figures


def test_distance_to_the_nearest_facility_matches_the_geodesic():
    units = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[shapely.box(110.60, -6.70, 110.61, -6.69),
                                                             shapely.box(110.80, -6.50, 110.81, -6.49)],
                             crs="EPSG:4326")
    facilities = gpd.GeoDataFrame({FACILITY_NAME: ["PKM", "RS"], FACILITY_TYPE: ["puskesmas", "rumah_sakit"]},
                                  geometry=[shapely.Point(110.65, -6.66), shapely.Point(110.605, -6.695)],
                                  crs="EPSG:4326")
    km = distances_km(units, facilities, ("puskesmas",))
    geod = pyproj.Geod(ellps="WGS84")
    for i, unit in enumerate(units.geometry):
        spot = unit.representative_point()
        expected = geod.inv(spot.x, spot.y, 110.65, -6.66)[2] / 1000
        assert km.iloc[i] == pytest.approx(expected, rel=0.005)  # UTM against the ellipsoid: within 0.5 %


@pytest.fixture
def store(tiny_store, tmp_path, runner):
    write_figures(tmp_path / "feb.csv", TINY_DESA[:3], [1000, 2000, 1500], [940, 1650, 1260], [700, 1000, 900])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    (tmp_path / "faskes.csv").write_text("nama;jenis;lat;lon\n=HYPERLINK(\"x\");Puskesmas;-5.95;127.05\n",
                                         encoding="utf-8")
    assert runner("--store", tiny_store, "import-facilities", tmp_path / "faskes.csv").status == 0
    return tiny_store


def test_a_worklist_puts_the_most_people_first_grouped_by_kecamatan(store, runner):
    data = json.loads(runner("--store", store, "worklist", "99.01", "--format", "json").out)
    units = data["units"]
    # gap at 95 %: 2001 0, 2002 250, 2001 (kec 02) 165; 2002 of kec 02 has no February figures
    assert [u["code"] for u in units] == ["99.01.01.2002", "99.01.01.2001", "99.01.02.2001", "99.01.02.2002"]
    assert [u["group"] for u in units] == ["Kedungjati", "Kedungjati", "Tegalrejo", "Tegalrejo"]
    assert units[-1]["complete"] is False and units[-1]["gap"] is None  # listed, marked, last in its group
    assert units[0]["change"] == pytest.approx((1650 / 2000 - 1500 / 2000) * 100)
    assert units[0]["nearest_fktp_km"] > 0 and data["by"] == "gap" and data["period"] == "2024-02"


def test_other_orders_and_the_top(store, runner):
    by_rate = json.loads(runner("--store", store, "worklist", "99.01", "--by", "coverage", "--format", "json").out)
    assert by_rate["units"][0]["code"] == "99.01.01.2002"  # 82,5 %, the lowest
    top = json.loads(runner("--store", store, "worklist", "99.01", "--top", "1", "--format", "json").out)
    assert [u["code"] for u in top["units"]] == ["99.01.01.2002"]
    far = json.loads(runner("--store", store, "worklist", "99.01", "--by", "nearest_fktp_km", "--format",
                            "json").out)["units"]
    km = [u["nearest_fktp_km"] for u in far if u["group"] == far[0]["group"]]
    assert km == sorted(km, reverse=True)


def test_csv_follows_the_language(store, runner):
    indonesian = runner("--store", store, "worklist", "99.01", "--format", "csv").out.splitlines()
    assert indonesian[0].startswith("Kecamatan;Kode;Nama;Ada data;Penduduk")
    assert indonesian[1].split(";")[7] == "82,50"  # a decimal comma: an Indonesian Excel reads a number
    english = runner("--store", store, "worklist", "99.01", "--format", "csv", "--lang", "en").out.splitlines()
    assert english[0].startswith("Kecamatan,Code,Name,Has figures") and english[1].split(",")[7] == "82.50"


def test_the_workbook_has_a_header_block_frozen_headings_filters_and_real_numbers(store, runner, tmp_path):
    path = tmp_path / "daftar.xlsx"
    result = runner("--store", store, "worklist", "99.01", "--format", "xlsx", "-o", path)
    assert result.status == 0 and "4 unit" in result.out
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "Daftar kerja JKN-KIS" and "Kabupaten Contoh (99.01)" in sheet["B1"].value
    assert sheet["A5"].value == "Dibandingkan dengan" and sheet["B5"].value == "Januari 2024"
    assert sheet["A9"].value == "Kecamatan" and sheet.freeze_panes == "A10" and sheet.auto_filter.ref.startswith("A9:")
    assert sheet["E10"].value == 2000 and sheet["E10"].number_format == "#,##0"
    assert sheet["H10"].value == pytest.approx(0.825) and sheet["H10"].number_format == "0.00%"
    assert sheet["M10"].value == pytest.approx(7.5) and sheet["M10"].number_format == "+0.00;-0.00"
    assert runner("--store", store, "worklist", "99.01", "--format", "xlsx").status == 2  # needs -o


def test_the_workbook_ends_with_the_totals_of_the_units_listed(tiny_store, runner, tmp_path):
    """Whole where every unit listed has every count."""
    totals_are_right(runner, tmp_path, ("--store", tiny_store), whole=True)


def test_a_total_over_units_without_some_counts_says_it_is_partial(store, runner, tmp_path):
    """Units without some counts: the counts given are added, marked partial, and no rate given."""
    totals_are_right(runner, tmp_path, ("--store", store), whole=False)


def totals_are_right(runner, tmp_path, where: tuple[object, ...], whole: bool) -> None:
    path = tmp_path / "daftar.xlsx"
    assert runner(*where, "worklist", "99.01", "--format", "xlsx", "-o", path).status == 0
    units = json.loads(runner(*where, "worklist", "99.01", "--format", "json").out)["units"]
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    head = rows.index(next(r for r in rows if r[1] == "Kode"))
    names, last = rows[head], rows[-1]
    assert last[0] == "Jumlah" and last[2] == f"{len(units)} desa/kel." and len(rows) - head - 2 == len(units)
    total = dict(zip(names, last, strict=True))
    for title, key in (("Penduduk", "population"), ("Peserta terdaftar", "registered"), ("Peserta aktif", "active")):
        assert total[title] == sum(u[key] for u in units if u[key] is not None)
    assert whole == all(u[k] is not None for u in units for k in ("population", "registered", "active"))
    assert whole == (last[3] == "ya") and whole == (last[-1] is None)  # a partial total says so, with no rate
    population = sum(u["population"] for u in units if u["population"] is not None)
    rate = sum(u["registered"] for u in units if u["registered"] is not None) / population
    assert total["Cakupan terdaftar (%)"] == (pytest.approx(rate) if whole else None)
    assert int(sheet.auto_filter.ref.split(":")[1][1:]) == len(rows) - 1  # the total is outside the filter


@pytest.mark.parametrize("text", ["=1+1", "+62812", "-A1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_kept_as_text(text):
    assert safe_cell(text) == "'" + text and safe_cell("Sidomulyo") == "Sidomulyo"


def test_names_that_look_like_formulas_stay_text_in_every_file(store, runner, tmp_path):
    runner("--store", store, "import-boundaries", _renamed(store, tmp_path, "=HYPERLINK(\"http://x\")"))
    csv_text = runner("--store", store, "worklist", "99.01", "--format", "csv").out
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    runner("--store", store, "worklist", "99.01", "--format", "xlsx", "-o", tmp_path / "w.xlsx")
    cells = [c for row in openpyxl.load_workbook(tmp_path / "w.xlsx").active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)


def _renamed(store, tmp_path, name):
    from geojkn.store import open_store

    desa = open_store(str(store)).units("desa")
    desa = desa[desa.code == "99.01.01.2002"].assign(nama=name, kode=lambda d: d.code)[["kode", "nama", "geometry"]]
    desa.to_file(tmp_path / "renamed.geojson", driver="GeoJSON")
    return tmp_path / "renamed.geojson"


def test_the_dashboard_download_follows_what_is_on_screen(client):
    page = client.get("/r/99.01?metric=to_reactivate&target=0.98&lang=en").get_data(as_text=True)
    link = page[page.index('id="worklist-xlsx"'):].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "by=to_reactivate" in link and "target=0.98" in link and "level=desa" in link and "lang=en" in link
    response = client.get(link)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["B4"].value == "To reactivate" and sheet["B3"].value == "98 %"
    csv = client.get(link.replace("worklist.xlsx", "worklist.csv").replace("lang=en", "lang=id"))
    assert csv.get_data(as_text=True).startswith("\ufeffKecamatan;Kode;")
