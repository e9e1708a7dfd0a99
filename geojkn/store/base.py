"""The store interface: everything the rest of geojkn may ask of a backend (GeoPackage now, PostGIS later)."""

from __future__ import annotations

from abc import ABC, abstractmethod

import geopandas as gpd
import pandas as pd

from ..errors import DataError
from ..schema import CODE, COUNTS, LEVEL, NAME, PARENT, PERIOD

UNIT_COLUMNS = (CODE, NAME, PARENT)
FIGURE_COLUMNS = (PERIOD, CODE, LEVEL) + COUNTS
FACILITY_COLUMNS = ("name", "type", "type_source", "facility_code")
IMPORT_COLUMNS = ("imported_at", "kind", "file", "rows", "period", "detail")


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
        """True if the store holds anything."""

    @abstractmethod
    def version(self) -> str:
        """A token that changes with every write (for caches of derived results)."""

    @abstractmethod
    def units(self, level: str, within: str | None = None) -> gpd.GeoDataFrame:
        """Boundaries of one level (code, name, parent_code, level, geometry), optionally inside a region."""

    @abstractmethod
    def unit_index(self) -> pd.DataFrame:
        """Code, name and level of every unit of every level, without geometry (fast lookups)."""

    @abstractmethod
    def figures(self, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        """Figures rows (period, code, level, counts), optionally one period, optionally inside a region."""

    @abstractmethod
    def periods(self) -> list[str]:
        """The periods that have figures, oldest first."""

    @abstractmethod
    def facilities(self) -> gpd.GeoDataFrame:
        """All facility points (name, type, type_source, facility_code, geometry)."""

    @abstractmethod
    def imports(self) -> pd.DataFrame:
        """The import log, oldest first."""

    @abstractmethod
    def put_units(self, units: gpd.GeoDataFrame, source: str) -> None:
        """Add or replace (by code) boundaries of any levels, atomically."""

    @abstractmethod
    def put_figures(self, figures: pd.DataFrame, source: str, detail: str = "") -> None:
        """Add or replace (by period and code) figures rows, atomically."""

    @abstractmethod
    def put_facilities(self, facilities: gpd.GeoDataFrame, source: str, replace: bool = False) -> int:
        """Add facilities (or replace all), skipping exact duplicates; returns the number added."""
