"""Plain-text and CSV renderings of summaries and rankings, in Bahasa Indonesia or English."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd

from .analysis import marks
from .analysis.change import BREAK_SHARE
from .formatting import format_int, format_metric, format_percent, format_plain, format_points
from .inert import for_csv
from .options import Lang
from .records import DesaJkn, Figures, Ranking, Summary
from .schema import (
    ACTIVE,
    ACTIVE_CHANGE,
    ACTIVE_CHANGE_COMPARED,
    ACTIVE_COVERAGE,
    ACTIVITY_RATE,
    CHANGE,
    CHANGE_COMPARED,
    CHANGE_METRICS,
    CODE,
    COMPLETE,
    COVERAGE,
    DESA,
    DESA_TOTAL,
    GAP,
    KABUPATEN,
    KABUPATEN_NAME,
    KECAMATAN,
    KECAMATAN_NAME,
    METRICS,
    NAME,
    POPULATION,
    RATE_METRICS,
    REGISTERED,
    SEGMENT_CHANGES,
    TIER,
    TIER_NAME,
    TO_REACTIVATE,
    Metric,
)
from .vocabulary import SEGMENT_NAMES, level_label, metric_label, period_text, unit_title, word

WIDTH = 34
NUMERIC = (COVERAGE, ACTIVE_COVERAGE, POPULATION, REGISTERED, GAP, TO_REACTIVATE)


def _line(label: str, value: str, rest: str = "") -> str:
    return f"  {label:<{WIDTH}}{value:>12}" + (f"   {rest}" if rest else "")


def summary_text(s: Summary, lang: Lang = Lang.ID) -> str:
    """A summary as a planner reads it: '987.918  81,49 % penduduk'."""
    f, fac = s.figures, s.facilities
    pct = lambda v: format_percent(v, lang=lang)  # noqa: E731
    num = lambda v: format_int(v, lang)  # noqa: E731
    star = lambda on: f" {word('partial_mark', lang)}" if on else ""  # noqa: E731
    active_part = f.active is not None and not (f.active_complete and f.complete)
    when = f"{word('period', lang).lower()} {s.period}" if s.period else word("no_period", lang)
    rows = [
        f"{s.region.name} ({s.region.code}, {s.region.level}) - {when}",
        _line(word("population", lang), num(f.population)),
        _line(word("registered", lang), num(f.registered),
              f"{pct(f.coverage)}{star(f.registered is not None and not f.complete)} {word('of_population', lang)}"),
        _line(word("active", lang), num(f.active), f"{pct(f.active_coverage)}{star(active_part)} "
              f"{word('of_population', lang)} ({metric_label(ACTIVITY_RATE, lang).lower()} "
              f"{pct(f.activity_rate)}{star(active_part)})"),
        _line(word("target", lang), pct(s.target)),
        _line(metric_label(GAP, lang), people(f, lang)["gap"], word("people", lang)),
        _line(metric_label(TO_REACTIVATE, lang), people(f, lang)["reactivate"], word("people", lang)),
        _line(level_label(DESA, lang), num(s.desa),
              f"{word('with_figures', lang, n=num(s.desa_with_figures), total=num(s.desa))}; "
              f"{word('desa_at_target', lang, n=num(s.desa_at_target), k=num(s.kecamatan_with_desa_at_target))}"),
        f"  {word('facilities', lang):<{WIDTH}}FKTP {fac.fktp}, FKRTL {fac.fkrtl}, lab {fac.lab}, optik {fac.optik}, "
        f"apotek {fac.apotek}",
    ]
    segments = segments_text(s.figures.segments, lang)
    if segments:
        rows.append(f"  {word('segments', lang):<{WIDTH}}{segments}")
    access = access_text(s, lang)
    if access:
        rows.append(f"  {word('access', lang):<{WIDTH}}{access}")
    rows += ["  " + line for line in status_text(s, lang)]
    rows += ["  " + line for line in notes(s, lang)]
    change = change_text(s, lang)
    if change and s.change is not None:
        rows.append(f"  {word('change_since', lang, period=s.change.since):<{WIDTH}}{change}")
    return "\n".join(rows)


def shares(f: Figures, lang: Lang = Lang.ID) -> dict[str, str]:
    """Registered and active coverage as a headline writes them, each marked * where it is partial."""
    star = f" {word('partial_mark', lang)}"
    active_whole = f.active_complete and f.complete
    return {"coverage": format_percent(f.coverage, lang=lang) + ("" if f.complete or f.coverage is None else star),
            "active": format_percent(f.active_coverage, lang=lang)
            + ("" if active_whole or f.active_coverage is None else star)}


def people(f: Figures, lang: Lang = Lang.ID) -> dict[str, str]:
    """People still to enrol and to reactivate as a headline writes them, each marked * where it is partial."""
    star = f" {word('partial_mark', lang)}"
    return {"gap": format_int(f.gap, lang) + ("" if f.complete or f.gap is None else star),
            "reactivate": format_int(f.to_reactivate, lang)
            + ("" if (f.active_complete and f.complete) or f.to_reactivate is None else star)}


def notes(s: Summary, lang: Lang = Lang.ID) -> list[str]:
    """What a summary's figures stand on where it is less than whole: partial counts, partial active participants,
    implausible figures (of the region, and how many of its desa)."""
    f, num = s.figures, lambda v: format_int(v, lang)
    if not s.period:
        return []
    found = []
    if not f.complete:
        found.append(word("partial_note", lang, n=num(f.desa_with_figures), total=num(f.desa_total)))
    if f.active is not None and not f.active_complete and (f.complete or f.desa_with_active < f.desa_with_figures):
        found.append(word("active_partial_note", lang, n=num(f.desa_with_active), total=num(f.desa_total)))
    if f.implausible:
        found.append(word("implausible_note", lang))
    if s.desa_implausible:
        found.append(word("implausible_desa", lang, n=num(s.desa_implausible)))
    return found


def access_text(s: Summary, lang: Lang = Lang.ID) -> str | None:
    """'15 desa/kel. lebih dari 5 km dari FKTP terdekat (87.151 penduduk, 7,42 %); rata-rata 2,7 km; 44 FKTP
    (0,37 per 10.000 penduduk; 23.601 peserta per FKTP)'; None without desa boundaries or FKTP."""
    a = s.access
    if a is None:
        return None
    km = format_plain(a.access_km, lang)
    share = "" if a.population_beyond_share is None else ", " + format_percent(a.population_beyond_share, 2, lang)
    text = word("access_far", lang, n=format_int(a.desa_beyond, lang), km=km,
                people=format_int(a.population_beyond, lang), share=share)
    if a.nearest_fktp_km is not None:
        text += "; " + word("access_mean", lang, km=format_metric(Metric.NEAREST_FKTP_KM, a.nearest_fktp_km, lang))
    text += f"; {format_int(a.fktp, lang)} FKTP"
    if a.fktp_per_10k is not None:
        text += (f" ({format_metric(Metric.FKTP_PER_10K, a.fktp_per_10k, lang)} {word('per_10k', lang)}; "
                 f"{format_int(a.registered_per_fktp, lang)} {word('participants_per_fktp', lang)})")
    return text


