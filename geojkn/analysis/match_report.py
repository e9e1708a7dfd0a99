"""What tying figures to units found: matched and unmatched rows, units left without figures, odd counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..formatting import format_int
from ..options import Lang
from ..vocabulary import word

SHOWN = 10  # items listed per section before "... and N more"


@dataclass(frozen=True)
class Reason:
    """Why a row matched no unit: a vocabulary key (reason_<key>) and the values it names."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: Lang) -> str:
        values = {k: format_int(v, lang) if isinstance(v, int) else v for k, v in self.values.items()}
        return word(f"reason_{self.key}", lang, **values)


@dataclass(frozen=True)
class Unmatched:
    """A figures row that could not be tied to a unit."""

    row: int
    name: str
    reason: Reason
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
    totals: tuple[tuple[int, str], ...] = ()  # rows left out as totals (JUMLAH, Kecamatan X): (row, label)
    spelled: tuple[tuple[int, str, str], ...] = ()  # rows tied by another spelling: (row, as written, the unit's)

    def lines(self, lang: Lang = Lang.ID, shown: int = SHOWN) -> list[str]:
        """Short lines for a person reading the import output, in the language and its number format."""
        out = [word("rows_read", lang, self.rows_total, n=format_int(self.rows_total, lang),
                    matched=format_int(self.rows_matched, lang), unmatched=format_int(len(self.unmatched), lang))]
        for item in self.unmatched[:shown]:
            hint = word("closest", lang, names=", ".join(item.suggestions)) if item.suggestions else ""
            out.append(word("unmatched_row", lang, row=item.row, name=item.name, reason=item.reason.text(lang)) + hint)
        out += _more(len(self.unmatched), shown, lang)
        if self.spelled:
            listed = ", ".join(f"{word('row_label', lang, row=row, label=given[:40])} = {name}"
                               for row, given, name in self.spelled[:shown])
            more = word("and_more_inline", lang, n=format_int(len(self.spelled) - shown, lang)) \
                if len(self.spelled) > shown else ""
            out.append(word("spelled", lang, len(self.spelled), n=format_int(len(self.spelled), lang), rows=listed,
                            more=more))
        if self.totals:
            listed = ", ".join(word("row_label", lang, row=row, label=label[:40]) for row, label in self.totals[:shown])
            more = word("and_more_inline", lang, n=format_int(len(self.totals) - shown, lang)) \
                if len(self.totals) > shown else ""
            out.append(word("skipped_totals", lang, len(self.totals), n=format_int(len(self.totals), lang),
                            rows=listed, more=more))
        if self.units_without_figures:
            codes = self.units_without_figures
            more = word("and_more_inline", lang, n=format_int(len(codes) - shown, lang)) if len(codes) > shown else ""
            out.append(word("without_figures", lang, len(codes), n=format_int(len(codes), lang), level=self.level,
                            codes=", ".join(codes[:shown]), more=more))
        out += _excess_lines("registered_over_population", self.registered_over_population, shown, lang)
        out += _excess_lines("active_over_registered", self.active_over_registered, shown, lang)
        return out


def _more(total: int, shown: int, lang: Lang) -> list[str]:
    return [word("and_more", lang, n=format_int(total - shown, lang))] if total > shown else []


def _excess_lines(what: str, items: tuple[Excess, ...], shown: int, lang: Lang) -> list[str]:
    if not items:
        return []
    out = [word("over", lang, len(items), n=format_int(len(items), lang), what=word(what, lang))]
    out += [word("over_row", lang, row=e.row, code=e.code, name=e.name, value=format_int(e.value, lang),
                 limit=format_int(e.limit, lang)).rstrip() for e in items[:shown]]
    return out + _more(len(items), shown, lang)
