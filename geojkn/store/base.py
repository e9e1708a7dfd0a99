"""The store interface: everything the rest of geojkn may ask of a backend (GeoPackage now, PostGIS later).

Every backend passes tests/test_store_contract.py. Reads go to the backend each time: caching is the
Workspace's job, keyed by `version()`, which changes with every write.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping

import geopandas as gpd
import pandas as pd

from ..errors import DataError
from ..schema import (
    CODE,
    COUNTS,
    FACILITY_CODE,
    FACILITY_NAME,
    FACILITY_TYPE,
    LEVEL,
    NAME,
    PARENT,
    PERIOD,
    TYPE_SOURCE,
    UNIT_CODE,
    Level,
)

UNIT_COLUMNS = (CODE, NAME, PARENT)
INDEX_COLUMNS = (CODE, NAME, LEVEL, PARENT)
FIGURE_COLUMNS = (PERIOD, CODE, LEVEL) + COUNTS
FACILITY_COLUMNS = (FACILITY_NAME, FACILITY_TYPE, TYPE_SOURCE, FACILITY_CODE, UNIT_CODE)
IMPORT_COLUMNS = ("imported_at", "kind", "file", "rows", "period", "detail")

# Facilities placed in the given units (analysis.facilities.place_facilities): the store calls it inside a write,
# so that what is stored always says where each facility lies, without the store knowing how to find out.
Relocate = Callable[[gpd.GeoDataFrame, Mapping[Level, gpd.GeoDataFrame]], gpd.GeoDataFrame]


class Store(ABC):
    """Boundaries per level, figures per period, facilities, and a log of imports."""

    location: str
    readonly: bool

    def check_writable(self) -> None:
        """Raise a DataError before any work is done if this store cannot be written."""
        if self.readonly:
            raise DataError(
                f"The store {self.location} is read-only (the bundled demo). "
                "Give --store PATH or set GEOJKN_STORE to import your own data."
            )

    @abstractmethod
    def exists(self) -> bool:
        """True once the store has been created (by a first import)."""

    @abstractmethod
    def version(self) -> str:
        """A token that changes with every write (the key of every cache of derived results)."""

    @abstractmethod
    def unit_index(self) -> pd.DataFrame:
        """Code, name, level and parent code of every unit of every level, without geometry."""

    @abstractmethod
    def units(self, level: Level, within: str | None = None) -> gpd.GeoDataFrame:
        """Boundaries of one level (code, name, parent_code, level, geometry), optionally inside a region."""

    @abstractmethod
    def figures(self, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        """Figures rows (period, code, level, counts), optionally one period, optionally inside a region."""

    @abstractmethod
    def periods(self) -> list[str]:
        """The periods that have figures, oldest first."""

    @abstractmethod
    def facilities(self, within: str | None = None) -> gpd.GeoDataFrame:
        """Facility points (name, type, type_source, facility_code, unit_code, geometry); `within` keeps those
        placed inside a region."""

    @abstractmethod
    def imports(self) -> pd.DataFrame:
        """The import log, oldest first."""

    @abstractmethod
    def put_units(self, units: gpd.GeoDataFrame, source: str, relocate: Relocate | None = None) -> None:
        """Add or replace (by code) boundaries of any levels, and re-place the stored facilities with
        `relocate`, in one atomic write."""

    @abstractmethod
    def put_figures(self, figures: pd.DataFrame, source: str, detail: str = "") -> None:
        """Add or replace (by period and code) figures rows, atomically."""

    @abstractmethod
    def put_facilities(self, facilities: gpd.GeoDataFrame, source: str, replace: bool = False,
                       relocate: Relocate | None = None) -> int:
        """Add facilities (or replace all), skipping exact duplicates, and place every stored facility with
        `relocate`; returns the number added."""
