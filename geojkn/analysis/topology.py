"""Polygons as rings of shared arcs: every border between two units is kept, and sent to a page, once.

A Topology holds quantised integer coordinates (one grid step is `quantum` degrees). Each unit is a list of
polygons, each polygon a list of rings (the outer ring first, then its holes), and each ring a list of arc
references: `i` walks arc i forwards, `~i` (that is -i - 1) walks it backwards. Two units whose rings run over
the same vertices share the arcs there, so a border drawn from a Topology can neither gap nor overlap.

Rings are cut into arcs wherever the units on the far side of their edges change; a ring whose every edge has
the same far side (an island, or a unit inside a hole of one other unit) is one closed arc. Coordinates are
stored as arrays (compressed sparse rows), so that a region's units can be taken from a province's topology
and encoded for a page without a loop over vertices in Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

Shape = list[list[list[int]]]  # polygons -> rings -> arc references
ARRAYS = ("xy", "arc_start", "refs", "ring_start", "polygon_start", "unit_start")
_OFFSET = np.int64(1) << 30  # grid coordinates are packed two to an int64 key: each must stay within +-2**30


@dataclass(frozen=True, eq=False)
class Topology:
    """Units (in `codes` order) as polygons of rings of arcs; coordinates in grid steps of `quantum` degrees."""

    quantum: float
    xy: np.ndarray  # (n, 2) int64: the vertices of every arc, arc after arc
    arc_start: np.ndarray  # (arcs + 1,) int64: arc i is xy[arc_start[i]:arc_start[i + 1]]
    refs: np.ndarray  # int64 arc references, ring after ring
    ring_start: np.ndarray  # (rings + 1,): ring r is refs[ring_start[r]:ring_start[r + 1]]
    polygon_start: np.ndarray  # (polygons + 1,): polygon p holds rings polygon_start[p]:polygon_start[p + 1]
    unit_start: np.ndarray  # (units + 1,): unit u holds polygons unit_start[u]:unit_start[u + 1]

    @property
    def arcs(self) -> int:
        return len(self.arc_start) - 1

    @property
    def units(self) -> int:
        return len(self.unit_start) - 1

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays to store (see from_arrays)."""
        return {"xy": self.xy, "arc_start": self.arc_start, "refs": self.refs, "ring_start": self.ring_start,
                "polygon_start": self.polygon_start, "unit_start": self.unit_start}

    @classmethod
    def from_arrays(cls, quantum: float, arrays: Mapping[str, np.ndarray]) -> Topology:
        """A topology from stored arrays."""
        xy = np.asarray(arrays["xy"], dtype=np.int64).reshape(-1, 2)
        rest = {name: np.asarray(arrays[name], dtype=np.int64) for name in ARRAYS if name != "xy"}
        return cls(quantum, xy, **rest)

    def shape(self, unit: int) -> Shape:
        """One unit's polygons, rings and arc references as nested lists."""
        out = []
        for p in range(int(self.unit_start[unit]), int(self.unit_start[unit + 1])):
            rings = range(int(self.polygon_start[p]), int(self.polygon_start[p + 1]))
            out.append([self.refs[self.ring_start[r]:self.ring_start[r + 1]].tolist() for r in rings])
        return out


def build_topology(geoms: Sequence[object] | np.ndarray, quantum: float) -> Topology:
    """The topology of polygons (a None, empty or non-polygon entry becomes a unit without polygons).

    Coordinates are rounded to the grid first; repeated vertices and rings of fewer than three are dropped."""
    geoms = np.asarray(geoms, dtype=object)
    rings, coords = _rings(geoms, quantum)
    ring_poly, poly_unit, ring_id, keys = rings[0], rings[1], coords[0], coords[1]
    vertices = np.unique(keys)
    vid = np.searchsorted(vertices, keys)  # vertex id per coordinate
    unit_of_ring = poly_unit[ring_poly]
    starts = np.flatnonzero(np.r_[True, ring_id[1:] != ring_id[:-1]])
    ends = np.r_[starts[1:], len(ring_id)]
    nxt = np.arange(1, len(vid) + 1)
    nxt[ends - 1] = starts  # each ring closes on its first vertex
    a, b = vid, vid[nxt]
    edge = np.minimum(a, b) * len(vertices) + np.maximum(a, b)
    order = np.argsort(edge, kind="stable")
    first = np.r_[True, edge[order][1:] != edge[order][:-1]]
    group = np.cumsum(first) - 1
    owner = unit_of_ring[ring_id][order]
    low = np.minimum.reduceat(owner, np.flatnonzero(first))
    high = np.maximum.reduceat(owner, np.flatnonzero(first))
    count = np.diff(np.r_[np.flatnonzero(first), len(order)])
    sig_of_group = (low * (len(geoms) + 1) + high) * 4 + np.minimum(count, 3)
    sig = np.empty(len(edge), dtype=np.int64)
    sig[order] = sig_of_group[group]
    prev = np.arange(-1, len(vid) - 1)
    prev[starts] = ends - 1
    cut = sig[prev] != sig  # the far side changes at this vertex
    return _assemble(quantum, vertices, vid, cut, starts, ends, ring_poly, poly_unit, len(geoms))


