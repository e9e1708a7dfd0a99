"""Facilities on maps: checked, and split into the groups that each get a layer (drawn by geojkn-map.js)."""

from __future__ import annotations

import geopandas as gpd

from .. import schema
from ..errors import DataError
from .geometry import point_rows, prepare

GROUPS = {
    "fktp": schema.FKTP_TYPES,
    "rumah_sakit": ("rumah_sakit",),
    "lab": ("lab",),
    "optik": ("optik",),
    "apotek": ("apotek",),
    "non_jkn": schema.NON_JKN_TYPES,
}
UNIT_NAME = "unit_name"  # the name of the unit a facility lies in, where the caller gives it
RADIUS = {"fktp": 5, "rumah_sakit": 7, "lab": 5, "optik": 5, "apotek": 4, "non_jkn": 4}


def facility_groups(facilities: gpd.GeoDataFrame | None) -> dict[str, gpd.GeoDataFrame]:
    """The facilities split into groups (only groups with points), checked and copied."""
    if facilities is None or len(facilities) == 0:
        return {}
    points = prepare(facilities, (schema.FACILITY_NAME, schema.FACILITY_TYPE, schema.GEOMETRY),
                     "facilities")
    unknown = sorted(set(points[schema.FACILITY_TYPE].astype(str)) - set(schema.FACILITY_TYPES))
    if unknown:
        raise DataError(f"Unknown facility type(s) {', '.join(unknown)}: "
                        f"use {', '.join(schema.FACILITY_TYPES)}.")
    points = points.iloc[point_rows(points.geometry)]
    groups = {}
    for group, types in GROUPS.items():
        part = points[points[schema.FACILITY_TYPE].isin(types)]
        if len(part):
            groups[group] = part
    return groups


def has_approximate(groups: dict[str, gpd.GeoDataFrame]) -> bool:
    """Whether any facility shown was placed by its area code."""
    return any(schema.APPROXIMATE in g and bool(g[schema.APPROXIMATE].eq(True).any()) for g in groups.values())
