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

from .analysis.worklist import GROUP, NEAREST_FKTP_KM, Worklist
from .formatting import MISSING, format_decimal, format_int, format_percent, format_points
from .options import Lang
from .schema import (
    ACTIVE,
    ACTIVE_CHANGE,
    ACTIVE_COVERAGE,
    CHANGE,
    CHANGE_METRICS,
    CODE,
    COMPLETE,
    COVERAGE,
    GAP,
    NAME,
    POPULATION,
    REGISTERED,
    TO_REACTIVATE,
    Level,
)
from .vocabulary import level_label, metric_label, period_text, unit_title, word

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COUNTS = (POPULATION, REGISTERED, ACTIVE, GAP, TO_REACTIVATE)
RATES = (COVERAGE, ACTIVE_COVERAGE)


def safe_cell(value: object) -> str:
    """Text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def headers(w: Worklist, lang: Lang) -> list[str]:
    """The column titles, in the language."""
    group = level_label(_group_level(w), lang)
    return [group, word("code", lang), word("name", lang), word("has_figures", lang), word("population", lang),
            word("registered", lang), word("active", lang), metric_label(COVERAGE, lang) + " (%)",
            metric_label(ACTIVE_COVERAGE, lang) + " (%)", metric_label(GAP, lang), metric_label(TO_REACTIVATE, lang),
            word("nearest_fktp_km", lang),
            *(f"{metric_label(m, lang)} ({word('points', lang)})" for m in CHANGE_METRICS)]


def _group_level(w: Worklist) -> Level:
    return Level.KECAMATAN if w.level == Level.DESA else Level.KABUPATEN


def _rows(w: Worklist) -> list[list[object]]:
    columns = [GROUP, CODE, NAME, COMPLETE, *_NUMBER_COLUMNS]
    return [[row[c] for c in columns] for row in w.table.to_dict("records")]


def worklist_csv(w: Worklist, lang: Lang) -> str:
    """The work list as CSV for a spreadsheet in the language's convention."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == Lang.ID else ",", lineterminator="\n")
    writer.writerow(headers(w, lang))
    for group, code, name, whole, *numbers in _rows(w):
        writer.writerow([safe_cell(group), code, safe_cell(name), word("yes" if whole else "no", lang),
                         *(_csv_number(value, column, lang) for value, column in zip(numbers, _NUMBER_COLUMNS,
                                                                                     strict=True))])
    return buffer.getvalue()


_NUMBER_COLUMNS = (POPULATION, REGISTERED, ACTIVE, COVERAGE, ACTIVE_COVERAGE, GAP, TO_REACTIVATE, NEAREST_FKTP_KM,
                   CHANGE, ACTIVE_CHANGE)


def _csv_number(value: object, column: str, lang: Lang) -> str:
    """A number as a spreadsheet in the language reads it: no thousands separator, its decimal mark."""
    if _missing(value):
        return ""
    number = float(str(value))
    if column in RATES:
        number, digits = number * 100, 2
    elif column in (NEAREST_FKTP_KM,):
        digits = 1
    elif column in CHANGE_METRICS:
        digits = 2
    else:
        return str(round(number))
    text = f"{number:.{digits}f}"
    return text.replace(".", ",") if lang == Lang.ID else text


def worklist_text(w: Worklist, lang: Lang) -> str:
    """The work list as aligned text, a heading per group."""
    title = word("worklist_title", lang, region=unit_title(w.region.name, w.region.level, lang),
                 period=period_text(w.period, lang) or "-", by=_by_label(w.by, lang))
    lines = [title]
    current = None
    for group, code, name, whole, _pop, _reg, _act, cov, _act_cov, gap, rea, km, change, _active in _rows(w):
        if group != current:
            lines.append(f"\n{group}")
            current = group
        figures = (f"{format_percent(cov, lang=lang):>9}  {format_int(gap, lang):>8}  {format_int(rea, lang):>8}"
                   if whole else f"{word('no_figures_short', lang):>29}")
        distance = "" if _missing(km) else f"  {format_decimal(km, 1, lang)} km"
        shift = "" if _missing(change) else f"  {format_points(change, 2, lang)}"
        lines.append(f"  {code}  {str(name)[:28]:<28} {figures}{distance}{shift}")
    lines.append("\n" + word("worklist_columns", lang, since=_since(w, lang)))
    return "\n".join(lines)


def _since(w: Worklist, lang: Lang) -> str:
    return period_text(w.since, lang) or MISSING


def _by_label(by: str, lang: Lang) -> str:
    if by == NEAREST_FKTP_KM:
        return word("nearest_fktp_km", lang)
    return metric_label(by, lang)  # type: ignore[arg-type]


def worklist_xlsx(w: Worklist, lang: Lang, today: date | None = None) -> bytes:
    """The work list as an XLSX workbook: a header block, then the table with real numbers, frozen headings and
    filters (number formats follow the reader's Excel locale: 1.234 and 81,49 % in Indonesian)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = word("worklist_sheet", lang)
    block = [(word("worklist_heading", lang), unit_title(w.region.name, w.region.level, lang) + f" ({w.region.code})"),
             (word("period", lang), period_text(w.period, lang) or MISSING),
             (word("target", lang), format_percent(w.target, 0, lang)),
             (word("ordered_by", lang), _by_label(w.by, lang)),
             (word("compared_with", lang), _since(w, lang)),
             (word("source", lang), "; ".join(w.sources) or MISSING),
             (word("made_on", lang), (today or date.today()).isoformat())]
    for key, value in block:
        sheet.append([key, safe_cell(value)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([""])
    sheet.append(headers(w, lang))
    first = sheet.max_row
    for cell in sheet[first]:
        cell.font = Font(bold=True)
    formats = ["@", "@", "@", "@", "#,##0", "#,##0", "#,##0", "0.00%", "0.00%", "#,##0", "#,##0", "0.0", "+0.00;-0.00",
               "+0.00;-0.00"]
    for group, code, name, whole, *numbers in _rows(w):
        values = [safe_cell(group), code, safe_cell(name), word("yes" if whole else "no", lang)]
        values += [None if _missing(n) else float(str(n)) for n in numbers]
        sheet.append(values)
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
            cell.number_format = number_format
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    sheet.auto_filter.ref = f"A{first}:{sheet.cell(row=sheet.max_row, column=len(formats)).coordinate}"
    for letter, width in zip("ABCDEFGHIJKLMN", (18, 15, 24, 8, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
