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


def test_export_shows_one_path_per_unit_and_the_legend(grid_page):
    page = grid_page.page
    assert page.locator("path.geojkn-unit").count() == 10
    assert page.locator("path.geojkn-outline").count() == 3
    legend = page.locator(".geojkn-legend")
    assert legend.is_visible()
    assert "tanpa data" in legend.inner_text() and "≥ 95,00 %" in legend.inner_text()
    assert grid_page.errors == [] and grid_page.blocked == []
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "maps_export_grid.png"))


def test_hovering_a_unit_shows_its_figures(grid_page):
    page = grid_page.page
    x, y = page.evaluate(f"""() => {{
        const map = {FIND_MAP};
        let target;
        map.eachLayer(l => {{ if (l.feature && l.feature.properties.t_name === "Desa 4") target = l; }});
        const p = map.latLngToContainerPoint(target.getBounds().getCenter());
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }}""")
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.first.wait_for(state="visible")
    text = tooltip.first.inner_text()
    assert "Desa 4" in text and "Kedung" in text and "94,93 %" in text and "1.329 / 1.400" in text


def test_toggling_a_facility_layer_changes_the_markers(grid_page):
    page = grid_page.page
    page.evaluate(f"() => {{ {FIND_MAP}.setZoom(14, {{animate: false}}); }}")
    page.wait_for_timeout(300)
    before = page.locator("path.geojkn-fac-fktp").count()
    label = page.locator(".leaflet-control-layers-overlays label", has_text="FKTP")
    label.locator("input").uncheck()
    page.wait_for_timeout(200)
    assert before == 3
    assert page.locator("path.geojkn-fac-fktp").count() == 0
    assert page.locator("path.geojkn-fac-rumah_sakit").count() == 1
    label.locator("input").check()
    page.wait_for_timeout(200)
    assert page.locator("path.geojkn-fac-fktp").count() == 3


OPEN_EVERY_TOOLTIP = f"""() => {{
    const map = {FIND_MAP};
    const texts = [];
    const groups = [];
    map.eachLayer(l => {{ if (l instanceof L.GeoJSON) groups.push(l); }});
    groups.forEach(g => g.eachLayer(part => {{
        part.fire("mouseover", {{latlng: part.getBounds().getCenter()}}, true);  /* as a hover does */
        texts.push(g.getTooltip().getElement().innerText);
        part.fire("mouseout", {{latlng: part.getBounds().getCenter()}}, true);
    }}));
    const markers = [];
    map.eachLayer(l => {{ if (l instanceof L.CircleMarker && l.getTooltip()) markers.push(l); }});
    markers.forEach(m => {{ m.openTooltip(); texts.push(m.getTooltip().getElement().innerText); }});
    return texts;
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
    page.evaluate(f"() => {{ {FIND_MAP}.setZoom(14, {{animate: false}}); }}")  # uncluster every facility
    page.wait_for_timeout(300)
    texts = page.evaluate(OPEN_EVERY_TOOLTIP)
    page.locator(".geojkn-zoom a", has_text=PAYLOADS[0]).click()  # the island's zoom-to button
    page.wait_for_timeout(200)
    assert len(texts) == 10 + 3 + 5  # units, kecamatan, facilities
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
    assert page.locator("path.geojkn-unit").count() == 444
    assert page.locator(".geojkn-legend").is_visible()
    assert opened.errors == [] and opened.blocked == []
    page.wait_for_timeout(600)  # let the cluster fade-in finish before the picture
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "maps_export_jepara_demak.png"))
    page.close()
