"""Reporting periods (months) as 'YYYY-MM', from the spellings planners use: 2022-01, 01/2022, Januari 2022."""

from __future__ import annotations

import re

ACCEPTED = "2022-01, 2022/01, 01/2022, Januari 2022 or Jan 2022"
MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_FIRST_DAY = re.compile(r"^(\d{4})-(\d{2})-01$")  # spreadsheets store a month as a date on its first day
_NAMED = re.compile(r"^([a-z]+)\.?[\s/-]*(\d{4})$")
YEARS = (1990, 2100)


def _format(year: int, month: int) -> str | None:
    if not (1 <= month <= 12 and YEARS[0] <= year <= YEARS[1]):
        return None
    return f"{year:04d}-{month:02d}"


def parse_period(value: object) -> str | None:
    """'YYYY-MM' for one spelling of a month, or None when it is not one of the accepted spellings."""
    text = " ".join(str(value).strip().lower().split())
    for pattern, year_first in ((_YEAR_MONTH, True), (_FIRST_DAY, True), (_MONTH_YEAR, False)):
        match = pattern.match(text)
        if match:
            a, b = int(match.group(1)), int(match.group(2))
            return _format(a, b) if year_first else _format(b, a)
    match = _NAMED.match(text)
    if match and match.group(1) in MONTHS:
        return _format(int(match.group(2)), MONTHS[match.group(1)])
    return None
