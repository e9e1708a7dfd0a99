"""Where geojkn keeps what it imported; `open_store` picks the backend from the location."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DataError
from .base import Store
from .gpkg import GpkgStore

ENV_STORE = "GEOJKN_STORE"
DEMO_STORE = Path(__file__).resolve().parents[2] / "shapes" / "demo.gpkg"

__all__ = ["Store", "GpkgStore", "open_store", "DEMO_STORE", "ENV_STORE"]


def open_store(location: str | os.PathLike | None = None) -> Store:
    """The store at `location`, else at $GEOJKN_STORE, else the bundled demo (read-only)."""
    location = location or os.environ.get(ENV_STORE) or None
    if location is None:
        return GpkgStore(DEMO_STORE, readonly=True)
    text = str(location)
    if "://" in text:
        raise DataError(f"'{text}' is not a store geojkn can open: give the path of a GeoPackage file (.gpkg).")
    if not text.lower().endswith(".gpkg"):
        raise DataError(f"The store '{text}' must be a GeoPackage file whose name ends in .gpkg.")
    return GpkgStore(text)
