"""Import files into a store: read (readers), check and match (analysis), then write once (store).

Each import returns the lines of its report, in the chosen language with its number format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .analysis.access import store_distances
from .analysis.facilities import place_facilities
from .analysis.file_check import (
    Partial,
    Replacement,
    Stray,
    disagreements,
    partial_months,
    replacements,
    scope,
    split_totals,
    strays,
    without_population,
)
from .analysis.landmass import masses_to_arrays
from .analysis.mapgeometry import BANDS, Cleaning, Progress, changed_areas, prepare_areas
from .analysis.matching import match_figures
from .analysis.regions import UnitIndex
from .analysis.rollup import stored_rollup
from .analysis.shapes import derived_shapes
from .errors import DataError
from .formatting import format_decimal, format_int
from .options import Lang
from .readers.boundaries import read_boundaries
from .readers.facilities import read_facilities
from .readers.figures import read_figures
from .readers.tabular import ROW, list_rows
from .schema import (
    APPROXIMATE,
    AREA_CODE,
    CODE,
    CRS,
    DERIVED,
    DESA,
    FACILITY_CODE,
    FACILITY_NAME,
    FACILITY_TYPE,
    KECAMATAN_NAME,
    LEVEL,
    LEVELS,
    NAME,
    PARENT,
    PERIOD,
    SOURCE,
    UNIT_CODE,
    Level,
)
from .store import Store
from .store.base import ShapeRow
from .vocabulary import level_label, word

SHOWN = 10


def _levels(counts: pd.Series, lang: Lang) -> str:
    return ", ".join(f"{format_int(counts[level], lang)} {level}" for level in LEVELS if level in counts)


def import_boundaries(store: Store, path: str | Path, *, code_field: str | None = None, name_field: str | None = None,
                      layer: str | None = None, crs: str | None = None, lang: Lang = Lang.ID,
                      progress: Progress | None = None, actor: str = "") -> list[str]:
    """Read a boundary file and add (or replace, by code) its units; stored facilities are placed anew, and the
    map shapes of every province it touches are prepared again (`progress` hears how that goes). The write is
    logged as `actor`'s (an account of the server; '' on the command line), as in every import below."""
    store.check_writable()
    units, report = read_boundaries(path, code_field=code_field, name_field=name_field, layer=layer, crs=crs)
    stored = {level: store.units(level) for level in LEVELS}
    after = {level: pd.concat([frame[~frame[CODE].isin(units[CODE])], units[units[LEVEL] == level]],
                              ignore_index=True) for level, frame in stored.items()}
    derived = derived_shapes(after)
    before = {code for frame in stored.values() for code in frame[CODE]}
    shaped: list[Cleaning] = []
    store.put_units(pd.concat([units.assign(**{DERIVED: False}), derived], ignore_index=True), str(path),
                    relocate=place_facilities, measure=store_distances, rollup=stored_rollup,
                    reshape=lambda old, new, done: _reshape(old, new, done, shaped, progress), actor=actor)
    lines = [word("imported_units", lang, len(units), n=format_int(len(units), lang), file=Path(path).name,
                  levels=_levels(units[LEVEL].value_counts(), lang))]
    replaced = len(before & set(units[CODE]))
    if replaced:
        lines.append(word("replaced_units", lang, n=format_int(replaced, lang)))
    lines += report.lines(lang)
    lines += _shaped_lines(shaped, lang)
    new_shapes = sorted(set(derived[CODE]) - before)
    if new_shapes:
        more = word("and_more_inline", lang, n=format_int(len(new_shapes) - SHOWN, lang)) \
            if len(new_shapes) > SHOWN else ""
        lines.append(word("derived", lang, n=format_int(len(new_shapes), lang), codes=", ".join(new_shapes[:SHOWN]),
                          more=more))
    return lines


def _reshape(before: Mapping[Level, gpd.GeoDataFrame], after: Mapping[Level, gpd.GeoDataFrame],
             done: Sequence[str], report: list[Cleaning],
             progress: Progress | None) -> tuple[list[ShapeRow], list[str]]:
    """The map shapes of the provinces whose boundaries changed (or were never prepared), as rows to store."""
    areas = changed_areas(before, after, done)
    prepared, cleaning = prepare_areas(after, areas, progress)
    report.append(replace(cleaning, areas=tuple(areas)))
    rows = [ShapeRow(p.area, str(p.level), p.zoom, p.codes, {**p.topology.to_arrays(), "anchors": p.anchors,
                                                              **(masses_to_arrays(p.masses) if p.masses else {})})
            for p in prepared]
    return rows, areas


