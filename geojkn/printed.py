"""Printed maps for meetings: the one-page sheet and the atlas of every kecamatan, drawn on the server.

matplotlib draws the maps (in UTM metres, so the scale bar is true) with the classes and colours of the web map
(maps/classify.py) and the names where the web map puts them (maps/labels.py); the pages are A4 landscape, the
fonts embedded (DejaVu, TrueType) and every word real text, so a PDF can be searched and copied from.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from html import unescape
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .analysis import marks
from .analysis.access import utm_crs
from .analysis.region import RegionData, rank, summarise, unit_table
from .formatting import MISSING, format_int, format_metric, format_percent
from .inert import for_paper
from .maps.classify import NO_DATA, Classification, class_labels, classify
from .maps.geometry import Landmass, fit_bounds, view_zoom
from .maps.labels import label_places
from .maps.palettes import IMPLAUSIBLE_BORDER
from .maps.shapes import ShapeSource, shapes_of
from .options import View
from .records import Summary
from .report import access_text, change_text, notes, people, shares, status_text
from .schema import (
    CHANGE,
    CODE,
    COVERAGE,
    DESA,
    GAP,
    KECAMATAN,
    KECAMATAN_NAME,
    NAME,
    NEAREST_FKTP_KM,
    PARENT,
    TO_REACTIVATE,
    Level,
    Metric,
)
from .vocabulary import level_label, metric_label, period_text, unit_title, word

A4 = (11.69, 8.27)  # inches, landscape
INK, MUTED, LINE, NO_DATA_FILL = "#1d2b36", "#5b6b78", "#3a4750", "#e4e7ea"
TABLE_ROWS = 10  # of each table on a sheet; a page with one table lists every unit that fits
ALL_ROWS = 40
ROW_HEIGHT = 0.021  # of the page's height, one table row
MIN_ROW_HEIGHT = 0.0145


class _Paper:
    """Figures made without pyplot: no global state shared between threads, no GUI backend to load."""

    def figure(self, figsize: tuple[float, float]) -> Any:
        from matplotlib.figure import Figure

        return Figure(figsize=figsize)

    def close(self, fig: Any) -> None:
        """Nothing to do: a figure without pyplot is freed with its last reference."""


def _pyplot() -> _Paper:
    """Paper to draw pages on, with fonts embedded as TrueType (real, searchable text in PDFs)."""
    import matplotlib

    matplotlib.rcParams.update({"pdf.fonttype": 42, "ps.fonttype": 42, "font.family": "DejaVu Sans",
                                "svg.fonttype": "none",
                                "text.parse_math": False})  # a `$` in a name is a `$`, never markup
    return _Paper()


@dataclass(frozen=True)
class Page:
    """What one printed page shows."""

    title: str
    subtitle: str
    units: gpd.GeoDataFrame  # the mapped units with their metrics
    classification: Classification
    metric: Metric
    outline: gpd.GeoDataFrame | None
    label_all: bool  # every unit named (an atlas page), or only the outline's units (kecamatan on a sheet)
    facts: list[str]
    tables: list[tuple[str, list[str], list[list[str]]]]
    partial: np.ndarray  # per unit: its value stands on counts that do not cover it (hatched, as on the web map)
    odd: np.ndarray  # per unit: its counts cannot be true (no class: hatched with their own edge)
    notes: tuple[str, ...] = ()  # what the marks in the tables mean
    masses: tuple[Landmass, ...] | None = None  # the units' landmasses where their shapes were prepared at import


def _utm(frame: gpd.GeoDataFrame) -> Any:
    """The UTM zone at the middle of the units (metres: the scale bar is true)."""
    if not len(frame):
        return "EPSG:3857"
    west, south, east, north = frame.total_bounds
    return utm_crs((west + east) / 2, (south + north) / 2)


def _scale_length(width_m: float) -> float:
    """A round length near a fifth of the map's width: 1, 2 or 5 times a power of ten, in metres."""
    raw = width_m / 5
    power = 10 ** math.floor(math.log10(raw))
    return max(step * power for step in (1, 2, 5) if step * power <= raw)


