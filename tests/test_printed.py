"""The meeting sheet and the atlas: PDF pages a planner hands out, read back with poppler (pdfinfo, pdftotext,
pdffonts, pdftoppm) and checked for their pages, names, figures, fonts and a drawn map."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geojkn.analysis.region import choose_period, rank, summarise
from geojkn.formatting import format_percent
from geojkn.options import Lang, Question
from geojkn.schema import KECAMATAN, Metric
from geojkn.store import open_store
from geojkn.workspace import Workspace

from conftest import FASKES_JD, JEPARA_DEMAK, TEST_OUTPUT

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_pages(path: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def page_image(path: Path, page: int, folder: Path) -> np.ndarray:
    """One page as pixels; its PNG is kept beside the PDF (test-output/) to look at."""
    prefix = path.with_name(f"{path.stem}-page")
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), str(path), str(prefix)],
                   check=True)
    found = next(p for p in (prefix.with_name(f"{prefix.name}-{page:0{k}d}.png") for k in (1, 2, 3)) if p.exists())
    return np.asarray(Image.open(found).convert("RGB"))


def demo():
    ws = Workspace(open_store(None))
    return ws, ws.region("99.01")


def test_the_sheet_is_one_a4_page_with_the_figures_the_map_and_the_lowest_units(runner, tmp_path):
    TEST_OUTPUT.mkdir(exist_ok=True)
    out = TEST_OUTPUT / "sheet-99.01.pdf"
    result = runner("sheet", "99.01", "-o", out)
    assert result.status == 0, result.err
    pages, size = pdf_pages(out)
    assert pages == 1 and size.endswith("(A4)")
    width, height = (float(v) for v in size.split(" pts")[0].split(" x "))
    assert width > height  # landscape
    _, data = demo()
    period = choose_period(data, None)
    s = summarise(data, Question(period))
    text = pdf_text(out)
    assert not s.figures.complete  # three desa lack December: both rates are partial, and marked so
    sentence = f"{format_percent(s.figures.coverage, lang=Lang.ID)} * penduduk terdaftar, " \
               f"{format_percent(s.figures.active_coverage, lang=Lang.ID)} * aktif"
    assert "Kabupaten Sukamaju" in text and sentence in text and "Desember 2024" in text
    worst = rank(data, KECAMATAN, Question(period, metric=Metric.COVERAGE)).table
    for name in worst["name"].head(5):
        assert name in text  # the table of the lowest kecamatan, and the names on the map
    assert "Perubahan sejak 2024-06" in text and "km" in text  # the change and the scale bar
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])  # embedded
    pixels = page_image(out, 1, tmp_path)
    reds = np.all(np.abs(pixels.astype(int) - (0xE3, 0x1A, 0x1C)) < 30, axis=2).sum()
    assert reds > 500, reds  # the map is drawn: units below 80 % in the policy red


def test_the_sheet_as_png_and_in_english(runner, tmp_path):
    out = tmp_path / "rapat.png"
    assert runner("sheet", "99.01", "-o", out, "--lang", "en", "--metric", "gap", "--level", "kecamatan").status == 0
    image = Image.open(out)
    assert abs(image.size[0] - 1754) <= 1 and abs(image.size[1] - 1240) <= 1  # A4 landscape at 150 dpi
    assert len(set(image.convert("RGB").getdata())) > 20
    assert runner("sheet", "99.01", "-o", tmp_path / "rapat.txt").status == 2


def test_the_atlas_has_a_cover_contents_and_a_named_page_per_kecamatan(runner, tmp_path):
    TEST_OUTPUT.mkdir(exist_ok=True)
    out = TEST_OUTPUT / "atlas-99.01.pdf"
    result = runner("atlas", "99.01", "-o", out)
    assert result.status == 0, result.err
    ws, data = demo()
    kecamatan = data.units_of(KECAMATAN).sort_values("code")
    pages, _ = pdf_pages(out)
    assert pages == len(kecamatan) + 2
    contents = pdf_text(out, 2)
    for number, (code, name) in enumerate(zip(kecamatan["code"], kecamatan["name"], strict=True), start=3):
        assert f"Kecamatan {name}" in contents
        page = pdf_text(out, number)
        assert f"Kecamatan {name}" in page and str(number) in page.split()[-1]
        for desa in ws.region(code).units_of("desa")["name"]:
            assert page.count(desa) >= 2, (name, desa)  # named on the map and listed in the table
    assert page_image(out, 3, tmp_path).std() > 20  # a drawn map, not a blank page


def test_the_dashboard_offers_the_sheet_and_the_atlas_as_downloads(client):
    page = client.get("/r/99.01?metric=gap").get_data(as_text=True)
    assert 'id="sheet" href="/r/99.01/sheet.pdf?' in page and "metric=gap" in page
    assert 'id="atlas" href="/r/99.01/atlas.pdf?' in page
    resp = client.get("/r/99.01/sheet.pdf?metric=gap&level=kecamatan")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="geojkn-99.01-kecamatan-gap-')
    assert client.get("/r/99.01/sheet.png").data.startswith(b"\x89PNG")
    assert client.get("/r/99.01/sheet.gif").status_code == 404
    assert 'id="atlas"' not in client.get("/r/99.01.01").get_data(as_text=True)  # a kecamatan is one page


@pytest.mark.shared
@pytest.mark.parametrize("code,kecamatan", [("33.21", 14)])
def test_the_atlas_of_demak_names_every_desa(shared_data, store_path, runner, code, kecamatan):
    store = store_path
    assert runner("--store", store, "import-boundaries", JEPARA_DEMAK).status == 0
    assert runner("--store", store, "import-facilities", FASKES_JD).status == 0
    TEST_OUTPUT.mkdir(exist_ok=True)
    out = TEST_OUTPUT / "atlas-demak.pdf"
    assert runner("--store", store, "atlas", code, "-o", out).status == 0
    assert pdf_pages(out)[0] == kecamatan + 2
    ws = Workspace(open_store(str(store)))
    text = pdf_text(out)
    missing = [n for n in ws.region(code).units_of("desa")["name"] if n not in text]
    assert not missing, missing


@pytest.mark.shared
def test_karimunjawa_goes_to_an_inset_so_jepara_fills_the_sheet(shared_data, store_path, tmp_path, runner):
    from geojkn.printed import _main_part

    store = store_path
    assert runner("--store", store, "import-boundaries", JEPARA_DEMAK).status == 0
    ws = Workspace(open_store(str(store)))
    desa = ws.region("33.20").units_of("desa")
    karimunjawa = ws.resolve("Kecamatan Karimunjawa").code
    from geojkn.maps.shapes import shapes_of

    prepared = tuple(shapes_of(desa, ws.map_sources(ws.region("33.20").region, "desa").units).landmasses())
    for masses in (None, prepared):  # the landmasses worked out at import, or the units' own polygons
        main = _main_part(desa.to_crs(desa.estimate_utm_crs()), masses)
        outlying = set(desa.loc[~main, "code"])
        assert outlying and all(code.startswith(karimunjawa + ".") for code in outlying), masses is None
    assert _main_part(ws.region("33.21").units_of("desa").to_crs(32749), None).all()  # Demak has no islands
    out = tmp_path / "jepara.pdf"
    assert runner("--store", store, "sheet", "33.20", "-o", out).status == 0
    text = pdf_text(out)  # a store of boundaries alone: the sheet says there are no figures yet, and no table
    assert "Karimunjawa" in text and "belum ada data kepesertaan" in text and "None" not in text


def test_a_desa_listed_on_a_kabupatens_page_carries_its_kecamatan():
    """Names repeat across a kabupaten (two Sidorejo): each desa row says its kecamatan; a kecamatan's own page
    does not repeat it."""
    from geojkn.analysis.region import rank
    from geojkn.options import Metric, View
    from geojkn.printed import COLUMNS, _rows
    from geojkn.schema import Level

    data = Workspace(open_store()).region("99.01")
    table = rank(data, Level.DESA, View(metric=Metric.COVERAGE)).table
    named = _rows(table, COLUMNS, "id", 8, within=True)
    expected = [f"{n[:28]} ({k[:18]})" for n, k in zip(table["name"][:8], table["kecamatan_name"][:8], strict=True)]
    assert [row[0].removesuffix(" !") for row in named] == expected
    assert [row[0].removesuffix(" !") for row in _rows(table, COLUMNS, "id", 8)] == [n[:28] for n in table["name"][:8]]
