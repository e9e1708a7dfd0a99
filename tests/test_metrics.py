import math

import pandas as pd
import pytest

from geojkn.analysis.metrics import add_metrics


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
