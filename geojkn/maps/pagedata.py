"""The data a map page carries, in the form geojkn-map.js reads: shapes as shared arcs (encoding.py), names,
codes split into parent and own part, numbers as numbers, a class per unit, and facilities as one array.

Only what the map shows travels: no style per unit (the page computes it from the class), no tooltip text
(the page writes it from the numbers, in the map's language).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from .. import schema
from ..analysis.anchors import extents
from ..analysis.mapgeometry import QUANTUM
from ..analysis.topology import Topology, build_topology
from ..options import Lang, Tier
from ..schema import Level, Metric
from ..vocabulary import FACILITY_GROUP_NAMES, FACILITY_TYPE_NAMES, level_label, word
from .classify import NO_DATA, Classification
from .encoding import encode_topology, varints, zigzag
from .facilities import RADIUS, UNIT_NAME
from .geometry import Bounds, Landmass
from .labels import label_anchors
from .palettes import (
    BELOW_TARGET_BORDER,
    BORDER,
    FACILITY_COLORS,
    IMPLAUSIBLE_BORDER,
    MAP_BACKGROUND,
    NO_DATA_BACKGROUND,
    NO_DATA_BORDER,
    NO_DATA_LINE,
    OUTLINE,
)
from .safety import escape_text
from .tooltip import tooltip_spec, tooltip_words

FACILITY_STEP = 1e-5  # degrees (about a metre) for facility points
FINE_STEP = 1e-5  # the page grid of shapes that were not simplified


@dataclass(frozen=True, eq=False)
class MapShapes:
    """The shapes of some units ready for a page: their topology (units in `codes` order), the grid step the page
    needs, and where each unit's name is anchored (lon, lat)."""

    codes: tuple[str, ...]
    topology: Topology
    anchors: np.ndarray
    step: float
    cleaned: bool = False  # a valid coverage: neighbours share every border (an outline can be drawn from them)
    masses: tuple[Landmass, ...] | None = None  # the landmasses worked out at import, where they were

    @classmethod
    def of(cls, codes: Sequence[str], geoms: np.ndarray, step: float = FINE_STEP, cleaned: bool = False) -> MapShapes:
        """Shapes made on the spot from polygons (borders are shared only where the polygons' vertices match)."""
        return cls(tuple(str(c) for c in codes), build_topology(geoms, QUANTUM), label_anchors(geoms), step,
                   cleaned)

    def polygons(self) -> np.ndarray:
        """The shapes back as shapely geometries, as the page draws them (for fitting the view)."""
        from ..analysis.topology import polygons

        return polygons(self.topology)


def split_codes(codes: Sequence[str], parent_names: Sequence[object]) -> dict[str, object]:
    """Codes as a list of parents (the code up to its last dot, with a name), which parent each unit has and each
    unit's own last part: as whole numbers of `w` digits where every last part is one ("s" five-bit digits), else
    as text."""
    prefixes: dict[str, int] = {}
    names: list[str] = []
    index, own = [], []
    for code, name in zip(codes, parent_names, strict=True):
        head, _, tail = code.rpartition(".")
        if head not in prefixes:
            prefixes[head] = len(prefixes)
            names.append("" if name is None or name != name else str(name))
        index.append(prefixes[head])
        own.append(tail)
    width = len(own[0]) if own else 0
    numeric = all(len(tail) == width and tail.isdigit() for tail in own) and width <= 9
    return {"p": list(prefixes), "pn": names, "pi": varints(index),
            "s": varints([int(tail) for tail in own]) if numeric else own, "w": width if numeric else 0}


def points_spec(lonlat: np.ndarray, step: float) -> dict[str, object]:
    """Points on a grid of `step` degrees from their lowest corner, each as the step from the point before."""
    grid = np.round(np.asarray(lonlat, dtype=float).reshape(-1, 2) / step).astype(np.int64)
    origin = grid.min(axis=0) if len(grid) else np.zeros(2, dtype=np.int64)
    steps = np.diff(np.vstack([np.zeros((1, 2), dtype=np.int64), grid - origin]), axis=0)
    return {"x0": float(origin[0] * step), "y0": float(origin[1] * step), "q": step,
            "xy": varints(zigzag(steps.ravel()))}


def class_codes(classification: Classification, partial: Sequence[bool], below: Sequence[bool],
                implausible: Sequence[bool] = ()) -> str:
    """One digit per unit: its class + 1 (0 no data), +16 partial, +32 below the target, +64 implausible."""
    odd = implausible or (False,) * len(partial)
    values = [(0 if cls == NO_DATA else cls + 1) | (16 if part else 0) | (32 if low else 0) | (64 if bad else 0)
              for cls, part, low, bad in zip(classification.index, partial, below, odd, strict=True)]
    return varints(values)


