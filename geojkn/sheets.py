"""Work lists as files a planner opens: an aligned text table, a CSV for spreadsheets, an XLSX workbook.

CSV follows the language: Bahasa Indonesia writes `;` between fields and a decimal comma (what an Indonesian
Excel reads as numbers), English `,` and a decimal point. Every text cell that a spreadsheet would take for a
formula (it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, so a name can never
run as a formula.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date

from .analysis.worklist import GROUP, Worklist
from .formatting import MISSING, format_int, format_metric, format_percent
from .inert import for_csv, for_xlsx
from .options import Lang
from .schema import (
    ACTIVE,
    ACTIVE_COVERAGE,
    CHANGE,
    CODE,
    COMPLETE,
    COVERAGE,
    GAP,
    MARKS,
    METRICS,
    NAME,
    NEAREST_FKTP_KM,
    POPULATION,
    REGISTERED,
    TO_REACTIVATE,
    Level,
    Metric,
)
from .vocabulary import level_label, metric_label, period_text, unit_title, word

COUNT_WORDS = {POPULATION: "population", REGISTERED: "registered", ACTIVE: "active"}
# How many decimals a spreadsheet cell shows, and the XLSX number format, by the metric's kind
DIGITS = {"rate": 2, "change": 2, "distance": 1, "supply": 2}
XLSX_FORMATS = {"rate": "0.00%", "change": "+0.00;-0.00", "distance": "0.0", "supply": "0.00", "count": "#,##0"}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _numbers(w: Worklist) -> list[str]:
    """The number columns of the work list, in order (counts, then metrics)."""
    return [c for c in w.table.columns if c not in (GROUP, CODE, NAME, COMPLETE, MARKS)]


def _kind(column: str) -> str:
    return Metric(column).kind if column in METRICS else "count"


def headers(w: Worklist, lang: Lang) -> list[str]:
    """The column titles, in the language."""
    units = {"rate": " (%)", "change": f" ({word('points', lang)})", "distance": " (km)"}
    titles = [word(COUNT_WORDS[c], lang) if c in COUNT_WORDS else metric_label(Metric(c), lang) + units.get(
        _kind(c), "") for c in _numbers(w)]
    return [level_label(_group_level(w), lang), word("code", lang), word("name", lang), word("has_figures", lang),
            *titles, word("notes", lang)]


def _group_level(w: Worklist) -> Level:
    return Level.KECAMATAN if w.level == Level.DESA else Level.KABUPATEN


def _rows(w: Worklist) -> list[list[object]]:
    columns = [GROUP, CODE, NAME, COMPLETE, *_numbers(w), MARKS]
    return [[row[c] for c in columns] for row in w.table.to_dict("records")]


def _totals(w: Worklist) -> tuple[list[float | None], bool]:
    """The total of each number column over the units listed: counts added up (the people to enrol or reactivate
    in all of them), coverage and active coverage from the added counts; other metrics have none. Whole: every
    unit listed gave every count added (otherwise the totals are partial, and no rate is given)."""
    table = w.table
    whole = True
    found: dict[str, float | None] = {}
    for column in _numbers(w):
        if _kind(column) != "count":
            continue
        values = table[column].astype("float64")
        whole &= bool(values.notna().all())
        found[column] = float(values.sum()) if values.notna().any() else None
    people, registered, active = (found.get(c) for c in (POPULATION, REGISTERED, ACTIVE))
    if whole and people:
        found[COVERAGE] = registered / people if registered is not None else None
        found[ACTIVE_COVERAGE] = active / people if active is not None else None
    return [found.get(column) for column in _numbers(w)], whole


def notes_text(found: object, lang: Lang) -> str:
    """The marks of a row in words ('sebagian; tidak wajar'), empty for none."""
    return "; ".join(word(str(mark), lang) for mark in found) if isinstance(found, (tuple, list)) else ""


def worklist_csv(w: Worklist, lang: Lang) -> str:
    """The work list as CSV for a spreadsheet in the language's convention."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == Lang.ID else ",", lineterminator="\n")
    writer.writerow(headers(w, lang))
    columns = _numbers(w)
    for group, code, name, whole, *numbers, found in _rows(w):
        writer.writerow([for_csv(group), code, for_csv(name), word("yes" if whole else "no", lang),
                         *(_csv_number(value, column, lang) for value, column in zip(numbers, columns, strict=True)),
                         notes_text(found, lang)])
    return buffer.getvalue()


