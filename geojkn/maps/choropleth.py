"""build_map: a folium choropleth of one metric for the units of one level, with optional layers."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

from .. import schema
from ..analysis import marks
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
from ..schema import Level
from ..vocabulary import FACILITY_GROUP_NAMES, metric_title, word
from .assets import MAP_SCRIPTS, MAP_STYLES, AssetMode, add_assets, detach_cdn_links, page_of
from .classify import NO_DATA, Classification, classify
from .controls import Fitting, PageStyle, ZoomTo
from .encoding import encode_topology
from .facilities import facility_groups, has_approximate
from .geometry import Landmass, fit_bounds, full_bounds, landmass_name, prepare, view_zoom
from .layers import FacilityGroup, FacilityLayers, MapData, PartOfUnits, UnitsLayer
from .legend import Legend, legend_html
from .pagedata import MapShapes, page_data
from .safety import escape_text
from .shapes import ShapeSource, shapes_of

UNIT_COLUMNS = (schema.CODE, schema.NAME, schema.LEVEL, schema.GEOMETRY)
OUTLINE_COLUMNS = (schema.CODE, schema.NAME, schema.GEOMETRY)
MIN_ZOOM, MAX_ZOOM = 5, 18


def build_map(units: gpd.GeoDataFrame, metric: str = schema.COVERAGE, *,
              outline: gpd.GeoDataFrame | None = None, facilities: gpd.GeoDataFrame | None = None,
              period: Period | str | None = None, since: Period | None = None, target: float = DEFAULT_TARGET,
              access_km: float = DEFAULT_ACCESS_KM, tiers: Sequence[Tier] = PRESET_TIERS["uhc"],
              classes: str = Classes.POLICY, basemap: str = Basemap.NONE, title: str | None = None,
              source: str | None = None, lang: Lang = Lang.ID,
              assets: AssetMode | None = None, link: tuple[str, str] | None = None,
              shapes: ShapeSource | None = None, outline_shapes: ShapeSource | None = None,
              finer: str | None = None) -> folium.Map:
    """A choropleth of `metric` for one level of units, with legend, tooltips and optional layers.

    Options follow the rules of options.py whether they come typed or as text. With `link` (a URL prefix and
    suffix), clicking a unit opens prefix + its code + suffix. `since` names what a change is measured from.
    `shapes` gives the units' shapes as prepared at import (simplified per zoom, borders shared); without it
    they are made from the units' own geometry. `outline` (the kecamatan over desa) gives the outline's names;
    its lines are the borders of the desa themselves. `finer` (a served map) is the address the page asks for
    finer shapes at when zoomed in past those it carries (see finer_shapes)."""
    metric, classes, basemap, lang = METRIC.read(metric), CLASSES.read(classes), BASEMAP.read(basemap), LANG.read(lang)
    frame = _drawn(units, metric)
    source_of_shapes = shapes_of(frame, shapes)
    level = _level(frame)
    odd = marks.unclassed(frame, metric)
    values = frame[metric].where(~odd)  # a figure that cannot be true is not put in a class: it is marked
    classification = classify(values, metric, classes, target, access_km=access_km, tiers=tiers, lang=lang)
    partial = _partial(frame, metric, classification)
    below = _below(values, classification, target)
    groups = facility_groups(facilities)
    masses = source_of_shapes.landmasses()
    home = fit_bounds(masses)
    carried = view_zoom(home) + 2
    drawn = source_of_shapes.shapes(carried)  # under a pixel off at the first view and two steps in
    bands = source_of_shapes.finer(carried) if finer else None
    finer_spec: dict[str, object] | None = {"url": finer, "drawn": bands[0], "zooms": list(bands[1])} \
        if bands and bands[1] else None
    fmap = _new_map(frame, basemap, assets or AssetMode(), title)
    title_of_metric = metric_title(classification.metric, lang, format_percent(target, 0, lang), since, access_km)
    upper, upper_names = _upper(outline, outline_shapes, level)
    data = MapData(page_data(frame, drawn, level=level, metric=classification.metric, classification=classification,
                             partial=partial, below=below, implausible=tuple(bool(b) for b in odd), lang=lang,
                             target=target, access_km=access_km, tiers=tiers, home=home, upper=upper,
                             upper_names=upper_names, facilities=groups, link=link, finer=finer_spec))
    data.add_to(fmap)
    layer = UnitsLayer(data, escape_text(title_of_metric))
    layer.add_to(fmap)
    if "outline" in data.data:
        PartOfUnits(layer, "outline", escape_text(word("outline", lang))).add_to(fmap)
    PartOfUnits(layer, "labels", escape_text(word("names", lang))).add_to(fmap)
    if groups:
        decoded = FacilityLayers(data)
        decoded.add_to(fmap)
        for position, group in enumerate(groups):
            FacilityGroup(decoded, position, escape_text(FACILITY_GROUP_NAMES[lang][group])).add_to(fmap)
    body = legend_html(classification, title=title, metric_name=title_of_metric, period=period, source=source,
                       lang=lang, target=target, facility_groups=tuple(groups),
                       below_target=classification.metric == schema.COVERAGE, partial=partial,
                       implausible=int(odd.sum()),
                       approximate=has_approximate(groups),
                       note=word("access_method", lang) if metric in schema.ACCESS_METRICS else None)
    Legend(body).add_to(fmap)
    _fit(fmap, frame, masses, lang)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    outlying = [mass.bounds for mass in masses if not _inside(mass.bounds, home)]
    Fitting(home, full_bounds(masses), outlying, word("legend", lang)).add_to(fmap)  # after legend and layers
    return fmap


def _drawn(units: gpd.GeoDataFrame, metric: str) -> gpd.GeoDataFrame:
    """The units a map draws, in the order it draws them (those with a boundary)."""
    frame = prepare(units, UNIT_COLUMNS + (metric,), "units")
    if len(frame) == 0:
        raise DataError("There are no units with a boundary to draw.")
    return frame


def finer_shapes(units: gpd.GeoDataFrame, metric: str, shapes: ShapeSource | None, zoom: int) -> dict[str, object]:
    """The shapes of the units of a map (the same units as build_map draws, in its order) within a pixel up to
    `zoom`, encoded as the page carries its own: what a served map asks for when zoomed in past its shapes."""
    frame = _drawn(units, METRIC.read(metric))
    drawn = shapes_of(frame, shapes).shapes(zoom)
    return {"n": len(frame), "topo": encode_topology(drawn.topology, drawn.step)}


def _upper(outline: gpd.GeoDataFrame | None, prepared: ShapeSource | None,
           level: Level) -> tuple[MapShapes | None, list[str]]:
    """The kecamatan over a desa map: where their names go, and the names."""
    if outline is None or not len(outline) or level != schema.DESA:
        return None, []
    upper = prepare(outline, OUTLINE_COLUMNS, "kecamatan outline")
    shapes = shapes_of(upper, prepared).shapes(None)
    names = dict(zip(upper[schema.CODE].astype(str), upper[schema.NAME].astype(str), strict=True))
    return shapes, [names.get(code, "") for code in shapes.codes]


def _below(values: pd.Series, classification: Classification, target: float) -> list[bool]:
    """Units whose registered coverage is under the target (outlined as such), with figures."""
    if classification.metric != schema.COVERAGE:  # the target is a share of residents registered
        return [False] * len(values)
    low = (pd.to_numeric(values, errors="coerce") < target).to_numpy()
    return [bool(b) and cls != NO_DATA for b, cls in zip(low, classification.index, strict=True)]


def _level(shapes: gpd.GeoDataFrame) -> Level:
    levels = set(shapes[schema.LEVEL].dropna().astype(str))
    if len(levels) != 1 or not levels <= set(schema.LEVELS):
        raise DataError(f"A map shows the units of one level; these units have {sorted(levels)}.")
    return Level(levels.pop())


def _new_map(shapes: gpd.GeoDataFrame, basemap: str, assets: AssetMode, title: str | None) -> folium.Map:
    minx, miny, maxx, maxy = shapes.total_bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=None,
                      control_scale=False, zoom_snap=0.25, prefer_canvas=False,  # Fitting adds a metric scale
                      # Leaflet options; marker clustering needs a maxZoom when there are no tiles.
                      maxZoom=MAX_ZOOM, minZoom=MIN_ZOOM)
    detach_cdn_links(fmap)  # per instance: the class lists stay as folium ships them
    figure = page_of(fmap)
    add_assets(figure, assets, MAP_SCRIPTS + MAP_STYLES)
    if title:
        figure.title = escape_text(title)  # branca writes the title into <title> as it is
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(fmap)
    PageStyle().add_to(fmap)
    return fmap


def _partial(shapes: gpd.GeoDataFrame, metric: str, classification: Classification) -> tuple[bool, ...]:
    """Units whose value of the metric stands on counts that do not cover the unit (analysis/marks.py)."""
    if schema.COMPLETE not in shapes.columns:
        return tuple(False for _ in classification.index)
    part = marks.partial(shapes, metric).to_numpy()
    return tuple(bool(p and cls != NO_DATA) for p, cls in zip(part, classification.index, strict=True))



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
