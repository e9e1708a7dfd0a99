"""A store and the one cache of what geojkn derives from it: the path every question from the CLI or the web takes.

    query -> Workspace.region() -> RegionData (cached per store version and region) -> analysis.region views

Loading a region reads what lies in its province, each part once, by the code indexes of the store: the unit
index, the desa, the facilities and the distances measured at import (kept across figure imports, see
lasting_key), then the region's units of the other levels and its figures rolled up at import, so a region costs
the same in a store of one province or of the nation. Everything else (summary, ranking, trend, unit tables,
maps) is computed from the RegionData. Cache keys start with the store version, so an import makes every older
entry unreachable; the cache is emptied when the version changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

import geopandas as gpd
import pandas as pd

from .analysis.access import desa_access, facilities_near
from .analysis.facilities import place_facilities, within_region
from .analysis.overview import overview
from .analysis.region import RegionData
from .analysis.regions import UnitIndex
from .analysis.rollup import is_current, rollup
from .cache import Cache
from .codes import parse_code
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
from .shared import SharedAnswers
from .store import Store

if TYPE_CHECKING:
    from .maps.shapes import Bands, MapSources

T = TypeVar("T")


def weight(value: object) -> int:
    """About how many bytes a cached value holds (the bound of the caches)."""
    if isinstance(value, (bytes, str)):
        return len(value)
    if isinstance(value, (tuple, list)):
        return sum(weight(part) for part in value) + 64
    if isinstance(value, RegionData):
        return value.weight()
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum())
    return 1024  # small records and indexes
LASTING_KINDS = ("boundaries", "facilities")  # the imports that change units, placed facilities and distances
_RETRIES = 3  # loads retried when an import lands in the middle of one
ANSWERS_PER_ENTRY = 4  # finished answers kept per entry of region data (CACHE_SIZE)


class Workspace:
    """What the CLI and the web ask of a store, read once per store version."""

    def __init__(self, store: Store, cache_size: int = 16, builders: int | None = None,
                 patience: float | None = None, cache_bytes: int | None = None,
                 shared: SharedAnswers | None = None) -> None:
        """`cache_bytes`: the most memory the regions and answers may take together (three quarters and a quarter);
        `shared`: where the answers are kept for every process that serves the store."""
        self.store = store
        self.cache = Cache(cache_size, builders, patience, max_bytes=cache_bytes and cache_bytes * 3 // 4,
                           weigh=weight)
        # what is sent as it is (pages, maps, API answers): small beside a region's data, so kept in greater number,
        # and built within the same slots
        self.answers = Cache(ANSWERS_PER_ENTRY * cache_size, slots_of=self.cache,
                             max_bytes=cache_bytes and cache_bytes // 4, weigh=weight)
        self.shared = shared
        # what changes only with boundaries or facilities (units, placed facilities, distances, map shapes) is kept
        # across figure imports here, keyed by those imports (see lasting_key) and the province
        self.lasting = Cache(max(8, cache_size), builders, patience)
        self._version: str | None = None
        self._lock = threading.Lock()

    def cached(self, parts: tuple[Hashable, ...], build: Callable[[], T], *, light: bool = False) -> T:
        """`build()` once per store version and key parts; rebuilt if the store changed while it ran."""
        return self._kept(self.cache, parts, build, light)

    def answer(self, parts: tuple[Hashable, ...], build: Callable[[], T]) -> T:
        """A finished answer (a page, a map, an API body), built once per store version and key parts, by any of
        the processes that serve the store (`shared`)."""
        shared = self.shared
        if shared is None:
            return self._kept(self.answers, parts, build, False)
        version = self.store.version()

        def made_once() -> T:
            found: T | None = shared.get(version, parts)
            if found is None:
                found = build()
                if self.store.version() == version:
                    shared.put(version, parts, found)
            return found
        return self._kept(self.answers, parts, made_once, False)

    def _kept(self, cache: Cache, parts: tuple[Hashable, ...], build: Callable[[], T], light: bool) -> T:
        for attempt in range(1, _RETRIES + 1):
            version = self.store.version()
            with self._lock:
                if version != self._version:
                    self.cache.clear()
                    self.answers.clear()
                    self._version = version
            value = cache.get((version, *parts), build, light=light)
            if attempt == _RETRIES or self.store.version() == version:
                return value
        raise AssertionError("the loop returns on its last attempt")

    def index(self, area: str | None = None) -> UnitIndex:
        """Code, name, level and parent of every stored unit, or of those of one province (`area`, its code):
        what a region needs, read by the code's index, so that it costs the same in a store of any size. Kept
        across figure imports."""
        found: UnitIndex = self.lasting.get(("index", self.lasting_key(), area),
                                            lambda: UnitIndex(self.store.unit_index(within=area)), light=True)
        return found

    def require(self) -> None:
        """A NotFound error when the store has not been created yet (rather than answering as if empty)."""
        where = self.store.shown
        if not self.store.exists():
            raise NotFound(f"The store {where} does not exist. Create it with your boundaries: "
                           f"geojkn --store {where} import-boundaries FILE.")

    def resolve(self, query: str, allowed: Callable[[str], bool] | None = None) -> Region:
        """The region a query names (a code in any spelling, or a name); `allowed`: among an account's units only
        (see UnitIndex.resolve)."""
        self.require()
        where = self.store.shown
        code = parse_code(str(query).strip())
        index = self.index(code[:2] if code else None)  # a code is looked up in its province alone
        if index.table.empty and (code is None or self.index().table.empty):
            raise DataError(f"The store {where} holds no boundaries yet: run "
                            f"`geojkn --store {where} import-boundaries FILE` first.")
        return index.resolve(query, allowed)

    def region(self, query: str) -> RegionData:
        """Everything about the region a query names, loaded once per store version."""
        region = self.resolve(query)
        return self.cached(("region", region.code), lambda: self._load(region))

    def _load(self, region: Region) -> RegionData:
        index = self.index(region.code[:2])  # every unit of the region and every parent lie in its province
        stored = set(index.levels.values())
        units = {level: self._desa(region.code) if level == DESA else self._units(level, region.code)
                 for level in LEVELS if level.depth >= region.level.depth and level in stored}
        if DESA in units:
            desa = units[DESA]
            units[DESA] = desa.assign(**{KECAMATAN_NAME: desa[PARENT].map(index.names)})
        if region.level == Level.PROVINSI:  # a region of several kabupaten: name each unit's kabupaten
            for level in (KECAMATAN, DESA):
                if level in units:
                    units[level] = units[level].assign(**{KABUPATEN_NAME: units[level][CODE].str[:5].map(index.names)})
        inside = [code for code in index.names if code == region.code or code.startswith(region.code + ".")]
        figures = self.store.rolled_up(region.code)  # rolled up when the figures or units were written
        if figures is None or not is_current(figures):  # (an older geojkn's roll-up lacks some columns)
            raw = self.store.figures(within=region.code)
            figures = rollup(raw, inside)
            given = raw[[PERIOD, SOURCE]] if SOURCE in raw else raw.iloc[:0]
        else:
            given = self.store.sources(region.code)
        sources = {Period.parse(p): tuple(sorted({str(s) for s in rows.dropna()}))
                   for p, rows in given.groupby(PERIOD)[SOURCE]} if len(given) else {}
        facilities = self._facilities(region.code)
        facilities = facilities.assign(unit_name=facilities[UNIT_CODE].map(index.names))
        access = self.access(region.code[:2])
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

        area = region.code[:2]

        def bands(of: Level) -> Bands | None:
            return self.lasting.get(("shapes", stamp, area, str(of)), lambda: bands_of(self.store, of, area),
                                    light=True)
        return MapSources(bands(level), bands(KECAMATAN) if level == DESA else None)

    def lasting_key(self) -> tuple[object, ...]:
        """What the boundaries and facilities are at this store version: the number of imports of each and the
        time of the last (a figures import leaves it unchanged, so what depends on them only is kept)."""
        def build() -> tuple[object, ...]:
            log = self.store.imports()
            if log.empty or "kind" not in log:
                return (self.store.version(),)  # no log to tell: as long as this version
            kept = log[log["kind"].isin(LASTING_KINDS)]
            return (len(kept), str(kept["imported_at"].iloc[-1]) if len(kept) else "")
        found: tuple[object, ...] = self.cached(("lasting",), build, light=True)
        return found

    def access(self, area: str | None = None) -> pd.DataFrame:
        """The straight-line km from every desa of a province (every stored desa when None) to the nearest FKTP,
        puskesmas and hospital, facilities across the border included (analysis/access.py); computed once per
        import of boundaries or facilities."""
        def build() -> pd.DataFrame:
            stored = set(self.index(area).levels.values())
            if DESA not in stored:
                return pd.DataFrame()
            measured = self.store.distances(area)
            if measured is not None:  # measured at import
                return measured
            desa = self._province_desa(area) if area else self.store.units(DESA)
            return desa_access(desa, facilities_near(self._all_facilities(), desa))
        found: pd.DataFrame = self.lasting.get(("access", self.lasting_key(), area), build)
        return found

    def _units(self, level: Level, code: str) -> gpd.GeoDataFrame:
        """A region's units of one level above desa, read once per import of boundaries."""
        found: gpd.GeoDataFrame = self.lasting.get(("units", self.lasting_key(), str(level), code),
                                                   lambda: self.store.units(level, within=code))
        return found

    def _province_desa(self, area: str) -> gpd.GeoDataFrame:
        """The desa of one province, read once per import of boundaries: a region's desa are taken from them."""
        found: gpd.GeoDataFrame = self.lasting.get(("desa", self.lasting_key(), area),
                                                   lambda: self.store.units(DESA, within=area))
        return found

    def _desa(self, code: str) -> gpd.GeoDataFrame:
        every = self._province_desa(code[:2])
        return every[(every[CODE] == code) | every[CODE].str.startswith(code + ".")].reset_index(drop=True)

    def _all_facilities(self) -> gpd.GeoDataFrame:
        found: gpd.GeoDataFrame = self.lasting.get(("facilities", self.lasting_key()), lambda: self.store.facilities())
        return found

    def _facilities(self, code: str) -> gpd.GeoDataFrame:
        area = code[:2]
        found: gpd.GeoDataFrame = self.lasting.get(("facilities", self.lasting_key(), area),
                                                   lambda: self.store.facilities(within=area))
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
        def build() -> pd.DataFrame:
            stored = self.store.rolled_up()
            current = stored is not None and is_current(stored)
            return stored if stored is not None and current else rollup(self.store.figures(), self.index().names)
        def listed() -> list[tuple[Region, Figures]]:
            figures: pd.DataFrame = self.cached(("rollup",), build)
            return overview(self.index(), figures, target, only)
        return self.cached(("overview", target, only), listed)

    def unit_list(self, level: Level | None = None) -> pd.DataFrame:
        """The stored units (of one level): code, name, level, parent code, sorted by code."""
        table = self.index().table
        if level is not None:
            table = table[table[LEVEL] == level]
        return table.sort_values(CODE).reset_index(drop=True)


def bands_of(store: Store, level: Level, area: str) -> Bands | None:
    """The stored shapes of one level of a province as a map's bands, each read when first used (None when the
    store has none)."""
    from .analysis.landmass import masses_from_arrays
    from .analysis.mapgeometry import QUANTUM, tolerance
    from .analysis.topology import Topology
    from .maps.pagedata import MapShapes
    from .maps.shapes import Bands

    zooms = tuple(store.shape_zooms(level, area))
    if not zooms:
        return None

    def load(zoom: int) -> MapShapes:
        row = store.shapes(level, [area], [zoom])[0]
        return MapShapes(row.codes, Topology.from_arrays(QUANTUM, row.arrays), row.arrays["anchors"],
                         tolerance(zoom) / 4, cleaned=True, masses=masses_from_arrays(row.arrays))
    return Bands(zooms, load)
