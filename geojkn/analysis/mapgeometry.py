"""Map geometry prepared once, at import: the desa of each province cleaned into a valid coverage, the levels above
dissolved from them, and every level simplified per zoom band with the borders it shares kept shared.

Real boundary files overlap their neighbours and leave slivers between them. GEOS's coverage cleaning gives each
overlap to one desa (the one with the longest border on it) and closes gaps narrower than GAP_M; coverage
simplification then thins every border once for both sides. A kecamatan, kabupaten or province is the union of its
(simplified) desa, so its outline follows their borders exactly. A unit with no desa in the store keeps its own
polygon (simplified on its own). The original boundaries stay in the store for every analysis; these shapes are for
maps only.

Band z is within a pixel of the cleaned borders at zoom z: its simplification tolerance is TOLERANCE_PX of a
pixel there. A map draws the band of the zoom two steps past the one it opens at.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from ..schema import CODE, CRS, DESA, LEVELS, Level
from .anchors import anchors
from .landmass import Landmass, landmasses
from .topology import Topology, build_topology

BANDS = (8, 9, 10, 11, 12, 13, 14, 16)  # zoom bands: 8 about a province, 16 a desa up close
TOLERANCE_PX = 0.7
GAP_M = 20.0  # slivers between desa narrower than this are closed by cleaning
QUANTUM = 1e-6  # degrees (about 11 cm): the grid every prepared shape is stored on
METRES_PER_DEGREE = 111_320.0
CODE_LENGTH = {"provinsi": 2, "kabupaten": 5, "kecamatan": 8, "desa": 13}
Progress = Callable[[str, str, int, int], None]  # (province, step: 'clean' or 'bands', done, of)


def tolerance(zoom: int) -> float:
    """Degrees that make TOLERANCE_PX of a pixel at `zoom` (256-pixel tiles; at Indonesia's latitudes a degree of
    latitude and one of longitude are within 1 % of each other on a Web Mercator map)."""
    return float(TOLERANCE_PX * 360.0 / 256.0 / 2.0**zoom)


@dataclass(frozen=True)
class Prepared:
    """The shapes of one level of one province at one zoom band (units in `codes` order), with name anchors."""

    area: str  # the province's code
    level: Level
    zoom: int
    codes: tuple[str, ...]
    topology: Topology
    anchors: np.ndarray  # (n, 2) lon, lat
    masses: tuple[Landmass, ...] | None = None  # the landmasses (of the lightest band only)


@dataclass(frozen=True)
class Cleaning:
    """What cleaning changed in the desa of the provinces prepared."""

    desa: int
    changed: int  # desa whose shape moved by more than CHANGED_M2
    overlaps_km2: float  # area that two desa claimed, now given to one
    gaps_km2: float  # slivers between desa, now closed
    kept: tuple[str, ...] = ()  # desa that cleaning would have emptied: drawn with their own polygon
    areas: tuple[str, ...] = ()  # the provinces prepared

    def __add__(self, other: Cleaning) -> Cleaning:
        return Cleaning(self.desa + other.desa, self.changed + other.changed, self.overlaps_km2 + other.overlaps_km2,
                        self.gaps_km2 + other.gaps_km2, self.kept + other.kept, self.areas + other.areas)


CHANGED_M2 = 100.0
NO_CLEANING = Cleaning(0, 0, 0.0, 0.0)


def prepare_areas(units: Mapping[Level, gpd.GeoDataFrame], areas: Sequence[str],
                  progress: Progress | None = None) -> tuple[list[Prepared], Cleaning]:
    """Every level and band of the given provinces, from the boundaries as stored (one frame per level with code
    and geometry), and what cleaning changed."""
    out: list[Prepared] = []
    report = NO_CLEANING
    for area in sorted(areas):
        inside = {level: _inside(frame, area) for level, frame in units.items()}
        prepared, cleaning = prepare_area(area, inside, progress)
        out += prepared
        report = report + cleaning
    return out, report


def _inside(frame: gpd.GeoDataFrame, area: str) -> gpd.GeoDataFrame:
    codes = frame[CODE].astype(str)
    return frame[(codes == area) | codes.str.startswith(area + ".")].sort_values(CODE).reset_index(drop=True)


def prepare_area(area: str, units: Mapping[Level, gpd.GeoDataFrame],
                 progress: Progress | None = None) -> tuple[list[Prepared], Cleaning]:
    """One province's shapes at every level and band."""
    def tell(step: str, done: int, total: int) -> None:
        if progress is not None:
            progress(area, step, done, total)

    desa = units.get(DESA)
    desa_codes = tuple(desa[CODE].astype(str)) if desa is not None else ()
    tell("clean", 0, 1)
    cleaned, cleaning = clean(np.asarray(desa.geometry.values) if desa is not None else np.empty(0, dtype=object),
                              desa_codes)
    tell("clean", 1, 1)
    upper = {level: frame for level, frame in units.items() if level != DESA and len(frame)}
    own = {level: _own_shapes(frame, desa_codes) for level, frame in upper.items()}
    exact = {level: dissolved(cleaned, desa_codes, tuple(frame[CODE].astype(str)), own[level])
             for level, frame in upper.items()}
    marks = {DESA: anchors(cleaned)} if len(desa_codes) else {}
    marks.update({level: anchors(geoms) for level, geoms in exact.items()})
    out: list[Prepared] = []
    for step, zoom in enumerate(BANDS):
        tell("bands", step, len(BANDS))
        simple = _simplified(cleaned, tolerance(zoom))
        lightest = step == 0  # its landmasses are what a map fits its view to: worked out once, here
        if len(desa_codes):
            out.append(Prepared(area, DESA, zoom, desa_codes, build_topology(simple, QUANTUM), marks[DESA],
                                _masses(simple) if lightest else None))
        for level, frame in upper.items():
            codes = tuple(frame[CODE].astype(str))
            thin = {code: shapely.simplify(np.array([geom], dtype=object), tolerance(zoom), preserve_topology=True)[0]
                    for code, geom in own[level].items()}
            geoms = dissolved(simple, desa_codes, codes, thin)
            out.append(Prepared(area, level, zoom, codes, build_topology(geoms, QUANTUM), marks[level],
                                _masses(geoms) if lightest else None))
    tell("bands", len(BANDS), len(BANDS))
    return out, cleaning