def status_text(s: Summary, lang: Lang = Lang.ID) -> list[str]:
    """'Target 95 %: belum tercapai, kurang 77.046 orang terdaftar', and the same for the active target."""
    st = s.status
    if st is None or st.meets_target is None:
        return []
    lines = [word("status_met" if st.meets_target else "status_short", lang, what=word("target", lang),
                  share=format_percent(st.target, 0, lang), n=format_int(st.gap, lang),
                  people=word("registered", lang).lower())]
    if st.meets_active_target is not None:
        lines.append(word("status_met" if st.meets_active_target else "status_short", lang,
                          what=word("active_target", lang), share=format_percent(st.active_target, 0, lang),
                          n=format_int(st.active_gap, lang), people=word("active", lang).lower()))
    return lines


def desa_jkn_text(found: DesaJkn, lang: Lang = Lang.ID) -> str:
    """The Desa JKN of a region by kecamatan: '58 desa/kel. di 12 kecamatan', then each kecamatan's desa."""
    head = word("desa_jkn_head", lang, region=unit_title(found.region.name, found.region.level, lang),
                period=period_text(found.period, lang) or "-", target=format_percent(found.target, 0, lang),
                n=format_int(found.desa, lang), k=format_int(len(found.by_kecamatan), lang))
    if found.period is None:  # no month of figures at all: not "0 desa", which would read as a count
        return f"Desa JKN {unit_title(found.region.name, found.region.level, lang)}: {word('no_period', lang)}"
    lines = [head]
    for kecamatan, desa in found.by_kecamatan:
        listed = ", ".join(f"{d.name} {format_percent(share, 2, lang)}" for d, share in desa)
        lines.append(f"  {unit_title(kecamatan.name, kecamatan.level, lang)} ({format_int(len(desa), lang)}): {listed}")
    return "\n".join(lines)