def _shaped_lines(shaped: list[Cleaning], lang: Lang) -> list[str]:
    lines = []
    for c in shaped:
        if not c.areas:
            continue
        lines.append(word("map_prepared", lang, areas=", ".join(c.areas), desa=format_int(c.desa, lang),
                          changed=format_int(c.changed, lang), overlaps=format_decimal(c.overlaps_km2, 2, lang),
                          gaps=format_decimal(c.gaps_km2, 2, lang), bands=format_int(len(BANDS), lang)))
        if c.kept:
            lines.append(word("map_kept", lang, n=format_int(len(c.kept), lang), codes=", ".join(c.kept[:SHOWN])))
    return lines


def import_figures(store: Store, path: str | Path, *, period: str | None = None, sheet: str | None = None,
                   merge: bool = False, replace: bool = False, source: str | None = None,
                   lang: Lang = Lang.ID, actor: str = "") -> list[str]:
    """Read an enrollment file, match its rows to the stored units and store them as the truth for their month
    in the kabupaten they cover (or, with merge, beside what is stored). Everything is checked before writing: a
    file that covers less than half of a kabupaten whose month is stored must say what it means (merge: its rows
    add or correct; replace: it is the whole month)."""
    if merge and replace:
        raise DataError("--merge and --replace contradict each other: --merge adds the file's rows to the month, "
                        "--replace makes the file the whole month. Give one of them.")
    store.check_writable()
    index = store.unit_index()
    if index.empty:
        raise DataError(f"The store {store.shown} has no boundaries yet: import them first (import-boundaries).")
    figures = read_figures(path, sheet=sheet, period=period)
    names = index.set_index(CODE)[NAME]
    units = index.assign(**{KECAMATAN_NAME: index[PARENT].map(names).where(index[LEVEL] == DESA, None)})
    matched, report = match_figures(figures, units)
    if matched.empty:
        codes = figures[CODE].dropna().astype(str)
        bps = len(codes) and codes.str.match(r"^\d\d\.\d\d\.\d\d\.0").mean() > 0.5
        hint = (" These look like BPS codes (a desa number starting with 0): Kemendagri desa codes start with 1 "
                "(kelurahan) or 2 (desa), and BPS kecamatan numbers differ too. Use the Kemendagri codes, or "
                "leave the codes out and give the desa and kecamatan names.") if bps else ""
        raise DataError(f"{Path(path).name}: none of the {len(figures)} rows matches a unit in the store. "
                        "Check that the file is for a region whose boundaries you imported, and its code column."
                        f"{hint} " + " ".join(report.lines(Lang.EN)[:6]))
    unit_index = UnitIndex(index)
    rows, totals = split_totals(matched)
    rows = rows.assign(**{SOURCE: source or Path(path).name})
    where = None if merge else scope(rows)
    before = store.figures()
    if where is not None and not replace:
        _refuse_strays(strays(rows, unit_index), rows, unit_index, Path(path).name)
        _refuse_partial(partial_months(before, rows, where, unit_index), unit_index, Path(path).name)
    store.put_figures(rows, str(path), detail=f"{len(rows)} of {len(figures)} rows matched", replace=where,
                      rollup=stored_rollup, actor=actor)
    periods = ", ".join(sorted(rows[PERIOD].unique()))
    lines = [word("imported_figures", lang, periods=periods, file=Path(path).name)] + report.lines(lang)
    if where is None:
        lines.append(word("merged", lang))
    else:
        lines += [_replacement_line(change, unit_index, lang) for change in replacements(before, rows, where)]
    lines += [word("total_row", lang, row=t.row, code=t.code, population=format_int(t.population, lang),
                   units=format_int(t.population_of_units, lang)) for t in totals]
    lines += [word("disagrees", lang, row=d.row, code=d.code, count=word(d.count, lang).lower(),
                   own=format_int(d.own, lang), units=format_int(d.units, lang))
              for d in disagreements(rows, unit_index)]
    missing = without_population(store.figures(), where or scope(rows))
    if missing:
        lines.append(word("needs_population", lang, n=format_int(missing, lang)))
    return lines


def _refuse_strays(found: list[Stray], rows: pd.DataFrame, index: UnitIndex, name: str) -> None:
    """A DataError naming rows that would replace another kabupaten's month on their own (likely typos)."""
    if not found:
        return
    main = Counter(c[:5] for c in rows[CODE]).most_common(1)[0][0]
    parts = [f"rows {', '.join(map(str, s.rows[:8]))} ({', '.join(s.codes[:8])}) fall in "
             f"{index.region(s.kabupaten).name} ({s.kabupaten}), {len(s.rows)} of its {s.units} units"
             for s in found]
    raise DataError(f"{name}: {'; '.join(parts)}, while the rest of the file is {index.region(main).name} ({main}). "
                    "Importing would replace that kabupaten's figures for the month with these rows alone. "
                    "Correct the codes, or import with --merge to add the rows without replacing anything.")