def _masses(geoms: np.ndarray) -> tuple[Landmass, ...]:
    return tuple(landmasses(gpd.GeoDataFrame(geometry=geoms, crs=CRS), coverage=True))


def clean(geoms: np.ndarray, codes: Sequence[str]) -> tuple[np.ndarray, Cleaning]:
    """The desa as a valid coverage (overlaps given to one side, gaps under GAP_M closed), and what changed."""
    if len(geoms) == 0:
        return geoms, NO_CLEANING
    polygons = _polygonal(shapely.make_valid(geoms))
    lat = float(np.nanmean(shapely.bounds(polygons)[:, [1, 3]]))
    scale = METRES_PER_DEGREE ** 2 * math.cos(math.radians(lat))  # m² per square degree
    gap = GAP_M / METRES_PER_DEGREE
    cleaner = getattr(shapely, "coverage_clean", None)  # shapely 2.2 with GEOS 3.14
    cleaned = polygons
    if cleaner is not None and not shapely.coverage_is_valid(polygons, gap_width=0.0):
        try:
            cleaned = cleaner(polygons, gap_width=gap)
        except shapely.errors.GEOSException:  # GEOS could not clean them: the maps draw them as they are
            cleaned = polygons
    empty = shapely.is_empty(cleaned) | shapely.is_missing(cleaned)
    cleaned = np.where(empty, polygons, cleaned)
    # what a desa lost went to the neighbour that shares the overlap; what it gained was a gap
    lost = shapely.area(shapely.difference(polygons, cleaned)) * scale
    gained = shapely.area(shapely.difference(cleaned, polygons)) * scale
    return cleaned, Cleaning(len(geoms), int((lost + gained > CHANGED_M2).sum()), float(lost.sum()) / 1e6,
                             float(gained.sum()) / 1e6, tuple(str(codes[int(i)]) for i in np.flatnonzero(empty)))