def _rings(geoms: np.ndarray, quantum: float) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(polygon of each ring, unit of each polygon), (ring of each kept vertex, vertex key) after rounding."""
    usable = np.array([g is not None and not shapely.is_empty(g)
                       and shapely.get_type_id(g) in (3, 6) for g in geoms], dtype=bool)
    # every outer ring anticlockwise and every hole clockwise: neighbours then walk their shared border in
    # opposite directions
    kept = np.array([g if ok else None for g, ok in zip(geoms, usable, strict=True)], dtype=object)
    oriented = shapely.orient_polygons(kept)
    parts, unit = shapely.get_parts(oriented, return_index=True)
    polys = parts[shapely.get_type_id(parts) == 3]
    unit = unit[shapely.get_type_id(parts) == 3]
    rings, poly = shapely.get_rings(polys, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    grid = np.round(xy / quantum).astype(np.int64)
    last = np.r_[ring[1:] != ring[:-1], True]
    keep = ~last  # the closing vertex repeats the first
    first = np.r_[True, ring[1:] != ring[:-1]]
    same = np.r_[False, (grid[1:] == grid[:-1]).all(axis=1)] & ~first
    keep &= ~same
    grid, ring = grid[keep], ring[keep]
    # after rounding the last vertex may repeat the first
    ends = np.r_[ring[1:] != ring[:-1], True]
    starts_pos = np.flatnonzero(np.r_[True, ring[1:] != ring[:-1]])
    first_of = np.repeat(starts_pos, np.diff(np.r_[starts_pos, len(ring)]))
    closing = ends & (grid == grid[first_of]).all(axis=1) & (np.arange(len(ring)) != first_of)
    grid, ring = grid[~closing], ring[~closing]
    sizes = np.bincount(ring, minlength=len(rings))
    ok_ring = sizes >= 3
    # a polygon whose outer ring collapsed is dropped with its holes
    outer = np.r_[True, poly[1:] != poly[:-1]]
    ok_poly = np.zeros(len(polys), dtype=bool)
    ok_poly[poly[outer]] = ok_ring[outer]
    ok_ring &= ok_poly[poly]
    kept_rings = np.flatnonzero(ok_ring)
    new_ring = np.full(len(rings), -1)
    new_ring[kept_rings] = np.arange(len(kept_rings))
    keep_v = ok_ring[ring]
    grid, ring = grid[keep_v], new_ring[ring[keep_v]]
    kept_polys = np.flatnonzero(ok_poly)
    new_poly = np.full(len(polys), -1)
    new_poly[kept_polys] = np.arange(len(kept_polys))
    ring_poly = new_poly[poly[kept_rings]]
    poly_unit = unit[kept_polys]
    if len(grid) and np.abs(grid).max() >= _OFFSET:
        raise ValueError(f"coordinates too large for a grid of {quantum} degrees")
    keys = ((grid[:, 0] + _OFFSET) << 32) + (grid[:, 1] + _OFFSET)
    return (ring_poly, poly_unit), (ring, keys)


def _assemble(quantum: float, vertices: np.ndarray, vid: np.ndarray, cut: np.ndarray, starts: np.ndarray,
              ends: np.ndarray, ring_poly: np.ndarray, poly_unit: np.ndarray, units: int) -> Topology:
    """Cut every ring into arcs, keep each arc once (in either direction) and build the arrays."""
    ids = vid.tolist()
    cuts = cut.tolist()
    found: dict[tuple[int, ...], int] = {}
    arcs: list[tuple[int, ...]] = []
    refs: list[int] = []
    ring_sizes: list[int] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        ring = ids[s:e]
        marks = [i for i, c in enumerate(cuts[s:e]) if c]
        if marks:
            rotated = ring[marks[0]:] + ring[:marks[0]]
            points = [m - marks[0] for m in marks] + [len(ring)]
            rotated.append(rotated[0])
            chains = [tuple(rotated[p:q + 1]) for p, q in zip(points[:-1], points[1:], strict=True)]
        else:  # one closed arc, started at its lowest vertex so that the unit on its far side finds it too
            low = ring.index(min(ring))
            chains = [tuple(ring[low:] + ring[:low + 1])]
        for chain in chains:
            ref = found.get(chain)
            if ref is None:
                rev = found.get(chain[::-1])
                if rev is not None:
                    ref = ~rev
                else:
                    ref = found[chain] = len(arcs)
                    arcs.append(chain)
            refs.append(ref)
        ring_sizes.append(len(chains))
    flat = np.fromiter((v for arc in arcs for v in arc), dtype=np.int64,
                       count=sum(len(arc) for arc in arcs))
    keys = vertices[flat]
    xy = np.stack([(keys >> 32) - _OFFSET, (keys & ((np.int64(1) << 32) - 1)) - _OFFSET], axis=1)
    arc_start = np.r_[0, np.cumsum([len(arc) for arc in arcs])].astype(np.int64)
    ring_start = np.r_[0, np.cumsum(ring_sizes)].astype(np.int64)
    polygon_start = np.r_[0, np.cumsum(np.bincount(ring_poly, minlength=len(poly_unit)))].astype(np.int64)
    unit_start = np.r_[0, np.cumsum(np.bincount(poly_unit, minlength=units))].astype(np.int64)
    return Topology(quantum, xy, arc_start, np.asarray(refs, dtype=np.int64), ring_start, polygon_start, unit_start)


def subset(topology: Topology, units: Sequence[int] | np.ndarray) -> Topology:
    """The topology of some units only (in the given order), with only the arcs they use, renumbered."""
    units = np.asarray(units, dtype=np.int64)
    polys = _ranges(topology.unit_start, units)
    rings = _ranges(topology.polygon_start, polys)
    ref_pos = _ranges(topology.ring_start, rings)
    refs = topology.refs[ref_pos]
    index = np.where(refs >= 0, refs, ~refs)
    used, new = np.unique(index, return_inverse=True)
    new_refs = np.where(refs >= 0, new, ~new)
    point_pos = _ranges(topology.arc_start, used)
    sizes = topology.arc_start[used + 1] - topology.arc_start[used]
    return Topology(topology.quantum, topology.xy[point_pos], np.r_[0, np.cumsum(sizes)].astype(np.int64),
                    new_refs.astype(np.int64), _restart(topology.ring_start, rings),
                    _restart(topology.polygon_start, polys), _restart(topology.unit_start, units))


def _ranges(start: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The positions start[w]:start[w + 1] for every w in `which`, concatenated."""
    lo, hi = start[which], start[which + 1]
    sizes = hi - lo
    if sizes.sum() == 0:
        return np.zeros(0, dtype=np.int64)
    base = np.repeat(lo - np.r_[0, np.cumsum(sizes)[:-1]], sizes)
    return (base + np.arange(sizes.sum())).astype(np.int64)