def _main_part(projected: gpd.GeoDataFrame, masses: tuple[Landmass, ...] | None) -> np.ndarray:
    """Which units make the main map: all of them, unless outlying units (islands far off the coast, such as
    Karimunjawa off Jepara) would shrink it to a corner; those are then drawn in an inset. The landmasses worked out
    at import (the web map's, analysis/landmass.py) tell which units lie off the main one, where there are any."""
    geoms = projected.geometry.values
    if masses:
        home = fit_bounds(list(masses))
        main = np.zeros(len(projected), dtype=bool)
        for mass in masses:
            (south, west), (north, east) = mass.bounds
            if south >= home[0][0] and west >= home[0][1] and north <= home[1][0] and east <= home[1][1]:
                main[list(mass.unit_positions)] = True
    else:
        whole = shapely.get_parts(shapely.union_all(shapely.buffer(geoms, 1000)))  # 1 km joins neighbours
        if len(whole) < 2:
            return np.ones(len(projected), dtype=bool)
        main = shapely.intersects(geoms, whole[np.argmax(shapely.area(whole))])
    if not main.any():
        return np.ones(len(projected), dtype=bool)

    def box_area(parts: Any) -> float:
        x0, y0, x1, y1 = shapely.total_bounds(parts)
        return float((x1 - x0) * (y1 - y0))

    return main if box_area(geoms) > 3 * box_area(geoms[main]) else np.ones(len(projected), dtype=bool)


def _paths(geoms: Any) -> list[Any]:
    """Matplotlib paths of polygons (rings closed, holes kept), one a geometry: drawn as one collection, without
    geopandas's plotting, which redraws the whole figure after every layer."""
    from matplotlib.path import Path

    out = []
    for geom in geoms:
        vertices, codes = [], []
        for polygon in shapely.get_parts(geom):
            for ring in (polygon.exterior, *polygon.interiors):
                xy = np.asarray(ring.coords)
                if len(xy) < 3:
                    continue
                vertices.append(xy)
                codes.append(np.r_[Path.MOVETO, np.full(len(xy) - 2, Path.LINETO), Path.CLOSEPOLY])
        out.append(Path(np.concatenate(vertices), np.concatenate(codes)) if vertices else Path(np.zeros((1, 2))))
    return out


def _lines(geoms: Any) -> list[np.ndarray]:
    """The coordinates of every line of some (multi)line geometries, for one LineCollection."""
    return [np.asarray(line.coords) for geom in geoms for line in shapely.get_parts(geom) if not line.is_empty]


def _draw_layers(ax: Any, page: Page, projected: gpd.GeoDataFrame, outline: gpd.GeoSeries | None,
                 places: list[tuple[str, float, float]], size: float) -> None:
    """The units in their class colours, the no-data hatching, the outline and the names, on one axes."""
    import matplotlib.patheffects as effects
    from matplotlib.collections import LineCollection, PathCollection

    paths = _paths(projected.geometry.values)
    colors = [page.classification.color_of(i) or NO_DATA_FILL for i in page.classification.index]
    ax.add_collection(PathCollection(paths, facecolors=colors, edgecolors="white", linewidths=0.4))
    empty = [i == NO_DATA and not odd for i, odd in zip(page.classification.index, page.odd, strict=True)]
    marked: tuple[tuple[Any, dict[str, Any]], ...] = (
        (empty, {"edgecolors": "#9aa5ad", "hatch": "////", "linewidths": 0}),
        (page.partial, {"edgecolors": "white", "hatch": "\\\\\\", "linewidths": 0}),
        (page.odd, {"edgecolors": IMPLAUSIBLE_BORDER, "hatch": "xx", "linewidths": 0.8, "linestyles": "--"}))
    for chosen, style in marked:
        if any(chosen):
            ax.add_collection(PathCollection([p for p, c in zip(paths, chosen, strict=True) if c],
                                             facecolors="none", **style))
    if outline is not None:
        ax.add_collection(LineCollection(_lines(outline.values), colors=LINE, linewidths=0.9))
    halo = [effects.withStroke(linewidth=2.2, foreground="white")]
    for name, x, y in places:
        # the white halo is drawn as a path; the name over it stays real text (searchable in the PDF)
        shown = _label(name)
        ax.text(x, y, shown, fontsize=size, ha="center", va="center", color="white", path_effects=halo,
                clip_on=True)
        ax.text(x, y, shown, fontsize=size, ha="center", va="center", color=INK, clip_on=True)