def _simplified(geoms: np.ndarray, tol: float) -> np.ndarray:
    """The coverage simplified with its shared borders kept shared; each shape on its own where GEOS cannot treat
    them as one coverage (borders then may part by up to the tolerance)."""
    if len(geoms) == 0:
        return geoms
    try:
        return np.asarray(shapely.coverage_simplify(geoms, tol))
    except shapely.errors.GEOSException:
        return np.asarray(shapely.simplify(geoms, tol, preserve_topology=True))


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Only the polygon parts of each geometry (make_valid can leave lines and points beside them)."""
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
            out[i] = geom
            continue
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        out[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


def _own_shapes(frame: gpd.GeoDataFrame, desa_codes: Sequence[str]) -> dict[str, object]:
    """The units of an upper level that have no desa in the store: their own (valid, polygonal) shapes."""
    with_desa = {code[:n] for code in desa_codes for n in (2, 5, 8)}
    rows = frame[~frame[CODE].astype(str).isin(with_desa)]
    geoms = list(_polygonal(shapely.make_valid(np.asarray(rows.geometry.values)))) if len(rows) else []
    return dict(zip(rows[CODE].astype(str), geoms, strict=True))


def dissolved(desa: np.ndarray, desa_codes: Sequence[str], codes: Sequence[str],
              own: Mapping[str, object]) -> np.ndarray:
    """Each unit of an upper level as the union of its desa (exact on a valid coverage), else its own shape."""
    if not codes:
        return np.empty(0, dtype=object)
    length = len(codes[0])
    groups: dict[str, list[int]] = {}
    for i, code in enumerate(desa_codes):
        groups.setdefault(code[:length], []).append(i)
    out = np.empty(len(codes), dtype=object)
    for i, code in enumerate(codes):
        members = groups.get(code)
        if members:
            out[i] = _union(desa[members])
        else:
            out[i] = own.get(code)
    return out


def _union(parts: np.ndarray) -> object:
    """The union of desa: the fast coverage union where they meet edge to edge, a full overlay where they do not
    (a desa kept with its own polygon because cleaning would have emptied it)."""
    try:
        return shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        return shapely.make_valid(shapely.union_all(parts))


def _canonical(geoms: np.ndarray) -> np.ndarray:
    """Each shape as bytes that are the same whenever the shape is: a MultiPolygon (a store keeps every shape
    as one), in GEOS's normal order of parts and vertices."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(geoms), b"", dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if present.any():
        parts, owner = shapely.get_parts(geoms[present], return_index=True)
        out[present] = shapely.to_wkb(shapely.normalize(shapely.multipolygons(parts, indices=owner)))
    return out


def changed_areas(before: Mapping[Level, gpd.GeoDataFrame], after: Mapping[Level, gpd.GeoDataFrame],
                  prepared: Sequence[str]) -> list[str]:
    """The provinces whose shapes must be prepared again: those whose units changed, and those never prepared."""
    areas: set[str] = set()
    for level in LEVELS:
        old, new = before.get(level), after.get(level)
        if new is None or new.empty:
            continue
        known = {} if old is None else dict(zip(old[CODE].astype(str), _canonical(np.asarray(old.geometry.values)),
                                                strict=True))
        for code, wkb in zip(new[CODE].astype(str), _canonical(np.asarray(new.geometry.values)), strict=True):
            if known.get(code) != wkb:
                areas.add(code[:2])
        gone = set(known) - set(new[CODE].astype(str))
        areas.update(code[:2] for code in gone)
    every = {str(code)[:2] for frame in after.values() for code in frame[CODE]}
    return sorted((areas | (every - set(prepared))) & every)
