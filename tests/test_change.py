"""Change over time: the change metrics per unit, by segment, since a chosen month; maps, rankings, summary, web."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from geojkn.analysis.region import rank, unit_table
from geojkn.maps.classify import NO_DATA, class_labels, classify
from geojkn.maps.palettes import FALLS, RISES, STEADY
from geojkn.options import Question
from geojkn.period import Period
from geojkn.resources import demo_store
from geojkn.schema import ACTIVE_CHANGE, CHANGE, CODE, DESA, KECAMATAN
from geojkn.store import open_store
from geojkn.workspace import Workspace

from conftest import TINY_DESA

HEAD = "Kode Desa;Nama Desa;Jumlah Penduduk;Peserta Terdaftar;Peserta Aktif;PBI JK;PPU"
# code: population, registered, active, PBI JK, PPU (PBI JK + PPU = registered)
JANUARY = {TINY_DESA[0]: (1000, 950, 700, 600, 350), TINY_DESA[1]: (2000, 1500, 1000, 900, 600),
           TINY_DESA[2]: (1500, 1200, 900, 700, 500), TINY_DESA[3]: (500, 520, 400, 300, 220)}
MARCH = {TINY_DESA[0]: (1000, 900, 650, 560, 340), TINY_DESA[1]: (2000, 1700, 1100, 1000, 700),
         TINY_DESA[2]: (1500, 1230, 900, 730, 500)}  # the fourth desa has no figures in March


def _write(path: Path, rows: dict[str, tuple[int, ...]]) -> Path:
    lines = ["Rekap", HEAD] + [f"{code};;" + ";".join(str(n) for n in counts)
                               for i, (code, counts) in enumerate(rows.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(store_path, tiny_geojson, tmp_path, runner) -> Path:
    assert runner("--store", store_path, "import-boundaries", tiny_geojson).status == 0
    for period, rows in (("2024-01", JANUARY), ("2024-03", MARCH)):
        result = runner("--store", store_path, "import-figures", _write(tmp_path / f"{period}.csv", rows),
                        "--period", period)
        assert result.status == 0, result.err
    return store_path


def _data(store: Path, code: str = "99.01"):
    return Workspace(open_store(str(store))).region(code)


def test_each_desa_changes_by_the_points_of_its_own_coverage_split_by_segment(store):
    table = unit_table(_data(store), DESA, Question(Period(2024, 3))).set_index(CODE)
    first = table.loc[TINY_DESA[0]]
    assert first[CHANGE] == pytest.approx(90.0 - 95.0) and first[ACTIVE_CHANGE] == pytest.approx(65.0 - 70.0)
    assert first["pbi_jk_change"] == pytest.approx(56.0 - 60.0) and first["ppu_change"] == pytest.approx(34.0 - 35.0)
    assert first["pbi_jk_change"] + first["ppu_change"] == pytest.approx(first[CHANGE])  # the parts add up
    assert math.isnan(first["bp_change"])  # a segment the files do not give has no part
    assert table.loc[TINY_DESA[1], CHANGE] == pytest.approx(85.0 - 75.0)
    assert table.loc[TINY_DESA[2], CHANGE] == pytest.approx(82.0 - 80.0)
    assert math.isnan(table.loc[TINY_DESA[3], CHANGE])  # no figures in March: no change, never a fall to zero


def test_a_unit_is_compared_on_its_desa_with_figures_in_both_months_and_says_how_many(store):
    table = unit_table(_data(store), KECAMATAN, Question(Period(2024, 3))).set_index(CODE)
    assert table.loc["99.01.01", CHANGE] == pytest.approx((2600 / 3000 - 2450 / 3000) * 100)  # whole both months
    assert (table.loc["99.01.01", "change_compared"], table.loc["99.01.01", "desa_total"]) == (2, 2)
    # one of its two desa lacks March: the other one is compared with itself, never part against whole, and the
    # unit says it was compared on 1 of its 2 desa (so it stays in the change ranking, marked)
    assert table.loc["99.01.02", CHANGE] == pytest.approx((1230 / 1500 - 1200 / 1500) * 100)
    assert (table.loc["99.01.02", "change_compared"], table.loc["99.01.02", "desa_total"]) == (1, 2)
    ranked = rank(_data(store), KECAMATAN, Question(Period(2024, 3), metric=CHANGE)).table
    assert list(ranked[CODE]) == ["99.01.02", "99.01.01"]  # +2,0 then +5,0: both ranked


def test_the_summary_change_is_split_by_segment(store, runner):
    data = json.loads(runner("--store", store, "summary", "99.01", "--json").out)
    change = data["change"]
    assert change["since"] == "2024-01" and change["compared"] == 3 and change["left_out"] == 1
    assert change["registered"] == 180 and change["coverage_points"] == pytest.approx(4.0)
    assert change["segments"] == {"pbi_jk": pytest.approx(2.0), "ppu": pytest.approx(2.0)}
    text = runner("--store", store, "summary", "99.01").out
    assert "+4,00 poin cakupan terdaftar (+180 peserta); menurut segmen: PBI JK +2,00, PPU +2,00" in text


def test_a_change_ranks_the_steepest_fall_first_and_lists_the_largest_rises(store, runner):
    ranking = rank(_data(store), DESA, Question(Period(2024, 3), metric=CHANGE))
    assert list(ranking.table[CODE]) == [TINY_DESA[0], TINY_DESA[2], TINY_DESA[1]]  # -5, +2, +10; no fourth
    assert ranking.since == Period(2024, 1)
    assert list(ranking.rising().table[CODE]) == [TINY_DESA[1], TINY_DESA[2]]
    assert list(ranking.falling().table[CODE]) == [TINY_DESA[0]]
    assert list(ranking.rising().table["rank"]) == [1, 2]
    out = json.loads(runner("--store", store, "rank", "99.01", "--level", "desa", "--metric", "change",
                            "--format", "json").out)
    assert out["since"] == "2024-01" and [u["change"] for u in out["units"]] == [pytest.approx(-5.0),
                                                                                  pytest.approx(2.0),
                                                                                  pytest.approx(10.0)]


def test_since_must_be_an_earlier_month_with_figures(store, runner):
    later = runner("--store", store, "rank", "99.01", "--metric", "change", "--since", "2024-03")
    assert later.status == 2 and "must come before the period shown (2024-03)" in later.err
    missing = runner("--store", store, "summary", "99.01", "--since", "2023-12")
    assert missing.status == 2 and "No figures for period 2023-12" in missing.err and "2024-01, 2024-03" in missing.err
    chosen = json.loads(runner("--store", store, "summary", "99.01", "--since", "2024-01", "--json").out)
    assert chosen["previous"]["period"] == "2024-01"


def test_change_policy_bands_diverge_from_zero():
    result = classify(pd.Series([-5.0, -2.0, -0.5, 0.0, 0.49, 0.5, 1.99, 2.0, math.nan]), "change")
    assert result.kind == "change"
    assert result.index == (0, 1, 2, 2, 2, 3, 3, 4, NO_DATA)
    assert class_labels(result, "id") == ["< −2,0 poin", "−2,0 – −0,5 poin", "−0,5 – +0,5 poin",
                                          "+0,5 – +2,0 poin", "≥ +2,0 poin"]
    assert result.colors[2] == STEADY and result.colors[0] in FALLS and result.colors[4] in RISES
    assert result.colors[0] != result.colors[1] and result.colors[3] != result.colors[4]


def test_data_driven_classes_of_a_change_keep_red_for_falls_and_blue_for_rises():
    values = pd.Series([-4.0, -3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    result = classify(values, "active_change", "quantiles", k=5)
    for lower, upper, color in zip(result.lower, result.upper, result.colors, strict=True):
        if upper < 0:
            assert color in FALLS
        elif lower > 0:
            assert color in RISES
    assert result.colors[0] in FALLS and result.colors[-1] in RISES
    falls = classify(pd.Series([-6.0, -5.0, -4.0, -3.0, -2.0, -1.0, -0.5]), "change", "natural_breaks", k=7)
    assert len(set(falls.colors)) == len(falls.colors) and STEADY not in falls.colors  # seven reds, blended


@pytest.mark.browser
def test_the_change_map_names_its_start_and_splits_the_tooltip_by_segment(store, runner, tmp_path, browser):
    out = tmp_path / "change.html"
    result = runner("--store", store, "export", "99.01", "-o", out, "--metric", "change", "--since", "2024-01")
    assert result.status == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert "Perubahan cakupan terdaftar sejak Januari 2024 (poin persentase)" in page
    shown = browser.new_page()
    shown.goto(out.as_uri())
    shown.wait_for_function("window.geojkn && geojkn.maps.length > 0")
    texts = shown.evaluate("() => { const m = geojkn.maps[0]; return m.data.names.map((_, u) => m.tooltipText(u)); }")
    shown.close()
    joined = "\n".join(line for lines in texts for line in lines)  # what the page writes in the tooltips
    assert "−5,00 poin (PBI JK −4,00; PPU −1,00)" in joined
    assert "PBI JK 560 · PPU 340" in joined  # the registered by segment in March


def test_the_dashboard_lists_falls_and_rises_and_offers_the_month_to_compare_with(client):
    page = client.get("/r/99.01?metric=change&level=kecamatan").get_data(as_text=True)
    assert "turun terbanyak" in page and "naik terbanyak" in page
    # every demo kecamatan rose since June: the falls list is empty rather than showing the smallest rises
    assert 'id="rank-kecamatan-rose_most"' in page and 'id="rank-kecamatan-fell_most"' not in page
    assert 'name="since"' in page and "Dibandingkan dengan" in page
    assert client.get("/r/99.01?since=2024-12").status_code == 400
    summary = client.get("/api/regions/99.01/summary?since=2024-06").get_json()
    assert summary["change"]["since"] == "2024-06" and set(summary["change"]["segments"]) == {
        "pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp"}
    units = client.get("/api/regions/99.01/units.geojson?level=desa").get_json()
    assert "change" in units["features"][0]["properties"]


def test_demo_change_matches_an_independent_computation_from_the_files():
    """Each demo desa's change from the two bundled files read with plain pandas, against geojkn's."""
    shapes = demo_store().parent

    def coverage(name: str) -> pd.Series:
        rows = pd.read_csv(shapes / name, sep=";", skiprows=1, thousands=".", dtype={"Kode Desa": str})
        rows = rows[rows["Kode Desa"].str.count(r"\.") == 3]  # desa rows, not the JUMLAH line
        rows = rows.dropna(subset=["Jumlah Penduduk", "Peserta Terdaftar"])
        return (rows.set_index("Kode Desa")["Peserta Terdaftar"] / rows.set_index("Kode Desa")["Jumlah Penduduk"])

    expected = ((coverage("demo_kepesertaan_2024-12.csv") - coverage("demo_kepesertaan_2024-06.csv")) * 100).dropna()
    data = Workspace(open_store(str(demo_store()))).region("99.01")
    found = unit_table(data, DESA, Question(Period(2024, 12))).set_index(CODE)[CHANGE].dropna()
    assert len(expected) > 200 and sorted(found.index) == sorted(expected.index)
    assert (found.loc[expected.index] - expected).abs().max() < 1e-9
