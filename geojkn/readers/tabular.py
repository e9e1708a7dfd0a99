"""Read CSV and XLSX tables as text: find the header below title rows, drop totals, match header names."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from xml.etree.ElementTree import ParseError

import pandas as pd

from ..errors import DataError
from ..schema import SKIPPED_TOTALS
from .files import LIMITS, TABLES, Kind, Limits, checked

ROW = "row"  # 1-based row number in the file as the user sees it (title and header rows included)
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = ("\t", ";", ",")  # on a tie the earlier one wins: `,` also appears inside Indonesian decimals
HEADER_SEARCH_ROWS = 30
MIN_HEADER_MATCHES = 2
COUNT_PREFIXES = ("jumlah", "jml")  # "Jumlah Peserta Aktif" names the same column as "Peserta Aktif"
_TOTAL = re.compile(r"^\s*(jumlah|total|sub\s*-?\s*total|grand\s*-?\s*total)\b", re.IGNORECASE)
_BRACKETS = re.compile(r"[(\[].*?[)\]]")
_TABLE_PREFIX = re.compile(r"^[A-Za-z]\.(?=[A-Za-z])")
_LISTED = 8


def norm_text(text: object) -> str:
    """Text reduced to lower-case ASCII letters and digits, with any part in brackets dropped."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", _BRACKETS.sub("", text).lower())


def norm_header(text: object) -> str:
    """A header as norm_text, after dropping a one-letter table prefix ('d.nama_rs', as database exports write)."""
    return norm_text(_TABLE_PREFIX.sub("", str(text).strip()))


def list_rows(rows: Sequence[int], values: Sequence[object] | None = None, limit: int = _LISTED) -> str:
    """Rows (and their values) as a short phrase for error messages: "row 5 ('n/a'), row 9 ('x') and 3 more"."""
    parts = [f"row {r}" + (f" ('{v}')" if values is not None else "") for r, v in
             zip(rows, values if values is not None else rows, strict=True)]
    text = ", ".join(parts[:limit])
    return text + (f" and {len(parts) - limit} more" if len(parts) > limit else "")


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first; Excel on Windows saves CSV as cp1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{name}: the text is neither UTF-8 nor Windows-1252 (cp1252). "
                    f"Save it as 'CSV UTF-8' and try again.")