def segments_text(segments: Mapping[str, int | None], lang: Lang = Lang.ID) -> str:
    """'PBI JK 1.887 · PBPU Pemda 307 · PPU 526': registered participants by segment, where given."""
    return " · ".join(f"{SEGMENT_NAMES[k]} {format_int(v, lang)}" for k, v in segments.items() if v is not None)


def change_text(s: Summary, lang: Lang = Lang.ID) -> str | None:
    """'+1,57 poin cakupan terdaftar (+36.133 peserta); menurut segmen: PBI JK +1,20, PPU +0,37; 207 desa
    dibandingkan' since the earlier period, computed on the units with figures in both periods; None when there
    is nothing to compare."""
    change = s.change
    if change is None or change.coverage_points is None or change.registered is None:
        return None
    people = format_int(abs(change.registered), lang)
    text = (f"{format_points(change.coverage_points, 2, lang)} {word('points', lang)} "
            f"{metric_label(COVERAGE, lang).lower()} ({'+' if change.registered >= 0 else '−'}{people} "
            f"{word('participants', lang)})")
    parts = [f"{SEGMENT_NAMES[k]} {format_points(v, 2, lang)}" for k, v in change.segments.items() if v is not None]
    if parts:
        text += f"; {word('by_segment', lang)}: " + ", ".join(parts)
    text += "; " + word("compared", lang, n=format_int(change.compared, lang),
                        level=level_label(change.level, lang).lower())
    if change.left_out:
        text += ", " + word("left_out", lang, n=format_int(change.left_out, lang))
    if change.breaks:
        text += ", " + word("breaks", lang, n=format_int(change.breaks, lang), share=_break_share(lang))
    return text


def _break_share(lang: Lang) -> str:
    return format_percent(BREAK_SHARE, 0, lang)


def _tier(row: pd.Series, lang: Lang) -> str:
    """The tier a unit reaches by its name; below every tier said so; a dash without whole figures."""
    if pd.isna(row[TIER]):
        return "–"
    return str(row[TIER_NAME]) if isinstance(row[TIER_NAME], str) else word("below_tiers", lang)


def _cell(column: str, value: object, lang: Lang) -> str:
    return format_metric(Metric(column), value, lang) if column in METRICS else format_int(value, lang)


def _aligned(head: list[str], rows: list[list[str]], text_columns: int) -> list[str]:
    """Rows padded to common widths: text columns to the left, numbers to the right."""
    widths = [max(len(cell) for cell in column) for column in zip(head, *rows, strict=True)]
    return ["  ".join(cell.ljust(w) if i < text_columns else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(cells, widths, strict=True))) for cells in [head, *rows]]


