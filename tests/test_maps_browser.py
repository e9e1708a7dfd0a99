"""Exported maps in headless Chromium with the network blocked: what a person sees, and no injection."""

from __future__ import annotations

from pathlib import Path

import pytest

from geojkn.maps import build_map, export_html

from conftest import TEST_OUTPUT
from maps_fixtures import (
    BOUNDARIES,
    ISLAND_NAME,
    PAYLOADS,
    grid_facilities,
    grid_outline,
    grid_units,
    real_facilities,
    real_units,
)

pytestmark = [pytest.mark.browser]

FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"



class Opened:
    """A page showing one exported file, recording blocked requests, errors and dialogs."""

    def __init__(self, browser, path: Path) -> None:
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_function(f"{FIND_MAP} !== undefined")
        self.page.wait_for_timeout(300)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")) or url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def _save(tmp_path: Path, fmap, name: str) -> Path:
    path = tmp_path / name
    path.write_text(export_html(fmap), encoding="utf-8")
    return path


@pytest.fixture()
def grid_page(browser, tmp_path):
    units = grid_units()
    fmap = build_map(units, "coverage", outline=grid_outline(units), facilities=grid_facilities(),
                     title="Kabupaten Contoh", source="BPJS Kesehatan, 2022-01", period="2022-01")
    opened = Opened(browser, _save(tmp_path, fmap, "grid.html"))
    yield opened
    opened.page.close()


MAP = "geojkn.maps[0]"


def hover_unit(page, name: str) -> str:
    """Move the mouse over a point well inside the named unit and read the tooltip that opens."""
    x, y = page.evaluate(f"""() => {{
        const units = {MAP}, p = units.inside(units.find({name!r}));
        const box = units.map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }}""")
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.first.wait_for(state="visible")
    return tooltip.first.inner_text()


def test_export_draws_every_unit_and_the_legend(grid_page):
    page = grid_page.page
    assert page.evaluate(f"{MAP}.count()") == 10
    assert page.evaluate(f"{MAP}.outline.parents()") == 3  # the borders of each kecamatan
    assert page.locator("canvas").count() >= 1 and page.locator("path.geojkn-unit").count() == 0  # on canvas
    legend = page.locator(".geojkn-legend")
    assert legend.is_visible()
    assert "tanpa data" in legend.inner_text() and "≥ 95,00 %" in legend.inner_text()
    assert grid_page.errors == [] and grid_page.blocked == []
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "maps_export_grid.png"))


def test_hovering_a_unit_shows_its_figures_written_in_the_page(grid_page):
    text = hover_unit(grid_page.page, "Desa 4")
    assert "Desa 4" in text and "Kedung" in text and "94,93 %" in text and "1.329 / 1.400" in text
    assert "33.20.01.2004" in text and "1.063 (75,94 %)" in text


def test_the_unit_under_the_mouse_is_the_one_named(grid_page):
    page = grid_page.page
    found = page.evaluate(f"""() => {{
        const units = {MAP}, out = [], size = units.map.getSize();
        for (let u = 0; u < units.data.n; u++) {{
            const p = units.inside(u);
            if (p.x >= 0 && p.y >= 0 && p.x < size.x && p.y < size.y) out.push([u, units.unitAt(p.x, p.y)]);
        }}
        return out;
    }}""")
    assert [u for u, _ in found] == list(range(9))  # the far island lies outside the first view
    assert all(u == at for u, at in found)


def test_toggling_a_facility_layer_changes_the_markers(grid_page):
    page = grid_page.page
    page.evaluate(f"() => {{ {FIND_MAP}.setZoom(14, {{animate: false}}); }}")
    page.wait_for_timeout(300)
    shown = "(key) => geojkn.facilityGroups[0].shown(key)"
    before = page.evaluate(shown, "fktp")
    label = page.locator(".leaflet-control-layers-overlays label", has_text="FKTP")
    label.locator("input").uncheck()
    page.wait_for_timeout(200)
    assert before == 3
    assert page.evaluate(shown, "fktp") == 0
    assert page.evaluate(shown, "rumah_sakit") == 1
    label.locator("input").check()
    page.wait_for_timeout(200)
    assert page.evaluate(shown, "fktp") == 3


OPEN_EVERY_TOOLTIP = f"""() => {{
    const units = {MAP}, texts = [];
    for (let u = 0; u < units.data.n; u++) texts.push(units.showTooltip(u));
    return texts.concat(geojkn.facilityGroups[0].tooltips());
}}"""


def test_payload_names_show_as_text_and_never_run(browser, tmp_path):
    units = grid_units(PAYLOADS)
    units.loc[units["name"] == ISLAND_NAME, ["name", "kecamatan_name"]] = PAYLOADS[0]
    fmap = build_map(units, "coverage", outline=grid_outline(units, {"33.20.01": PAYLOADS[1]}),
                     facilities=grid_facilities(PAYLOADS), title=PAYLOADS[0], source=PAYLOADS[1],
                     period=PAYLOADS[2])
    opened = Opened(browser, _save(tmp_path, fmap, "payload.html"))
    page = opened.page
    scripts = page.locator("script").count()
    page.evaluate(f"() => {{ {FIND_MAP}.setZoom(14, {{animate: false}}); }}")
    page.wait_for_timeout(300)
    texts = page.evaluate(OPEN_EVERY_TOOLTIP)
    page.locator(".geojkn-zoom a", has_text=PAYLOADS[0]).click()  # the island's zoom-to button
    page.wait_for_timeout(200)
    assert len(texts) == 10 + 5  # units (each naming its kecamatan), facilities
    joined = "\n".join(texts)
    for payload in PAYLOADS:
        assert payload in joined  # shown literally
    assert PAYLOADS[0] in page.locator(".geojkn-legend").inner_text()
    names = page.locator(".geojkn-label").all_inner_texts()  # the names on the map: text, never markup
    assert names and all(any(name.lower() == p.lower() for p in PAYLOADS) for name in names), names
    assert opened.dialogs == [] and opened.errors == []
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == scripts
    page.close()


@pytest.mark.shared
@pytest.mark.skipif(not BOUNDARIES.exists(), reason=f"shared data not found at {BOUNDARIES}")
def test_real_export_renders_every_desa(browser, tmp_path):
    units, outline = real_units()
    fmap = build_map(units, "coverage", outline=outline, facilities=real_facilities(),
                     title="Kabupaten Jepara dan Demak", source="Data sintetis (uji)", period="2022-01")
    opened = Opened(browser, _save(tmp_path, fmap, "jepara_demak.html"))
    page = opened.page
    assert page.evaluate(f"{MAP}.count()") == 444
    assert page.locator(".geojkn-legend").is_visible()
    assert opened.errors == [] and opened.blocked == []
    assert "Kecamatan" in hover_unit(page, units.loc[100, "name"])
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "maps_export_jepara_demak.png"))
    page.close()
