"""The compact form a map's data takes in the page, decoded there by geojkn-map.js.

Whole numbers travel as variable-length digits of five bits in one string: each character is one of the 64
characters of URL-safe base64 (never a quote, backslash or angle bracket, so a string needs no escaping in
JSON or HTML); its value's sixth bit says another five bits follow. Signed numbers are zigzag-folded first
(0, -1, 1, -2, ... become 0, 1, 2, 3, ...).

A topology becomes three such strings, over a grid of `q` degrees from the corner `x0, y0`:
- "a": for each arc, its number of points, then each point's x and y as the step from the point before (the
  last point of the previous arc, for an arc's first point; 0, 0 before the first arc);
- "s": for each unit its number of polygons, then for each polygon its number of rings, then for each ring its
  number of arcs;
- "r": the arc references ring after ring. Arcs are numbered in the order they are first used and stored in
  the direction of that first use, so a first use is written 0; a later use is 1 + 2 * (arcs numbered so far
  - 1 - arc) + (1 if walked backwards).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..analysis.topology import Topology, walked

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_CHARS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)


def zigzag(values: np.ndarray) -> np.ndarray:
    """Signed integers folded onto 0, 1, 2, ...: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3."""
    v = np.asarray(values, dtype=np.int64)
    return np.where(v < 0, -2 * v - 1, 2 * v).astype(np.uint64)


def varints(values: np.ndarray | Iterable[int]) -> str:
    """Non-negative integers as one string of five-bit digits (see the module's docstring)."""
    u = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.uint64).ravel()
    if len(u) == 0:
        return ""
    digits = np.ones(len(u), dtype=np.int64)
    rest = u >> np.uint64(5)
    while rest.any():
        digits += rest > 0
        rest >>= np.uint64(5)
    owner = np.repeat(np.arange(len(u)), digits)
    first = np.cumsum(digits) - digits
    k = np.arange(int(digits.sum())) - first[owner]
    chunk = (u[owner] >> (np.uint64(5) * k.astype(np.uint64))) & np.uint64(31)
    more = (k < digits[owner] - 1).astype(np.uint64) << np.uint64(5)
    return _CHARS[(chunk | more).astype(np.int64)].tobytes().decode("ascii")


def read_varints(text: str) -> list[int]:
    """The integers of a varints() string (the decoder the page runs, in Python for tests)."""
    lookup = {ch: i for i, ch in enumerate(ALPHABET)}
    out, value, shift = [], 0, 0
    for ch in text:
        digit = lookup[ch]
        value |= (digit & 31) << shift
        shift += 5
        if not digit & 32:
            out.append(value)
            value, shift = 0, 0
    return out


def unzigzag(value: int) -> int:
    return -(value + 1) // 2 if value % 2 else value // 2


