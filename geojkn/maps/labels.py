"""Unit names on the map: where each name goes, and a Leaflet layer that shows the names that fit.

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
from branca.element import MacroElement
from folium.template import Template

from .. import schema
from .geometry import Bounds, lightened
from .safety import escape_text

DIGITS = 5  # about a metre: more than a label needs


def _run(geoms: np.ndarray, lines: Any, at: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """For each unit, the ends (along `axis`: 0 x, 1 y) of the stretch of its line that lies inside it and holds
    the anchor coordinate `at`; the anchor itself when the line misses the unit (a sliver)."""
    inside = shapely.intersection(lines, geoms)
    parts, owner = shapely.get_parts(inside, return_index=True)
    low, high = at.astype(float).copy(), at.astype(float).copy()
    if len(parts) == 0:
        return low, high
    bounds = shapely.bounds(parts)
    start, end = bounds[:, axis], bounds[:, axis + 2]
    holds = (start <= at[owner] + 1e-12) & (end >= at[owner] - 1e-12)
    span = np.where(holds, end - start, -1.0)
    best = np.full(len(geoms), -1)
    best_span = np.full(len(geoms), -1.0)
    for i, (unit, width) in enumerate(zip(owner, span, strict=True)):  # the part holding the anchor, per unit
        if width > best_span[unit]:
            best[unit], best_span[unit] = i, width
    found = best >= 0
    low[found], high[found] = start[best[found]], end[best[found]]
    return low, high


def label_places(shapes: gpd.GeoDataFrame, tier: int) -> list[dict[str, Any]]:
    """Where each unit's name goes (lon/lat, EPSG:4326) and the room around it, largest units first.

    Each place is {t: name (HTML-escaped), y, x: anchor, w: [west, east] ends of the room along the anchor's latitude,
    h: [south, north] ends of the room along its longitude, k: tier (0 kecamatan over desa, 1 the units)}."""
    geoms = lightened(np.asarray(shapes.geometry.values))  # a province's thousands of desa: simplified first
    keep = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    geoms, names = geoms[keep], np.asarray(shapes[schema.NAME].astype(str))[keep]
    if len(geoms) == 0:
        return []
    minx, miny, maxx, maxy = shapely.bounds(geoms).T
    # a fiftieth of each unit's size; a tenth on a province's thousands of desa, where names show zoomed in only
    tolerance = np.maximum(maxx - minx, maxy - miny) / (50 if len(geoms) <= 2000 else 10)
    centres = shapely.get_point(shapely.maximum_inscribed_circle(geoms, tolerance), 0)
    cy = shapely.get_y(centres)
    across = shapely.linestrings(np.stack([np.stack([minx - 1e-6, cy], 1), np.stack([maxx + 1e-6, cy], 1)], 1))
    west, east = _run(geoms, across, shapely.get_x(centres), 0)
    cx = (west + east) / 2
    down = shapely.linestrings(np.stack([np.stack([cx, miny - 1e-6], 1), np.stack([cx, maxy + 1e-6], 1)], 1))
    south, north = _run(geoms, down, cy, 1)
    order = np.argsort(-shapely.area(geoms), kind="stable")
    return [{"t": escape_text(str(names[i])), "y": round(float(cy[i]), DIGITS), "x": round(float(cx[i]), DIGITS),
             "w": [round(float(west[i]), DIGITS), round(float(east[i]), DIGITS)],
             "h": [round(float(south[i]), DIGITS), round(float(north[i]), DIGITS)], "k": tier} for i in order]


class UnitLabels(MacroElement):
    """The names of units (and of the kecamatan over them) drawn into a layer group that the layer control can
    switch off. Names arrive HTML-escaped (label_places), like every label, and reach the page as JSON."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>
                .geojkn-label { pointer-events: none; }
                .geojkn-label span { display: block; white-space: nowrap; text-align: center;
                    font: 11px/14px Arial, Helvetica, sans-serif; color: #111;
                    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
                .geojkn-label.gj-upper span { font: bold 12px/16px Arial, Helvetica, sans-serif;
                    letter-spacing: 0.04em; text-transform: uppercase; color: #000; }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function() {
                var map = {{ this.map_name }}, group = {{ this._parent.get_name() }};
                var labels = {{ this.labels|tojson }};
                var upper = labels.some(function(l) { return l.k === 0; });
                var pane = map.getPane("geojkn-labels") || map.createPane("geojkn-labels");
                pane.style.zIndex = 450;  /* over the units, under the facilities and tooltips */
                pane.style.pointerEvents = "none";
                var home = map.getBoundsZoom(L.latLngBounds({{ this.bounds|tojson }}));
                var pen = document.createElement("canvas").getContext("2d");
                var reader = document.createElement("span");
                labels.forEach(function(l) {
                    reader.innerHTML = l.t;  /* escaped by the builder: entities only, never a tag */
                    l.plain = reader.textContent;
                    var plain = l.k === 0 ? l.plain.toUpperCase() : l.plain;
                    pen.font = (l.k === 0 ? "bold 12px" : "11px") + " Arial, Helvetica, sans-serif";
                    l.pw = Math.ceil(pen.measureText(plain).width * (l.k === 0 ? 1.05 : 1)) + 4;
                    l.ph = l.k === 0 ? 16 : 14;
                    l.marker = null;
                });
                function icon(l) {
                    var text = document.createElement("span");
                    text.innerHTML = l.t;
                    return L.divIcon({className: "geojkn-label" + (l.k === 0 ? " gj-upper" : ""), html: text,
                                      iconSize: [l.pw, l.ph], iconAnchor: [l.pw / 2, l.ph / 2]});
                }
                function fits(l) {
                    function px(y, x) { return map.latLngToContainerPoint([y, x]); }
                    var at = px(l.y, l.x), west = px(l.y, l.w[0]), east = px(l.y, l.w[1]);
                    var south = px(l.h[0], l.x), north = px(l.h[1], l.x);
                    var room = Math.min(at.x - west.x, east.x - at.x), head = Math.min(at.y - north.y, south.y - at.y);
                    return l.pw / 2 <= room && l.ph / 2 <= head ? at : null;
                }
                function place() {
                    var zoom = map.getZoom(), size = map.getSize(), taken = [], on = map.hasLayer(group);
                    labels.forEach(function(l) {
                        var shown = false;
                        var tier = !upper || (l.k === 0 ? zoom < home + 2 : zoom >= home + 1);
                        var at = on && tier ? fits(l) : null;
                        var dx = l.pw / 2 + 2, dy = l.ph / 2 + 1;
                        if (at && at.x >= dx && at.y >= dy && at.x <= size.x - dx && at.y <= size.y - dy) {  /* whole */
                            var box = [at.x - dx, at.y - dy, at.x + dx, at.y + dy];
                            shown = !taken.some(function(o) {
                                return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
                            });
                            if (shown) { taken.push(box); }
                        }
                        if (shown && !l.marker) {
                            l.marker = L.marker([l.y, l.x], {icon: icon(l), pane: "geojkn-labels", interactive: false,
                                                             keyboard: false});
                            l.marker.geojknLabel = {name: l.plain, tier: l.k};  /* for scripts reading the map */
                            group.addLayer(l.marker);
                        } else if (!shown && l.marker) {
                            group.removeLayer(l.marker);
                            l.marker = null;
                        }
                    });
                }
                map.on("zoomend moveend resize overlayadd", place);
                map.whenReady(function() { setTimeout(place, 0); });
            })();
        {% endmacro %}
    """)

    def __init__(self, map_name: str, labels: list[dict[str, Any]], bounds: Bounds) -> None:
        super().__init__()
        self._name = "UnitLabels"
        self.map_name = map_name
        self.labels = labels
        self.bounds = [list(bounds[0]), list(bounds[1])]
