"""Where geojkn keeps what it imported; `open_store` picks the backend from the location."""

from __future__ import annotations

from ..errors import DataError
from ..resources import demo_store
from .base import Store
from .gpkg import GpkgStore

__all__ = ["Store", "GpkgStore", "open_store"]


def open_store(location: str | None = None) -> Store:
    """The store at `location` (the STORE setting or --store), else the bundled demo (read-only)."""
    if location is None:
        return GpkgStore(demo_store(), readonly=True)
    text = str(location)
    if "://" in text:
        raise DataError(f"'{text}' is not a store geojkn can open: give the path of a GeoPackage file (.gpkg).")
    if not text.lower().endswith(".gpkg"):
        raise DataError(f"The store '{text}' must be a GeoPackage file whose name ends in .gpkg.")
    store = GpkgStore(text)
    store.check_kind()
    return store
