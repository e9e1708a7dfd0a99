import math

import pandas as pd
import pytest

from geojkn.analysis.metrics import N_DESA, add_metrics, rollup
from geojkn.schema import COUNTS


def figures(rows):
    frame = pd.DataFrame(rows, columns=["code", "level", "population", "registered", "active"])
    for column in COUNTS[3:]:
        frame[column] = float("nan")
    frame["period"] = "2022-01"
    return frame


def test_definitions():
    out = add_metrics(pd.DataFrame({"population": [1000.0], "registered": [815.0], "active": [625.0]}))
    row = out.iloc[0]
    assert row.coverage == pytest.approx(0.815)
    assert row.active_coverage == pytest.approx(0.625)
    assert row.activity_rate == pytest.approx(625 / 815)
    assert row.gap == 950 - 815
    assert row.to_reactivate == 190


def test_gap_rounds_people_up_and_never_negative():
    out = add_metrics(pd.DataFrame({"population": [1001.0, 100.0, 1000.0], "registered": [900.0, 120.0, 950.0],
                                    "active": [1.0, 1.0, 1.0]}))
    # 0.95 * 1001 = 950.95 -> 951 people needed
    assert out.gap.tolist() == [51.0, 0.0, 0.0]


def test_target_follows_argument():
    out = add_metrics(pd.DataFrame({"population": [1000.0], "registered": [950.0], "active": [1.0]}), target=0.98)
    assert out.gap.iloc[0] == 30


def test_zero_population_gives_missing_not_infinite():
    out = add_metrics(pd.DataFrame({"population": [0.0], "registered": [5.0], "active": [1.0]}))
    assert math.isnan(out.coverage.iloc[0])


def test_add_metrics_does_not_mutate_input():
    frame = pd.DataFrame({"population": [10.0], "registered": [5.0], "active": [1.0]})
    add_metrics(frame)
    assert list(frame.columns) == ["population", "registered", "active"]


def test_rollup_sums_counts_then_divides_never_averages_percentages():
    table = add_metrics(rollup(figures([
        ("33.20.01.2001", "desa", 100, 100, 50),     # 100 %
        ("33.20.01.2002", "desa", 900, 450, 300),    # 50 %
    ]))).set_index("code")
    # the mean of the two percentages would be 75 %; the true share is 550 / 1000
    assert table.loc["33.20.01", "coverage"] == pytest.approx(0.55)
    assert table.loc["33.20", "registered"] == 550
    assert table.loc["33", N_DESA] == 2


def test_unit_row_given_by_the_file_wins_over_sum_of_children():
    table = rollup(figures([
        ("33.20.01.2001", "desa", 100, 90, 80),
        ("33.20.01", "kecamatan", 5000, 4000, 3000),
    ])).set_index("code")
    assert table.loc["33.20.01", "population"] == 5000
    assert table.loc["33.20", "population"] == 5000


def test_missing_count_in_one_desa_makes_the_total_missing():
    table = rollup(figures([
        ("33.20.01.2001", "desa", 100, 90, None),
        ("33.20.01.2002", "desa", 100, 90, 70),
    ])).set_index("code")
    assert math.isnan(table.loc["33.20.01", "active"])
    assert table.loc["33.20.01", "registered"] == 180
