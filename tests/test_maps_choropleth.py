"""Tests for geojkn.maps.choropleth.build_map: paths, styles, tooltips, layers, fitting, safety."""

from __future__ import annotations

import json
import re

import folium
import pytest
from folium.plugins import MarkerCluster

from geojkn.errors import DataError
from geojkn.maps import AssetMode, build_map
from geojkn.maps.palettes import BELOW_TARGET_BORDER, NO_DATA_FILL, YLORRD

from maps_fixtures import (
    BOUNDARIES,
    ISLAND_NAME,
    NO_DATA_CODE,
    PAYLOADS,
    geojson_layers,
    grid_facilities,
    grid_outline,
    grid_units,
    real_facilities,
    real_units,
)


def render(fmap: folium.Map) -> str:
    return fmap.get_root().render()


@pytest.fixture()
def units():
    return grid_units()


def unit_layer(page: str) -> dict:
    return geojson_layers(page)[0]


def test_one_feature_per_unit_with_tooltip_strings(units):
    page = render(build_map(units, "coverage", title="Kabupaten Jepara"))
    features = unit_layer(page)["features"]
    assert len(features) == len(units) == 10
    first = features[0]["properties"]
    assert first == {"t_name": "Desa 0", "t_kec": "Kedung", "t_code": "33.20.01.2000", "t_cov": "70,00 %",
                     "t_reg": "700 / 1.000", "t_act": "560 (56,00 %)", "t_gap": "250"}
    assert '"Desa/kel.", "Kecamatan", "Kode", "Cakupan terdaftar"' in page


def test_tooltip_labels_and_numbers_follow_the_language(units):
    page = render(build_map(units, "activity_rate", lang="en"))
    props = unit_layer(page)["features"][0]["properties"]
    assert props["t_reg"] == "700 / 1,000" and props["t_rate"] == "80.00 %"
    # the same terms as the dashboard and the command line (vocabulary.py)
    assert '"Desa/kel.", "Kecamatan", "Code", "Registered coverage"' in page


def unit_styles(page: str, count: int) -> list[dict]:
    """Each unit's style, read back from the switch folium writes for the unit layer."""
    styler = re.search(r"_styler\(feature\) \{(.*?)\n        \}", page, re.S).group(1)
    default = json.loads(re.search(r"default:\s*return (\{.*?\});", styler).group(1))
    styles = [default] * count
    for cases, style in re.findall(r'((?:case "\d+": )+)\s*return (\{.*?\});', styler):
        for pos in re.findall(r'"(\d+)"', cases):
            styles[int(pos)] = json.loads(style)
    return styles


def test_no_data_units_are_hatched_and_below_target_units_outlined(units):
    page = render(build_map(units, "coverage"))
    styles = unit_styles(page, len(units))
    hatched = [pos for pos, style in enumerate(styles) if style["fillColor"] == NO_DATA_FILL]
    assert hatched == list(units.index[units["code"] == NO_DATA_CODE])
    assert styles[hatched[0]]["dashArray"] == "4 3"
    below = [pos for pos, style in enumerate(styles) if style["color"] == BELOW_TARGET_BORDER]
    assert below == [0, 1, 2, 3, 4, 9]  # coverage < 95 %, with figures
    assert styles[0]["fillColor"] == YLORRD[4][-1] and styles[7]["fillColor"] == YLORRD[4][0]
    assert 'id="geojkn-nodata"' in page  # the SVG hatch pattern the fill refers to


def test_count_metrics_have_no_below_target_outline(units):
    page = render(build_map(units, "gap"))
    assert all(style["color"] != BELOW_TARGET_BORDER for style in unit_styles(page, len(units)))
    assert "gj-below" not in re.search(r"div.innerHTML = (\".*?\");", page).group(1)


def test_kecamatan_outline_is_drawn_with_names_on_hover(units):
    page = render(build_map(units, "coverage", outline=grid_outline(units)))
    layers = geojson_layers(page)
    assert len(layers) == 2
    assert sorted(f["properties"]["t_kec"] for f in layers[1]["features"]) == ["Karimunjawa", "Kedung",
                                                                             "Pecangaan"]
    assert '"fill": false' in page and "geojkn-outline" in page