LABEL_CHARS = 40  # a name on a map longer than this ends in "…" (the tables beside it give it whole up to 28)


def _label(name: str) -> str:
    """A name as a map prints it: inert, and no longer than LABEL_CHARS."""
    text = for_paper(name)
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def _padded(ax: Any, bounds: np.ndarray, pad: float = 0.04) -> None:
    """Limits around `bounds`, widened on one side so that a metre is as long across as up the axes' own box:
    the map keeps its shape and fills the box, with no limits for matplotlib to overrule."""
    x0, y0, x1, y1 = bounds
    dx, dy = (x1 - x0) * pad + 1, (y1 - y0) * pad + 1
    x0, x1, y0, y1 = x0 - dx, x1 + dx, y0 - dy, y1 + dy
    box = ax.get_position()
    width, height = ax.figure.get_size_inches()
    ratio = (box.height * height) / (box.width * width)  # the box's height over its width
    if (y1 - y0) / (x1 - x0) < ratio:
        grow = ((x1 - x0) * ratio - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    else:
        grow = ((y1 - y0) / ratio - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")


def _inset(ax: Any, page: Page, projected: gpd.GeoDataFrame, outline: gpd.GeoSeries | None,
           places: list[tuple[str, float, float]], main: np.ndarray) -> None:
    """The outlying units in the corner of the map where they hide the fewest main units."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = 0.3, 0.32
    corners = [(0.0, 1 - h), (1 - w, 1 - h), (0.0, 0.06), (1 - w, 0.06)]
    mainland = shapely.union_all(projected.geometry.values[main])

    def hidden(corner: tuple[float, float]) -> float:
        cx, cy = corner
        box = shapely.box(x0 + cx * (x1 - x0), y0 + cy * (y1 - y0), x0 + (cx + w) * (x1 - x0),
                          y0 + (cy + h) * (y1 - y0))
        return float(shapely.area(shapely.intersection(box, mainland)))

    cx, cy = min(corners, key=hidden)
    inset = ax.inset_axes((cx, cy, w, h))
    away = ~main  # only the outlying units (and their names): the inset shows nothing else
    box = shapely.box(*shapely.total_bounds(projected.geometry.values[away]))
    near = [p for p in places if shapely.contains_xy(box, p[1], p[2])]
    _draw_layers(inset, _part(page, away), projected[away], outline, near, 6.5)
    _padded(inset, shapely.total_bounds(projected.geometry.values[~main]), 0.12)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_facecolor("white")
    for spine in inset.spines.values():
        spine.set_edgecolor(LINE)
        spine.set_linewidth(0.8)


def _part(page: Page, keep: np.ndarray) -> Page:
    """The page with only some of its units (in the same order), for an inset."""
    index = tuple(c for c, k in zip(page.classification.index, keep, strict=True) if k)
    return replace(page, units=page.units[keep], classification=replace(page.classification, index=index),
                   partial=page.partial[keep], odd=page.odd[keep])


def _draw_map(ax: Any, page: Page, lang: Any) -> None:
    from matplotlib.patches import Rectangle

    units = page.units
    crs = _utm(units)
    projected = units.to_crs(crs)
    outline = None
    if page.outline is not None and len(page.outline) and PARENT in projected:
        # kecamatan drawn as the union of their desa: a source's own kecamatan layer may not follow the desa
        parts = projected.dissolve(by=PARENT)
        outline = gpd.GeoSeries(shapely.boundary(shapely.make_valid(parts.geometry.values)), crs=crs)
    named = units if page.label_all or page.outline is None else page.outline
    size = 6 if page.label_all and len(named) > 25 else 7.5
    found = label_places(named, 0)
    places: list[tuple[str, float, float]] = []
    if found:
        points = gpd.GeoSeries(gpd.points_from_xy([p["x"] for p in found], [p["y"] for p in found]),
                               crs="EPSG:4326").to_crs(crs)
        places = [(unescape(p["t"]), x, y) for p, x, y in zip(found, points.x, points.y, strict=True)]
    main = _main_part(projected, page.masses)
    _draw_layers(ax, page, projected, outline, places, size)
    _padded(ax, shapely.total_bounds(projected.geometry.values[main]))
    if not main.all():
        _inset(ax, page, projected, outline, places, main)
    ax.set_axis_off()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _scale_length(x1 - x0)
    bx, by, bh = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.03, (y1 - y0) * 0.008
    for k in range(2):
        ax.add_patch(Rectangle((bx + k * length / 2, by), length / 2, bh, facecolor=INK if k == 0 else "white",
                               edgecolor=INK, linewidth=0.6))
    km = length / 1000
    ax.text(bx, by + 2.2 * bh, "0", fontsize=6.5, ha="center", color=INK)
    ax.text(bx + length, by + 2.2 * bh, f"{km:g} km".replace(".", "," if lang == "id" else "."), fontsize=6.5,
            ha="center", color=INK)
    ax.annotate("U" if lang == "id" else "N", xy=(0.97, 0.97), xytext=(0.97, 0.89), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, fontweight="bold", color=INK,
                arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.2})


def _legend(fig: Any, page: Page, lang: Any) -> None:
    """The classes in a strip under the map, never over it (an outlying island stays visible)."""
    from matplotlib.patches import Patch

    labels = class_labels(page.classification, lang)
    handles = [Patch(facecolor=color, edgecolor="#9aa5ad", linewidth=0.4, label=for_paper(f"{label} ({count})"))
               for color, label, count in zip(page.classification.colors, labels, page.classification.counts,
                                               strict=True)]
    empty = page.classification.no_data - int(page.odd.sum())
    if empty:
        handles.append(Patch(facecolor=NO_DATA_FILL, edgecolor="#9aa5ad", hatch="////", linewidth=0.4,
                             label=f"{word('no_figures_short', lang)} ({empty})"))
    if page.partial.any():
        handles.append(Patch(facecolor="#bdbdbd", edgecolor="white", hatch="\\\\\\", linewidth=0.4,
                             label=f"{word('partial', lang)} ({int(page.partial.sum())})"))
    if page.odd.any():
        handles.append(Patch(facecolor=NO_DATA_FILL, edgecolor=IMPLAUSIBLE_BORDER, hatch="xx", linewidth=0.8,
                             label=f"{word('implausible', lang)} ({int(page.odd.sum())})"))
    fig.legend(handles=handles, title=metric_label(page.metric, lang), loc="lower left",
               bbox_to_anchor=(0.02, 0.02, 0.58, 0.1), ncol=min(3, len(handles)), mode="expand", fontsize=7,
               title_fontsize=7.5, frameon=False, alignment="left")


def _draw_page(plt: Any, page: Page, lang: Any, number: int | None = None) -> Any:
    fig = plt.figure(figsize=A4)
    fig.text(0.03, 0.955, for_paper(page.title), fontsize=16, fontweight="bold", color=INK, va="top")
    fig.text(0.03, 0.91, for_paper(page.subtitle), fontsize=8.5, color=MUTED, va="top")
    ax = fig.add_axes((0.02, 0.13, 0.58, 0.75))
    _draw_map(ax, page, lang)
    _legend(fig, page, lang)
    y = 0.865
    for fact in page.facts:
        wrapped = _wrap(for_paper(fact), 62)
        fig.text(0.62, y, wrapped, fontsize=8.5 if fact is not page.facts[0] else 11.5, color=INK, va="top",
                 fontweight="bold" if fact is page.facts[0] else "normal")
        y -= 0.019 * (wrapped.count("\n") + 1) + (0.022 if fact is page.facts[0] else 0.012)
    notes = "\n".join(_wrap(for_paper(note), 105) for note in page.notes)
    floor = 0.07 + (0.011 * (notes.count("\n") + 1) if notes else 0.0)  # the tables end above the notes
    for heading, head, rows in page.tables:
        # rows closer together when that lets every unit in (down to MIN_ROW_HEIGHT), else the rows that fit
        row_height = max(MIN_ROW_HEIGHT, min(ROW_HEIGHT, (y - floor) / (len(rows) + 2.2)))
        fitting = min(len(rows), int((y - floor) / row_height - 2.2))
        if not rows or fitting < min(3, len(rows)):  # (a kecamatan of two desa lists both; no figures: no table)
            continue
        rows = rows[:fitting]
        fig.text(0.62, y - 0.01, for_paper(heading), fontsize=9, fontweight="bold", color=INK, va="top")
        height = row_height * (len(rows) + 2.2)
        table_ax = fig.add_axes((0.62, y - 0.03 - height, 0.36, height))
        table_ax.set_axis_off()
        table = table_ax.table(cellText=[[for_paper(cell) for cell in row] for row in rows],
                               colLabels=[_wrap(for_paper(h), 11) for h in head], loc="upper left",
                               cellLoc="right", colLoc="right", edges="horizontal", bbox=(0, 0, 1, 1))
        table.auto_set_font_size(False)
        table.set_fontsize(7 if row_height >= 0.018 else 6.3)
        widths = [0.3] + [0.7 / (len(head) - 1)] * (len(head) - 1)
        for (row, col), cell in table.get_celld().items():
            cell.set_edgecolor("#d9e1e7")
            cell.set_width(widths[col])
            cell.set_height(1 / (len(rows) + 2.2) * (2.2 if row == 0 else 1))
            if col == 0:
                cell.set_text_props(ha="left")
                cell._loc = "left"
            if row == 0:
                cell.set_text_props(fontweight="bold", color=MUTED, fontsize=6)
        y -= height + 0.07
    if page.notes:
        fig.text(0.62, 0.035, notes, fontsize=5.8, color=MUTED, va="bottom")
    if number is not None:
        fig.text(0.97, 0.02, str(number), fontsize=8, color=MUTED, ha="right")
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _rows(table: pd.DataFrame, columns: Sequence[Metric], lang: Any, limit: int,
          within: bool = False) -> list[list[str]]:
    """The first rows of a table: name (within: a desa's with its kecamatan, as names repeat across a kabupaten),
    then each column's value, marked
    where it is partial (*) and the name where the counts cannot be true (!)."""
    shown = table.head(limit)
    part = {column: marks.partial(shown, column).tolist() for column in columns}
    odd = marks.implausible(shown).tolist()
    out = []
    for i, (_, row) in enumerate(shown.iterrows()):
        kecamatan = row.get(KECAMATAN_NAME) if within else None
        name = str(row[NAME])[:28] + (f" ({str(kecamatan)[:18]})" if isinstance(kecamatan, str) and kecamatan else "")
        cells = [name + (f" {word('implausible_mark', lang)}" if odd[i] else "")]
        for column in columns:
            value = row.get(str(column))
            text = MISSING if value is None or pd.isna(value) else format_metric(column, value, lang)
            cells.append(text + (f" {word('partial_mark', lang)}" if part[column][i] and text != MISSING else ""))
        out.append(cells)
    return out


def _facts(summary: Summary, lang: Any) -> list[str]:
    f = summary.figures
    facts = [word("sheet_sentence", lang, **shares(f, lang))]
    facts.append(word("sheet_counts", lang, registered=format_int(f.registered, lang),
                      population=format_int(f.population, lang), **people(f, lang)))
    facts += status_text(summary, lang)
    facts += notes(summary, lang)
    change = change_text(summary, lang)
    if change and summary.change is not None:
        facts.append(f"{word('change_since', lang, period=summary.change.since)}: {change}")
    access = access_text(summary, lang)
    if access:
        facts.append(f"{word('access', lang)}: {access}")
    return facts


def _subtitle(view: View, summary: Summary) -> str:
    lang = view.lang
    sources = "; ".join(summary.sources) or "-"
    period = period_text(view.period, lang) or word("no_period", lang)
    return word("sheet_subtitle", lang, metric=metric_label(view.metric, lang), period=period,
                target=format_percent(view.target, 0, lang), source=sources, made=date.today().isoformat())


COLUMNS = (COVERAGE, GAP, TO_REACTIVATE)
ATLAS_COLUMNS = (COVERAGE, GAP, TO_REACTIVATE, NEAREST_FKTP_KM, CHANGE)


def _page(data: RegionData, view: View, level: Level, label_all: bool, columns: Sequence[Metric],
          tables: Sequence[Level], shapes: ShapeSource | None = None) -> Page:
    lang = view.lang
    units, masses = _drawn(unit_table(data, level, view), shapes)
    odd = marks.unclassed(units, view.metric)
    classification = classify(units[str(view.metric)].where(~odd), view.metric, view.classes, view.target,
                              access_km=view.access_km, tiers=view.tiers, lang=lang)
    partial = marks.partial(units, view.metric).to_numpy() & ~odd.to_numpy()
    outline = data.units_of(KECAMATAN) if level == DESA and data.region.level != KECAMATAN else None
    summary = summarise(data, view)
    listed = []
    for table_level in tables:
        head = [level_label(table_level, lang)] + [metric_label(c, lang) for c in columns]
        names = {"level": level_label(table_level, lang), "metric": metric_label(Metric.COVERAGE, lang).lower()}
        if len(tables) == 1:  # a page of its own units: every one, the lowest first, those without figures last
            every = units.sort_values([str(COVERAGE), NAME], na_position="last")
            listed.append((word("every_unit", lang, **names), head, _rows(every, columns, lang, ALL_ROWS)))
            continue
        ranking = rank(data, table_level, replace(view, metric=Metric.COVERAGE))
        above = data.region.level not in (KECAMATAN, DESA)  # a kecamatan's own page names no kecamatan
        listed.append((word("lowest", lang, **names), head, _rows(ranking.table, columns, lang, TABLE_ROWS, above)))
    title = unit_title(data.region.name, data.region.level, lang)
    return Page(title, _subtitle(view, summary), units, classification, view.metric, outline, label_all,
                _facts(summary, lang), listed, partial, odd.to_numpy(), _table_notes(listed, lang), masses)


PRINT_WIDTH = 2000  # pixels across the map at print quality (a 7-inch map at about 300 dpi)


def _drawn(units: gpd.GeoDataFrame, shapes: ShapeSource | None) -> tuple[gpd.GeoDataFrame, tuple[Landmass, ...] | None]:
    """The units with the shapes the web map draws (prepared at import: neighbours share their borders, no gaps,
    simplified within a pixel of a print-quality map) and their landmasses, where the store has them; else their
    own polygons and None."""
    if shapes is None or not len(units):
        return units, None
    source = shapes_of(units, shapes)
    west, south, east, north = units.total_bounds
    drawn = source.shapes(view_zoom(((south, west), (north, east)), (PRINT_WIDTH, PRINT_WIDTH)))
    return (units.set_geometry(gpd.GeoSeries(drawn.polygons(), index=units.index, crs=units.crs)),
            tuple(source.landmasses()))


def _table_notes(listed: list[tuple[str, list[str], list[list[str]]]], lang: Any) -> tuple[str, ...]:
    """What the marks in a page's tables mean, for the marks that appear."""
    cells = [cell for _, _, rows in listed for row in rows for cell in row]
    found = []
    if any(cell.endswith(f" {word('partial_mark', lang)}") for cell in cells):
        found.append(word("cells_partial", lang))
    if any(cell.endswith(f" {word('implausible_mark', lang)}") for cell in cells):
        found.append(word("implausible_legend", lang))
    return tuple(found)


@contextmanager
def _quietly() -> Iterator[None]:
    """A character the font lacks (an emoji in a name) prints as a box: said once in the README, not in a
    warning per character and page."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        yield


def sheet(data: RegionData, view: View, fmt: str = "pdf", shapes: ShapeSource | None = None) -> bytes:
    """The meeting sheet of a region (view settled with analysis.region.resolve) as PDF or PNG bytes, its map drawn
    with `shapes` where the store prepared them."""
    plt = _pyplot()
    assert view.level is not None, "resolve settles the level"
    below = [lv for lv in (KECAMATAN, DESA) if lv in data.units and lv != data.region.level]
    page = _page(data, view, view.level, False, COLUMNS, below[:2], shapes)
    buffer = io.BytesIO()
    with _quietly():
        fig = _draw_page(plt, page, view.lang)
        fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else 100,
                    metadata={"Title": for_paper(page.title), "Creator": "geojkn"} if fmt == "pdf" else None)
    plt.close(fig)
    return buffer.getvalue()


Shapes = Callable[[RegionData, Level], ShapeSource | None]  # the prepared shapes of a region's units at a level
Progress = Callable[[int, int], None]  # pages done, pages in all


def atlas(data: RegionData, view: View, kecamatan: Sequence[RegionData], shapes: Shapes | None = None,
          progress: Progress | None = None) -> bytes:
    """A PDF: the region's cover page, contents, then one page per kecamatan with every desa named; `progress`
    hears each page drawn."""
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _pyplot()
    lang = view.lang
    buffer = io.BytesIO()
    cover_view = replace(view, level=KECAMATAN if KECAMATAN in data.units else view.level)
    assert cover_view.level is not None
    total = len(kecamatan) + 2

    def shaped(region: RegionData, level: Level) -> ShapeSource | None:
        return shapes(region, level) if shapes is not None else None

    def drawn(number: int) -> None:
        if progress is not None:
            progress(number, total)

    pages = [_page(data, cover_view, cover_view.level, True, COLUMNS, [cover_view.level],
                   shaped(data, cover_view.level))]
    title = for_paper(f"{word('atlas', lang)} {pages[0].title}")
    with _quietly(), PdfPages(buffer, metadata={"Title": title, "Creator": "geojkn"}) as pdf:
        for kec in kecamatan:  # every page is known before the contents are drawn
            pages.append(_page(kec, replace(view, level=DESA), DESA, True, ATLAS_COLUMNS, [DESA], shaped(kec, DESA)))
        for number, fig in ((1, lambda: _draw_page(plt, pages[0], lang, 1)), (2, lambda: _contents(plt, pages, lang))):
            _save(plt, pdf, fig())
            drawn(number)
        for number, page in enumerate(pages[1:], start=3):
            _save(plt, pdf, _draw_page(plt, page, lang, number))
            drawn(number)
    return buffer.getvalue()


def _save(plt: Any, pdf: Any, fig: Any) -> None:
    pdf.savefig(fig)
    plt.close(fig)


def _contents(plt: Any, pages: list[Page], lang: Any) -> Any:
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.93, word("contents", lang), fontsize=16, fontweight="bold", color=INK, va="top")
    per_column = 28
    for i, page in enumerate(pages):
        number = 1 if i == 0 else i + 2
        col, row = divmod(i, per_column)
        x, y = 0.05 + col * 0.31, 0.86 - row * 0.029
        fig.text(x, y, for_paper(page.title)[:40], fontsize=9, color=INK, va="top")
        fig.text(x + 0.27, y, str(number), fontsize=9, color=INK, va="top", ha="right")
    fig.text(0.97, 0.02, "2", fontsize=8, color=MUTED, ha="right")
    return fig


def kecamatan_codes(data: RegionData) -> list[str]:
    """The kecamatan of a region in code order (the atlas's pages)."""
    found = data.units_of(KECAMATAN)
    return sorted(str(c) for c in found[CODE]) if len(found) else []

