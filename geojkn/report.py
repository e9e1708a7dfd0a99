"""Plain-text and CSV renderings of summaries and rankings, in Indonesian or English."""

from __future__ import annotations

import io

import pandas as pd

from .formatting import format_decimal, format_int, format_percent
from .schema import (ACTIVE, ACTIVE_COVERAGE, ACTIVITY_RATE, CODE, COVERAGE, GAP, NAME, POPULATION, RATE_METRICS,
                     REGISTERED, TO_REACTIVATE)

TEXT = {
    "id": {
        "period": "periode", "no_period": "belum ada data kepesertaan", "population": "Penduduk",
        "registered": "Peserta terdaftar", "active": "Peserta aktif", "of_pop": "penduduk",
        "activity": "keaktifan", "target": "Target cakupan", "gap": "Belum terdaftar (menuju target)",
        "to_reactivate": "Perlu diaktifkan kembali", "desa": "Desa/kelurahan", "with_figures": "dengan data",
        "at_target": "mencapai target", "in_kec": "di", "kecamatan": "kecamatan", "facilities": "Fasilitas kesehatan",
        "people": "orang", "rank": "No", "code": "Kode", "name": "Nama", "kec": "Kecamatan", "units": "unit",
        "total": "Jumlah", "none": "Tidak ada unit yang memenuhi kriteria.",
        "change": "Perubahan sejak", "points": "poin", "participants": "peserta",
    },
    "en": {
        "period": "period", "no_period": "no enrollment figures yet", "population": "Population",
        "registered": "Registered", "active": "Active", "of_pop": "of population",
        "activity": "activity rate", "target": "Coverage target", "gap": "Still to enrol (to reach target)",
        "to_reactivate": "To reactivate", "desa": "Desa/kelurahan", "with_figures": "with figures",
        "at_target": "at target", "in_kec": "in", "kecamatan": "kecamatan", "facilities": "Health facilities",
        "people": "people", "rank": "No", "code": "Code", "name": "Name", "kec": "Kecamatan", "units": "units",
        "total": "Total", "none": "No unit matches.",
        "change": "Change since", "points": "points", "participants": "participants",
    },
}
METRIC_LABELS = {
    "id": {COVERAGE: "Cakupan", ACTIVE_COVERAGE: "Cakupan aktif", ACTIVITY_RATE: "Keaktifan",
           GAP: "Belum terdaftar", TO_REACTIVATE: "Perlu diaktifkan"},
    "en": {COVERAGE: "Coverage", ACTIVE_COVERAGE: "Active coverage", ACTIVITY_RATE: "Activity rate",
           GAP: "Still to enrol", TO_REACTIVATE: "To reactivate"},
}


def summary_text(s: dict, lang: str = "id") -> str:
    """A summary as a planner reads it: '987.918  81,49 % penduduk'."""
    t = TEXT[lang]
    head = f"{s[NAME]} ({s[CODE]}, {s['level']}) - " + (f"{t['period']} {s['period']}" if s["period"] else t["no_period"])
    fac = s["facilities"]
    rows = [
        head,
        f"  {t['population']:<34}{format_int(s[POPULATION], lang):>12}",
        f"  {t['registered']:<34}{format_int(s[REGISTERED], lang):>12}   {format_percent(s[COVERAGE], lang=lang)} {t['of_pop']}",
        f"  {t['active']:<34}{format_int(s[ACTIVE], lang):>12}   {format_percent(s[ACTIVE_COVERAGE], lang=lang)} {t['of_pop']}"
        f" ({t['activity']} {format_percent(s[ACTIVITY_RATE], lang=lang)})",
        f"  {t['target']:<34}{format_percent(s['target'], lang=lang):>12}",
        f"  {t['gap']:<34}{format_int(s[GAP], lang):>12}   {t['people']}",
        f"  {t['to_reactivate']:<34}{format_int(s[TO_REACTIVATE], lang):>12}   {t['people']}",
        f"  {t['desa']:<34}{format_int(s['desa'], lang):>12}   {format_int(s['desa_with_figures'], lang)} {t['with_figures']}, "
        f"{format_int(s['desa_at_target'], lang)} {t['at_target']} {t['in_kec']} "
        f"{format_int(s['kecamatan_with_desa_at_target'], lang)} {t['kecamatan']}",
        f"  {t['facilities']:<34}FKTP {fac['fktp']}, FKRTL {fac['fkrtl']}, lab {fac['lab']}, optik {fac['optik']}, "
        f"apotek {fac['apotek']}",
    ]
    change = change_text(s, lang)
    if change:
        rows.append(f"  {t['change'] + ' ' + s['previous']['period']:<34}{change}")
    return "\n".join(rows)


