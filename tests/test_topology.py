"""Tests for analysis/topology.py and maps/encoding.py: shared arcs, subsets, and the page's compact form."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from geojkn.analysis.topology import build_topology, polygons, subset
from geojkn.maps.encoding import ALPHABET, decode_topology, encode_topology, read_varints, varints, zigzag


def arc_uses(topology) -> dict[int, list[tuple[int, bool]]]:
    """For each arc, the units that walk it and whether they walk it backwards."""
    uses: dict[int, list[tuple[int, bool]]] = {}
    for unit in range(topology.units):
        for rings in topology.shape(unit):
            for ring in rings:
                for ref in ring:
                    uses.setdefault(ref if ref >= 0 else ~ref, []).append((unit, ref < 0))
    return uses


def test_two_neighbours_share_their_border_as_one_arc():
    topology = build_topology([box(0, 0, 1, 1), box(1, 0, 2, 1)], 0.001)
    assert topology.arcs == 3  # each outer edge, and the border between them once
    shared = [uses for uses in arc_uses(topology).values() if len(uses) == 2]
    assert len(shared) == 1 and sorted(back for _, back in shared[0]) == [False, True]


def test_a_grid_shares_every_inner_border_and_comes_back_whole():
    cells = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)]
    topology = build_topology(cells, 0.001)
    for uses in arc_uses(topology).values():
        assert len(uses) in (1, 2)
        if len(uses) == 2:
            assert uses[0][0] != uses[1][0] and uses[0][1] != uses[1][1]  # two units, opposite ways
    for cell, back in zip(cells, polygons(topology), strict=True):
        assert cell.symmetric_difference(back).area < 1e-12


def test_an_island_in_a_hole_shares_the_hole_ring():
    lake = [(5.2, 5.2), (5.8, 5.2), (5.8, 5.8), (5.2, 5.8)]
    around = Polygon([(5, 5), (6, 5), (6, 6), (5, 6)], [lake])
    topology = build_topology([around, Polygon(lake), None, Polygon()], 0.01)
    assert topology.shape(2) == [] and topology.shape(3) == []
    hole, island = topology.shape(0)[0][1], topology.shape(1)[0][0]
    assert len(hole) == len(island) == 1 and (hole[0] == island[0] or hole[0] == ~island[0])
    assert polygons(topology)[0].equals(around)


def test_rounding_drops_repeated_points_and_collapsed_rings():
    sliver = Polygon([(0, 0), (1e-5, 0), (1e-5, 1e-5)])
    topology = build_topology([box(0, 0, 1, 1), sliver], 0.001)
    assert topology.shape(1) == []
    assert polygons(topology)[1] is None


def test_subset_keeps_only_the_arcs_its_units_use():
    cells = [box(c, 0, c + 1, 1) for c in range(4)]
    topology = build_topology(cells, 0.001)
    part = subset(topology, [2, 0])
    assert part.units == 2 and part.arcs < topology.arcs
    back = polygons(part)
    assert back[0].equals(cells[2]) and back[1].equals(cells[0])


def test_varints_round_trip_and_use_only_safe_characters():
    values = np.array([0, 1, 31, 32, 1023, 1024, 2**31 + 7, 2**40 + 3], dtype=np.uint64)
    text = varints(values)
    assert read_varints(text) == [int(v) for v in values]
    assert set(text) <= set(ALPHABET) and not set(text) & set("\"'\\<>&")
    assert zigzag(np.array([0, -1, 1, -2, 2])).tolist() == [0, 1, 2, 3, 4]


def test_the_page_form_decodes_to_the_shapes_on_its_grid():
    rng = np.random.default_rng(3)
    lattice = np.stack(np.meshgrid(np.arange(5.0), np.arange(5.0)), axis=-1) + rng.uniform(-0.2, 0.2, (5, 5, 2))
    cells = [shapely.Polygon([lattice[r, c], lattice[r, c + 1], lattice[r + 1, c + 1], lattice[r + 1, c]])
             for r in range(4) for c in range(4)]  # neighbours meet on the same jittered corners
    topology = build_topology(cells, 1e-6)
    step = 1e-3
    page = encode_topology(topology, step)
    decoded = decode_topology(page, topology.units)
    for cell, unit in zip(cells, decoded, strict=True):
        drawn = shapely.MultiPolygon([shapely.Polygon(rings[0], rings[1:]) for rings in unit])
        assert shapely.hausdorff_distance(drawn, cell) <= step  # within a grid step of the original
    uses = arc_uses(topology)
    assert sum(len(u) == 2 for u in uses.values()) == 24  # the 4 x 4 grid's inner borders, once each


def test_coordinates_too_far_for_the_grid_are_refused():
    with pytest.raises(ValueError, match="too large"):
        build_topology([box(0, 0, 1, 1)], 1e-10)
