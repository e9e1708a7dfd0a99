"""Partial and implausible figures carry their mark on every output: the analysis decides once (analysis/marks.py),
and text, JSON, the work list, the sheet and the map in the browser all show the same marks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from geojkn.analysis.marks import Mark, marks, partial, row_marks
from geojkn.schema import CHANGE, COVERAGE, GAP, TO_REACTIVATE

from conftest import TINY_DESA

# The tiny regency's January: 99.01.01.2002 has no active count (kecamatan 99.01.01 is whole for coverage but
# partial for its active rates) and 99.01.02.2002 has more registered than residents (tidak wajar).
ROWS = "Kode Desa;Nama Desa;Jumlah Penduduk;Peserta Terdaftar;Peserta Aktif\n" + "".join(
    f"{code};;{pop};{reg};{act}\n" for code, pop, reg, act in
    zip(TINY_DESA, (1000, 2000, 1500, 500), (950, 1500, 1200, 520), (700, "", 900, 400), strict=True))


@pytest.fixture
def store(store_path, tiny_geojson, tmp_path, runner) -> Path:
    assert runner("--store", store_path, "import-boundaries", tiny_geojson).status == 0
    (tmp_path / "jan.csv").write_text(ROWS, encoding="utf-8")
    result = runner("--store", store_path, "import-figures", tmp_path / "jan.csv", "--period", "2024-01")
    assert result.status == 0, result.err
    return store_path


def test_each_metric_is_marked_by_the_counts_it_stands_on():
    table = pd.DataFrame({"level": ["kecamatan"] * 3, "coverage": [0.9, 0.8, None], "to_reactivate": [5, 6, None],
                          "gap": [1, 2, None], "change": [1.0, -2.0, None], "complete": [True, False, False],
                          "active_complete": [False, False, False], "change_compared": [3, 2, 0],
                          "desa_total": [3, 3, 3], "implausible": [False, True, False]})
    assert partial(table, COVERAGE).tolist() == [False, True, False]  # no value, no mark
    assert partial(table, GAP).tolist() == [False, True, False]
    assert partial(table, TO_REACTIVATE).tolist() == [True, True, False]
    assert partial(table, CHANGE).tolist() == [False, True, False]  # 2 of 3 desa compared
    assert marks(table, COVERAGE).tolist() == [(), (Mark.PARTIAL, Mark.IMPLAUSIBLE), ()]
    assert row_marks(table, (COVERAGE, TO_REACTIVATE)).tolist() == [(Mark.PARTIAL,),
                                                                     (Mark.PARTIAL, Mark.IMPLAUSIBLE), ()]


def test_text_json_and_work_lists_carry_the_marks(store, runner, tmp_path):
    units = {u["code"]: u for u in json.loads(runner("--store", store, "rank", "99.01", "--level", "kecamatan",
                                                     "--format", "json").out)["units"]}
    assert units["99.01.01"]["complete"] is True and units["99.01.01"]["active_complete"] is False
    assert units["99.01.01"]["desa_with_active"] == 1
    assert units["99.01.02"]["implausible"] is False  # 1.720 of 2.000: its desa's excess is its own mark
    text = runner("--store", store, "rank", "99.01", "--level", "kecamatan", "--metric", "active_coverage").out
    row = next(line for line in text.splitlines() if "99.01.01" in line)
    assert row.count("*") == 2 and "sebagian" in text  # active coverage and people to reactivate
    desa = runner("--store", store, "rank", "99.01", "--level", "desa").out
    assert " ! " in next(line for line in desa.splitlines() if TINY_DESA[3] in line) and "! tidak wajar" in desa
    out = tmp_path / "daftar.xlsx"
    assert runner("--store", store, "worklist", "99.01", "--format", "xlsx", "-o", out).status == 0
    sheet = load_workbook(out).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    head = next(r for r in rows if r and r[1] == "Kode")
    notes = {r[1]: r[head.index("Catatan")] for r in rows[rows.index(head) + 1:]}
    assert notes[TINY_DESA[3]] == "tidak wajar" and notes[TINY_DESA[0]] is None
    listed = json.loads(runner("--store", store, "worklist", "99.01", "--format", "json").out)["units"]
    assert {u["code"]: u["marks"] for u in listed}[TINY_DESA[3]] == ["implausible"]


def test_the_summary_says_what_is_partial_and_compares_nothing_partial_with_a_target(store, runner):
    summary = json.loads(runner("--store", store, "summary", "99.01", "--json").out)
    assert summary["complete"] is True and summary["active_complete"] is False
    assert summary["status"]["meets_target"] is False and summary["status"]["active_gap"] is None
    assert summary["active_coverage"] == pytest.approx(2000 / 3000)  # over the three desa that give active
    text = runner("--store", store, "summary", "99.01").out
    assert "Peserta aktif hanya ada untuk 3 dari 4 desa/kel." in text and "Target aktif" not in text


@pytest.mark.browser
def test_the_map_hatches_partial_values_and_marks_implausible_units(store, runner, tmp_path, browser):
    made = {}
    for level, metric in (("desa", "coverage"), ("kecamatan", "active_coverage")):
        out = tmp_path / f"{level}.html"
        assert runner("--store", store, "export", "99.01", "--level", level, "--metric", metric, "-o", out,
                      "--lang", "en").status == 0
        page = browser.new_page()
        page.goto(out.as_uri())
        page.wait_for_function("window.geojkn && geojkn.maps.length > 0")
        made[level] = page.evaluate("""() => { const m = geojkn.maps[0];
            return m.data.names.map((_, u) => ({code: m.codes[u], key: m.styleOf(u).key,
                                                 tip: m.tooltipText(u).join('\\n')})); }""")
        made[level + " legend"] = page.locator(".geojkn-legend").inner_text()
        page.close()
    desa = {u["code"]: u for u in made["desa"]}
    assert desa[TINY_DESA[3]]["key"] == "x" and "Notes: implausible" in desa[TINY_DESA[3]]["tip"]
    assert desa[TINY_DESA[0]]["key"].startswith("c") and "Notes" not in desa[TINY_DESA[0]]["tip"]
    assert "implausible: registered > population" in made["desa legend"]
    kecamatan = {u["code"]: u for u in made["kecamatan"]}
    assert kecamatan["99.01.01"]["key"].startswith("p") and "active partial" in kecamatan["99.01.01"]["tip"]
    assert "partial" in made["kecamatan legend"]
