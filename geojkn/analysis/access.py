"""Distances to facilities and access to FKTP: straight lines on the ground, measured in a UTM zone (metres).

Each desa is measured from a point inside it (its representative point, never outside a crooked or ring-shaped
desa) to the nearest facility of a kind anywhere in the store, in the UTM zone of its kabupaten. Above desa, a
unit's distance is the mean of its desa's, weighted by their population; its residents far from an FKTP are
those of its desa farther than the access distance (5 km unless set). A straight line is not a travel time
(rivers, roads, the sea and opening hours are ignored), and a whole desa is placed at one point: pages that show
a distance say so. A facility placed only by an area code (approximate: it stands at a point inside the unit its
code names, which may be a whole kabupaten) is left out of every distance: it would stand kilometres from where it
is. It still counts among the facilities of the unit it was placed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..codes import depths
from ..schema import (
    APPROXIMATE,
    CODE,
    CRS,
    DESA,
    FACILITY_NAME,
    FACILITY_TYPE,
    FKRTL_TYPES,
    FKTP,
    FKTP_TYPES,
    NEAREST_FKTP_KM,
    NEAREST_HOSPITAL_KM,
    NEAREST_PUSKESMAS_KM,
    POPULATION,
    POPULATION_BEYOND,
    UNIT_CODE,
    Level,
)

# The distances each desa gets, and the facilities each is measured to.
NEAREST_TYPES = {NEAREST_FKTP_KM: FKTP_TYPES, NEAREST_PUSKESMAS_KM: ("puskesmas",), NEAREST_HOSPITAL_KM: FKRTL_TYPES}


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


def _places(units: gpd.GeoDataFrame) -> tuple[pyproj.CRS, np.ndarray]:
    """The UTM zone at the middle of the units, and a point inside each unit in it."""
    west, south, east, north = units.total_bounds
    metric = utm_crs((west + east) / 2, (south + north) / 2)
    return metric, np.asarray(units.geometry.representative_point().to_crs(metric).values)


def _nearest_km(metric: pyproj.CRS, places: np.ndarray, facilities: gpd.GeoDataFrame,
                types: tuple[str, ...]) -> np.ndarray:
    exact = ~facilities[APPROXIMATE].eq(True) if APPROXIMATE in facilities else True
    chosen = facilities[facilities[FACILITY_TYPE].isin(types) & facilities.geometry.notna()
                        & ~facilities.geometry.is_empty & exact]
    if chosen.empty or len(places) == 0:
        return np.full(len(places), np.nan)
    points = np.asarray(chosen.geometry.to_crs(metric).values)
    nearest_point = points[shapely.STRtree(points).nearest(places)]
    return np.asarray(shapely.distance(places, nearest_point) / 1000, dtype="float64")


def distances_km(units: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, types: tuple[str, ...]) -> pd.Series:
    """For each unit, the straight-line distance in km from a point inside it to the nearest facility of the
    types (NaN when there is none)."""
    if units.empty:
        return pd.Series(np.nan, index=units.index, dtype="float64")
    metric, places = _places(units)
    return pd.Series(_nearest_km(metric, places, facilities, types), index=units.index, dtype="float64")


def desa_access(desa: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame) -> pd.DataFrame:
    """For every desa (indexed by code), the straight-line km from a point inside it to the nearest FKTP,
    puskesmas and hospital among all the facilities given (those across a border count too). Each kabupaten is
    measured in its own UTM zone."""
    frames = []
    for positions in desa.groupby(desa[CODE].str[:5], sort=False).indices.values():
        rows = desa.iloc[positions]
        metric, places = _places(rows)
        frames.append(pd.DataFrame({name: _nearest_km(metric, places, facilities, types)
                                    for name, types in NEAREST_TYPES.items()}, index=rows[CODE].to_numpy()))
    if not frames:
        return pd.DataFrame(columns=list(NEAREST_TYPES), dtype="float64")
    return pd.concat(frames).rename_axis(CODE)


NEAR_DEGREES = 0.5  # facilities this far (about 55 km) beyond a province's desa count for their distances


def facilities_near(facilities: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The facilities within NEAR_DEGREES of the desa's bounding box: the only ones that can be nearest to them."""
    if facilities.empty or desa.empty:
        return facilities
    minx, miny, maxx, maxy = desa.total_bounds
    x, y = shapely.get_x(facilities.geometry.values), shapely.get_y(facilities.geometry.values)
    inside = (x >= minx - NEAR_DEGREES) & (x <= maxx + NEAR_DEGREES) & (y >= miny - NEAR_DEGREES) & \
        (y <= maxy + NEAR_DEGREES)
    return facilities[inside]


def store_distances(desa: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame) -> pd.DataFrame:
    """desa_access for every desa given, province by province (each with the facilities near it): what an import
    of boundaries or facilities stores, so that no question has to measure again."""
    parts = [gpd.GeoDataFrame(part, geometry=desa.geometry.name, crs=desa.crs)
             for _, part in desa.groupby(desa[CODE].str[:2], sort=True)]
    frames = [desa_access(part, facilities_near(facilities, part)) for part in parts]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=list(NEAREST_TYPES), dtype="float64").rename_axis(CODE)
    return pd.concat(frames)


def unit_access(codes: pd.Series, level: Level, desa: pd.DataFrame, fktp_codes: pd.Series,
                access_km: float) -> pd.DataFrame:
    """Access for units of one level (indexed by code): the distances to the nearest FKTP, puskesmas and
    hospital (a desa's own; above desa the mean over its desa weighted by their population), the residents of
    its desa farther than `access_km` from any FKTP, and the FKTP placed inside it.

    `desa` holds every desa of the units (code index) with its distances and its population for the period
    (NaN when it has no figures); `fktp_codes` the unit codes the FKTP were placed in."""
    depth = level.depth
    desa = desa.assign(_unit=_prefix(pd.Series(desa.index, index=desa.index), depth))
    population = desa[POPULATION]
    far = desa[NEAREST_FKTP_KM] > access_km
    desa = desa.assign(_beyond=population.where(far, 0.0).where(population.notna() & desa[NEAREST_FKTP_KM].notna()),
                       **{f"_w{name}": desa[name] * population for name in NEAREST_TYPES},
                       **{f"_p{name}": population.where(desa[name].notna()) for name in NEAREST_TYPES})
    grouped = desa.groupby("_unit")
    out = pd.DataFrame(index=pd.Index(codes, name=CODE))
    for name in NEAREST_TYPES:
        if level == DESA:
            out[name] = desa[name].reindex(out.index)
        else:
            weight = grouped[f"_p{name}"].sum(min_count=1)
            out[name] = (grouped[f"_w{name}"].sum(min_count=1) / weight.where(weight > 0)).reindex(out.index)
    out[POPULATION_BEYOND] = grouped["_beyond"].sum(min_count=1).reindex(out.index)
    placed = _prefix(fktp_codes[depths(fktp_codes) >= depth], depth).value_counts()
    out[FKTP] = placed.reindex(out.index).fillna(0).astype("int64")
    return out


def _prefix(codes: pd.Series, depth: int) -> pd.Series:
    """The code of the unit `depth` levels deep that holds each code: 33.21.01.2001 at depth 2 is 33.21."""
    return codes.str.split(".").str[:depth].str.join(".")


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
