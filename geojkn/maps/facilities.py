"""Facility layers: one toggleable, clustered group of coloured circles per facility group."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
from folium.plugins import MarkerCluster

from .. import schema
from ..errors import DataError
from ..options import Lang
from ..vocabulary import FACILITY_GROUP_NAMES, FACILITY_TYPE_NAMES, word
from .assets import detach_cdn_links
from .geometry import point_rows, prepare
from .palettes import FACILITY_COLORS
from .safety import escape_text

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
PANE = "geojkn-facilities"
# Clusters only while zoomed out: from this zoom on every facility is drawn on its own.
CLUSTER_UNTIL_ZOOM = 13


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


def _cluster_icon(color: str) -> str:
    """A cluster bubble in the group's colour showing how many facilities it holds (a number only)."""
    return f"""function(cluster) {{
        var n = cluster.getChildCount();
        var size = n < 10 ? 26 : (n < 100 ? 32 : 38);
        return L.divIcon({{
            html: '<div style="background:{color};color:#fff;border:2px solid #fff;border-radius:50%;'
                + 'width:' + size + 'px;height:' + size + 'px;line-height:' + (size - 4) + 'px;'
                + 'text-align:center;font:bold 12px Arial,sans-serif;box-shadow:0 0 0 1px #555">'
                + n + '</div>',
            className: 'geojkn-cluster', iconSize: L.point(size, size)
        }});
    }}"""


def add_facility_layers(fmap: folium.Map, groups: dict[str, gpd.GeoDataFrame], lang: Lang) -> None:
    """Add one FeatureGroup (with a MarkerCluster inside) per facility group to a map being built."""
    # Above the unit polygons whatever order layers are toggled in; pointer events on for tooltips.
    folium.map.CustomPane(PANE, z_index=450, pointer_events=True).add_to(fmap)
    for group, points in groups.items():
        name = escape_text(FACILITY_GROUP_NAMES[lang][group])  # the layer control uses innerHTML
        layer = folium.FeatureGroup(name=name, show=True)
        cluster = MarkerCluster(control=False, icon_create_function=_cluster_icon(FACILITY_COLORS[group]),
                                options={"disableClusteringAtZoom": CLUSTER_UNTIL_ZOOM,
                                         "showCoverageOnHover": False, "maxClusterRadius": 45})
        detach_cdn_links(cluster)
        for row in points.itertuples(index=False):
            _marker(row, group, lang).add_to(cluster)
        cluster.add_to(layer)
        layer.add_to(fmap)


def _marker(row: Any, group: str, lang: Lang) -> folium.CircleMarker:
    """A filled dot where the file gave coordinates; a dashed ring where the facility was placed by the area code
    it came with (its point only says which unit it is in)."""
    point = getattr(row, schema.GEOMETRY)
    kind = str(getattr(row, schema.FACILITY_TYPE))
    text = (f"<b>{escape_text(getattr(row, schema.FACILITY_NAME))}</b><br>"
            f"{escape_text(FACILITY_TYPE_NAMES[lang][kind])}")
    color = FACILITY_COLORS[group]
    if getattr(row, schema.APPROXIMATE, False) in (True,):
        where = getattr(row, UNIT_NAME, None) or getattr(row, schema.UNIT_CODE, "")
        text += f"<br><i>{escape_text(word('approximate_place', lang, unit=where))}</i>"
        style: dict[str, Any] = {"color": color, "weight": 2.5, "dash_array": "3 2", "fill": True,
                                 "fill_color": "#ffffff", "fill_opacity": 0.9}
    else:
        style = {"color": "#ffffff", "weight": 1.5, "fill": True, "fill_color": color, "fill_opacity": 0.95}
    return folium.CircleMarker(
        location=(round(point.y, 6), round(point.x, 6)), radius=RADIUS[group] + 1, pane=PANE, **style,
        tooltip=folium.Tooltip(text, sticky=False), class_name=f"geojkn-fac geojkn-fac-{group}",
    )


def has_approximate(groups: dict[str, gpd.GeoDataFrame]) -> bool:
    """Whether any facility shown was placed by its area code."""
    return any(schema.APPROXIMATE in g and bool(g[schema.APPROXIMATE].eq(True).any()) for g in groups.values())
