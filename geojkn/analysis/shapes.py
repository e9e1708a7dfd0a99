"""Shapes for units that have none of their own: a kecamatan made from its desa, a kabupaten from its kecamatan.

Boundary files often hold desa only, or desa and kabupaten. A unit without a polygon would vanish from the
maps and rankings of its level while staying in every total above it; so at import each such unit gets the
union of the units inside it, marked `derived`. A derived shape is made again at every boundary import (its
units may have changed) until a file brings the unit's own polygon, which replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import shapely

from ..codes import parent_of
from ..schema import CODE, CRS, DERIVED, DESA, GEOMETRY, KABUPATEN, KECAMATAN, LEVEL, NAME, PARENT, Level

_TITLE = {KECAMATAN: "Kecamatan", KABUPATEN: "Kabupaten"}


def derived_shapes(after: Mapping[Level, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The kecamatan and kabupaten to store with a shape made from their units: those whose units are in
    `after` (the boundaries as they will be) but that have no polygon of their own there."""
    made: list[gpd.GeoDataFrame] = []
    below = after[DESA]
    for level in (KECAMATAN, KABUPATEN):
        existing = after[level]
        own = existing[~_derived(existing)]
        pieces = below[below[PARENT].notna() & ~below[PARENT].isin(own[CODE])]
        names = {str(code): str(name) for code, name in zip(existing[CODE], existing[NAME], strict=True)}
        new = _dissolved(pieces, level, names)
        made.append(new)
        below = pd.concat([own, new], ignore_index=True)
    return gpd.GeoDataFrame(pd.concat(made, ignore_index=True), geometry=GEOMETRY, crs=CRS)


def _derived(units: gpd.GeoDataFrame) -> pd.Series:
    if DERIVED not in units:
        return pd.Series(False, index=units.index)
    return units[DERIVED].eq(True)


def _dissolved(pieces: gpd.GeoDataFrame, level: Level, names: dict[str, str]) -> gpd.GeoDataFrame:
    """One unit per parent code: the union of its pieces, keeping a name given before (else level and code)."""
    rows = []
    for code, group in pieces.groupby(PARENT, sort=True):
        union = shapely.make_valid(shapely.union_all(group.geometry.to_numpy()))
        polygons = [part for part in shapely.get_parts(union) if part.geom_type in ("Polygon", "MultiPolygon")]
        rows.append({CODE: code, NAME: names.get(str(code)) or f"{_TITLE[level]} {code}", LEVEL: str(level),
                     PARENT: parent_of(str(code)), DERIVED: True, GEOMETRY: shapely.union_all(polygons)})
    columns = (CODE, NAME, LEVEL, PARENT, DERIVED)
    frame = pd.DataFrame(rows) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(frame.pop(GEOMETRY) if rows else [], crs=CRS))
