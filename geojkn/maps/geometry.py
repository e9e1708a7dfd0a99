"""Geometry for maps: checked copies in EPSG:4326, rounded coordinates, and the view to fit.

Fitting rule: split every unit into its polygon parts, join parts that lie within CLUSTER_GAP_M of each
other (single linkage, distances in the data's UTM zone), and call each group a landmass (analysis/landmass.py).
The view fits the largest landmass by area plus any landmass at least MAJOR_SHARE of its area, so far islands such
as Karimunjawa (33.20.10, ~80 km off Jepara) do not shrink the mainland into a corner. The other landmasses
stay on the map and get a "zoom to" button each (see controls.py), next to "whole region".
"""

from __future__ import annotations

import math
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import schema
from ..analysis.landmass import Bounds, Landmass, landmasses
from ..errors import DataError

__all__ = ["Bounds", "Landmass", "landmasses"]  # declared in analysis/landmass.py, used by the maps from here

MAJOR_SHARE = 0.2
VERTEX_BUDGET = 300_000  # what a browser draws smoothly as SVG paths

# The map a page most often opens in: a 1366 x 768 screen less the legend, the layer list and the margins. The
# shapes a map carries are chosen for the zoom it would open at there.
NOMINAL_VIEW = (1030, 700)
ZOOM_SNAP = 0.25


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
