"""Map geometry prepared at import (analysis/mapgeometry.py) on the real Jepara and Demak boundaries: a clean
coverage, borders shared at every zoom band, simplification under a pixel, outlines made of desa borders."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geojkn.analysis.mapgeometry import BANDS, changed_areas, clean, prepare_area, tolerance
from geojkn.analysis.topology import polygons
from geojkn.maps.encoding import decode_topology, encode_topology

from maps_fixtures import BOUNDARIES

pytestmark = [pytest.mark.shared,
              pytest.mark.skipif(not BOUNDARIES.exists(), reason=f"shared data not found at {BOUNDARIES}")]
LAYERS = {"desa": "desa_kelurahan", "kecamatan": "kecamatan", "kabupaten": "kabupaten_kota"}


def pixel(zoom: float) -> float:
    """Degrees of longitude in one screen pixel at a zoom (256-pixel tiles)."""
    return 360 / 256 / 2**zoom


@pytest.fixture(scope="module")
def source():
    units = {}
    for level, layer in LAYERS.items():
        frame = gpd.read_file(BOUNDARIES, layer=layer).rename(columns={"kode": "code"})
        units[level] = frame[["code", "geometry"]].sort_values("code").reset_index(drop=True)
    return units


@pytest.fixture(scope="module")
def prepared(source):
    rows, cleaning = prepare_area("33", source)
    cleaned, _ = clean(np.asarray(source["desa"].geometry.values), list(source["desa"]["code"]))
    return {(row.level, row.zoom): row for row in rows}, cleaning, cleaned


def test_cleaning_makes_a_valid_coverage_and_says_what_it_moved(source, prepared):
    _, cleaning, cleaned = prepared
    raw = shapely.make_valid(np.asarray(source["desa"].geometry.values))
    assert not shapely.coverage_is_valid(raw)  # the source overlaps its neighbours (SOURCES.md)
    assert shapely.coverage_is_valid(cleaned)
    assert cleaning.desa == 444 and cleaning.kept == ()
    assert cleaning.overlaps_km2 == pytest.approx(0.71, abs=0.05)  # SOURCES.md: 0.71 km² of overlap
    assert 0.3 < cleaning.gaps_km2 < 1.0  # the slivers of both regencies (0.70 km² in SOURCES.md)
    assert not shapely.is_empty(cleaned).any()


def test_every_band_keeps_neighbours_on_shared_borders(prepared):
    rows, _, _ = prepared
    for zoom in BANDS:
        topology = rows[("desa", zoom)].topology
        uses = np.bincount(np.where(topology.refs >= 0, topology.refs, ~topology.refs), minlength=topology.arcs)
        assert uses.max() <= 2  # a border belongs to at most two desa, and is stored once for both
        forward = np.bincount(topology.refs[topology.refs >= 0], minlength=topology.arcs)
        assert ((uses == 2) <= (forward == 1)).all()  # walked once each way: no overlap, no gap
        drawn = shapely.make_valid(polygons(topology))
        assert shapely.coverage_is_valid(drawn), zoom


def widest_departure(drawn: np.ndarray, truth: np.ndarray, zoom: int) -> float:
    """In pixels at `zoom`: the diameter of the largest circle inside the area between the drawn and the true
    shapes, over all units (a line thinner than this is what the eye can miss)."""
    between = shapely.get_parts(shapely.symmetric_difference(shapely.make_valid(drawn), truth))
    between = between[(shapely.get_type_id(between) == 3) & ~shapely.is_empty(between)]
    if len(between) == 0:
        return 0.0
    radius = shapely.length(shapely.maximum_inscribed_circle(between, pixel(zoom) / 50))
    return float(2 * radius.max() / pixel(zoom))


@pytest.mark.parametrize("zoom", BANDS[:4])
def test_a_band_is_within_a_pixel_of_the_cleaned_borders_as_the_page_draws_it(prepared, zoom):
    rows, _, cleaned = prepared
    row = rows[("desa", zoom)]
    page = encode_topology(row.topology, tolerance(zoom) / 4)
    drawn = []
    for unit in decode_topology(page, row.topology.units):
        parts = [shapely.Polygon(rings[0], [r for r in rings[1:] if len(r) >= 3])
                 for rings in unit if len(rings[0]) >= 3]
        drawn.append(shapely.MultiPolygon(parts))
    assert widest_departure(np.array(drawn, dtype=object), cleaned, zoom) < 1.0


def test_upper_levels_are_the_dissolved_desa_of_the_same_band(source, prepared):
    rows, _, _ = prepared
    for zoom in (BANDS[0], BANDS[3]):
        desa_row, kec_row = rows[("desa", zoom)], rows[("kecamatan", zoom)]
        desa = shapely.make_valid(polygons(desa_row.topology))
        kec = shapely.make_valid(polygons(kec_row.topology))
        assert kec_row.codes == tuple(source["kecamatan"]["code"])
        for code, shape in zip(kec_row.codes, kec, strict=True):
            members = [i for i, c in enumerate(desa_row.codes) if c.startswith(code + ".")]
            union = shapely.union_all(desa[members])
            assert shapely.symmetric_difference(shape, union).area < 1e-10, code
        # the kecamatan borders run along desa borders only (every corner of theirs is a desa corner on the same
        # grid), so they never cut across a desa
        corners = {tuple(p) for p in desa_row.topology.xy.tolist()}
        assert all(tuple(p) in corners for p in kec_row.topology.xy.tolist())
        kab = shapely.make_valid(polygons(rows[("kabupaten", zoom)].topology))
        assert shapely.coverage_is_valid(kab)


def test_anchors_lie_inside_their_units(prepared):
    rows, _, cleaned = prepared
    row = rows[("desa", BANDS[0])]
    points = shapely.points(row.anchors)
    assert shapely.contains(cleaned, points).mean() > 0.99


def test_only_changed_or_new_provinces_are_prepared_again(source):
    same = {level: frame.copy() for level, frame in source.items()}
    assert changed_areas(source, same, ["33"]) == []
    assert changed_areas(source, same, []) == ["33"]  # never prepared
    moved = {**same, "desa": same["desa"].assign(geometry=same["desa"].geometry.translate(0.001, 0))}
    assert changed_areas(source, moved, ["33"]) == ["33"]


def test_a_boundary_import_reports_the_cleaning_and_shows_its_progress(store_path, runner):
    result = runner("--store", store_path, "import-boundaries", BOUNDARIES, "--lang", "en")
    assert result.status == 0, result.err
    assert "maps prepared for 33: 444 desa/kel. made into a coverage without gaps or overlaps" in result.out
    assert "0.72 km² of overlap given to one desa" in result.out  # SOURCES.md: 0.71 km² of overlaps
    assert "preparing the map of 33: cleaning the desa borders" in result.err
    assert "preparing the map of 33: simplifying per zoom band" in result.err
    again = runner("--store", store_path, "import-boundaries", BOUNDARIES, "--lang", "en")
    assert "maps prepared" not in again.out and "preparing" not in again.err  # nothing changed: nothing to prepare


def test_the_landmasses_a_map_fits_to_are_worked_out_at_import_as_a_map_would(prepared):
    """Jepara's Karimunjawa islands lie ~80 km off the mainland: a landmass of their own, stored with the lightest
    band and the same as the map works out from that band's shapes (so a province map need not)."""
    from geojkn.analysis.landmass import masses_from_arrays, masses_to_arrays, reordered
    from geojkn.maps.pagedata import MapShapes
    from geojkn.maps.shapes import _landmasses

    rows, _, _ = prepared
    for level in ("desa", "kecamatan", "kabupaten"):
        row = rows[(level, BANDS[0])]
        assert row.masses is not None and rows[(level, BANDS[1])].masses is None
        assert masses_from_arrays(masses_to_arrays(row.masses)) == row.masses
        made = _landmasses(MapShapes(row.codes, row.topology, row.anchors, 1e-5, cleaned=True))
        assert [m.unit_positions for m in made] == [m.unit_positions for m in row.masses]
        for mine, theirs in zip(made, row.masses, strict=True):
            assert np.allclose(np.array(mine.bounds), np.array(theirs.bounds), atol=1e-5)
            assert mine.area == pytest.approx(theirs.area, rel=1e-3)
    desa = rows[("desa", BANDS[0])]
    islands = [m for m in desa.masses if all(desa.codes[u].startswith("33.20.10.") for u in m.unit_positions)]
    assert islands and len(desa.masses) >= 2
    backwards = tuple(reversed(desa.codes))
    turned = reordered(desa.masses, desa.codes, backwards)
    assert {backwards[u] for u in turned[0].unit_positions} == {desa.codes[u] for u in desa.masses[0].unit_positions}
