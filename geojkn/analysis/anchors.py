"""Where a unit's name goes: inside the unit, on the horizontal line through the centre of the largest circle that fits
in it (GEOS's maximum inscribed circle), halfway along the stretch of that line inside the unit; with the room the
unit leaves around it, left to right and up and down."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely


def _run(geoms: np.ndarray, lines: Any, at: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """For each unit, the ends (along `axis`: 0 x, 1 y) of the stretch of its line that lies inside it and holds
    the anchor coordinate `at`; the anchor itself when the line misses the unit (a sliver)."""
    inside = shapely.intersection(lines, geoms)
    parts, owner = shapely.get_parts(inside, return_index=True)
    low, high = at.astype(float).copy(), at.astype(float).copy()
    if len(parts) == 0:
        return low, high
    bounds = shapely.bounds(parts)
    start, end = bounds[:, axis], bounds[:, axis + 2]
    holds = (start <= at[owner] + 1e-12) & (end >= at[owner] - 1e-12)
    span = np.where(holds, end - start, -1.0)
    best = np.full(len(geoms), -1)
    best_span = np.full(len(geoms), -1.0)
    for i, (unit, width) in enumerate(zip(owner, span, strict=True)):  # the part holding the anchor, per unit
        if width > best_span[unit]:
            best[unit], best_span[unit] = i, width
    found = best >= 0
    low[found], high[found] = start[best[found]], end[best[found]]
    return low, high


def anchors(geoms: np.ndarray) -> np.ndarray:
    """Where each unit's name goes (x, y; NaN for an empty unit)."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.full((len(geoms), 2), np.nan)
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    if keep.any():
        found = rooms(geoms[keep])
        out[keep] = np.column_stack([found[0], found[1]])
    return out


def rooms(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Anchor x and y, and the [west, east] and [south, north] ends of the room around it, of non-empty units."""
    if len(geoms) == 0:
        empty = np.zeros(0)
        return empty, empty, np.zeros((0, 2)), np.zeros((0, 2))
    minx, miny, maxx, maxy = shapely.bounds(geoms).T
    # a fiftieth of each unit's size; a tenth on a province's thousands of desa, where names show zoomed in only
    tolerance = np.maximum(maxx - minx, maxy - miny) / (50 if len(geoms) <= 2000 else 10)
    centres = shapely.get_point(shapely.maximum_inscribed_circle(geoms, tolerance), 0)
    cy = shapely.get_y(centres)
    across = shapely.linestrings(np.stack([np.stack([minx - 1e-6, cy], 1), np.stack([maxx + 1e-6, cy], 1)], 1))
    west, east = _run(geoms, across, shapely.get_x(centres), 0)
    cx = (west + east) / 2
    down = shapely.linestrings(np.stack([np.stack([cx, miny - 1e-6], 1), np.stack([cx, maxy + 1e-6], 1)], 1))
    south, north = _run(geoms, down, cy, 1)
    return cx, cy, np.column_stack([west, east]), np.column_stack([south, north])


def extents(geoms: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each unit and a point inside it (x, y), the [west, east, south, north] ends of the stretches of the
    horizontal and the vertical line through the point that lie inside the unit (the point itself where missing)."""
    geoms, points = np.asarray(geoms, dtype=object), np.asarray(points, dtype=float).reshape(-1, 2)
    out = np.column_stack([points[:, 0], points[:, 0], points[:, 1], points[:, 1]]).astype(float)
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms)) & np.isfinite(points).all(axis=1)
    if not keep.any():
        return out
    g, x, y = geoms[keep], points[keep, 0], points[keep, 1]
    minx, miny, maxx, maxy = shapely.bounds(g).T
    across = shapely.linestrings(np.stack([np.stack([minx - 1e-6, y], 1), np.stack([maxx + 1e-6, y], 1)], 1))
    down = shapely.linestrings(np.stack([np.stack([x, miny - 1e-6], 1), np.stack([x, maxy + 1e-6], 1)], 1))
    west, east = _run(g, across, x, 0)
    south, north = _run(g, down, y, 1)
    out[keep] = np.column_stack([west, east, south, north])
    return out
