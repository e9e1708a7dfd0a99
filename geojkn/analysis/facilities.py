"""Place facility points in the smallest unit that contains them (done at import, stored with the points)."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from ..codes import is_within
from ..schema import APPROXIMATE, CODE, LEVELS, UNIT_CODE, Level


def _deepest_match(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.Series:
    """The code of the polygon containing each point; where neighbours overlap, the one the point lies deepest in."""
    if polygons.empty or points.empty:
        return pd.Series(None, index=points.index, dtype=object)
    joined = gpd.sjoin(points[["geometry"]], polygons[[CODE, "geometry"]], how="inner", predicate="within")
    if joined.empty:
        return pd.Series(None, index=points.index, dtype=object)
    boundaries = polygons.set_index(CODE).geometry.boundary
    joined["depth"] = [pt.distance(boundaries[c]) for pt, c in zip(joined.geometry, joined[CODE], strict=True)]
    best = joined.sort_values([CODE]).sort_values("depth", ascending=False, kind="stable")
    best = best[~best.index.duplicated(keep="first")]
    return best[CODE].reindex(points.index).astype(object)


def place_facilities(facilities: gpd.GeoDataFrame, units: Mapping[Level, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """A copy with unit_code: the code of the smallest unit containing the point (None outside every unit).
    Facilities placed by their area code (approximate) keep the unit they were given."""
    out = facilities.copy()
    rough = out[APPROXIMATE].eq(True) if APPROXIMATE in out else pd.Series(False, index=out.index)
    kept = out[UNIT_CODE].where(rough) if UNIT_CODE in out else pd.Series(None, index=out.index)
    out[UNIT_CODE] = kept.astype(object).where(rough, None)
    for level in reversed(LEVELS):  # desa first: the smallest unit that holds the point
        todo = out[out[UNIT_CODE].isna() & ~rough]
        if todo.empty or level not in units:
            continue
        out.loc[todo.index, UNIT_CODE] = _deepest_match(todo, units[level])
    return out


def within_region(placed: gpd.GeoDataFrame, region: str) -> gpd.GeoDataFrame:
    """The placed facilities that lie inside a region."""
    mask = np.array([isinstance(c, str) and is_within(c, region) for c in placed[UNIT_CODE]], dtype=bool)
    return placed[mask]
