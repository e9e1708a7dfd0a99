"""A reporting period: one calendar month, printed YYYY-MM, read from the spellings planners use.

Accepted spellings: 2022-01, 2022/01, 01/2022, 1-2022, Januari 2022, Jan 2022, 'Pebruari 2022', and a date on
the first day of the month (2022-01-01, as spreadsheets store a month). Years run from 1990 to 2100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
YEARS = (1990, 2100)
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_FIRST_DAY = re.compile(r"^(\d{4})-(\d{2})-01$")
_NAMED = re.compile(r"^([a-z]+)\.?[\s/-]*(\d{4})$")


@dataclass(frozen=True, order=True)
class Period:
    """One month of figures; ordered in time, printed as '2022-01'."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and YEARS[0] <= self.year <= YEARS[1]):
            raise ValueError(f"no month {self.year}-{self.month} between {YEARS[0]} and {YEARS[1]}")

    @classmethod
    def parse(cls, text: object) -> Period:
        """The month one spelling names; ValueError when it is none of the accepted spellings."""
        if isinstance(text, Period):
            return text
        value = " ".join(str(text).strip().lower().split())
        for pattern, year_first in ((_YEAR_MONTH, True), (_FIRST_DAY, True), (_MONTH_YEAR, False)):
            match = pattern.match(value)
            if match:
                a, b = int(match.group(1)), int(match.group(2))
                return cls(a, b) if year_first else cls(b, a)
        match = _NAMED.match(value)
        if match and match.group(1) in MONTHS:
            return cls(int(match.group(2)), MONTHS[match.group(1)])
        raise ValueError(f"'{text}' is not a month: write it as {ACCEPTED}")

    def previous(self) -> Period:
        """The calendar month before."""
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> Period:
        """The calendar month after."""
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_period(value: object) -> str | None:
    """'YYYY-MM' for one spelling of a month, or None (for reading a column where the caller reports rows)."""
    try:
        return str(Period.parse(value))
    except ValueError:
        return None