def test_facility_groups_are_clustered_feature_groups_in_the_layer_control(units):
    fmap = build_map(units, "coverage", facilities=grid_facilities())
    tree = fmap.to_dict()["children"].values()  # branca's public view of the element tree
    groups = [c for c in tree if c["name"] == "FeatureGroup"]
    clusters = [c for g in groups for c in g["children"].values() if c["name"] == "MarkerCluster"]
    assert [len(c["children"]) for c in clusters] == [3, 1, 1]
    page = render(fmap)
    assert page.count("L.circleMarker(") == 5
    names = [page.index(f'"{name}" : feature_group_') for name in ("FKTP (puskesmas, klinik, dokter)",
                                                                     "Rumah sakit", "Optik")]
    assert names == sorted(names)  # listed in the layer control in this order
    assert "L.control.layers(" in page


def test_unknown_facility_types_are_a_data_error(units):
    bad = grid_facilities().assign(type=["puskesmas", "warung", "klinik", "lab", "optik"])
    with pytest.raises(DataError, match="warung"):
        build_map(units, "coverage", facilities=bad)


def test_view_fits_the_main_landmass_and_keeps_the_island_reachable(units):
    page = render(build_map(units, "coverage"))
    fit = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page)
    south, west, north, east = (float(v) for v in fit.groups())
    assert north == pytest.approx(-6.64) and south == pytest.approx(-6.7)  # the grid, not the island
    assert '"label": "Karimunjawa"' in page and "Seluruh wilayah" in page


def test_a_single_landmass_needs_no_zoom_buttons(units):
    page = render(build_map(units[units["name"] != ISLAND_NAME], "coverage"))
    assert "leaflet-bar geojkn-zoom" not in page and "Seluruh wilayah" not in page


def test_basemap_none_has_no_tiles_and_osm_only_osm(units):
    assert "L.tileLayer" not in render(build_map(units, "coverage"))
    page = render(build_map(units, "coverage", basemap="osm"))
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert len(set(re.findall(r"https?://([^/\"' ]+)/[^\"' ]*\{z\}", page))) == 1


def test_cdn_lists_are_overridden_per_instance_only(units):
    class_js, class_css = list(folium.Map.default_js), list(folium.Map.default_css)
    cluster_js = list(MarkerCluster.default_js)
    fmap = build_map(units, "coverage", facilities=grid_facilities())
    assert fmap.default_js == [] and fmap.default_css == []
    assert folium.Map.default_js == class_js and folium.Map.default_css == class_css
    assert MarkerCluster.default_js == cluster_js
    other = render(folium.Map())  # a map built some other way still gets folium's defaults
    assert "leaflet@1.9.3/dist/leaflet.js" in other and "jquery" in other


def test_served_assets_point_at_the_prefix(units):
    page = render(build_map(units, "coverage", facilities=grid_facilities(),
                            assets=AssetMode("served", "/static/vendor")))
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/static/vendor/leaflet.js", "/static/vendor/leaflet.markercluster.js"]
    assert '<link rel="stylesheet" href="/static/vendor/MarkerCluster.Default.css"/>' in page
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()


def test_inputs_are_not_mutated(units):
    before = units.copy()
    facilities = grid_facilities()
    build_map(units, "coverage", facilities=facilities, outline=grid_outline(units))
    assert units.equals(before) and list(units.columns) == list(before.columns)
    assert list(facilities.columns) == ["name", "type", "geometry"]


@pytest.mark.parametrize("change, message", [
    ({"drop": "coverage"}, "coverage"),
    ({"level": "rt"}, "one level"),
    ({"lang": "fr"}, "lang 'fr' is not one of id, en"),
    ({"basemap": "google"}, "basemap"),
])
def test_bad_input_is_a_data_error(units, change, message):
    frame = units.drop(columns=[change["drop"]]) if "drop" in change else units.copy()
    if "level" in change:
        frame["level"] = change["level"]
    kwargs = {k: v for k, v in change.items() if k in ("lang", "basemap")}
    with pytest.raises(DataError, match=message):
        build_map(frame, "coverage", **kwargs)


