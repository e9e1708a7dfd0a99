"""Kemendagri area codes: parse any common spelling into the dotted form, and read the level from it."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from .errors import DataError
from .schema import LEVEL_PARTS, LEVELS, Level

PART_WIDTHS = (2, 2, 2, 4)
_PLAIN_LENGTHS = {2: 1, 4: 2, 6: 3, 10: 4}
_FLOAT_TAIL = re.compile(r"^(\d+)\.0+$")
HELP = "write codes as 33.20.01.2001, 3320012001 or ID3320012001"


def parse_code(value: str) -> str | None:
    """Return the dotted code for one spelling (dotted, plain, ID-prefixed), or None if it is not a code."""
    text = str(value).strip().upper().replace(" ", "")
    if text.startswith("ID"):
        text = text[2:]
    match = _FLOAT_TAIL.match(text)
    if match and len(match.group(1)) in _PLAIN_LENGTHS:
        text = match.group(1)  # a spreadsheet turned 3320012001 into 3320012001.0
    if not text:
        return None
    if "." in text:
        parts = text.split(".")
        if len(parts) > 4 or not all(p.isdigit() for p in parts):
            return None
        if any(len(p) != w for p, w in zip(parts, PART_WIDTHS, strict=False)):
            return None  # 33.2 may be 33.20 or 33.02 after a spreadsheet: never guess
    else:
        if not text.isdigit() or len(text) not in _PLAIN_LENGTHS:
            return None
        parts, start = [], 0
        for width in PART_WIDTHS[: _PLAIN_LENGTHS[len(text)]]:
            parts.append(text[start : start + width])
            start += width
    if int(parts[0]) < 11:
        return None  # province codes run from 11 (Aceh) upwards
    return ".".join(parts)


def normalize_code(value: object) -> str:
    """Return the dotted code or raise DataError naming the bad value."""
    code = parse_code(str(value)) if value is not None else None
    if code is None:
        raise DataError(f"'{value}' is not a Kemendagri area code: {HELP}.")
    return code


def normalize_codes(values: pd.Series) -> pd.Series:
    """Dotted codes for a column; values that are not codes become None (the caller reports them)."""
    codes = [None if pd.isna(v) else parse_code(str(v)) for v in values]
    return pd.Series(codes, index=values.index, dtype=object)


def level_of(code: str) -> str:
    """The level (provinsi, kabupaten, kecamatan, desa) of a dotted code."""
    return LEVELS[code.count(".")]


def parent_of(code: str) -> str | None:
    """The code one level up, or None for a province."""
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestor_at(code: str, level: str) -> str | None:
    """The code of the unit at `level` that contains `code` (itself if at that level), None if above it."""
    parts = code.split(".")
    depth = LEVEL_PARTS[Level(level)]
    return ".".join(parts[:depth]) if len(parts) >= depth else None


def is_within(code: str, region: str) -> bool:
    """True if `code` is `region` or lies inside it."""
    return code == region or code.startswith(region + ".")


def plain(code: str) -> str:
    """The undotted spelling (3320012001), as BPS and many spreadsheets write it."""
    return code.replace(".", "")


def within_any(codes: pd.Series, regions: Iterable[str]) -> pd.Series:
    """Which codes equal, or lie below, one of the regions: one pass per code length, not one per region
    (a province's 35 kabupaten over ~100.000 figure rows)."""
    wanted: dict[int, set[str]] = {}
    for region in regions:
        wanted.setdefault(len(region), set()).add(region)
    text = codes.astype(str)
    found = pd.Series(False, index=codes.index)
    for length, heads in wanted.items():
        below = (text.str.len() == length) | (text.str[length:length + 1] == ".")
        found |= text.str[:length].isin(heads) & below
    return found


_DEPTH_BY_LENGTH = {2: 1, 5: 2, 8: 3, 13: 4}  # '33', '33.20', '33.20.01', '33.20.01.2001'


def depths(codes: pd.Series) -> pd.Series:
    """The depth of each dotted code (1 province .. 4 desa): its number of parts, read from its length where the
    code has a standard length (fast), else counted."""
    lengths = codes.str.len()
    found = lengths.map(_DEPTH_BY_LENGTH)
    odd = found.isna()
    if odd.any():
        found[odd] = codes[odd].map(lambda code: str(code).count(".") + 1)
    return found.astype("int64")
