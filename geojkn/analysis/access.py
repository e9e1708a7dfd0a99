"""Distances to facilities: straight lines on the ground, measured in the UTM zone of the data (metres).

A straight line is not a travel time (rivers, roads and the sea are ignored); pages that show a distance say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..schema import APPROXIMATE, CRS, FACILITY_NAME, FACILITY_TYPE, UNIT_CODE


@dataclass(frozen=True)
class Nearby:
    """A facility and its straight-line distance from a place."""

    name: str
    type: str
    km: float
    approximate: bool  # placed by its area code: the distance is only as good as that
    unit_code: str | None


def utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """The WGS 84 UTM zone of a place (a metric CRS from pyproj's own tables, no network)."""
    zone = min(60, int((lon + 180) // 6) + 1)
    return pyproj.CRS.from_epsg((32700 if lat < 0 else 32600) + zone)


def distances_km(units: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, types: tuple[str, ...]) -> pd.Series:
    """For each unit, the straight-line distance in km from a point inside it to the nearest facility of the
    types (NaN when there is none)."""
    chosen = facilities[facilities[FACILITY_TYPE].isin(types) & facilities.geometry.notna()]
    if chosen.empty or units.empty:
        return pd.Series(np.nan, index=units.index, dtype="float64")
    west, south, east, north = units.total_bounds
    metric = utm_crs((west + east) / 2, (south + north) / 2)
    places = np.asarray(units.geometry.representative_point().to_crs(metric).values)
    points = np.asarray(chosen.geometry.to_crs(metric).values)
    nearest_point = points[shapely.STRtree(points).nearest(places)]
    return pd.Series(shapely.distance(places, nearest_point) / 1000, index=units.index, dtype="float64")


def nearest(place: shapely.Point, facilities: gpd.GeoDataFrame, types: tuple[str, ...], n: int = 3) -> list[Nearby]:
    """The n facilities of the given types closest to a place (lon/lat), nearest first."""
    chosen = facilities[facilities[FACILITY_TYPE].isin(types) & facilities.geometry.notna()]
    if chosen.empty:
        return []
    metric = utm_crs(place.x, place.y)
    here = gpd.GeoSeries([place], crs=CRS).to_crs(metric).iloc[0]
    distances = chosen.geometry.to_crs(metric).distance(here).sort_values().head(n)
    rows = chosen.loc[distances.index]
    return [Nearby(str(name), str(kind), float(metres) / 1000, bool(rough is True or rough == 1),
                   str(unit) if isinstance(unit, str) else None)
            for name, kind, metres, rough, unit in zip(rows[FACILITY_NAME], rows[FACILITY_TYPE], distances,
                                                        rows.get(APPROXIMATE, [False] * len(rows)),
                                                        rows.get(UNIT_CODE, [None] * len(rows)), strict=True)]