def change_text(s: dict, lang: str = "id") -> str | None:
    """'+1,57 poin cakupan (+36.133 peserta)' since the previous period, or None."""
    prev = s.get("previous")
    if not prev or prev.get(COVERAGE) is None or s.get(COVERAGE) is None:
        return None
    t, labels = TEXT[lang], METRIC_LABELS[lang]
    points = (s[COVERAGE] - prev[COVERAGE]) * 100
    people = s[REGISTERED] - prev[REGISTERED]
    sign = lambda v: "+" if v >= 0 else "−"
    return (f"{sign(points)}{format_decimal(abs(points), 2, lang)} {t['points']} {labels[COVERAGE].lower()} "
            f"({sign(people)}{format_int(abs(people), lang)} {t['participants']})")


def _cell(column: str, value: object, lang: str) -> str:
    if column in RATE_METRICS:
        return format_percent(value, lang=lang)
    return format_int(value, lang)


NUMERIC = (COVERAGE, ACTIVE_COVERAGE, POPULATION, REGISTERED, GAP, TO_REACTIVATE)


def _aligned(head: list[str], rows: list[list[str]], text_columns: int) -> list[str]:
    """Rows padded to common widths: text columns to the left, numbers to the right."""
    widths = [max(len(cell) for cell in column) for column in zip(head, *rows)]
    return ["  ".join(cell.ljust(w) if i < text_columns else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(cells, widths))) for cells in [head, *rows]]


def rank_table(region: dict, period: str | None, level: str, metric: str, table: pd.DataFrame,
               lang: str = "id") -> str:
    """A ranking as an aligned text table, worst first, with the totals still to enrol and reactivate."""
    t, labels = TEXT[lang], METRIC_LABELS[lang]
    title = f"{region[NAME]} ({region[CODE]}) - {level}, {labels[metric]}, {t['period']} {period or '-'}"
    if table.empty:
        return f"{title}\n{t['none']}"
    with_kec = "kecamatan_name" in table and table["kecamatan_name"].notna().any()
    text = [t["rank"], t["code"], t["name"]] + ([t["kec"]] if with_kec else [])
    head = text + [labels[COVERAGE], labels[ACTIVE_COVERAGE], t["population"], t["registered"], labels[GAP],
                   labels[TO_REACTIVATE]]
    rows = []
    for _, r in table.iterrows():
        cells = [str(r["rank"]), r[CODE], str(r[NAME])] + ([str(r["kecamatan_name"] or "")] if with_kec else [])
        rows.append(cells + [_cell(c, r[c], lang) for c in NUMERIC])
    gap, reactivate = table[GAP].sum(), table[TO_REACTIVATE].sum(min_count=1)
    total = (f"{t['total']}: {format_int(len(table), lang)} {t['units']}, {labels[GAP].lower()} {format_int(gap, lang)}, "
             f"{labels[TO_REACTIVATE].lower()} {format_int(reactivate, lang)}")
    return "\n".join([title, *_aligned(head, rows, len(text)), total])


def rank_csv(table: pd.DataFrame) -> str:
    """A ranking as CSV with plain numbers (ratios as shares, counts as whole numbers) for spreadsheets."""
    out = table.copy()
    for column in out.columns:
        if column in (POPULATION, REGISTERED, ACTIVE, GAP, TO_REACTIVATE):
            out[column] = out[column].astype("Int64")
        elif column in RATE_METRICS:
            out[column] = out[column].round(6)
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()
