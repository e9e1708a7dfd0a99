"""Read numbers written the Indonesian way (987.918; 81,49) or the English way (987,918; 81.49), per column.

The rule for a column of counts (people are whole numbers):
1. Every value is read both ways. Indonesian: `.` groups thousands, `,` marks decimals; English: the reverse.
   A grouped value needs 1-3 leading digits and groups of exactly 3 (`1.049.930`, `1,049,930`).
2. A way is possible for the column when it reads EVERY value as a whole number. So `1.049.930` or
   `987.918,00` rule out English, `1,049,930` or `987,918.00` rule out Indonesian, and `1.234` alone
   rules out English too, because 1.234 people is not a count: in a count column it can only be 1234.
3. One possible way: use it. Both possible and they agree (plain digits only): nothing to decide.
4. Both possible and they disagree: every grouped value is like `1.000` or `25,000` (a single group of 000),
   which reads as 1000 one way and 1 the other, both whole. DataError naming the column and the rows: never
   guess. The other columns of the file are no evidence: a column typed by hand, or pasted from another sheet,
   may follow another convention than its neighbours (a population of "81.000" beside "987,918" is 81.000 people,
   not 81), so each column is read by its own evidence only.
5. No way possible: DataError naming rows, as junk (not a number either way), mixed formats, or not whole.
Negative counts, and counts above Indonesia's population (a NIK typed as a count), are errors.
Coordinates are decimals, never grouped: a single `.` or `,` is the decimal mark.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DataError
from .tabular import ROW, list_rows

ID, EN = "id", "en"
CONVENTIONS = (ID, EN)
SEPARATORS = {ID: (".", ","), EN: (",", ".")}  # (thousands, decimal)
NAMES = {ID: "the Indonesian way (987.918; 81,49)", EN: "the English way (987,918; 81.49)"}
MAX_COUNT = 400_000_000  # more people than live in Indonesia: a NIK, a phone number or a typo, not a count
_SPACES = re.compile(r"[\s\u00a0\u202f]")  # spreadsheets may group digits with (narrow) no-break spaces
_COORDINATE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _forms(thousands: str, decimal: str) -> tuple[re.Pattern, re.Pattern]:
    t, d = re.escape(thousands), re.escape(decimal)
    return re.compile(rf"^\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d+)?$"), re.compile(rf"^\d+(?:{d}\d+)?$")


_FORMS = {conv: _forms(*seps) for conv, seps in SEPARATORS.items()}


def _clean(text: object) -> str:
    return _SPACES.sub("", str(text)).replace("\u2212", "-")


def read_number(text: object, convention: str) -> float | None:
    """One number read the Indonesian (`id`) or English (`en`) way, or None if it cannot be read so."""
    body = _clean(text)
    sign = -1.0 if body.startswith("-") else 1.0
    body = body[1:] if body[:1] in ("+", "-") else body
    grouped, plain = _FORMS[convention]
    if not (grouped.match(body) or plain.match(body)):
        return None
    thousands, decimal = SEPARATORS[convention]
    return sign * float(body.replace(thousands, "").replace(decimal, "."))


def read_decimal(text: object) -> float | None:
    """A decimal such as a coordinate (-6.503649 or -6,503649), or None; thousands groups are not allowed."""
    body = _clean(text)
    return float(body.replace(",", ".")) if _COORDINATE.match(body) else None


def _whole(value: float | None) -> bool:
    return value is not None and (float(value).is_integer() or np.isinf(value))  # inf: refused as too large


def _listed(pairs: list[tuple[int, str]], limit: int = 8) -> str:
    """(row, text) pairs as "row 5 ('n/a'), row 9 ('x')" for a message."""
    return list_rows([row for row, _ in pairs], [text for _, text in pairs], limit=limit)


def _not_read(header: str, texts: list[str], rows: list[int], readings: dict[str, list[float | None]],
              where: str) -> DataError:
    """The clearest error for a column that no single way reads as whole numbers."""
    pairs = list(zip(rows, texts, readings[ID], readings[EN], strict=True))
    junk = [(r, t) for r, t, a, b in pairs if a is None and b is None]
    if junk:
        return DataError(f"{where}column '{header}' has values that are not numbers: "
                         f"{_listed(junk)}. Write counts as digits (987918, 987.918 or 987,918) "
                         f"and leave unknown values empty.")
    only = {ID: [(r, t) for r, t, a, b in pairs if _whole(a) and not _whole(b)],
            EN: [(r, t) for r, t, a, b in pairs if _whole(b) and not _whole(a)]}
    if only[ID] and only[EN]:
        return DataError(f"{where}column '{header}' mixes number formats: {_listed(only[ID], 3)} "
                         f"are written {NAMES[ID]}, {_listed(only[EN], 3)} {NAMES[EN]}. "
                         f"Use one format in the whole column.")
    conv = EN if only[EN] else ID
    bad = [(r, t) for r, t, *both in pairs if not _whole(both[CONVENTIONS.index(conv)])]
    return DataError(f"{where}column '{header}' has numbers that are not whole: {_listed(bad)}. "
                     f"Counts of people are whole numbers: check the column and remove the decimals.")


def _decide(header: str, texts: list[str], rows: list[int], where: str) -> tuple[str | None, bool]:
    """(the way to read the column or None if it does not matter, whether the column is ambiguous)."""
    readings = {conv: [read_number(t, conv) for t in texts] for conv in CONVENTIONS}
    fits = [conv for conv in CONVENTIONS if all(_whole(v) for v in readings[conv])]
    if not fits:
        raise _not_read(header, texts, rows, readings, where)
    if len(fits) == 1:
        return fits[0], False
    return None, readings[ID] != readings[EN]


def _ambiguous(header: str, texts: list[str], rows: list[int], where: str) -> DataError:
    both = [(r, t, read_number(t, ID), read_number(t, EN)) for r, t in zip(rows, texts, strict=True)]
    shown = [f"row {r} '{t}' is {a:.0f} or {b:.0f}" for r, t, a, b in both if a != b][:3]
    return DataError(f"{where}column '{header}': cannot tell whether '.' and ',' separate thousands or decimals "
                     f"({'; '.join(shown)}: both are whole numbers). Write the numbers without separators "
                     f"(25000), or format the column so that the separators show (1.049.930 or 1,049,930).")


def _present(table: pd.DataFrame, header: str) -> tuple[list[str], list[int]]:
    present = table[header].notna()
    return table.loc[present, header].tolist(), table.loc[present, ROW].tolist()


def _column(table: pd.DataFrame, header: str, convention: str, where: str) -> pd.Series:
    values = table[header].map(lambda t: np.nan if pd.isna(t) else read_number(t, convention)).astype("float64")
    negative = values < 0
    if negative.any():
        raise DataError(f"{where}column '{header}' has negative counts: "
                        f"{list_rows(table.loc[negative, ROW].tolist(), table.loc[negative, header].tolist())}. "
                        f"Counts of people cannot be negative: correct these cells or leave them empty.")
    huge = ~np.isfinite(values.fillna(0)) | (values > MAX_COUNT)
    if huge.any():
        raise DataError(f"{where}column '{header}' has counts larger than Indonesia's population: "
                        f"{list_rows(table.loc[huge, ROW].tolist(), [str(v)[:24] for v in table.loc[huge, header]])}"
                        f". Is it a NIK, a phone number or a code in the wrong column? Correct these cells.")
    return values


def count_columns(table: pd.DataFrame, columns: Mapping[str, str | None], *, source: str = "") -> pd.DataFrame:
    """Counts (float64, NaN when empty) for each role -> header of `table`; a role without a header is all NaN."""
    where = f"{source}: " if source else ""
    out = {}
    for role, header in columns.items():
        if header is None:
            out[role] = pd.Series(np.nan, index=table.index, dtype="float64")
            continue
        conv, ambiguous = _decide(header, *_present(table, header), where)
        if ambiguous:
            raise _ambiguous(header, *_present(table, header), where)
        out[role] = _column(table, header, conv or ID, where)  # (plain digits only: both ways read the same)
    return pd.DataFrame(out, index=table.index)


def decimal_column(table: pd.DataFrame, header: str) -> tuple[pd.Series, list[int]]:
    """Decimals of one column (NaN when empty or unreadable) and the rows whose value could not be read."""
    values = table[header].map(lambda t: np.nan if pd.isna(t) else read_decimal(t)).astype("float64")
    bad = values.isna() & table[header].notna()
    return values, table.loc[bad, ROW].tolist()