def facilities_spec(groups: dict[str, gpd.GeoDataFrame], lang: Lang) -> dict[str, object]:
    """Every facility in one array: position, type (with its group) and whether placed by area code only."""
    keys = list(groups)
    types: list[list[object]] = []
    type_index: dict[str, int] = {}
    xy, kinds, names, units = [], [], [], []
    for g, key in enumerate(keys):
        points = groups[key]
        rough = points[schema.APPROXIMATE].eq(True).to_numpy() if schema.APPROXIMATE in points else \
            np.zeros(len(points), dtype=bool)
        where = points[UNIT_NAME] if UNIT_NAME in points else points.get(schema.UNIT_CODE)
        for i, (kind, name, geom) in enumerate(zip(points[schema.FACILITY_TYPE].astype(str),
                                                   points[schema.FACILITY_NAME], points.geometry, strict=True)):
            if kind not in type_index:
                type_index[kind] = len(types)
                types.append([FACILITY_TYPE_NAMES[lang][kind], g])
            xy.append((shapely.get_x(geom), shapely.get_y(geom)))
            kinds.append(type_index[kind] * 2 + int(bool(rough[i])))
            names.append("" if name is None or name != name else str(name))
            place = where.iloc[i] if where is not None and rough[i] else None
            units.append("" if place is None or place != place else str(place))
    spec = points_spec(np.array(xy, dtype=float), FACILITY_STEP)
    spec.update({"k": varints(kinds), "types": types, "names": names, "units": units,
                 "approximate": word("approximate_place", lang, unit="{unit}"),
                 "groups": [{"key": key, "color": FACILITY_COLORS[key], "radius": RADIUS[key],
                             "name": FACILITY_GROUP_NAMES[lang][key]} for key in keys]})
    return spec


def page_data(units: gpd.GeoDataFrame, shapes: MapShapes, *, level: Level, metric: Metric,
              classification: Classification, partial: Sequence[bool], below: Sequence[bool],
              implausible: Sequence[bool] = (), lang: Lang = Lang.ID,
              target: float, access_km: float, tiers: Sequence[Tier], home: Bounds,
              upper: MapShapes | None = None, upper_names: Sequence[str] = (),
              facilities: dict[str, gpd.GeoDataFrame] | None = None,
              link: tuple[str, str] | None = None, finer: dict[str, object] | None = None) -> dict[str, object]:
    """The page data of one map (units in the order of `shapes.codes`, which must be the order of `units`)."""
    parent_column = schema.KECAMATAN_NAME if level == schema.DESA else schema.KABUPATEN_NAME
    parent_label = level_label(schema.KECAMATAN if level == schema.DESA else schema.KABUPATEN, lang)
    has_parent = parent_column in units.columns and units[parent_column].notna().any()
    parents = units[parent_column].tolist() if has_parent else [None] * len(units)
    rows, numbers = tooltip_spec(units, level, metric, lang, target, access_km,
                                 parent_label if has_parent else None)
    topo = encode_topology(shapes.topology, shapes.step)
    data: dict[str, object] = {
        "v": 1, "n": len(units), "lang": str(lang), "level": str(level), "home": [list(home[0]), list(home[1])],
        "topo": topo, "codes": split_codes(shapes.codes, parents), "names": [str(n) for n in units[schema.NAME]],
        "cls": class_codes(classification, partial, below, implausible), "num": numbers, "tip": rows,
        "words": tooltip_words(lang), "tiers": [tier.name for tier in tiers],
        "style": {"colors": list(classification.colors), "border": BORDER, "belowBorder": BELOW_TARGET_BORDER,
                  "nodataBorder": NO_DATA_BORDER, "hatch": [NO_DATA_BACKGROUND, NO_DATA_LINE],
                  "oddBorder": IMPLAUSIBLE_BORDER,
                  "background": MAP_BACKGROUND},
        "labels": _anchors(shapes.anchors, topo), "link": list(link) if link else None,
    }
    if upper is not None and shapes.cleaned:
        prefixes = {p: i for i, p in enumerate(data["codes"]["p"])}  # type: ignore[index]
        keep = [i for i, code in enumerate(upper.codes) if code in prefixes]
        data["outline"] = {"color": OUTLINE, "weight": 2.4,
                           "label": escape_text(level_label(schema.KECAMATAN, lang))}
        data["upper"] = {"parents": [prefixes[upper.codes[i]] for i in keep],
                         "names": [str(upper_names[i]) for i in keep],
                         "labels": _anchors(upper.anchors[keep], topo),
                         "rooms": _rooms(upper, keep, topo)}
    if facilities:
        data["facilities"] = facilities_spec(facilities, lang)
    if finer:
        data["finer"] = finer
    return data


def _rooms(shapes: MapShapes, keep: list[int], topo: dict[str, object]) -> str:
    """The room around each name's anchor in its unit, as the grid steps from the anchor to the unit's edge west,
    east, south and north (the page works it out itself for the units; for the kecamatan over them it would have to
    walk every desa's rings)."""
    points = shapes.anchors[keep]
    ends = extents(shapes.polygons()[keep], points)
    q = float(topo["q"])  # type: ignore[arg-type]
    steps = np.stack([points[:, 0] - ends[:, 0], ends[:, 1] - points[:, 0], points[:, 1] - ends[:, 2],
                      ends[:, 3] - points[:, 1]], axis=1)
    return varints(np.clip(np.floor(np.nan_to_num(steps) / q), 0, None).astype(np.uint64).ravel())


def _anchors(lonlat: np.ndarray, topo: dict[str, object]) -> dict[str, object]:
    """Label anchors on the topology's own page grid and corner."""
    q, x0, y0 = float(topo["q"]), float(topo["x0"]), float(topo["y0"])  # type: ignore[arg-type]
    grid = np.round((np.asarray(lonlat, dtype=float).reshape(-1, 2) - [x0, y0]) / q).astype(np.int64)
    steps = np.diff(np.vstack([np.zeros((1, 2), dtype=np.int64), grid]), axis=0)
    return {"x0": x0, "y0": y0, "xy": varints(zigzag(steps.ravel()))}