def _csv_number(value: object, column: str, lang: Lang) -> str:
    """A number as a spreadsheet in the language reads it: no thousands separator, its decimal mark."""
    if _missing(value):
        return ""
    number, kind = float(str(value)), _kind(column)
    if kind not in DIGITS:
        return str(round(number))
    text = f"{number * 100 if kind == 'rate' else number:.{DIGITS[kind]}f}"
    return text.replace(".", ",") if lang == Lang.ID else text


def worklist_text(w: Worklist, lang: Lang) -> str:
    """The work list as aligned text, a heading per group: coverage, gap, to reactivate, nearest FKTP, change,
    and the metric it is ordered by when that is another."""
    title = word("worklist_title", lang, region=unit_title(w.region.name, w.region.level, lang),
                 period=period_text(w.period, lang) or "-", by=metric_label(w.by, lang))
    shown = [NEAREST_FKTP_KM, CHANGE] + ([w.by] if w.by not in (COVERAGE, GAP, TO_REACTIVATE, NEAREST_FKTP_KM,
                                                              CHANGE) else [])
    lines = [title]
    current = None
    for row in w.table.to_dict("records"):
        if row[GROUP] != current:
            lines.append(f"\n{row[GROUP]}")
            current = row[GROUP]
        figures = (f"{format_percent(row[COVERAGE], lang=lang):>9}  {format_int(row[GAP], lang):>8}  "
                   f"{format_int(row[TO_REACTIVATE], lang):>8}" if row[COMPLETE]
                   else f"{word('no_figures_short', lang):>29}")
        extra = "".join(f"  {format_metric(Metric(c), row[c], lang)}" for c in shown if not _missing(row[c]))
        notes = notes_text(row[MARKS], lang)
        lines.append(f"  {row[CODE]}  {str(row[NAME])[:28]:<28} {figures}{extra}" + (f"  ({notes})" if notes else ""))
    lines.append("\n" + word("worklist_columns", lang, since=_since(w, lang)))
    return "\n".join(lines)


def _since(w: Worklist, lang: Lang) -> str:
    return period_text(w.since, lang) or MISSING


def worklist_xlsx(w: Worklist, lang: Lang, today: date | None = None) -> bytes:
    """The work list as an XLSX workbook: a header block, then the table with real numbers, frozen headings and
    filters (number formats follow the reader's Excel locale: 1.234 and 81,49 % in Indonesian)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = word("worklist_sheet", lang)
    block = [(word("worklist_heading", lang), unit_title(w.region.name, w.region.level, lang) + f" ({w.region.code})"),
             (word("period", lang), period_text(w.period, lang) or MISSING),
             (word("target", lang), format_percent(w.target, 0, lang)),
             (word("ordered_by", lang), metric_label(w.by, lang)),
             (word("compared_with", lang), _since(w, lang)),
             (word("source", lang), "; ".join(w.sources) or MISSING),
             (word("made_on", lang), (today or date.today()).isoformat())]
    for key, value in block:
        sheet.append([key, for_xlsx(value)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([""])
    sheet.append(headers(w, lang))
    first = sheet.max_row
    for cell in sheet[first]:
        cell.font = Font(bold=True)
    formats = ["@"] * 4 + [XLSX_FORMATS.get(_kind(c), "#,##0") for c in _numbers(w)] + ["@"]
    for group, code, name, whole, *numbers, found in _rows(w):
        values = [for_xlsx(group), code, for_xlsx(name), word("yes" if whole else "no", lang)]
        values += [None if _missing(n) else float(str(n)) for n in numbers] + [notes_text(found, lang) or None]
        sheet.append(values)
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
            cell.number_format = number_format
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    sheet.auto_filter.ref = f"A{first}:{sheet.cell(row=sheet.max_row, column=len(formats)).coordinate}"
    totals, whole = _totals(w)  # below the table, outside its filter
    listed = f"{format_int(len(w.table), lang)} {level_label(w.level, lang).lower()}"
    sheet.append([word("total", lang), None, listed, word("yes" if whole else "no", lang), *totals,
                  None if whole else word("partial", lang)])
    for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
        cell.number_format = number_format
        cell.font = Font(bold=True)
    for i, width in enumerate((18, 15, 24, 8) + (11,) * (len(formats) - 5) + (24,), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
