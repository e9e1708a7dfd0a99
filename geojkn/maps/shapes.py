"""Where a map's shapes come from: prepared at import (one simplified topology per zoom band, analysis/mapgeometry.py)
or made on the spot from the units' own polygons. A map asks for the shapes good enough at a zoom."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import geopandas as gpd
import numpy as np

from .. import schema
from ..analysis.mapgeometry import clean
from ..analysis.topology import subset
from .geometry import lightened
from .pagedata import MapShapes

CLEAN_ON_THE_SPOT = 3000  # units a map without prepared shapes cleans itself (about a second per 500 desa)


class ShapeSource(Protocol):
    """Shapes of units at a zoom: within a pixel of the true borders up to that zoom where the source can."""

    def shapes(self, zoom: float | None) -> MapShapes:
        """The shapes to draw up to `zoom` (None: the lightest the source has)."""


@dataclass(frozen=True, eq=False)
class OwnShapes:
    """Shapes made from polygons as they are (simplified only when too heavy for a browser)."""

    codes: tuple[str, ...]
    geoms: np.ndarray
    _made: dict[str, MapShapes] = field(default_factory=dict)

    def shapes(self, zoom: float | None) -> MapShapes:
        if "shapes" not in self._made:
            geoms, cleaned = self.geoms, False
            if len(geoms) <= CLEAN_ON_THE_SPOT:  # borders shared where they should be: outlines follow them
                geoms, cleaned = clean(geoms, self.codes)[0], True
            self._made["shapes"] = MapShapes.of(self.codes, lightened(geoms), cleaned=cleaned)
        return self._made["shapes"]


@dataclass(frozen=True, eq=False)
class Bands:
    """Prepared shapes per zoom band: the band of zoom z is within a pixel of the cleaned borders up to zoom z."""

    bands: Mapping[int, MapShapes]

    def shapes(self, zoom: float | None) -> MapShapes:
        zooms = sorted(self.bands)
        if zoom is None:
            return self.bands[zooms[0]]
        good = [z for z in zooms if z >= zoom]
        return self.bands[good[0] if good else zooms[-1]]

    @property
    def codes(self) -> tuple[str, ...]:
        return next(iter(self.bands.values())).codes


@dataclass(frozen=True, eq=False)
class Selected:
    """Some units of a source, in a given order."""

    source: Bands
    codes: tuple[str, ...]
    _made: dict[int | None, MapShapes] = field(default_factory=dict)

    def shapes(self, zoom: float | None) -> MapShapes:
        band = self.source.shapes(zoom)
        key = id(band)
        if key not in self._made:
            self._made[key] = select(band, self.codes)
        return self._made[key]


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
