"""The roll-up rule (analysis/rollup.py) on hand-made figures with known answers: missing values and mixed levels."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geojkn.analysis.metrics import add_metrics
from geojkn.analysis.rollup import rollup, unit_tree

NAN = float("nan")
# Two kecamatan of two desa each, in kabupaten 33.20 of province 33.
UNITS = ["33.20", "33.20.01", "33.20.02", "33.20.01.2001", "33.20.01.2002", "33.20.02.2001", "33.20.02.2002"]


def figures(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code", "population", "registered", "active"])
    frame["level"] = frame["code"].str.count(r"\.").map({0: "provinsi", 1: "kabupaten", 2: "kecamatan", 3: "desa"})
    for segment in ("pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp"):
        frame[segment] = NAN
    frame["period"] = "2022-01"
    return frame


def table(*rows: tuple) -> pd.DataFrame:
    return add_metrics(rollup(figures(*rows), UNITS)).set_index("code")


ALL_DESA = (("33.20.01.2001", 100, 90, 80), ("33.20.01.2002", 900, 450, 300),
            ("33.20.02.2001", 1000, 900, 700), ("33.20.02.2002", 500, 480, 400))


def test_counts_are_summed_then_divided_never_averaged():
    t = table(*ALL_DESA)
    assert t.loc["33.20.01", "coverage"] == pytest.approx(540 / 1000)  # the mean of 90 % and 50 % would be 70 %
    assert (t.loc["33.20", "population"], t.loc["33.20", "registered"]) == (2500, 1920)
    assert t.loc["33.20", "complete"] and t.loc["33.20", "desa_with_figures"] == t.loc["33.20", "desa_total"] == 4


def test_every_unit_knows_how_many_desa_it_holds():
    tree = unit_tree(UNITS).set_index("code")
    assert tree.loc["33", "desa_total"] == 4 and tree.loc["33.20.01", "desa_total"] == 2
    assert tree.loc["33.20.02.2002", "parent"] == "33.20.02"


def test_a_missing_desa_makes_the_total_partial_not_silently_smaller():
    t = table(*ALL_DESA[:3])
    assert not t.loc["33.20.02", "complete"] and t.loc["33.20.02", "desa_with_figures"] == 1
    assert t.loc["33.20.02", "desa_total"] == 2
    assert not t.loc["33.20", "complete"] and t.loc["33.20", "desa_with_figures"] == 3
    assert t.loc["33.20.01", "complete"]  # the other kecamatan is whole


def test_an_empty_cell_is_the_same_as_a_missing_row():
    missing_row = table(*ALL_DESA[:3])
    empty_cell = table(*ALL_DESA[:3], ("33.20.02.2002", 500, None, 400))
    for column in ("population", "registered", "coverage", "complete", "desa_with_figures"):
        assert missing_row.loc["33.20", column] == empty_cell.loc["33.20", column], column
    # the partial kabupaten compares like with like: the three desa with both counts
    assert empty_cell.loc["33.20", "coverage"] == pytest.approx(1440 / 2000)


def test_own_row_is_used_only_where_the_desa_do_not_cover_the_unit():
    # every desa of 33.20.01 has figures: their sum wins over the kecamatan row (83 % against the row's 97 %)
    t = table(*ALL_DESA, ("33.20.01", 1000, 970, 800))
    assert t.loc["33.20.01", "registered"] == 540
    # a kecamatan row with its desa missing speaks for the whole kecamatan
    t = table(*ALL_DESA[2:], ("33.20.01", 1000, 970, 800))
    assert t.loc["33.20.01", "registered"] == 970 and t.loc["33.20.01", "complete"]
    assert t.loc["33.20", "registered"] == 970 + 1380 and t.loc["33.20", "complete"]


def test_a_total_row_for_the_kabupaten_does_not_replace_its_desa():
    t = table(*ALL_DESA, ("33.20", 99999, 99999, 99999))
    assert t.loc["33.20", "population"] == 2500


def test_an_empty_active_cell_in_a_kecamatan_row_does_not_hide_its_desa():
    t = table(*ALL_DESA, ("33.20.01", 1000, 540, None))
    assert t.loc["33.20", "active"] == 1480 and t.loc["33.20", "active_coverage"] == pytest.approx(1480 / 2500)


def test_active_missing_in_one_desa_is_measured_on_the_desa_that_have_it():
    t = table(*ALL_DESA[:3], ("33.20.02.2002", 500, 480, None))
    assert t.loc["33.20", "complete"]  # population and registered are whole
    assert t.loc["33.20", "active"] == 1080
    assert t.loc["33.20", "active_coverage"] == pytest.approx(1080 / 2000)  # over the three desa that have it
    assert t.loc["33.20", "to_reactivate"] == 1440 - 1080


def test_population_per_kecamatan_with_registered_per_desa_gives_kecamatan_coverage():
    t = table(("33.20.01", 1000, None, None), ("33.20.02", 1500, None, None),
              ("33.20.01.2001", None, 90, None), ("33.20.01.2002", None, 450, None),
              ("33.20.02.2001", None, 900, None), ("33.20.02.2002", None, 480, None))
    assert t.loc["33.20.01", "coverage"] == pytest.approx(0.54) and t.loc["33.20.01", "complete"]
    assert t.loc["33.20", "coverage"] == pytest.approx(1920 / 2500) and t.loc["33.20", "complete"]
    assert math.isnan(t.loc["33.20.01.2001", "coverage"]) and not t.loc["33.20.01.2001", "complete"]
    assert t.loc["33.20.01.2001", "registered"] == 90  # a desa shows what its row says


def test_periods_roll_up_independently():
    both = pd.concat([figures(*ALL_DESA), figures(*ALL_DESA[:2]).assign(period="2022-02")])
    t = rollup(both, UNITS).set_index(["period", "code"])
    assert t.loc[("2022-01", "33.20"), "complete"] and not t.loc[("2022-02", "33.20"), "complete"]
    assert t.loc[("2022-02", "33.20"), "population"] == 1000