def page_grid(topology: Topology, step: float) -> tuple[np.ndarray, float]:
    """The arc coordinates on a coarser grid of about `step` degrees (a whole number of the topology's steps, so
    that shared arcs stay the same), and that grid's step."""
    factor = max(1, int(round(step / topology.quantum)))
    xy = np.floor_divide(topology.xy + factor // 2, factor) if factor > 1 else topology.xy
    return xy, topology.quantum * factor


def encode_topology(topology: Topology, step: float) -> dict[str, object]:
    """The page's form of a topology (see the module's docstring) on a grid of about `step` degrees."""
    xy, q = page_grid(topology, step)
    order, flip, refs = _first_use(topology)
    points, position = walked(topology, np.where(flip, ~order, order), xy)
    sizes = topology.arc_start[order + 1] - topology.arc_start[order]
    last = np.repeat(sizes - 1, sizes)
    # a point that repeats the one before it on the coarser grid is left out (an arc's two ends always stay)
    repeat = np.r_[False, (points[1:] == points[:-1]).all(axis=1)] & (position > 0) & (position < last)
    arc_of_point = np.repeat(np.arange(len(order)), sizes)
    points = points[~repeat]
    sizes = np.bincount(arc_of_point[~repeat], minlength=len(order)).astype(np.int64)
    origin = np.min(xy, axis=0) if len(xy) else np.zeros(2, dtype=np.int64)
    points = points - origin
    steps = np.diff(np.vstack([np.zeros((1, 2), dtype=np.int64), points]), axis=0)
    stream = np.empty(len(sizes) + 2 * len(points), dtype=np.uint64)
    at = 2 * (np.cumsum(sizes) - sizes) + np.arange(len(sizes))
    is_size = np.zeros(len(stream), dtype=bool)
    is_size[at] = True
    stream[at] = sizes.astype(np.uint64)
    stream[~is_size] = zigzag(steps.ravel())
    shape = np.concatenate([np.diff(topology.unit_start), np.diff(topology.polygon_start),
                            np.diff(topology.ring_start)])
    return {"q": q, "x0": float(origin[0] * q), "y0": float(origin[1] * q), "a": varints(stream),
            "s": varints(shape), "r": varints(refs)}


def _first_use(topology: Topology) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arcs in order of first use, whether each is stored backwards from that use, and the coded references."""
    refs = topology.refs
    arc = np.where(refs >= 0, refs, ~refs)
    _, first = np.unique(arc, return_index=True)
    order_pos = np.sort(first)
    order = arc[order_pos]  # arc ids by first use
    number = np.empty(topology.arcs, dtype=np.int64)
    number[order] = np.arange(len(order))
    flip = refs[order_pos] < 0
    flipped = np.zeros(topology.arcs, dtype=bool)
    flipped[order] = flip
    backwards = (refs < 0) != flipped[arc]
    new = number[arc]
    is_first = np.zeros(len(refs), dtype=bool)
    is_first[order_pos] = True
    numbered = np.cumsum(is_first) - is_first  # arcs numbered before this reference
    code = np.where(is_first, 0, 1 + 2 * (numbered - 1 - new) + backwards)
    return order, flip, code.astype(np.uint64)


def decode_topology(page: dict[str, object], units: int) -> list[list[list[list[tuple[float, float]]]]]:
    """Every unit's polygons, rings and (lon, lat) points from the page's form (what the page's script does;
    for tests and checks)."""
    q, x0, y0 = float(page["q"]), float(page["x0"]), float(page["y0"])  # type: ignore[arg-type]
    stream = read_varints(str(page["a"]))
    arcs: list[list[tuple[int, int]]] = []
    x = y = 0
    i = 0
    while i < len(stream):
        n = stream[i]
        i += 1
        arc = []
        for _ in range(n):
            x += unzigzag(stream[i])
            y += unzigzag(stream[i + 1])
            i += 2
            arc.append((x, y))
        arcs.append(arc)
    shape = read_varints(str(page["s"]))
    polygons_of = shape[:units]
    rings_of = shape[units:units + sum(polygons_of)]
    arcs_of = shape[units + sum(polygons_of):]
    codes = iter(read_varints(str(page["r"])))
    ring_sizes = iter(arcs_of)
    ring_counts = iter(rings_of)
    numbered = 0
    out = []
    for n_polygons in polygons_of:
        unit = []
        for _ in range(n_polygons):
            rings = []
            for _ in range(next(ring_counts)):
                points: list[tuple[int, int]] = []
                for _ in range(next(ring_sizes)):
                    code = next(codes)
                    if code == 0:
                        arc, numbered = arcs[numbered], numbered + 1
                    else:
                        back = (code - 1) & 1
                        arc = arcs[numbered - 1 - ((code - 1) >> 1)]
                        arc = arc[::-1] if back else arc
                    points.extend(arc if not points else arc[1:])
                rings.append([(x0 + px * q, y0 + py * q) for px, py in points])
            unit.append(rings)
        out.append(unit)
    return out
