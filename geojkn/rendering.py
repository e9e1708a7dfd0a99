"""Maps of a region from its RegionData: the one place the CLI export and the web pages build them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import geopandas as gpd

from .analysis.region import RegionData, summarise, unit_table
from .formatting import format_percent
from .maps.assets import AssetMode
from .maps.choropleth import build_map, finer_shapes
from .maps.controls import TitleBlock
from .maps.export import export_html
from .maps.safety import escape_text
from .maps.shapes import OWN_SHAPES, MapSources
from .options import View
from .report import people, shares
from .schema import DESA, KECAMATAN
from .vocabulary import metric_label, period_text, unit_title, word

if TYPE_CHECKING:
    import folium


def _units(data: RegionData, view: View) -> gpd.GeoDataFrame:
    """The units a map of the view shows, with their figures."""
    assert view.level is not None, "analysis.region.resolve settles the level"
    return unit_table(data, view.level, view)


def region_map(data: RegionData, view: View, assets: AssetMode, link: tuple[str, str] | None = None,
               shapes: MapSources = OWN_SHAPES, finer: str | None = None) -> folium.Map:
    """The choropleth of a region's units at the view's level, with its facilities (view settled with
    analysis.region.resolve), drawn with the shapes prepared at import where `shapes` has them; `finer`: where a
    served page asks for finer shapes (region_shapes)."""
    units = _units(data, view)
    outline = data.units_of(KECAMATAN) if view.level == DESA else None
    when = period_text(view.period, view.lang)
    sources = "; ".join(data.sources.get(view.period, ())) if view.period else ""
    source = word("source_figures", view.lang, sources=sources, period=when) if sources else None
    return build_map(
        units, metric=view.metric, period=view.period, since=view.since, target=view.target,
        access_km=view.access_km, tiers=view.tiers, classes=view.classes,
        facilities=data.facilities, outline=outline, basemap=view.basemap, title=data.region.name,
        source=source, lang=view.lang, assets=assets, link=link, shapes=shapes.units, outline_shapes=shapes.outline,
        finer=finer,
    )


def region_shapes(data: RegionData, view: View, shapes: MapSources, zoom: int) -> dict[str, object]:
    """The shapes of the units of the view's map within a pixel up to `zoom` (finer than its page carries)."""
    return finer_shapes(_units(data, view), view.metric, shapes.units, zoom)


def standalone_html(data: RegionData, view: View, shapes: MapSources = OWN_SHAPES) -> str:
    """One self-contained HTML file (all JS/CSS inlined) that opens with no network, with a title block that
    says what it shows (the file travels without the dashboard around it)."""
    fmap = region_map(data, view, AssetMode("inline"), shapes=shapes)
    TitleBlock([escape_text(line) for line in title_lines(data, view)]).add_to(fmap)
    return export_html(fmap)


def title_lines(data: RegionData, view: View) -> list[str]:
    """The region; the key figures; what is mapped, when and against which target; who is left to enrol and to
    reactivate; the source and the date (the last line is set smaller)."""
    lang = view.lang
    summary = summarise(data, view)
    f = summary.figures
    key = word("sheet_sentence", lang, **shares(f, lang)) if f.coverage is not None else word("no_figures_short", lang)
    sources = "; ".join(summary.sources) or "-"
    return [unit_title(data.region.name, data.region.level, lang), key,
            f"{metric_label(view.metric, lang)}, {period_text(view.period, lang) or '-'} · "
            f"{word('target', lang).lower()} {format_percent(view.target, 0, lang)}",
            word("gap_line", lang, **people(f, lang)),
            word("title_source", lang, source=sources, made=date.today().isoformat())]
