"""Where a map's shapes come from: prepared at import (one simplified topology per zoom band, analysis/mapgeometry.py)
or made on the spot from the units' own polygons. A map asks for the shapes good enough at a zoom."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import geopandas as gpd
import numpy as np

from .. import schema
from ..analysis.landmass import reordered
from ..analysis.mapgeometry import clean
from ..analysis.topology import subset
from .geometry import Landmass, landmasses, lightened
from .pagedata import MapShapes

MASSES_KEPT = 64  # selections of units whose landmasses a province's bands remember (its regions, levels)
CLEAN_ON_THE_SPOT = 3000  # units a map without prepared shapes cleans itself (about a second per 500 desa)


class ShapeSource(Protocol):
    """Shapes of units at a zoom: within a pixel of the true borders up to that zoom where the source can."""

    def shapes(self, zoom: float | None) -> MapShapes:
        """The shapes to draw up to `zoom` (None: the lightest the source has)."""

    def landmasses(self) -> list[Landmass]:
        """The groups of nearby unit parts (analysis.landmass) of the lightest shapes, unit positions in the
        order of the shapes' codes."""

    def finer(self, zoom: float) -> tuple[int, tuple[int, ...]] | None:
        """The band drawn up to `zoom` and the finer bands there are (None: the source has no bands)."""


@dataclass(frozen=True, eq=False)
class OwnShapes:
    """Shapes made from polygons as they are (simplified only when too heavy for a browser)."""

    codes: tuple[str, ...]
    geoms: np.ndarray
    _made: dict[str, MapShapes] = field(default_factory=dict)

    def landmasses(self) -> list[Landmass]:
        return _landmasses(self.shapes(None))

    def finer(self, zoom: float) -> tuple[int, tuple[int, ...]] | None:
        return None

    def shapes(self, zoom: float | None) -> MapShapes:
        if "shapes" not in self._made:
            geoms, cleaned = self.geoms, False
            if len(geoms) <= CLEAN_ON_THE_SPOT:  # borders shared where they should be: outlines follow them
                geoms, cleaned = clean(geoms, self.codes)[0], True
            self._made["shapes"] = MapShapes.of(self.codes, lightened(geoms), cleaned=cleaned)
        return self._made["shapes"]


@dataclass(frozen=True, eq=False)
class Bands:
    """Prepared shapes per zoom band, each read when first asked for: the band of zoom z is within a pixel of the
    cleaned borders up to zoom z."""

    zooms: tuple[int, ...]
    load: Callable[[int], MapShapes]
    _loaded: dict[int, MapShapes] = field(default_factory=dict)
    _masses: OrderedDict[tuple[str, ...], list[Landmass]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def landmasses_of(self, codes: tuple[str, ...], make: Callable[[], list[Landmass]]) -> list[Landmass]:
        """The landmasses of a selection of units, made once (the last MASSES_KEPT selections are kept)."""
        with self._lock:
            found = self._masses.get(codes)
        if found is None:
            found = make()
            with self._lock:
                self._masses[codes] = found
                while len(self._masses) > MASSES_KEPT:
                    self._masses.popitem(last=False)
        return found

    def landmasses(self) -> list[Landmass]:
        return self.landmasses_of(self.codes, lambda: self.stored_masses(self.codes) or _landmasses(self.shapes(None)))

    def stored_masses(self, codes: Sequence[str]) -> list[Landmass] | None:
        """The landmasses worked out at import, positions in the order of `codes`, when `codes` are every unit of
        the bands (else None: a selection's own are worked out)."""
        lightest = self.band(self.zooms[0])
        if lightest.masses is None or len(codes) != len(lightest.codes) or set(codes) != set(lightest.codes):
            return None
        return reordered(lightest.masses, lightest.codes, codes)

    def band(self, zoom: int) -> MapShapes:
        with self._lock:
            found = self._loaded.get(zoom)
        if found is None:
            found = self.load(zoom)
            with self._lock:
                found = self._loaded.setdefault(zoom, found)
        return found

    def band_for(self, zoom: float | None) -> int:
        """The zoom of the band to draw up to `zoom`: the first within a pixel there (the lightest for None)."""
        good = [z for z in self.zooms if zoom is None or z >= zoom]
        return good[0] if good else self.zooms[-1]

    def shapes(self, zoom: float | None) -> MapShapes:
        return self.band(self.band_for(zoom))

    def finer(self, zoom: float) -> tuple[int, tuple[int, ...]] | None:
        drawn = self.band_for(zoom)
        return drawn, tuple(z for z in self.zooms if z > drawn)

    @property
    def codes(self) -> tuple[str, ...]:
        return self.band(self.zooms[0]).codes


@dataclass(frozen=True, eq=False)
class Selected:
    """Some units of a source, in a given order."""

    source: Bands
    codes: tuple[str, ...]
    _made: dict[int | None, MapShapes] = field(default_factory=dict)

    def landmasses(self) -> list[Landmass]:
        return self.source.landmasses_of(
            self.codes, lambda: self.source.stored_masses(self.codes) or _landmasses(self.shapes(None)))

    def finer(self, zoom: float) -> tuple[int, tuple[int, ...]] | None:
        return self.source.finer(zoom)

    def shapes(self, zoom: float | None) -> MapShapes:
        band = self.source.shapes(zoom)
        key = id(band)
        if key not in self._made:
            self._made[key] = select(band, self.codes)
        return self._made[key]


def _landmasses(shapes: MapShapes) -> list[Landmass]:
    return landmasses(gpd.GeoDataFrame(geometry=shapes.polygons(), crs=schema.CRS), coverage=shapes.cleaned)


def select(shapes: MapShapes, codes: Sequence[str]) -> MapShapes:
    """The shapes of some units, in the order of `codes` (each must be among the shapes' codes)."""
    where = {code: i for i, code in enumerate(shapes.codes)}
    positions = np.array([where[code] for code in codes], dtype=np.int64)
    return MapShapes(tuple(codes), subset(shapes.topology, positions), shapes.anchors[positions], shapes.step,
                     shapes.cleaned)


@dataclass(frozen=True)
class MapSources:
    """Where a map's shapes come from: its units', and the kecamatan's over a desa map (None: made on the spot)."""

    units: ShapeSource | None = None
    outline: ShapeSource | None = None


OWN_SHAPES = MapSources()  # no prepared shapes: every map makes its own


def shapes_of(frame: gpd.GeoDataFrame, source: ShapeSource | None) -> ShapeSource:
    """The source of a frame's shapes: the prepared ones where every unit of the frame has them, else its own."""
    codes = tuple(str(code) for code in frame[schema.CODE])
    if isinstance(source, Bands) and set(codes) <= set(source.codes):
        return Selected(source, codes)
    if source is not None and not isinstance(source, Bands):
        return source
    return OwnShapes(codes, np.asarray(frame.geometry.values))
