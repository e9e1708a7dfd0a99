"""Landmasses: a region's units grouped into the pieces of land they lie on (parts less than CLUSTER_GAP_M apart,
single linkage, distances in the data's UTM zone), largest first. Maps fit their view to them (maps/geometry.py);
imports work them out once for each province's lightest shapes (analysis/mapgeometry.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from .access import utm_crs as zone_crs

CLUSTER_GAP_M = 10_000.0
Bounds = tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east)) for Leaflet


@dataclass(frozen=True)
class Landmass:
    """A group of nearby unit parts: its Leaflet bounds, land area and the units it touches."""

    bounds: Bounds
    area: float
    unit_positions: tuple[int, ...]


def to_bounds(minx: float, miny: float, maxx: float, maxy: float) -> Bounds:
    """Leaflet's [[south, west], [north, east]] from a shapely-style bbox."""
    return ((float(miny), float(minx)), (float(maxy), float(maxx)))


def landmasses(units: gpd.GeoDataFrame, gap_m: float = CLUSTER_GAP_M, coverage: bool = False) -> list[Landmass]:
    """Groups of unit parts less than gap_m apart, largest land area first. Units that form a valid coverage
    (prepared shapes) are merged first, which leaves a few dozen parts to group instead of thousands."""
    if coverage and len(units):
        return _coverage_landmasses(units, gap_m)
    parts = units.geometry.explode(index_parts=False)
    owner = parts.index.to_numpy()
    lonlat = np.asarray(parts.values)
    geoms = np.asarray(gpd.GeoSeries(lonlat, crs=units.crs).to_crs(utm_crs(units)).values)
    label = _connected(geoms, gap_m)
    areas = shapely.area(geoms)
    masses = []
    for group in np.unique(label):
        member = label == group
        units_in = tuple(sorted(set(int(i) for i in owner[member])))
        masses.append(Landmass(to_bounds(*shapely.total_bounds(lonlat[member])),
                               float(areas[member].sum()), units_in))
    return sorted(masses, key=lambda m: -m.area)


def _coverage_landmasses(units: gpd.GeoDataFrame, gap_m: float) -> list[Landmass]:
    geoms = np.asarray(units.geometry.values)
    try:
        whole = shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:  # not edge-matched after all
        whole = shapely.union_all(geoms)
    parts = shapely.get_parts(whole)
    metric = np.asarray(gpd.GeoSeries(parts, crs=units.crs).to_crs(utm_crs(units)).values)
    label = _connected(metric, gap_m)
    areas = shapely.area(metric)
    unit, part = shapely.STRtree(parts).query(shapely.point_on_surface(geoms), predicate="intersects")
    masses = []
    for group in np.unique(label):
        member = label == group
        inside = tuple(sorted({int(u) for u, p in zip(unit, part, strict=True) if member[p]}))
        masses.append(Landmass(to_bounds(*shapely.total_bounds(parts[member])), float(areas[member].sum()), inside))
    return sorted(masses, key=lambda m: -m.area)


def utm_crs(frame: gpd.GeoDataFrame) -> pyproj.CRS:
    """The WGS 84 UTM zone at the centre of the data (a metric CRS, no network needed)."""
    minx, miny, maxx, maxy = frame.total_bounds
    return zone_crs((minx + maxx) / 2, (miny + maxy) / 2)


def _connected(geoms: np.ndarray, gap_m: float) -> np.ndarray:
    """A group label per part: parts whose convex hulls lie within gap_m share a label."""
    # Growing each hull by half the gap and merging the overlaps links every pair closer than the gap
    # (single linkage) in one union, much faster than testing all pairs of detailed outlines.
    grown = shapely.buffer(shapely.convex_hull(geoms), gap_m / 2, quad_segs=2)
    groups = shapely.get_parts(shapely.union_all(grown))
    part, group = shapely.STRtree(groups).query(grown, predicate="intersects")
    label = np.zeros(len(geoms), dtype=int)
    label[part] = group  # the merged groups are disjoint, so each part meets exactly one
    return label


def masses_to_arrays(masses: Sequence[Landmass]) -> dict[str, np.ndarray]:
    """Landmasses as arrays to store beside a band's shapes (see masses_from_arrays)."""
    members = [np.asarray(m.unit_positions, dtype=np.int64) for m in masses]
    return {"mass_bounds": np.array([[*m.bounds[0], *m.bounds[1]] for m in masses], dtype=np.float64).reshape(-1, 4),
            "mass_area": np.array([m.area for m in masses], dtype=np.float64),
            "mass_start": np.cumsum([0, *(len(u) for u in members)]).astype(np.int64),
            "mass_units": np.concatenate(members) if members else np.empty(0, dtype=np.int64)}


def masses_from_arrays(arrays: Mapping[str, np.ndarray]) -> tuple[Landmass, ...] | None:
    """The landmasses stored with a band, or None when it has none stored."""
    if "mass_bounds" not in arrays:
        return None
    bounds, area, start, units = (arrays[k] for k in ("mass_bounds", "mass_area", "mass_start", "mass_units"))
    return tuple(Landmass(((float(b[0]), float(b[1])), (float(b[2]), float(b[3]))), float(a),
                          tuple(int(u) for u in units[start[i]:start[i + 1]]))
                 for i, (b, a) in enumerate(zip(bounds, area, strict=True)))


def reordered(masses: Sequence[Landmass], codes: Sequence[str], order: Sequence[str]) -> list[Landmass]:
    """Landmasses of units listed in `codes`, their positions given in `order` instead (the same units)."""
    where = {code: i for i, code in enumerate(order)}
    return [Landmass(m.bounds, m.area, tuple(sorted(where[codes[u]] for u in m.unit_positions))) for m in masses]
