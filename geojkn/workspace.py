"""A store and the one cache of what geojkn derives from it: the path every question from the CLI or the web takes.

    query -> Workspace.region() -> RegionData (cached per store version and region) -> analysis.region views

Loading a region reads each store layer once: the unit index, every desa and every facility (kept for the
access distances, which look across borders, and filtered to each region here), then the region's units of the
other levels and its figures, filtered to the region by the store. Everything else (summary, ranking, trend,
unit tables, maps) is computed from the RegionData. Cache keys start with the store version, so an import
makes every older entry unreachable; the cache is emptied when the version changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

import geopandas as gpd
import pandas as pd

from .analysis.access import desa_access
from .analysis.facilities import place_facilities, within_region
from .analysis.overview import overview
from .analysis.region import RegionData
from .analysis.regions import UnitIndex
from .analysis.rollup import rollup
from .cache import Cache
from .errors import DataError, NotFound
from .period import Period
from .records import Figures, Region
from .schema import (
    CODE,
    DESA,
    KABUPATEN_NAME,
    KECAMATAN,
    KECAMATAN_NAME,
    LEVEL,
    LEVELS,
    PARENT,
    PERIOD,
    SOURCE,
    UNIT_CODE,
    Level,
)
from .store import Store
from .store.base import ShapeRow

if TYPE_CHECKING:
    from .maps.shapes import Bands, MapSources

T = TypeVar("T")
_RETRIES = 3  # loads retried when an import lands in the middle of one


class Workspace:
    """What the CLI and the web ask of a store, read once per store version."""

    def __init__(self, store: Store, cache_size: int = 16, builders: int | None = None,
                 patience: float | None = None) -> None:
        self.store = store
        self.cache = Cache(cache_size, builders, patience)
        # prepared map shapes change only with boundaries: kept across figure and facility imports, keyed by the
        # store's shapes stamp (and the province and level)
        self.shapes_cache = Cache(max(4, cache_size // 2), builders, patience)
        self._version: str | None = None
        self._lock = threading.Lock()

    def cached(self, parts: tuple[Hashable, ...], build: Callable[[], T], *, light: bool = False) -> T:
        """`build()` once per store version and key parts; rebuilt if the store changed while it ran."""
        for attempt in range(1, _RETRIES + 1):
            version = self.store.version()
            with self._lock:
                if version != self._version:
                    self.cache.clear()
                    self._version = version
            value = self.cache.get((version, *parts), build, light=light)
            if attempt == _RETRIES or self.store.version() == version:
                return value
        raise AssertionError("the loop returns on its last attempt")

    def index(self) -> UnitIndex:
        """Code, name, level and parent of every stored unit."""
        return self.cached(("index",), lambda: UnitIndex(self.store.unit_index()), light=True)

    def require(self) -> None:
        """A NotFound error when the store has not been created yet (rather than answering as if empty)."""
        where = self.store.location
        if not self.store.exists():
            raise NotFound(f"The store {where} does not exist. Create it with your boundaries: "
                           f"geojkn --store {where} import-boundaries FILE.")

    def resolve(self, query: str) -> Region:
        """The region a query names (a code in any spelling, or a name)."""
        self.require()
        where = self.store.location
        index = self.index()
        if index.table.empty:
            raise DataError(f"The store {where} holds no boundaries yet: run "
                            f"`geojkn --store {where} import-boundaries FILE` first.")
        return index.resolve(query)

    def region(self, query: str) -> RegionData:
        """Everything about the region a query names, loaded once per store version."""
        region = self.resolve(query)
        return self.cached(("region", region.code), lambda: self._load(region))

    def _load(self, region: Region) -> RegionData:
        index = self.index()
        stored = set(index.levels.values())
        units = {level: self._desa(region.code) if level == DESA else self.store.units(level, within=region.code)
                 for level in LEVELS if level.depth >= region.level.depth and level in stored}
        if DESA in units:
            desa = units[DESA]
            units[DESA] = desa.assign(**{KECAMATAN_NAME: desa[PARENT].map(index.names)})
        if region.level == Level.PROVINSI:  # a region of several kabupaten: name each unit's kabupaten
            for level in (KECAMATAN, DESA):
                if level in units:
                    units[level] = units[level].assign(**{KABUPATEN_NAME: units[level][CODE].str[:5].map(index.names)})
        inside = [code for code in index.names if code == region.code or code.startswith(region.code + ".")]
        raw = self.store.figures(within=region.code)
        figures = rollup(raw, inside)
        sources = {Period.parse(p): tuple(sorted({str(s) for s in rows.dropna()}))
                   for p, rows in raw.groupby(PERIOD)[SOURCE]} if SOURCE in raw else {}
        facilities = self._facilities(region.code)
        facilities = facilities.assign(unit_name=facilities[UNIT_CODE].map(index.names))
        access = self.access()
        if DESA in units:
            access = access.reindex(units[DESA][CODE])
        return RegionData(region, index.parents(region.code), units, figures, facilities, sources, access)

    def map_sources(self, region: Region, level: Level) -> MapSources:
        """The prepared shapes of a region's units at a level and of the kecamatan over desa (None where the store
        has none: the map then makes them from the boundaries)."""
        from .maps.shapes import MapSources

        stamp = self.store.shapes_stamp()
        if not stamp:
            return MapSources()

        def bands(of: Level) -> Bands | None:
            return self.shapes_cache.get((stamp, region.code[:2], str(of)),
                                         lambda: bands_of(self.store.shapes(of, [region.code[:2]])))
        return MapSources(bands(level), bands(KECAMATAN) if level == DESA else None)

    def access(self) -> pd.DataFrame:
        """Every stored desa's straight-line km to the nearest FKTP, puskesmas and hospital in the whole store
        (analysis/access.py), computed once per store version."""
        def build() -> pd.DataFrame:
            stored = set(self.index().levels.values())
            if DESA not in stored:
                return pd.DataFrame()
            return desa_access(self._all_desa(), self._all_facilities())
        found: pd.DataFrame = self.cached(("access",), build)
        return found

    def _all_desa(self) -> gpd.GeoDataFrame:
        """Every stored desa, read once per version: the access distances need them all, and each region's
        desa are taken from them."""
        found: gpd.GeoDataFrame = self.cached(("desa",), lambda: self.store.units(DESA))
        return found

    def _desa(self, code: str) -> gpd.GeoDataFrame:
        every = self._all_desa()
        return every[(every[CODE] == code) | every[CODE].str.startswith(code + ".")].reset_index(drop=True)

    def _all_facilities(self) -> gpd.GeoDataFrame:
        found: gpd.GeoDataFrame = self.cached(("facilities",), lambda: self.store.facilities())
        return found

    def _facilities(self, code: str) -> gpd.GeoDataFrame:
        found = self._all_facilities()
        if UNIT_CODE in found.columns:
            return within_region(found, code)
        # a store from before facilities were placed at import: place them all once per version
        placed = self.cached(("placed",), lambda: place_facilities(
            self.store.facilities(), {level: self.store.units(level) for level in LEVELS}))
        return within_region(placed, code)

    def facilities_around(self, region: Region) -> gpd.GeoDataFrame:
        """The facilities a region's units may reach: those of its kabupaten (a province: its own)."""
        if region.level.depth < 2:
            return self.region(region.code).facilities
        return self.region(region.code[:5]).facilities

    def overview(self, target: float, only: tuple[str, ...] = ()) -> list[tuple[Region, Figures]]:
        """The regions a planner picks from (or just `only`), with their latest figures."""
        if not self.store.exists():
            return []
        figures: pd.DataFrame = self.cached(("rollup",), lambda: rollup(self.store.figures(), self.index().names))
        return overview(self.index(), figures, target, only)

    def unit_list(self, level: Level | None = None) -> pd.DataFrame:
        """The stored units (of one level): code, name, level, parent code, sorted by code."""
        table = self.index().table
        if level is not None:
            table = table[table[LEVEL] == level]
        return table.sort_values(CODE).reset_index(drop=True)


def bands_of(rows: list[ShapeRow]) -> Bands | None:
    """Stored shape rows of one level and province as the map's bands (None when there are none)."""
    from .analysis.mapgeometry import QUANTUM, tolerance
    from .analysis.topology import Topology
    from .maps.pagedata import MapShapes
    from .maps.shapes import Bands

    if not rows:
        return None
    return Bands({row.zoom: MapShapes(row.codes, Topology.from_arrays(QUANTUM, row.arrays), row.arrays["anchors"],
                                      tolerance(row.zoom) / 4, cleaned=True) for row in rows})
