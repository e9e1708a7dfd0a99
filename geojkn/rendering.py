"""Maps of a region from the store: the one place the CLI export and the web pages build them."""

from __future__ import annotations

from dataclasses import dataclass, replace

import folium

from . import queries
from .errors import DataError
from .formatting import LANGS
from .maps import build_map, export_html
from .maps.assets import AssetMode
from .schema import BASEMAPS, CLASS_SCHEMES, COVERAGE, DEFAULT_TARGET, DESA, KECAMATAN, MAP_LEVELS, METRICS, NAME
from .store import Store



def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise DataError(f"Unknown {what} '{value}'. Use one of: {', '.join(allowed)}.")
    return value


@dataclass(frozen=True)
class MapOptions:
    """What a planner chose for a map; every field is checked when made with `checked`."""

    level: str = DESA
    metric: str = COVERAGE
    period: str | None = None
    classes: str = "policy"
    basemap: str = "none"
    lang: str = "id"
    target: float = DEFAULT_TARGET

    def checked(self) -> "MapOptions":
        """The same options, or a DataError naming the allowed values of the first bad one."""
        _one_of(self.level, MAP_LEVELS, "level")
        _one_of(self.metric, METRICS, "metric")
        _one_of(self.classes, CLASS_SCHEMES, "classes")
        _one_of(self.basemap, BASEMAPS, "basemap")
        _one_of(self.lang, LANGS, "language")
        queries.check_target(self.target)
        return self

    def with_period(self, period: str | None) -> "MapOptions":
        return replace(self, period=period)


def region_map(store: Store, query: str, options: MapOptions, assets: AssetMode) -> tuple[folium.Map, dict, MapOptions]:
    """The choropleth of a region's desa or kecamatan with its facilities: (map, region, options used)."""
    options = options.checked()
    reg = queries.region(store, query)
    queries.check_level(options.level, reg["level"])
    options = options.with_period(queries.choose_period(store, reg["code"], options.period))
    units = queries.unit_metrics(store, reg["code"], options.level, options.period, options.target)
    if units.empty:
        raise DataError(f"{reg[NAME]} has no {options.level} boundaries in the store to map.")
    outline = store.units(KECAMATAN, within=reg["code"]) if options.level == DESA else None
    source = f"BPJS Kesehatan, {options.period}" if options.period else None
    fmap = build_map(
        units, metric=options.metric, period=options.period, target=options.target,
        classes=options.classes, facilities=queries.facilities(store, reg["code"]), outline=outline,
        basemap=options.basemap, title=reg[NAME], source=source, lang=options.lang, assets=assets,
    )
    return fmap, reg, options


def standalone_html(store: Store, query: str, options: MapOptions) -> tuple[str, dict, MapOptions]:
    """One self-contained HTML file (all JS/CSS inlined) that opens with no network."""
    fmap, reg, used = region_map(store, query, options, AssetMode("inline"))
    return export_html(fmap), reg, used
