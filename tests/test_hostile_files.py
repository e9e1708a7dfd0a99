"""Hostile and broken files: each import is refused with a message naming the problem, exit 2, and the store
is left exactly as it was. GDAL never gets a file that could make it read another file or the network."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from openpyxl import Workbook

from geojkn.store import open_store

from conftest import TINY_DESA, fingerprint, tiny_units, write_figures

SECRET = "geojkn-secret-line-7d1f"
VRT = ('<OGRVRTDataSource><OGRVRTLayer name="desa"><SrcDataSource>CSV:{src}</SrcDataSource>'
       '</OGRVRTLayer></OGRVRTDataSource>')


def digest(location: Path | str) -> object:
    """What a store or a file holds now (a store in a database: its version)."""
    return hashlib.sha256(location.read_bytes()).hexdigest() if isinstance(location, Path) else fingerprint(location)


@pytest.fixture
def secret(tmp_path) -> Path:
    """A server file no import may read."""
    path = tmp_path / "secret.csv"
    path.write_text(f"kode,nama,penduduk\n99.01.01.2001,{SECRET},5\n")
    return path


def vrt_text(secret: Path) -> str:
    return VRT.format(src=secret)


def zipped(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def shapefile_parts(tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "shp"
    folder.mkdir()
    tiny_units().to_file(folder / "desa.shp")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def far_cell_workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["Kode Desa", "Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif"])
    sheet.append(["99.01.01.2001", 10, 5, 4])
    sheet["XFD1048576"] = 1
    book.save(path)
    return path


def cases(tmp_path: Path, secret: Path) -> list[tuple[str, str, Path | str, str]]:
    """(what, command, file, the message expected) for every hostile or broken file."""
    t = tmp_path
    parts = shapefile_parts(t)
    wide = ";".join(["Kode Desa", "Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif"] + ["x"] * 60_000)
    head = "Kode Desa;Jumlah Penduduk;Peserta Terdaftar;Peserta Aktif\n"
    rows = head + "99.01.01.2001;{};5;4\n"
    sqlite = t / "plain.gpkg"
    import sqlite3

    with sqlite3.connect(sqlite) as db:
        db.execute("create table t (a)")
    oversize = t / "huge.csv"
    with oversize.open("wb") as handle:
        handle.truncate(101 * 1024 * 1024)
    (t / "folder.csv").mkdir()

    def put(name: str, data: str | bytes) -> Path:
        path = t / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    bomb = zipped(t / "bomb.zip", {"desa.shp": b"\0" * 60_000_000, "desa.shx": b"", "desa.dbf": b""})
    xlsx_bomb = zipped(t / "bomb.xlsx", {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>",
                                         "xl/worksheets/sheet1.xml": b" " * 60_000_000})
    return [
        ("VRT named .gpkg", "import-boundaries", put("desa.gpkg", vrt_text(secret)), "GDAL virtual dataset"),
        ("VRT named .geojson", "import-boundaries", put("desa.geojson", vrt_text(secret)), "GDAL virtual dataset"),
        ("VRT named .csv", "import-figures", put("figures.csv", vrt_text(secret)), "GDAL virtual dataset"),
        ("VRT named .xlsx", "import-figures", put("figures.xlsx", vrt_text(secret)), "GDAL virtual dataset"),
        ("VRT named .shp", "import-boundaries", put("desa.shp", vrt_text(secret)), "GDAL virtual dataset"),
        ("VRT named .geojson, facilities", "import-facilities", put("faskes.geojson", vrt_text(secret)),
         "GDAL virtual dataset"),
        ("VRT in a zip", "import-boundaries", zipped(t / "vrt.zip", {"desa.vrt": vrt_text(secret).encode()}),
         "files geojkn does not read"),
        ("VRT named .shp in a zip", "import-boundaries",
         zipped(t / "vrtshp.zip", {"desa.shp": vrt_text(secret).encode(), "desa.shx": b"", "desa.dbf": b""}),
         "GDAL virtual dataset"),
        ("/vsicurl/ path", "import-boundaries", "/vsicurl/http://127.0.0.1:9/desa.gpkg", "not GDAL virtual paths"),
        ("/vsizip/ path", "import-figures", f"/vsizip/{t}/x.zip/figures.csv", "not GDAL virtual paths"),
        ("URL", "import-facilities", "http://127.0.0.1:9/faskes.geojson", "not GDAL virtual paths"),
        ("GDAL pipeline", "import-boundaries",
         put("pipe.geojson", '{"type": "gdal_streamed_alg", "command_line": "gdal vector pipeline ! read x"}'),
         "GDAL pipeline"),
        ("zip traversal", "import-boundaries", zipped(t / "up.zip", {"../desa.shp": parts["desa.shp"]}),
         "points outside the archive"),
        ("absolute member", "import-boundaries", zipped(t / "abs.zip", {"/tmp/desa.shp": parts["desa.shp"]}),
         "points outside the archive"),
        ("zip bomb", "import-boundaries", bomb, "zip bomb"),
        ("xlsx zip bomb", "import-figures", xlsx_bomb, "zip bomb"),
        ("zip with two data sets", "import-boundaries",
         zipped(t / "two.zip", {**parts, "b.geojson": b"{}"}), "exactly one data set"),
        ("Shapefile without .dbf in a zip", "import-boundaries",
         zipped(t / "nodbf.zip", {k: v for k, v in parts.items() if not k.endswith(".dbf")}), "lacks its .dbf"),
        ("too many zip members", "import-boundaries",
         zipped(t / "many.zip", {f"f{i}.prj": b"x" for i in range(100)}), "at most 64 are read"),
        ("damaged zip", "import-boundaries", put("broken.zip", b"PK\x03\x04" + b"\x00" * 40), "damaged zip"),
        ("far cell in a workbook", "import-figures", far_cell_workbook(t / "far.xlsx"), "column 16384"),
        ("one very wide CSV row", "import-figures", put("wide.csv", wide + "\n"), "up to 500 columns"),
        ("a 128 kB field", "import-figures", put("field.csv", rows.format(1) + '"' + "x" * 131_072 + '"\n'),
         "cannot be read as CSV"),
        ("UTF-16 CSV", "import-figures", put("utf16.csv", rows.format(1).encode("utf-16")), "UTF-16"),
        ("NUL bytes", "import-figures", put("nul.csv", rows.format(1) + "99.01.01.2002;1\x00;2;1\n"), "NUL bytes"),
        ("over 100 MB", "import-figures", oversize, "up to 100 MB"),
        ("a folder", "import-figures", t / "folder.csv", "is not a file"),
        ("an old .xls", "import-figures", put("old.xlsx", b"\xd0\xcf\x11\xe0" + b"\0" * 100), "old Excel workbook"),
        ("SQLite that is not a GeoPackage", "import-boundaries", sqlite, "not a GeoPackage"),
        ("HTML named .xlsx", "import-figures", put("page.xlsx", "<html><body>x</body></html>"), "XML or HTML"),
        ("a JSON list", "import-boundaries", put("list.geojson", "[1, 2]"), "JSON list"),
        ("an empty file", "import-figures", put("empty.csv", ""), "is empty"),
        ("a NIK as population", "import-figures", put("nik.csv", rows.format("3320010101900001")),
         "larger than Indonesia's population"),
        ("a 309-digit count", "import-figures", put("inf.csv", rows.format("9" * 309)),
         "larger than Indonesia's population"),
        ("a PNG named .geojson", "import-boundaries", put("map.geojson", b"\x89PNG\r\n\x1a\n" + b"\0" * 50),
         "PNG image"),
        # broken rather than hostile: the everyday mistakes, each named with where it is and how to fix it
        ("ambiguous thousands", "import-figures", put("amb.csv", head + "99.01.01.2001;1.000;900;800\n"
                                                      "99.01.01.2002;2.000;1.000;900\n"), "cannot tell whether"),
        ("a code twice in a month", "import-figures", put("dup.csv", head + "99.01.01.2001;1000;900;800\n"
                                                          "99.01.01.2001;1000;950;800\n"), "appear more than once"),
        ("no period anywhere", "import-figures", put("noperiod.csv", rows.format(10)), "which month"),
        ("no row matches", "import-figures", put("nomatch.csv", head + "11.01.01.2001;1000;900;800\n"),
         "none of the 1 rows matches"),
        ("a negative count", "import-figures", put("neg.csv", rows.format(-5)), "negative counts"),
        ("words for numbers", "import-figures", put("junk.csv", rows.format("banyak")), "not numbers"),
        ("no header row", "import-figures", put("noheader.csv", "a;b;c\n1;2;3\n"), "no header row found"),
        ("swapped boundary coordinates", "import-boundaries", swapped(t), "swapped"),
        ("points as boundaries", "import-boundaries", points(t), "no polygon layer found"),
        ("projected without a CRS", "import-boundaries", projected(t), "lie outside Indonesia"),
        ("a boundary code twice", "import-boundaries", doubled(t), "appear more than once"),
        ("an empty FeatureCollection", "import-boundaries",
         put("emptyfc.geojson", '{"type":"FeatureCollection","features":[]}'), "no polygon layer found"),
        ("an unknown facility type", "import-facilities", put("fk_type.csv", "nama;jenis;lat;lon\nA;warung;-5.95;"
                                                              "127.05\n"), "unknown facility types"),
        ("a facility in Paris", "import-facilities", put("fk_out.csv", "nama;jenis;lat;lon\nA;puskesmas;48.85;"
                                                         "2.35\n"), "outside Indonesia"),
        ("swapped facility coordinates", "import-facilities", put("fk_sw.csv", "nama;jenis;lat;lon\nA;puskesmas;"
                                                                  "127.05;-5.95\n"), "look swapped"),
    ]


def swapped(t: Path) -> Path:
    units = tiny_units()
    units["geometry"] = shapely.transform(units.geometry.values, lambda xy: xy[:, ::-1])
    units.to_file(t / "swapped.geojson", driver="GeoJSON")
    return t / "swapped.geojson"


def points(t: Path) -> Path:
    units = tiny_units()
    units["geometry"] = shapely.centroid(units.geometry.values)
    units.to_file(t / "points.geojson", driver="GeoJSON")
    return t / "points.geojson"


def projected(t: Path) -> Path:
    units = tiny_units().to_crs(32752).set_crs(None, allow_override=True)
    units.to_file(t / "nocrs.geojson", driver="GeoJSON")
    return t / "nocrs.geojson"


def doubled(t: Path) -> Path:
    units = tiny_units()
    units = gpd.GeoDataFrame(pd.concat([units, units.iloc[:1].assign(nama="x")], ignore_index=True), crs=4326)
    units.to_file(t / "doubled.geojson", driver="GeoJSON")
    return t / "doubled.geojson"


PERIOD_GIVEN = {"noperiod.csv": None}


def test_every_hostile_file_is_refused_with_a_message_and_changes_nothing(tiny_store, tmp_path, secret, runner):
    before = digest(tiny_store)
    seen = []
    for what, command, path, expected in cases(tmp_path, secret):
        period = PERIOD_GIVEN.get(Path(str(path)).name, "2024-02")
        extra = ["--period", period] if command == "import-figures" and period else []
        result = runner("--store", tiny_store, command, path, *extra)
        assert result.status == 2, (what, result)
        assert expected in result.err, (what, result.err)
        assert "Traceback" not in result.err and SECRET not in result.err + result.out, what
        assert digest(tiny_store) == before, what
        seen.append(what)
    assert len(seen) == len(set(seen)) >= 50
    assert runner("--store", tiny_store, "summary", "99.01").status == 0


def test_gdal_keeps_only_the_drivers_geojkn_reads():
    """In a fresh process, importing geojkn first leaves GDAL no driver that reads other files or URLs."""
    code = "import geojkn, pyogrio, json; print(json.dumps(sorted(pyogrio.list_drivers())))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "GDAL_SKIP": ""})
    import json

    from geojkn.gdal import KEPT

    drivers = set(json.loads(out.stdout))
    assert {"GPKG", "GeoJSON", "ESRI Shapefile"} <= drivers
    assert drivers <= KEPT, f"review these GDAL drivers and add them to geojkn.gdal.SKIPPED: {drivers - KEPT}"
    assert "OGR_VRT" not in drivers and "GDALG" not in drivers


def test_a_zipped_shapefile_still_imports_and_the_unpacked_copy_is_removed(store_path, tmp_path, runner):
    archive = zipped(tmp_path / "desa.zip", shapefile_parts(tmp_path))
    leftovers = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("geojkn-unzip-*"))
    result = runner("--store", store_path, "import-boundaries", archive)
    assert result.status == 0, result.err
    assert "7" in result.out
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("geojkn-unzip-*")) == leftovers


def test_a_file_named_as_something_else_is_read_as_what_it_is(tiny_store, tmp_path, runner):
    """The bytes decide: a CSV saved with an .xlsx name is read as CSV."""
    path = write_figures(tmp_path / "feb.xlsx", TINY_DESA, [10, 20, 30, 40], [5, 10, 15, 20], [4, 8, 12, 16])
    result = runner("--store", tiny_store, "import-figures", path, "--period", "2024-02")
    assert result.status == 0, result.err


# What the upload API cannot be sent: paths on the server (a folder, /vsi, URLs) and files over UPLOAD_MB.
NOT_UPLOADABLE = {"/vsicurl/ path", "/vsizip/ path", "URL", "a folder", "over 100 MB"}
KINDS = {"import-figures": "figures", "import-boundaries": "boundaries", "import-facilities": "facilities"}


def test_every_hostile_file_sent_to_the_upload_api_gets_a_message_and_changes_nothing(tiny_store, tmp_path,
                                                                                      secret, runner, monkeypatch):
    from markupsafe import escape
    from test_accounts import add, log_in
    from test_uploads import send

    from geojkn import create_app

    from conftest import clear_settings

    clear_settings(monkeypatch)
    assert add(runner, monkeypatch, tiny_store, "add", "admin", "--role", "admin").status == 0
    app = create_app({"TESTING": True, "STORE": str(tiny_store), "SECRET_KEY": "k" * 40})
    client, _ = log_in(app, "admin")
    before = digest(tiny_store)
    sent = 0
    for what, command, path, expected in cases(tmp_path, secret):
        if what in NOT_UPLOADABLE:
            continue
        period = PERIOD_GIVEN.get(Path(path).name, "2024-02") if command == "import-figures" else None
        resp = send(client, Path(path).read_bytes(), Path(path).name, KINDS[command], **(
            {"period": period} if period else {}))
        text = resp.get_data(as_text=True)
        assert resp.status_code == 400, (what, resp.status_code, text[-600:])
        assert str(escape(expected)) in text, (what, text[-600:])
        assert SECRET not in text and "Traceback" not in text, what
        assert digest(tiny_store) == before, what
        sent += 1
    assert sent >= 45
    assert open_store(str(tiny_store)).drafts() == []  # nothing of a refused upload is kept
    if isinstance(tiny_store, Path):
        staged = tiny_store.parent / "store.uploads"
        assert not [p for p in staged.iterdir() if not p.name.startswith(".")]
