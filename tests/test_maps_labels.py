"""Names on the map: where each goes inside its unit, and what a browser shows at each zoom."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geojkn.maps import build_map, export_html
from geojkn.maps.labels import label_places

from maps_fixtures import BOUNDARIES, real_facilities, real_units

# An L: a wide bar along the bottom and a narrow post on the left; its bounding box centre lies outside it.
ELL = shapely.Polygon([(110.0, -7.0), (110.4, -7.0), (110.4, -6.9), (110.1, -6.9), (110.1, -6.6), (110.0, -6.6)])
SQUARE = shapely.box(110.5, -7.0, 110.55, -6.95)


def _units(names):
    return gpd.GeoDataFrame({"name": names}, geometry=[ELL, SQUARE], crs="EPSG:4326")


def test_a_name_is_anchored_inside_its_unit_with_the_room_around_it():
    places = label_places(_units(["Sidomulyo", "Kecil"]), 1)
    ell = next(p for p in places if p["t"] == "Sidomulyo")
    anchor = shapely.Point(ell["x"], ell["y"])
    assert ELL.contains(anchor) and not ELL.contains(ELL.envelope.centroid)  # the box centre would miss it
    assert ell["y"] < -6.9  # in the wide bar, where a name has room
    west, east = ell["w"]
    assert west == pytest.approx(110.0, abs=1e-4) and east == pytest.approx(110.4, abs=1e-4)
    assert ell["x"] == pytest.approx((west + east) / 2, abs=1e-5)  # halfway along the stretch inside
    south, north = ell["h"]
    assert south == pytest.approx(-7.0, abs=1e-4) and north == pytest.approx(-6.9, abs=1e-4)
    assert [p["t"] for p in places] == ["Sidomulyo", "Kecil"]  # the larger unit first
    assert {p["k"] for p in places} == {1}


def test_names_reach_the_page_escaped():
    places = label_places(_units(["<img src=x onerror=alert(1)>", "${alert(1)}"]), 0)
    texts = [p["t"] for p in places]
    assert "&lt;img src=x onerror=alert(1)&gt;" in texts and "&#36;{alert(1)}" in texts


VISIBLE_LABELS = """() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const box = map.getContainer().getBoundingClientRect();
    const out = [];
    map.eachLayer(l => { if (l.geojknLabel) {
        /* where the label rests once Leaflet's zoom transition ends: its point and its drawn size */
        const at = map.latLngToContainerPoint(l.getLatLng()), el = l.getElement();
        const w = el.offsetWidth, h = el.offsetHeight;
        out.push({name: l.geojknLabel.name, tier: l.geojknLabel.tier, lat: l.getLatLng().lat, lng: l.getLatLng().lng,
                  box: [at.x - w / 2, at.y - h / 2, at.x + w / 2, at.y + h / 2]});
    } });
    return {labels: out, size: [box.width, box.height], zoom: map.getZoom()};
}"""


def _overlaps(labels):
    return [(a["name"], b["name"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2]
            and a["box"][1] < b["box"][3] and b["box"][1] < a["box"][3]]


@pytest.mark.browser
@pytest.mark.shared
@pytest.mark.skipif(not BOUNDARIES.exists(), reason=f"shared data not found at {BOUNDARIES}")
@pytest.mark.parametrize("width", [390, 1366])
def test_kecamatan_names_at_kabupaten_zoom_desa_names_zoomed_in_never_overlapping(browser, tmp_path, width):
    units, outline = real_units()
    demak_units = units[units["code"].str.startswith("33.21")]
    demak_outline = outline[outline["code"].str.startswith("33.21")]
    path = tmp_path / "demak.html"
    path.write_text(export_html(build_map(demak_units, "coverage", outline=demak_outline,
                                          facilities=real_facilities(), title="Kabupaten Demak")), encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(path.as_uri())
    page.wait_for_timeout(500)
    shapes = {0: demak_outline, 1: demak_units}
    seen = []
    for _zoom_step in range(3):
        state = page.evaluate(VISIBLE_LABELS)
        labels = state["labels"]
        seen.append({label["tier"] for label in labels})
        assert labels and _overlaps(labels) == []
        for label in labels:
            frame = shapes[label["tier"]]
            named = frame[frame["name"].str.upper() == label["name"].upper()]
            spot = shapely.Point(label["lng"], label["lat"])
            assert named.geometry.contains(spot).any(), label["name"]  # inside its own unit
            left, top, right, bottom = label["box"]
            assert left >= 0 and top >= 0 and right <= state["size"][0] and bottom <= state["size"][1]
        page.evaluate("() => { Object.values(window).find(v => v instanceof L.Map).zoomIn(1, {animate: false}); }")
        page.wait_for_timeout(300)
    assert seen[0] == {0} and 1 in seen[2] and 0 not in seen[2]  # kecamatan first; desa when zoomed in
    if width < 800:  # on a phone the layer list opens from its button
        page.locator(".leaflet-control-layers-toggle").click()
    names = page.locator(".leaflet-control-layers-overlays label", has_text="Nama wilayah")
    names.locator("input").uncheck()
    page.wait_for_timeout(200)
    assert page.evaluate(VISIBLE_LABELS)["labels"] == []  # the names switch off like any layer
    page.close()
