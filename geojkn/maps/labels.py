"""Unit names on the map: where each name goes (geojkn-map.js shows the names that fit, printed.py its own).

Each name is anchored inside its unit: on the horizontal line through the centre of the largest circle that fits
in the unit (GEOS's maximum inscribed circle), halfway along the stretch of that line inside the unit. With it
goes the room the unit leaves around the anchor, left to right and up and down. In the browser, at every zoom,
a name is shown only when its text fits in that room and does not touch a name already placed: kecamatan names
first (at the kabupaten's zoom and one step in), then desa names by size, the largest unit first (from one
step in). Names are dark with a white halo, readable over every class colour, and never catch the mouse, so
the units under them keep their tooltips and clicks.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .. import schema
from ..analysis.anchors import anchors, rooms
from .geometry import lightened
from .safety import escape_text

DIGITS = 5  # about a metre: more than a label needs


def label_anchors(geoms: np.ndarray) -> np.ndarray:
    """Where each unit's name goes (lon, lat; NaN for an empty unit), on geometry light enough for the purpose."""
    return anchors(lightened(np.asarray(geoms, dtype=object)))


def label_places(shapes: gpd.GeoDataFrame, tier: int) -> list[dict[str, Any]]:
    """Where each unit's name goes (lon/lat, EPSG:4326) and the room around it, largest units first (for printed
    maps, which place names themselves).

    Each place is {t: name (HTML-escaped), y, x: anchor, w: [west, east] ends of the room along the anchor's latitude,
    h: [south, north] ends of the room along its longitude, k: tier (0 kecamatan over desa, 1 the units)}."""
    geoms = lightened(np.asarray(shapes.geometry.values))  # a province's thousands of desa: simplified first
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    geoms, names = geoms[keep], np.asarray(shapes[schema.NAME].astype(str))[keep]
    if len(geoms) == 0:
        return []
    cx, cy, we, sn = rooms(geoms)
    order = np.argsort(-shapely.area(geoms), kind="stable")
    return [{"t": escape_text(str(names[i])), "y": round(float(cy[i]), DIGITS), "x": round(float(cx[i]), DIGITS),
             "w": [round(float(we[i, 0]), DIGITS), round(float(we[i, 1]), DIGITS)],
             "h": [round(float(sn[i, 0]), DIGITS), round(float(sn[i, 1]), DIGITS)], "k": tier} for i in order]
