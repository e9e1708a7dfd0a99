"""Where geojkn keeps what it imported; `open_store` picks the backend from the location."""

from __future__ import annotations

import re

from ..errors import DataError
from ..resources import demo_store
from .base import Store
from .gpkg import GpkgStore


def is_postgres(location: str) -> bool:
    """A PostgreSQL connection string: a postgresql:// URL, or libpq's key=value words (service=geojkn)."""
    text = location.strip()
    return text.startswith(("postgresql://", "postgres://")) or bool(re.match(r"^[a-z_]+\s*=", text))


__all__ = ["Store", "GpkgStore", "is_postgres", "open_store"]


def open_store(location: str | None = None) -> Store:
    """The store at `location` (the STORE setting or --store), else the bundled demo (read-only)."""
    if location is None:
        return GpkgStore(demo_store(), readonly=True)
    text = str(location)
    if is_postgres(text):
        try:
            from .postgis import PostgisStore  # psycopg is loaded only for a PostgreSQL store
        except ImportError as exc:
            raise DataError("A PostgreSQL store needs psycopg: pip install 'geojkn[postgres]' (psycopg and "
                            "psycopg-pool).") from exc
        return PostgisStore(text)
    if "://" in text:
        raise DataError(f"'{text}' is not a store geojkn can open: give the path of a GeoPackage file (.gpkg), or "
                        "a PostgreSQL connection string (postgresql://USER@HOST:PORT/DATABASE, service=NAME).")
    if not text.lower().endswith(".gpkg"):
        raise DataError(f"The store '{text}' must be a GeoPackage file whose name ends in .gpkg, or a PostgreSQL "
                        "connection string (postgresql://USER@HOST:PORT/DATABASE, service=NAME).")
    store = GpkgStore(text)
    store.check_kind()
    return store
