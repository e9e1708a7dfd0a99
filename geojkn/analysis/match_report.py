"""What tying figures to units found: matched and unmatched rows, units left without figures, odd counts."""

from __future__ import annotations

from dataclasses import dataclass

SHOWN = 10  # items listed per section before "... and N more"


@dataclass(frozen=True)
class Unmatched:
    """A figures row that could not be tied to a unit."""

    row: int
    name: str
    reason: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Excess:
    """A row where a count exceeds the count it is part of (registered > population, active > registered)."""

    row: int
    code: str
    name: str
    value: float
    limit: float


@dataclass(frozen=True)
class MatchReport:
    """The outcome of match_figures, for the import report."""

    rows_total: int
    rows_matched: int
    unmatched: tuple[Unmatched, ...] = ()
    level: str | None = None
    units_without_figures: tuple[str, ...] = ()
    registered_over_population: tuple[Excess, ...] = ()
    active_over_registered: tuple[Excess, ...] = ()

    def lines(self, shown: int = SHOWN) -> list[str]:
        """Short English lines for a person reading the import output."""
        out = [f"{_count(self.rows_total, 'row')} read: {self.rows_matched} matched, {len(self.unmatched)} unmatched."]
        for item in self.unmatched[:shown]:
            hint = f" Closest: {', '.join(item.suggestions)}." if item.suggestions else ""
            out.append(f"  row {item.row} '{item.name}': {item.reason}.{hint}")
        out += _more(len(self.unmatched), shown)
        if self.units_without_figures:
            codes = self.units_without_figures
            more = f" and {len(codes) - shown} more" if len(codes) > shown else ""
            out.append(f"{_count(len(codes), f'{self.level} unit')} without figures: {', '.join(codes[:shown])}{more}.")
        out += _excess_lines("registered > population", self.registered_over_population, shown)
        out += _excess_lines("active > registered", self.active_over_registered, shown)
        return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _more(total: int, shown: int) -> list[str]:
    return [f"  ... and {total - shown} more."] if total > shown else []


def _excess_lines(title: str, items: tuple[Excess, ...], shown: int) -> list[str]:
    if not items:
        return []
    out = [f"{_count(len(items), 'row')} with {title}:"]
    out += [f"  row {e.row} {e.code} {e.name}: {e.value:,.0f} > {e.limit:,.0f}".rstrip() for e in items[:shown]]
    return out + _more(len(items), shown)
