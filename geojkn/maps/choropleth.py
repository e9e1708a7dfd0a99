"""build_map: a folium choropleth of one metric for the units of one level, with optional layers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from .. import schema
from ..errors import DataError
from ..formatting import format_percent
from ..options import (
    BASEMAP,
    CLASSES,
    DEFAULT_ACCESS_KM,
    DEFAULT_TARGET,
    LANG,
    METRIC,
    PRESET_TIERS,
    Basemap,
    Classes,
    Lang,
    Tier,
)
from ..period import Period
from ..schema import Level, Metric
from ..vocabulary import level_label, metric_title, word
from .assets import (
    CLUSTER_SCRIPTS,
    CLUSTER_STYLES,
    MAP_SCRIPTS,
    MAP_STYLES,
    AssetMode,
    add_assets,
    detach_cdn_links,
    page_of,
)
from .classify import NO_DATA, Classification, classify
from .controls import Fitting, OpenOnClick, PageStyle, PartialPatterns, ZoomTo
from .facilities import add_facility_layers, facility_groups, has_approximate
from .geometry import (
    Bounds,
    Landmass,
    fit_bounds,
    full_bounds,
    landmass_name,
    landmasses,
    lightened,
    prepare,
    rounded,
)
from .labels import UnitLabels, label_places
from .legend import Legend, legend_html
from .palettes import BELOW_TARGET_BORDER, BORDER, NO_DATA_BORDER, NO_DATA_FILL, OUTLINE, PARTIAL_PATTERN_ID
from .safety import escape_text
from .tooltip import tooltip_table

UNIT_COLUMNS = (schema.CODE, schema.NAME, schema.LEVEL, schema.GEOMETRY)
OUTLINE_COLUMNS = (schema.CODE, schema.NAME, schema.GEOMETRY)
UNIT_CLASS, OUTLINE_CLASS = "geojkn-unit", "geojkn-outline"  # CSS classes of the SVG paths
MIN_ZOOM, MAX_ZOOM = 5, 18
TOOLTIP_CSS = "font: 12px Arial, Helvetica, sans-serif;"


def build_map(units: gpd.GeoDataFrame, metric: str = schema.COVERAGE, *,
              outline: gpd.GeoDataFrame | None = None, facilities: gpd.GeoDataFrame | None = None,
              period: Period | str | None = None, since: Period | None = None, target: float = DEFAULT_TARGET,
              access_km: float = DEFAULT_ACCESS_KM, tiers: Sequence[Tier] = PRESET_TIERS["uhc"],
              classes: str = Classes.POLICY, basemap: str = Basemap.NONE, title: str | None = None,
              source: str | None = None, lang: Lang = Lang.ID,
              assets: AssetMode | None = None, link: tuple[str, str] | None = None) -> folium.Map:
    """A choropleth of `metric` for one level of units, with legend, tooltips and optional layers.

    Options follow the rules of options.py whether they come typed or as text. With `link` (a URL prefix and
    suffix), clicking a unit opens prefix + its code + suffix. `since` names what a change is measured from."""
    metric, classes, basemap, lang = METRIC.read(metric), CLASSES.read(classes), BASEMAP.read(basemap), LANG.read(lang)
    shapes = prepare(units, UNIT_COLUMNS + (metric,), "units")
    if len(shapes) == 0:
        raise DataError("There are no units with a boundary to draw.")
    shapes = shapes.set_geometry(lightened(np.asarray(shapes.geometry.values)), crs=shapes.crs)  # once, for all
    level = _level(shapes)
    classification = classify(shapes[metric], metric, classes, target, access_km=access_km, tiers=tiers, lang=lang)
    partial = _partial(shapes, classification)
    groups = facility_groups(facilities)
    fmap = _new_map(shapes, basemap, assets or AssetMode(), bool(groups), title)
    if any(partial):
        PartialPatterns(classification.colors).add_to(fmap)
    title_of_metric = metric_title(classification.metric, lang, format_percent(target, 0, lang), since, access_km)
    units_layer = _add_units(fmap, shapes, classification, partial, level, lang, (target, access_km),
                             title_of_metric)
    if link is not None:
        OpenOnClick([str(code) for code in shapes[schema.CODE]], *link).add_to(units_layer)
    upper = prepare(outline, OUTLINE_COLUMNS, "kecamatan outline") if outline is not None and len(outline) else None
    if upper is not None:
        _add_outline(fmap, upper, lang)
    masses = landmasses(shapes)
    _add_labels(fmap, shapes, upper, fit_bounds(masses), lang)
    if groups:
        add_facility_layers(fmap, groups, lang)
    below = classification.kind == "rate"
    body = legend_html(classification, title=title, metric_name=title_of_metric, period=period, source=source,
                       lang=lang, target=target, facility_groups=tuple(groups), below_target=below, partial=partial,
                       approximate=has_approximate(groups),
                       note=word("access_method", lang) if metric in schema.ACCESS_METRICS else None)
    Legend(body).add_to(fmap)
    _fit(fmap, shapes, masses, lang)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    home = fit_bounds(masses)
    outlying = [mass.bounds for mass in masses if not _inside(mass.bounds, home)]
    Fitting(home, full_bounds(masses), outlying, word("legend", lang)).add_to(fmap)  # after legend and layers
    return fmap


def _level(shapes: gpd.GeoDataFrame) -> Level:
    levels = set(shapes[schema.LEVEL].dropna().astype(str))
    if len(levels) != 1 or not levels <= set(schema.LEVELS):
        raise DataError(f"A map shows the units of one level; these units have {sorted(levels)}.")
    return Level(levels.pop())


def _new_map(shapes: gpd.GeoDataFrame, basemap: str, assets: AssetMode, clusters: bool,
             title: str | None) -> folium.Map:
    minx, miny, maxx, maxy = shapes.total_bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=None,
                      control_scale=False, zoom_snap=0.25, prefer_canvas=False,  # Fitting adds a metric scale
                      # Leaflet options; marker clustering needs a maxZoom when there are no tiles.
                      maxZoom=MAX_ZOOM, minZoom=MIN_ZOOM)
    detach_cdn_links(fmap)  # per instance: the class lists stay as folium ships them
    figure = page_of(fmap)
    add_assets(figure, assets, MAP_SCRIPTS + MAP_STYLES)
    if clusters:
        add_assets(figure, assets, CLUSTER_SCRIPTS + CLUSTER_STYLES)
    if title:
        figure.title = escape_text(title)  # branca writes the title into <title> as it is
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(fmap)
    PageStyle().add_to(fmap)
    return fmap


def _partial(shapes: gpd.GeoDataFrame, classification: Classification) -> tuple[bool, ...]:
    """Units with a value whose figures do not cover all their desa (the roll-up's `complete` is false)."""
    if schema.COMPLETE not in shapes.columns:
        return tuple(False for _ in classification.index)
    whole = shapes[schema.COMPLETE].eq(True).to_numpy()
    return tuple(bool(not w and cls != NO_DATA) for w, cls in zip(whole, classification.index, strict=True))


def _style_for(classification: Classification, cls: int, below: bool, partial: bool = False) -> dict[str, Any]:
    """The path style of one unit from its class; no-data units are hatched with a dashed border, partial units
    striped in their class colour and never outlined as below the target (they are not a whole unit's figure)."""
    if cls == NO_DATA:
        return {"fillColor": NO_DATA_FILL, "fillOpacity": 1.0, "color": NO_DATA_BORDER,
                "weight": 1.0, "dashArray": "4 3"}
    if partial:
        return {"fillColor": f"url(#{PARTIAL_PATTERN_ID.format(index=cls)})", "fillOpacity": 1.0,
                "color": BORDER, "weight": 0.6}
    if below:  # dotted: never taken for the solid kecamatan lines or the dashed no-data border
        return {"fillColor": classification.colors[cls], "fillOpacity": 0.85,
                "color": BELOW_TARGET_BORDER, "weight": 2.2, "dashArray": "1 4", "lineCap": "round"}
    return {"fillColor": classification.colors[cls], "fillOpacity": 0.85, "color": BORDER, "weight": 0.6}


def _features(shapes: gpd.GeoDataFrame, classification: Classification, partial: tuple[bool, ...], level: Level,
              metric: Metric, lang: Lang, limits: tuple[float, float]) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                                                 list[str]]:
    """The units as GeoJSON (tooltip strings only as properties), each unit's style, the tooltip labels."""
    target, access_km = limits
    table, aliases = tooltip_table(shapes, level, metric, lang, target, access_km)
    values = shapes[metric].astype(float)
    below = (values < target).to_numpy() if classification.kind == "rate" else [False] * len(shapes)
    styles = [_style_for(classification, cls, bool(low) and cls != NO_DATA, part)
              for cls, low, part in zip(classification.index, below, partial, strict=True)]
    records = table.to_dict(orient="records")
    features = [{"type": "Feature", "id": str(pos), "properties": records[pos],
                 "geometry": shapely.geometry.mapping(geom)}
                for pos, geom in enumerate(rounded(shapes.geometry))]
    return {"type": "FeatureCollection", "features": features}, styles, aliases