def rank_table(ranking: Ranking, lang: Lang = Lang.ID) -> str:
    """A ranking as an aligned text table, worst first, with the totals still to enrol and reactivate."""
    table, region = ranking.table, ranking.region
    since = f" ({word('compared_with', lang).lower()} {ranking.since})" if ranking.since else ""
    title = (f"{region.name} ({region.code}) - {level_label(ranking.level, lang)}, "
             f"{metric_label(ranking.metric, lang)}, {word('period', lang).lower()} {ranking.period or '-'}{since}")
    if table.empty:
        return f"{title}\n{word('no_match', lang)}"
    places = [(column, level) for column, level in ((KECAMATAN_NAME, KECAMATAN), (KABUPATEN_NAME, KABUPATEN))
              if column in table and table[column].notna().any()]  # the units' parents, where they differ
    text = [word("rank", lang), word("code", lang), word("name", lang)] + [level_label(lv, lang) for _, lv in places]
    extra = () if ranking.metric in NUMERIC else (ranking.metric,)  # the chosen metric, when not among the usual
    numeric = NUMERIC + extra
    head = text + [metric_label(COVERAGE, lang), metric_label(ACTIVE_COVERAGE, lang), word("population", lang),
                   word("registered", lang), metric_label(GAP, lang), metric_label(TO_REACTIVATE, lang)]
    head += [metric_label(m, lang) for m in extra]
    rows = []
    partial = {c: marks.partial(table, c) for c in numeric if c in METRICS}
    odd, star, bang = marks.implausible(table), word("partial_mark", lang), word("implausible_mark", lang)
    for i, (_, r) in enumerate(table.iterrows()):
        name = str(r[NAME]) + (f" {bang}" if odd.iloc[i] else "")
        cells = [str(r["rank"]), r[CODE], name] + [str(r[column] or "") for column, _ in places]
        rows.append(cells + [(_tier(r, lang) if c == TIER else _cell(c, r[c], lang))
                             + (f" {star}{_compared(r, c)}" if c in partial and partial[c].iloc[i] else "")
                             for c in numeric])
    lines = [title, *_aligned(head, rows, len(text)), rank_total(table, lang)]
    lines += [word("cells_partial", lang)] if any(flags.any() for flags in partial.values()) else []
    return "\n".join(lines + ([word("implausible_legend", lang)] if odd.any() else []))


def _compared(row: pd.Series, column: str) -> str:
    """Beside a change measured on part of a unit: how many of its desa were compared (' 14/15')."""
    counted = {str(CHANGE): CHANGE_COMPARED, str(ACTIVE_CHANGE): ACTIVE_CHANGE_COMPARED}.get(column)
    if counted is None or counted not in row or DESA_TOTAL not in row or pd.isna(row[counted]):
        return ""
    return f" {int(row[counted])}/{int(row[DESA_TOTAL])}"


def rank_total(table: pd.DataFrame, lang: Lang = Lang.ID) -> str:
    """The totals under a ranking, saying how they were formed: sums over the listed units, where a unit that
    reaches the target adds 0 to the people still to enrol (so they can differ from the region's own gap)."""
    partial = int((~table[COMPLETE].astype(bool)).sum()) if COMPLETE in table else 0
    return word("rank_total", lang, total=word("total", lang), n=format_int(len(table), lang),
                units=word("units", lang),
                partial=word("rank_total_partial", lang, n=format_int(partial, lang)) if partial else "",
                gap=metric_label(GAP, lang).lower(),
                gap_sum=word("sum_of_units", lang, value=format_int(table[GAP].sum(), lang)),
                reactivate=metric_label(TO_REACTIVATE, lang).lower(),
                reactivate_sum=word("sum_plain", lang, value=format_int(table[TO_REACTIVATE].sum(), lang)))


def rank_csv(table: pd.DataFrame) -> str:
    """A ranking as CSV with plain numbers (ratios as shares, counts as whole numbers) for spreadsheets."""
    out = table.copy()
    for column in out.columns:
        if column in (POPULATION, REGISTERED, ACTIVE, GAP, TO_REACTIVATE):
            out[column] = out[column].astype("Int64")
        elif column in RATE_METRICS:
            out[column] = out[column].round(6)
        elif column in (*CHANGE_METRICS, *SEGMENT_CHANGES):
            out[column] = out[column].round(4)
        elif pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            # names and codes: never a formula in a spreadsheet
            out[column] = out[column].map(lambda v: for_csv(v) if isinstance(v, str) else v)
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()