def _refuse_partial(found: list[Partial], index: UnitIndex, name: str) -> None:
    """A DataError asking what a file that covers a small part of a kabupaten's stored month means."""
    if not found:
        return
    parts = [f"{p.rows} of the {p.units} {p.level} of {index.region(p.kabupaten).name} ({p.kabupaten}) for "
             f"{p.period}, where {p.stored} have figures already" for p in found]
    first = found[0]
    raise DataError(f"{name} covers only {'; '.join(parts)}. Say what the file means: --merge if its rows add to "
                    f"or correct the month (every other {first.level} keeps its figures), or --replace if it is the "
                    f"whole month (the {first.level} it leaves out lose their figures for {first.period}). Nothing "
                    "was imported.")


def _replacement_line(change: Replacement, index: UnitIndex, lang: Lang) -> str:
    region, level = index.region(change.kabupaten).name, level_label(change.level, lang).lower()
    if change.before == 0:
        return word("first_figures", lang, period=change.period, region=region, after=format_int(change.after, lang),
                    level=level)
    line = word("replaced", lang, period=change.period, region=region, before=format_int(change.before, lang),
                after=format_int(change.after, lang), level=level)
    if change.lost:
        more = word("and_more_inline", lang, n=format_int(len(change.lost) - SHOWN, lang)) \
            if len(change.lost) > SHOWN else ""
        line += word("lost", lang, n=format_int(len(change.lost), lang), codes=", ".join(change.lost[:SHOWN]),
                     more=more)
    return line


def import_facilities(store: Store, path: str | Path, *, replace: bool = False, lang: Lang = Lang.ID,
                      actor: str = "") -> list[str]:
    """Read facility points, store them placed in the units that contain them, and report where they fall."""
    store.check_writable()
    points, unplaced = _placed_by_area(read_facilities(path), store)
    if points.empty:
        raise DataError(f"{Path(path).name}: none of the facilities could be placed: " + _unplaced_text(unplaced))
    added = store.put_facilities(points, str(path), replace=replace, relocate=place_facilities,
                                 measure=store_distances, actor=actor)
    line = word("imported_facilities", lang, added, n=format_int(added, lang), file=Path(path).name)
    if added < len(points):
        line += word("skipped_facilities", lang, n=format_int(len(points) - added, lang))
    counts = points[FACILITY_TYPE].value_counts()
    lines = [line, word("by_type", lang, types=", ".join(f"{t} {format_int(n, lang)}" for t, n in counts.items()))]
    stored = store.facilities()
    outside = stored[stored[UNIT_CODE].isna() & stored[FACILITY_NAME].isin(points[FACILITY_NAME])]
    if len(outside):
        names = ", ".join(str(n) for n in outside[FACILITY_NAME].head(SHOWN))
        lines.append(word("outside_facilities", lang, n=format_int(len(outside), lang), names=names))
    rough = int((stored[APPROXIMATE].eq(True) & stored[FACILITY_NAME].isin(points[FACILITY_NAME])).sum())
    if rough:
        lines.append(word("approximate_facilities", lang, n=format_int(rough, lang)))
    if unplaced:
        lines.append(word("unplaced_facilities", lang, n=format_int(len(unplaced), lang),
                          rows=_unplaced_text(unplaced)))
    return lines


def _placed_by_area(points: gpd.GeoDataFrame, store: Store) -> tuple[gpd.GeoDataFrame, list[tuple[int, str]]]:
    """Facilities without coordinates put at a point inside the unit their area code names (marked approximate);
    those whose code names no stored unit are left out and returned as (row, what the file said)."""
    points = points.assign(**{APPROXIMATE: points.geometry.isna()})
    rough = points[points[APPROXIMATE]]
    if rough.empty:
        return points, []
    index = store.unit_index()
    levels = dict(zip(index[CODE], index[LEVEL], strict=True))
    known = rough[AREA_CODE].isin(levels)
    left = rough[~known]
    unplaced = [(int(r), str(a or c or "")) for r, a, c in
                zip(left[ROW], left[AREA_CODE], left[FACILITY_CODE], strict=True)]
    spots: dict[str, object] = {}
    for level in {levels[code] for code in rough.loc[known, AREA_CODE]}:
        units = store.units(level)
        spots.update(zip(units[CODE], units.geometry.representative_point(), strict=True))
    placed = rough[known].copy()
    placed[UNIT_CODE] = placed[AREA_CODE]
    placed["geometry"] = gpd.GeoSeries(placed[AREA_CODE].map(spots).to_numpy(), index=placed.index, crs=CRS)
    exact = points[~points[APPROXIMATE]]
    return gpd.GeoDataFrame(pd.concat([exact, placed]), geometry="geometry", crs=CRS), unplaced


def _unplaced_text(unplaced: list[tuple[int, str]]) -> str:
    return list_rows([row for row, _ in unplaced], [code for _, code in unplaced])
