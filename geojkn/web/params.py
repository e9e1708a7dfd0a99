"""Read and check request parameters; a bad value is a DataError (400) naming the allowed values."""

from __future__ import annotations

from collections import OrderedDict

from flask import current_app, request

from ..errors import DataError
from ..formatting import LANGS
from ..rendering import MapOptions
from ..schema import DESA, KECAMATAN, LEVELS, MAP_LEVELS
from ..store import Store


def store() -> Store:
    """The app's store."""
    return current_app.extensions["geojkn.store"]


def lang() -> str:
    """The page language: ?lang=en, else the configured default."""
    value = request.args.get("lang", current_app.config["LANG"])
    if value not in LANGS:
        raise DataError(f"Unknown language '{value}'. Use one of: {', '.join(LANGS)}.")
    return value


def number(name: str, default: float | None) -> float | None:
    """A decimal query parameter (accepts 0.95 or 0,95)."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise DataError(f"Parameter {name}='{raw}' is not a number; write it like 0.95.") from None


def level(default: str = KECAMATAN, allowed: tuple[str, ...] = LEVELS) -> str:
    """The level parameter, checked."""
    value = request.args.get("level", default)
    if value not in allowed:
        raise DataError(f"Unknown level '{value}'. Use one of: {', '.join(allowed)}.")
    return value


def map_options() -> MapOptions:
    """Map choices from the query string, with the app's defaults."""
    args = request.args
    return MapOptions(
        level=level(DESA, MAP_LEVELS),
        metric=args.get("metric", "coverage"),
        period=args.get("period") or None,
        classes=args.get("classes", "policy"),
        basemap=args.get("basemap", current_app.config["BASEMAP"]),
        lang=lang(),
        target=number("target", current_app.config["TARGET"]),
    ).checked()


def cached(key: tuple, build):
    """Build once per key (the store version is part of every key, so imports invalidate it)."""
    cache: OrderedDict = current_app.extensions.setdefault("geojkn.cache", OrderedDict())
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = build()
    cache[key] = value
    while len(cache) > current_app.config["MAP_CACHE_SIZE"]:
        cache.popitem(last=False)
    return value
