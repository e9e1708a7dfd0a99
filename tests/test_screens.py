"""The dashboard at a phone's, a tablet's and a desktop's width, in Chromium: the map gets its share of the
screen, no control covers another, no unit lies under the legend when the map opens, and the scale is metric."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_web_browser import Server, open_page

import geojkn.maps

from conftest import TEST_OUTPUT
from maps_fixtures import page_data, unit_classes

pytestmark = [pytest.mark.browser]
WIDTHS = {390: 844, 768: 1000, 1366: 800}

CONTROLS = """() => {
    const boxes = [];
    document.querySelectorAll('.leaflet-control').forEach(el => {
        const r = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none')
            boxes.push({name: el.className, left: r.left, top: r.top, right: r.right, bottom: r.bottom});
    });
    return boxes;
}"""

UNITS_UNDER_LEGEND = """() => {
    const legend = document.querySelector('.geojkn-legend'), r = legend.getBoundingClientRect();
    const units = geojkn.maps[0], box = units.map.getContainer().getBoundingClientRect();
    let hits = 0, points = 0;
    for (let x = r.left + 2; x < r.right; x += 8) for (let y = r.top + 2; y < r.bottom; y += 8) {
        points += 1;
        if (units.unitAt(x - box.left, y - box.top) >= 0) hits += 1;
    }
    return {hits, points};
}"""


@pytest.fixture(scope="module")
def demo_server():
    server = Server(None)
    yield server
    server.close()


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 \
                    and b["top"] < a["bottom"] - 1:
                found.append((a["name"], b["name"]))
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_map_works_at_every_width(browser, demo_server, width, tmp_path):
    height = WIDTHS[width]
    page = open_page(browser, demo_server.url + "/r/99.01")
    page.set_viewport_size({"width": width, "height": height})
    page.reload()
    page.wait_for_timeout(1500)
    box = page.locator("#map").bounding_box()
    assert box is not None
    if width < 820:  # a phone or a portrait tablet: the map across the screen, first
        assert box["width"] >= width - 1 and box["height"] >= 0.55 * height and box["y"] < 120, box
    else:
        assert box["width"] >= 0.6 * width and box["height"] >= 0.85 * (height - box["y"]), box
    frame = page.frames[1]
    controls = frame.evaluate(CONTROLS)
    assert len(controls) >= 5 and _overlapping(controls) == [], _overlapping(controls)
    under = frame.evaluate(UNITS_UNDER_LEGEND)
    assert under["points"] > 0 and under["hits"] == 0, under
    scale = frame.locator(".leaflet-control-scale").inner_text()
    assert ("km" in scale or " m" in scale) and "mi" not in scale and "ft" not in scale
    folded = width < 800
    assert frame.evaluate("document.querySelector('.geojkn-legend').classList.contains('gj-folded')") == folded
    assert frame.locator(".leaflet-control-layers-list").is_visible() != folded
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / f"dashboard-{width}.png"))
    assert page.errors == [] and page.dialogs == []
    page.close()


def test_on_a_phone_the_legend_and_the_layers_open_from_their_buttons(browser, demo_server):
    page = open_page(browser, demo_server.url + "/r/99.01")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_timeout(1500)
    frame = page.frames[1]
    frame.locator(".geojkn-legend .gj-fold").click()
    assert frame.locator(".geojkn-legend table").first.is_visible()
    frame.locator(".leaflet-control-layers-toggle").click()
    assert frame.locator(".leaflet-control-layers-list").is_visible()
    frame.locator(".geojkn-zoom .gj-zoom-title").click()
    assert frame.locator(".geojkn-zoom a", has_text="Kepulauan Watuarum").is_visible()  # the worst kecamatan
    page.close()


def test_a_unit_below_the_target_is_marked_unlike_the_kecamatan_lines(client):
    page = client.get("/r/99.01/map").get_data(as_text=True)
    assert any(below for _, _, below in unit_classes(page_data(page)))
    script = (Path(geojkn.maps.__file__).parent / "geojkn-map.js").read_text(encoding="utf-8")
    assert "dash: [1, 4]" in script  # dotted, where kecamatan lines are solid and no-data borders dashed


def _pdf_text(path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(path) -> int:
    import subprocess

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("Pages")))


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_export_says_what_it_shows_and_prints_whole_on_one_a4_page(browser, runner, tmp_path):
    import numpy as np
    from PIL import Image

    out = tmp_path / "peta.html"
    assert runner("export", "99.01", "-o", out).status == 0
    html = out.read_text(encoding="utf-8")
    assert "geojkn-title" in html and "88,44 % * penduduk terdaftar, 66,12 % * aktif" in html
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(out.as_uri())
    page.wait_for_timeout(1000)
    assert page.evaluate("document.querySelector('.geojkn-title').classList.contains('gj-folded')")  # a phone
    page.close()
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.goto(out.as_uri())
    page.wait_for_timeout(1000)
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    TEST_OUTPUT.mkdir(exist_ok=True)
    pdf = TEST_OUTPUT / "export-printed.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    page.close()
    assert _pages(pdf) == 1
    text = _pdf_text(pdf)
    assert "Kabupaten Sukamaju" in text and "Cakupan terdaftar, Desember 2024" in text
    import subprocess

    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True)
    pixels = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")).astype(int)
    red = np.all(np.abs(pixels - (0xE3, 0x1A, 0x1C)) < 40, axis=2)
    rows, cols = np.nonzero(red)
    assert red.sum() > 200
    # the red units reach both the north of the mainland and the island in the south-east: the map is whole
    assert rows.min() < 0.25 * pixels.shape[0] and cols.max() > 0.55 * pixels.shape[1]


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_dashboard_prints_the_map_and_figures_without_its_controls(browser, demo_server, tmp_path):
    page = open_page(browser, demo_server.url + "/r/99.01")
    page.wait_for_timeout(1500)
    page.emulate_media(media="print")
    TEST_OUTPUT.mkdir(exist_ok=True)
    pdf = TEST_OUTPUT / "dashboard-printed.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    page.close()
    text = _pdf_text(pdf)
    assert "Kabupaten Sukamaju" in text and "88,44 % * penduduk terdaftar" in text
    assert "Tampilkan" not in text and "Unduh peta" not in text and "Cari desa" not in text  # no controls
    assert _pages(pdf) <= 4


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_screen(browser, demo_server, width):
    """Wide tables scroll inside their own box; the page itself never scrolls sideways."""
    page = browser.new_page(viewport={"width": width, "height": WIDTHS[width]})
    for path in ("/", "/r/99.01", "/r/99.01.01", "/r/99.01.01.2001", "/search?q=sido", "/r/99.01/map"):
        page.goto(demo_server.url + path)
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
    page.close()
