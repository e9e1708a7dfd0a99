import pandas as pd
import pytest

from geojkn.analysis.metrics import add_metrics
from geojkn.analysis.ranking import rank_units
from geojkn.errors import DataError


def units():
    frame = pd.DataFrame({
        "code": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"],
        "population": [1000.0, 10000.0, 500.0, None], "registered": [700.0, 8500.0, 490.0, None],
        "active": [600.0, 5000.0, 400.0, None],
    })
    return add_metrics(frame)


def test_lowest_coverage_first_units_without_figures_left_out():
    ranked = rank_units(units())
    assert ranked.code.tolist() == ["a", "b", "c"]
    assert ranked["rank"].tolist() == [1, 2, 3]


def test_count_metrics_rank_most_people_first():
    assert rank_units(units(), "gap").code.tolist() == ["b", "a", "c"]
    assert rank_units(units(), "to_reactivate").code.tolist()[0] == "b"


def test_below_filters_on_the_rate():
    assert rank_units(units(), "coverage", below=0.9).code.tolist() == ["a", "b"]
    assert rank_units(units(), "gap", below=0.8).code.tolist() == ["a"]


def test_unknown_metric():
    with pytest.raises(DataError, match="coverage, active_coverage"):
        rank_units(units(), "popularity")