def test_units_in_another_crs_are_reprojected(units):
    page = render(build_map(units.to_crs(32749), "coverage"))
    ring = unit_layer(page)["features"][0]["geometry"]["coordinates"][0]
    assert ring[0][0] == pytest.approx(110.62, abs=1e-4) and ring[0][1] == pytest.approx(-6.7, abs=1e-4)


def payload_map(**kwargs) -> tuple[str, str]:
    """The same map rendered from harmless names and from names carrying the payloads."""
    pages = []
    for names in (None, PAYLOADS):
        units = grid_units(names)
        if names:
            units.loc[units["name"] == ISLAND_NAME, ["name", "kecamatan_name"]] = PAYLOADS[0]
            units.loc[0, "code"] = PAYLOADS[1]
        outline = grid_outline(units, dict(zip(["33.20.01", "33.20.02"], PAYLOADS, strict=False))) if names else \
            grid_outline(units)
        fmap = build_map(units, "coverage", outline=outline, facilities=grid_facilities(names),
                         title=names and PAYLOADS[1], source=names and PAYLOADS[2],
                         period=names and PAYLOADS[3], **kwargs)
        pages.append(render(fmap))
    return pages[0], pages[1]


def test_payloads_never_reach_the_page_raw():
    clean, dirty = payload_map()
    for payload in PAYLOADS:
        assert payload not in dirty
    assert "&lt;img src=x onerror=alert(1)&gt;" in dirty  # shown as text in tooltips
    assert "&#36;{alert(1)}" in dirty and "back&#96;tick" in dirty and "back&#92;slash" in dirty
    # No tag was opened or closed by data: the page has exactly the tags of the harmless version.
    for tag in ("<script", "</script", "<img", "<svg"):
        assert dirty.lower().count(tag) == clean.lower().count(tag), tag


def test_template_literals_hold_no_live_expression():
    _, dirty = payload_map()
    literals = re.findall(r"bindTooltip\(\s*`(.*?)`,", dirty, re.S)
    assert len(literals) == 5  # one per facility marker
    for text in literals:
        assert "${" not in text and "\\" not in text and "<img" not in text


@pytest.mark.shared
@pytest.mark.skipif(not BOUNDARIES.exists(), reason=f"shared data not found at {BOUNDARIES}")
def test_real_jepara_demak_map_has_one_feature_per_desa_and_fits_the_mainland():
    units, outline = real_units()
    page = render(build_map(units, "coverage", outline=outline, facilities=real_facilities(),
                            title="Kabupaten Jepara dan Demak"))
    layers = geojson_layers(page)
    assert len(layers[0]["features"]) == 444 and len(layers[1]["features"]) == 30
    assert page.count("L.circleMarker(") == 53
    fit = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page)
    assert float(fit.group(3)) < -6.3  # north edge: the mainland coast, not Karimunjawa at -5.7
    assert '"label": "Karimunjawa"' in page


def test_heavy_geometries_are_lightened_and_light_ones_untouched():
    import numpy as np
    import shapely

    from geojkn.maps.geometry import lightened

    wiggly = shapely.Polygon([(127 + 0.1 * np.cos(a), -6 + 0.1 * np.sin(a) + 1e-5 * np.sin(40 * a))
                              for a in np.linspace(0, 2 * np.pi, 2000, endpoint=False)])
    geoms = np.array([wiggly] * 10)
    assert lightened(geoms, budget=50_000) is geoms
    light = lightened(geoms, budget=5_000)
    assert shapely.get_num_coordinates(light).sum() <= 5_000
    assert all(g.is_valid and abs(g.area - wiggly.area) / wiggly.area < 0.01 for g in light)