def sniff_delimiter(text: str) -> str:
    """The delimiter (tab, `;` or `,`) that splits the most lines into the same number of fields."""
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(fields) for fields in csv.reader(sample, delimiter=delimiter) if len(fields) > 1]
        except csv.Error:  # a field too long when split this way: not the delimiter
            continue
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = (widths.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _bounded(rows: Iterable[Sequence[object]], name: str, limits: Limits) -> list[list[str]]:
    """Rows as text cells, trailing empty cells and rows dropped; content beyond the limits is an error.

    A sheet may claim a far cell (XFD1048576) or a CSV one very wide row: rows are trimmed as they come and
    never padded, so memory follows what the file holds, not how far it reaches.
    """
    grid: list[list[str]] = []
    empty: list[str] = []
    last = 0
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            grid.append(empty)
            continue
        if len(cells) > limits.columns:
            raise DataError(f"{name}: row {number} has a value in column {len(cells)} ('{cells[-1][:40]}'); "
                            f"geojkn reads tables up to {limits.columns} columns wide. Delete the cells right of "
                            "the table and save again.")
        if number > limits.rows:
            raise DataError(f"{name}: row {number} has values; geojkn reads tables up to {limits.rows} rows. "
                            "Delete the rows below the table, or split the file.")
        grid.append(cells)
        last = number
    del grid[last:]
    return grid


def _csv_rows(text: str, name: str, limits: Limits) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        yield from reader
    except csv.Error as exc:
        raise DataError(f"{name}: line {reader.line_num} cannot be read as CSV ({exc}). A field may be longer "
                        f"than {limits.field_chars} characters or hold an unclosed quote; fix it and save again."
                        ) from exc


def _csv_grid(path: Path, name: str, limits: Limits) -> list[list[str]]:
    text = _decode(path.read_bytes(), name)
    if "\x00" in text:
        raise DataError(f"{name}: holds NUL bytes, so names would be cut short. Save it again as CSV UTF-8.")
    csv.field_size_limit(limits.field_chars)
    return _bounded(_csv_rows(text, name, limits), name, limits)  # blank lines stay: row numbers stay right


def cell_text(value: object) -> str:
    """A spreadsheet cell as text; whole floats lose their `.0` so codes and counts read as typed."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_grid(path: Path, sheet: str | None, name: str, limits: Limits) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(f"{name}: cannot open it as an Excel workbook ({exc}). Save it as .xlsx or CSV.") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(f"{name}: there is no sheet '{sheet}'. The sheets are: "
                            f"{', '.join(book.sheetnames)}. Give one of these names with --sheet.")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        ws.reset_dimensions()  # some writers store wrong sheet dimensions; read what is there
        return _bounded(ws.iter_rows(values_only=True), f"{name}, sheet {ws.title}", limits)
    except (ParseError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise DataError(f"{name}: the workbook is damaged ({type(exc).__name__}: {str(exc)[:120]}). "
                        "Open it in Excel and save it again.") from exc
    finally:
        book.close()


def read_grid(path: str | Path, *, sheet: str | None = None, limits: Limits = LIMITS) -> list[list[str]]:
    """Every row of a CSV or XLSX file as a list of text cells (row i is file row i + 1), trailing blanks dropped.

    The type comes from the file's bytes, not its name (files.checked).
    """
    with checked(path, TABLES, limits=limits) as (real, kind):
        name = Path(str(path)).name
        if kind is Kind.XLSX:
            return _xlsx_grid(real, sheet, name, limits)
        if sheet is not None:
            raise DataError(f"{name}: --sheet only applies to Excel files; this is a CSV file.")
        return _csv_grid(real, name, limits)


def _header_key(header: str, wanted: set[str], loose: bool) -> bool:
    key = norm_header(header)
    if not loose:
        return key in wanted
    return any(key.startswith(p) and key[len(p):] in wanted for p in COUNT_PREFIXES)


def _known(header: str, known: set[str]) -> bool:
    return bool(header) and (_header_key(header, known, False) or _header_key(header, known, True))


def _header_index(grid: list[list[str]], known: set[str], shown: Sequence[str], name: str) -> int:
    for i, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(_known(c, known) for c in cells) >= MIN_HEADER_MATCHES:
            return i
    first = next((" | ".join(c for c in cells if c) for cells in grid if any(cells)), "(the file is empty)")
    raise DataError(f"{name}: no header row found: none of the first {HEADER_SEARCH_ROWS} rows has at least "
                    f"{MIN_HEADER_MATCHES} known column names. The first row reads: {first}. Put the column names "
                    f"in one row above the data, e.g. {', '.join(shown)}.")


def _with_subheader(header: list[str], below: list[str], known: set[str]) -> list[str] | None:
    """Merge a second header row ("Peserta" over "Terdaftar | Aktif") into one; None if `below` is data."""
    if not any(_known(c, known) for c in below) or any(re.search(r"\d", c) for c in below):
        return None
    merged, parent = [], ""
    for top, sub in zip(header, below, strict=True):
        parent = top or parent  # a merged cell spans the empty cells to its right
        if not sub:
            merged.append(top)
            continue
        joined = f"{parent} {sub}".strip()
        merged.append(joined if _known(joined, known) or not _known(sub, known) else sub)
    return merged


def _unique(headers: list[str]) -> list[str]:
    seen, out = {ROW}, []
    for j, header in enumerate(headers):
        name, k = header or f"column {j + 1}", 2
        while name in seen:
            name, k = f"{header or f'column {j + 1}'} ({k})", k + 1
        seen.add(name)
        out.append(name)
    return out


def is_total_row(cells: Iterable[str]) -> bool:
    """True for JUMLAH / TOTAL / Sub total / Grand total rows, which repeat the sum of the rows above."""
    return any(_TOTAL.match(c) for c in cells if c)


def read_table(path: str | Path, aliases: Mapping[str, Sequence[str]], *, sheet: str | None = None) -> pd.DataFrame:
    """A CSV/XLSX table as text below its header row, with the file row number in column `row`; totals dropped."""
    grid = read_grid(path, sheet=sheet)
    known = {norm_header(a) for names in aliases.values() for a in names}
    start = _header_index(grid, known, [names[0] for names in aliases.values()], Path(path).name)
    width = max(len(r) for r in grid)

    def padded(i: int) -> list[str]:  # only the rows kept are widened: empty rows cost nothing
        return grid[i] + [""] * (width - len(grid[i]))

    header = padded(start)
    if start + 1 < len(grid):
        merged = _with_subheader(header, padded(start + 1), known)
        if merged is not None:
            header, start = merged, start + 1
    rows = [i for i in range(start + 1, len(grid)) if grid[i]]
    keep = [i for i in rows if not is_total_row(grid[i])]
    frame = pd.DataFrame([[c or None for c in padded(i)] for i in keep], columns=_unique(header), dtype=object)
    frame[ROW] = [i + 1 for i in keep]
    # the total rows left out, named in import reports: (row, the cell that made it a total)
    frame.attrs[SKIPPED_TOTALS] = tuple((i + 1, next(c for c in grid[i] if c and _TOTAL.match(c)))
                                        for i in rows if is_total_row(grid[i]))
    return frame


def header_of(roles: Mapping[str, str | None], role: str) -> str:
    """The header of a role that find_columns required (it has already refused a file without one)."""
    header = roles[role]
    if header is None:
        raise KeyError(f"no column for the required role {role}")
    return header


def find_columns(headers: Sequence[str], aliases: Mapping[str, Sequence[str]], *,
                 required: Iterable[str] = (), source: str = "") -> dict[str, str | None]:
    """Map each role to the one header that names it (case, spaces, punctuation ignored), or None.

    Exact names win over names with a leading "jumlah"/"jml". Raises DataError when a required role has
    no column (listing the columns seen and the names accepted) or when two columns claim one role.
    """
    where = f"{source}: " if source else ""
    wanted = {role: {norm_header(n) for n in names} for role, names in aliases.items()}
    found: dict[str, str | None] = {}
    for role in aliases:
        hits = [h for h in headers if _header_key(h, wanted[role], False)]
        hits = hits or [h for h in headers if _header_key(h, wanted[role], True)]
        if len(hits) > 1:
            raise DataError(f"{where}the columns {', '.join(repr(h) for h in hits)} all look like the {role} "
                            f"column. Keep one of them, or rename the others.")
        found[role] = hits[0] if hits else None
    missing = [role for role in required if found[role] is None]
    if missing:
        seen = ", ".join(repr(h) for h in headers if h != ROW)
        accepted = "; ".join(f"{role}: {', '.join(aliases[role])}" for role in missing)
        raise DataError(f"{where}no {' or '.join(missing)} column found. The file has the columns: {seen}. "
                        f"Name the missing column(s) one of these (case, spaces and punctuation do not matter): "
                        f"{accepted}.")
    return found
