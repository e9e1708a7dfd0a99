"""Place facility points in the units that contain them, and count them by type inside a region."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..codes import ancestor_at, is_within
from ..schema import CODE, DESA, FACILITY_TYPE, FACILITY_TYPES, FKRTL_TYPES, FKTP_TYPES, KECAMATAN, LEVELS

UNIT_CODE = "unit_code"
GROUPS = {"fktp": FKTP_TYPES, "fkrtl": FKRTL_TYPES, "lab": ("lab",), "optik": ("optik",), "apotek": ("apotek",)}


def _deepest_match(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.Series:
    """The code of the polygon containing each point; where neighbours overlap, the one the point lies deepest in."""
    if polygons.empty or points.empty:
        return pd.Series(None, index=points.index, dtype=object)
    joined = gpd.sjoin(points[["geometry"]], polygons[[CODE, "geometry"]], how="inner", predicate="within")
    if joined.empty:
        return pd.Series(None, index=points.index, dtype=object)
    boundaries = polygons.set_index(CODE).geometry.boundary
    joined["depth"] = [pt.distance(boundaries[c]) for pt, c in zip(joined.geometry, joined[CODE])]
    best = joined.sort_values([CODE]).sort_values("depth", ascending=False, kind="stable")
    best = best[~best.index.duplicated(keep="first")]
    return best[CODE].reindex(points.index).astype(object)


def place_facilities(facilities: gpd.GeoDataFrame, units: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """A copy with unit_code (the smallest unit containing the point), desa_code and kecamatan_code."""
    out = facilities.copy()
    out[UNIT_CODE] = pd.Series(None, index=out.index, dtype=object)
    for level in reversed(LEVELS):  # desa first: the smallest unit that holds the point
        todo = out[out[UNIT_CODE].isna()]
        if todo.empty or level not in units:
            continue
        out.loc[todo.index, UNIT_CODE] = _deepest_match(todo, units[level])
    out["desa_code"] = [ancestor_at(c, DESA) if isinstance(c, str) else None for c in out[UNIT_CODE]]
    out["kecamatan_code"] = [ancestor_at(c, KECAMATAN) if isinstance(c, str) else None for c in out[UNIT_CODE]]
    return out


def within_region(placed: gpd.GeoDataFrame, region: str) -> gpd.GeoDataFrame:
    """The placed facilities that lie inside a region."""
    mask = np.array([isinstance(c, str) and is_within(c, region) for c in placed[UNIT_CODE]], dtype=bool)
    return placed[mask]


def count_by_type(facilities: pd.DataFrame) -> dict:
    """Counts per group (fktp, fkrtl, lab, optik, apotek) and per type."""
    by_type = facilities[FACILITY_TYPE].value_counts()
    counts = {t: int(by_type.get(t, 0)) for t in FACILITY_TYPES}
    out = {group: sum(counts[t] for t in types) for group, types in GROUPS.items()}
    out["by_type"] = counts
    return out