def _add_units(fmap: folium.Map, shapes: gpd.GeoDataFrame, classification: Classification,
               partial: tuple[bool, ...], level: Level, lang: Lang, limits: tuple[float, float],
               metric_name: str) -> folium.GeoJson:
    """The units layer; `limits` are the target and the access distance the tooltips name."""
    data, styles, aliases = _features(shapes, classification, partial, level, classification.metric, lang, limits)
    fields = list(data["features"][0]["properties"])
    name = escape_text(metric_name)
    layer = folium.GeoJson(
        data, name=name, overlay=True, control=True, class_name=UNIT_CLASS,
        # Folium groups the features by style into one switch, so each style is written once.
        style_function=lambda feature: styles[int(feature["id"])],
        highlight_function=lambda feature: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True, style=TOOLTIP_CSS),
    )
    layer.add_to(fmap)
    return layer


def _add_outline(fmap: folium.Map, kec: gpd.GeoDataFrame, lang: Lang) -> None:
    features = [{"type": "Feature", "id": f"k{pos}",
                 "properties": {"t_kec": escape_text(name)},
                 "geometry": shapely.geometry.mapping(geom)}
                for pos, (name, geom) in enumerate(zip(kec[schema.NAME], rounded(kec.geometry), strict=True))]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape_text(word("outline", lang)), overlay=True, control=True, class_name=OUTLINE_CLASS,
        style_function=lambda feature: {"fill": False, "color": OUTLINE, "weight": 2.4},
        highlight_function=lambda feature: {"weight": 4},
        tooltip=folium.GeoJsonTooltip(fields=["t_kec"], aliases=[escape_text(level_label(schema.KECAMATAN, lang))],
                                      sticky=True, style=TOOLTIP_CSS),
    ).add_to(fmap)