def _restart(start: np.ndarray, which: np.ndarray) -> np.ndarray:
    sizes = start[which + 1] - start[which]
    out: np.ndarray = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    return out


def walked(topology: Topology, refs: np.ndarray, xy: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The points of the arcs `refs` names (from `xy`, the topology's own points unless given), each arc in the
    direction it is walked, and the position of each point in its arc (0 for an arc's first point)."""
    index = np.where(refs >= 0, refs, ~refs)
    starts, ends = topology.arc_start[index], topology.arc_start[index + 1]
    sizes = ends - starts
    step = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    backwards = np.repeat(refs < 0, sizes)
    at = np.where(backwards, np.repeat(ends, sizes) - 1 - step, np.repeat(starts, sizes) + step)
    return (topology.xy if xy is None else xy)[at], step


def polygons(topology: Topology) -> np.ndarray:
    """Every unit back as a shapely (Multi)Polygon in degrees (None for a unit without polygons)."""
    out = np.full(topology.units, None, dtype=object)
    if len(topology.refs) == 0:
        return out
    points, step = walked(topology, topology.refs)
    ring_of_ref = np.repeat(np.arange(len(topology.ring_start) - 1), np.diff(topology.ring_start))
    sizes = topology.arc_start[np.where(topology.refs >= 0, topology.refs, ~topology.refs) + 1] - \
        topology.arc_start[np.where(topology.refs >= 0, topology.refs, ~topology.refs)]
    ring_of_point = np.repeat(ring_of_ref, sizes)
    first_ref = np.zeros(len(topology.refs), dtype=bool)
    first_ref[topology.ring_start[:-1][np.diff(topology.ring_start) > 0]] = True
    keep = (step > 0) | np.repeat(first_ref, sizes)  # an arc's first point is the last point of the one before
    coords = points[keep] * topology.quantum
    rings = shapely.linearrings(coords, indices=ring_of_point[keep])
    polygon_of_ring = np.repeat(np.arange(len(topology.polygon_start) - 1), np.diff(topology.polygon_start))
    unit_of_polygon = np.repeat(np.arange(topology.units), np.diff(topology.unit_start))
    shapes = shapely.polygons(rings, indices=polygon_of_ring)
    many = np.diff(topology.unit_start)
    present = np.flatnonzero(many > 0)
    compact = np.searchsorted(present, unit_of_polygon)  # shapely wants every index from 0 up
    out[present] = shapely.multipolygons(shapes, indices=compact)
    single = np.flatnonzero(many == 1)
    out[single] = shapes[topology.unit_start[single]]
    return out
