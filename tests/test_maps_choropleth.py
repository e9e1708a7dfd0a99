"""Tests for geojkn.maps.choropleth.build_map: the page data (shapes, numbers, classes), layers, fitting, safety."""

from __future__ import annotations

import re

import folium
import pytest

from geojkn.errors import DataError
from geojkn.maps import AssetMode, build_map
from geojkn.maps.encoding import read_varints
from geojkn.maps.palettes import BELOW_TARGET_BORDER, YLORRD

from maps_fixtures import (
    BOUNDARIES,
    ISLAND_NAME,
    NO_DATA_CODE,
    PAYLOADS,
    grid_facilities,
    grid_outline,
    grid_units,
    numbers,
    page_data,
    real_facilities,
    real_units,
    unit_classes,
    unit_codes,
    unit_shapes,
)


def render(fmap: folium.Map) -> str:
    return fmap.get_root().render()


@pytest.fixture()
def units():
    return grid_units()


def test_one_unit_per_row_with_its_numbers_and_tooltip_rows(units):
    data = page_data(render(build_map(units, "coverage", title="Kabupaten Jepara")))
    assert data["n"] == len(units) == 10
    assert unit_codes(data) == list(units["code"])
    assert data["names"] == list(units["name"])
    assert numbers(data, "coverage")[0] == 70.0 and numbers(data, "registered")[0] == 700
    assert numbers(data, "population")[0] == 1000 and numbers(data, "active")[0] == 560
    assert numbers(data, "active_coverage")[0] == 56.0 and numbers(data, "gap")[0] == 250
    assert numbers(data, "coverage")[8] is None  # the desa without figures
    assert [row[0] for row in data["tip"]][:4] == ["Desa/kel.", "Kecamatan", "Kode", "Cakupan terdaftar"]
    assert data["codes"]["pn"][:2] == ["Kedung", "Pecangaan"]


def test_numbers_are_rounded_as_they_are_shown(units):
    """The page gets each value with the digits it shows, rounded by Python as every other view rounds it."""
    frame = units.copy()
    frame.loc[0, "coverage"] = 0.814851  # 81,49 %, whatever the page's own rounding would do
    data = page_data(render(build_map(frame, "coverage")))
    assert numbers(data, "coverage")[0] == 81.49


def test_tooltip_labels_follow_the_language(units):
    data = page_data(render(build_map(units, "activity_rate", lang="en")))
    labels = [row[0] for row in data["tip"]]
    assert labels[:4] == ["Desa/kel.", "Kecamatan", "Code", "Registered coverage"]
    assert "Active / registered" in " ".join(labels) or any("ctiv" in label for label in labels[4:])
    assert data["lang"] == "en"


def test_shapes_are_the_units_themselves(units):
    data = page_data(render(build_map(units, "coverage")))
    for drawn, own in zip(unit_shapes(data), units.geometry, strict=True):
        assert drawn.symmetric_difference(own).area < 1e-9  # exact up to the metre grid


def test_no_data_partial_and_below_target_classes(units):
    data = page_data(render(build_map(units, "coverage")))
    classes = unit_classes(data)
    no_data = [pos for pos, (cls, _, _) in enumerate(classes) if cls == -1]
    assert no_data == list(units.index[units["code"] == NO_DATA_CODE])
    assert [pos for pos, (_, _, below) in enumerate(classes) if below] == [0, 1, 2, 3, 4, 9]  # < 95 %, with figures
    colors = data["style"]["colors"]
    assert colors[classes[0][0]] == YLORRD[4][-1] and colors[classes[7][0]] == YLORRD[4][0]
    assert data["style"]["belowBorder"] == BELOW_TARGET_BORDER


def test_count_metrics_have_no_below_target_outline(units):
    page = render(build_map(units, "gap"))
    assert not any(below for _, _, below in unit_classes(page_data(page)))
    assert "gj-below" not in re.search(r"div.innerHTML = (\".*?\");", page).group(1)


def test_kecamatan_outline_and_names_come_with_desa_maps(units):
    page = render(build_map(units, "coverage", outline=grid_outline(units)))
    data = page_data(page)
    assert data["outline"]["label"] == "Kecamatan"
    assert sorted(data["upper"]["names"]) == ["Karimunjawa", "Kedung", "Pecangaan"]
    assert '"Batas kecamatan" : ' in page  # listed in the layer control


def test_facilities_travel_as_one_array_in_their_groups(units):
    page = render(build_map(units, "coverage", facilities=grid_facilities()))
    spec = page_data(page)["facilities"]
    assert [g["key"] for g in spec["groups"]] == ["fktp", "rumah_sakit", "optik"]
    kinds = read_varints(spec["k"])
    assert len(kinds) == len(spec["names"]) == 5
    groups = [spec["types"][k >> 1][1] for k in kinds]
    assert sorted(groups) == [0, 0, 0, 1, 2]
    names = [page.index(f'"{name}" : facility_group_') for name in ("FKTP (puskesmas, klinik, dokter)",
                                                                      "Rumah sakit", "Optik")]
    assert names == sorted(names)  # listed in the layer control in this order
    assert "L.control.layers(" in page and "L.circleMarker(" not in page  # drawn by geojkn-map.js, not per marker


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
    fmap = build_map(units, "coverage", facilities=grid_facilities())
    assert fmap.default_js == [] and fmap.default_css == []
    assert folium.Map.default_js == class_js and folium.Map.default_css == class_css
    other = render(folium.Map())  # a map built some other way still gets folium's defaults
    assert "leaflet@1.9.3/dist/leaflet.js" in other and "jquery" in other


def test_served_assets_point_at_the_prefix(units):
    page = render(build_map(units, "coverage", facilities=grid_facilities(),
                            assets=AssetMode("served", "/static/vendor")))
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/static/vendor/leaflet.js", "/static/vendor/geojkn-map.js"]
    assert '<link rel="stylesheet" href="/static/vendor/leaflet.css"/>' in page
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower() and "markercluster" not in page.lower()


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
    minx, miny, maxx, maxy = unit_shapes(page_data(page))[0].bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((110.6, -6.7, 110.62, -6.68), abs=1e-4)


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
    outside = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", dirty, flags=re.S)
    for payload in PAYLOADS:
        assert "<" not in payload or payload not in dirty  # no markup of data anywhere
        assert payload not in outside  # and text that means something to scripts only as JSON data
    data = page_data(dirty)  # the names travel as JSON data, never as markup or code
    assert PAYLOADS[0] in data["names"] and PAYLOADS[1] in unit_codes(data)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in dirty  # no '<' of data in the page at all
    # No tag was opened or closed by data: the page has exactly the tags of the harmless version.
    for tag in ("<script", "</script", "<img", "<svg"):
        assert dirty.lower().count(tag) == clean.lower().count(tag), tag


@pytest.mark.shared
@pytest.mark.skipif(not BOUNDARIES.exists(), reason=f"shared data not found at {BOUNDARIES}")
def test_real_jepara_demak_map_has_one_feature_per_desa_and_fits_the_mainland():
    units, outline = real_units()
    page = render(build_map(units, "coverage", outline=outline, facilities=real_facilities(),
                            title="Kabupaten Jepara dan Demak"))
    data = page_data(page)
    assert data["n"] == 444 and len(data["upper"]["names"]) == 30
    assert len(data["facilities"]["names"]) == 53
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