def _add_labels(fmap: folium.Map, shapes: gpd.GeoDataFrame, upper: gpd.GeoDataFrame | None, home: Bounds,
                lang: Lang) -> None:
    """The names of the units, and of the kecamatan over them, as a layer of their own."""
    places = (label_places(upper, 0) if upper is not None else []) + label_places(shapes, 1)
    group = folium.FeatureGroup(name=escape_text(word("names", lang)), overlay=True, control=True)
    group.add_child(UnitLabels(fmap.get_name(), places, home))
    group.add_to(fmap)


def _fit(fmap: folium.Map, shapes: gpd.GeoDataFrame, masses: list[Landmass], lang: Lang) -> None:
    bounds = fit_bounds(masses)
    fmap.fit_bounds([list(bounds[0]), list(bounds[1])])
    fmap.location = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    outlying: dict[str, list[Landmass]] = {}
    for mass in masses:
        if not _inside(mass.bounds, bounds):
            outlying.setdefault(landmass_name(shapes, mass), []).append(mass)
    if outlying:
        # Landmasses with the same name (Karimunjawa's two island groups) share one button.
        places = [(word("main_area", lang), bounds)]
        places += [(name, full_bounds(group)) for name, group in outlying.items()]
        places.append((word("whole_region", lang), full_bounds(masses)))
        ZoomTo(escape_text(word("zoom_to", lang)), [(escape_text(n), b) for n, b in places]).add_to(fmap)


def _inside(inner: tuple, outer: tuple) -> bool:
    return (inner[0][0] >= outer[0][0] and inner[0][1] >= outer[0][1]
            and inner[1][0] <= outer[1][0] and inner[1][1] <= outer[1][1])
