"""Geometry for maps: checked copies in EPSG:4326, rounded coordinates, and the view to fit.

Fitting rule: split every unit into its polygon parts, join parts that lie within CLUSTER_GAP_M of each
other (single linkage, distances in the data's UTM zone), and call each group a landmass. The view fits
the largest landmass by area plus any landmass at least MAJOR_SHARE of its area, so far islands such as
Karimunjawa (33.20.10, ~80 km off Jepara) do not shrink the mainland into a corner. The other landmasses
stay on the map and get a "zoom to" button each (see controls.py), next to "whole region".
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from .. import schema
from ..errors import DataError

CLUSTER_GAP_M = 10_000.0
MAJOR_SHARE = 0.2
VERTEX_BUDGET = 300_000  # what a browser draws smoothly as SVG paths

Bounds = tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east)) for Leaflet
# The map a page most often opens in: a 1366 x 768 screen less the legend, the layer list and the margins. The
# shapes a map carries are chosen for the zoom it would open at there.
NOMINAL_VIEW = (1030, 700)
ZOOM_SNAP = 0.25


@dataclass(frozen=True)
class Landmass:
    """A group of nearby unit parts: its Leaflet bounds, land area and the units it touches."""

    bounds: Bounds
    area: float
    unit_positions: tuple[int, ...]


def prepare(frame: gpd.GeoDataFrame, required: tuple[str, ...], what: str) -> gpd.GeoDataFrame:
    """A copy in EPSG:4326 without empty geometries, after checking the needed columns exist."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(f"The {what} lack the column(s) {', '.join(missing)}; "
                        f"they need {', '.join(required)}.")
    if frame.crs is None:
        raise DataError(f"The {what} have no coordinate reference system; set EPSG:4326 (lon/lat).")
    out = frame.to_crs(schema.CRS) if frame.crs != schema.CRS else frame.copy()
    keep = ~(out.geometry.isna() | out.geometry.is_empty)
    return out.loc[keep].reset_index(drop=True)


def lightened(geoms: np.ndarray, budget: int = VERTEX_BUDGET) -> np.ndarray:
    """Geometries with at most about `budget` vertices in all.

    Kabupaten maps (a few hundred desa, ~50k vertices) stay untouched. A province of 8,563 desa has
    ~774k vertices, a 21 MB page that browsers draw slowly; it is simplified with a tolerance that
    starts at 1/8000 of the map's extent (about 50 m for Jawa Tengah, under a pixel at province zoom)
    and doubles until the budget is met.
    """
    if shapely.get_num_coordinates(geoms).sum() <= budget:
        return geoms
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    tolerance = max(maxx - minx, maxy - miny) / 8000
    out = geoms
    for _ in range(4):
        out = shapely.simplify(geoms, tolerance, preserve_topology=True)
        if shapely.get_num_coordinates(out).sum() <= budget:
            break
        tolerance *= 2
    return out


def view_zoom(bounds: Bounds, size: tuple[int, int] = NOMINAL_VIEW) -> float:
    """The zoom Leaflet fits `bounds` at in a map of `size` pixels (Web Mercator, 256-pixel tiles)."""
    (south, west), (north, east) = bounds

    def mercator(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    wide = max(east - west, 1e-9) / 360 * 256
    high = max(mercator(north) - mercator(south), 1e-9) / (2 * math.pi) * 256
    zoom = math.log2(min(size[0] / wide, size[1] / high))
    return math.floor(zoom / ZOOM_SNAP) * ZOOM_SNAP


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
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    zone = min(60, int((lon + 180) // 6) + 1)
    return pyproj.CRS.from_epsg((32700 if lat < 0 else 32600) + zone)


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


def fit_bounds(masses: list[Landmass]) -> Bounds:
    """The bounds of the main landmass and of any landmass at least MAJOR_SHARE of its area."""
    largest = masses[0].area
    chosen = [m for m in masses if m.area >= MAJOR_SHARE * largest] or masses[:1]
    return _union(chosen)


def full_bounds(masses: list[Landmass]) -> Bounds:
    """The bounds of every landmass."""
    return _union(masses)


def _union(masses: list[Landmass]) -> Bounds:
    south = min(m.bounds[0][0] for m in masses)
    west = min(m.bounds[0][1] for m in masses)
    north = max(m.bounds[1][0] for m in masses)
    east = max(m.bounds[1][1] for m in masses)
    return ((south, west), (north, east))


def landmass_name(units: gpd.GeoDataFrame, mass: Landmass) -> str:
    """A name for an outlying landmass: its most common kecamatan (desa maps) or its unit names."""
    rows = units.iloc[list(mass.unit_positions)]
    if "kecamatan_name" in rows.columns and rows["kecamatan_name"].notna().any():
        return str(Counter(rows["kecamatan_name"].dropna().astype(str)).most_common(1)[0][0])
    names = [str(n) for n in rows[schema.NAME].fillna("").tolist() if str(n)]
    return ", ".join(names[:2]) + (" …" if len(names) > 2 else "")


def point_rows(points: pd.Series) -> np.ndarray:
    """Positions of rows whose geometry is a usable point."""
    ok = points.notna() & ~points.is_empty & (points.geom_type == "Point")
    return np.flatnonzero(ok.to_numpy())
