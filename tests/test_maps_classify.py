"""Tests for geojkn.maps.classify: policy bands, mapclassify schemes, palettes and labels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geojkn.errors import DataError
from geojkn.maps.classify import NO_DATA, class_labels, classify
from geojkn.maps.palettes import NO_DATA_BACKGROUND, PUBU, YLORRD, sequential


def test_rate_policy_bands_follow_the_default_target():
    values = pd.Series([0.5, 0.7999, 0.80, 0.8999, 0.90, 0.9499, 0.95, 1.2, math.nan])
    result = classify(values, "coverage")
    assert result.index == (0, 0, 1, 1, 2, 2, 3, 3, NO_DATA)
    assert class_labels(result, "id") == ["< 80,00 %", "80,00 – 90,00 %", "90,00 – 95,00 %", "≥ 95,00 %"]
    assert result.counts == (2, 2, 2, 2)
    assert result.no_data == 1


@pytest.mark.parametrize("target, labels", [
    (0.98, ["< 80.00 %", "80.00 – 90.00 %", "90.00 – 98.00 %", "≥ 98.00 %"]),
    (0.99, ["< 80.00 %", "80.00 – 90.00 %", "90.00 – 99.00 %", "≥ 99.00 %"]),
    (0.90, ["< 70.00 %", "70.00 – 80.00 %", "80.00 – 90.00 %", "≥ 90.00 %"]),
    (1.0, ["< 80.00 %", "80.00 – 90.00 %", "90.00 – 100.00 %", "≥ 100.00 %"]),
])
def test_rate_policy_bands_move_with_the_target(target, labels):
    result = classify(pd.Series([0.5, 0.97]), "active_coverage", target=target)
    assert class_labels(result, "en") == labels


def test_a_value_exactly_at_the_target_reaches_it():
    result = classify(pd.Series([0.98, 0.9799]), "coverage", target=0.98)
    assert result.index == (3, 2)


def test_count_policy_bands_are_round_numbers_with_a_zero_class():
    values = pd.Series([0, 5, 99, 100, 199, 200, 499, 500, 1234, math.nan])
    result = classify(values, "gap")
    assert class_labels(result, "id") == ["0", "1 – 99", "100 – 199", "200 – 499", "≥ 500"]
    assert result.index == (0, 1, 1, 2, 2, 3, 3, 4, 4, NO_DATA)


def test_count_policy_bands_scale_with_kecamatan_sized_numbers():
    values = pd.Series(np.linspace(1000, 30000, 40))
    labels = class_labels(classify(values, "to_reactivate"), "id")
    assert labels == ["0", "1 – 4.999", "5.000 – 9.999", "10.000 – 19.999", "≥ 20.000"]


def test_count_policy_without_positive_values_still_has_bands():
    result = classify(pd.Series([0.0, 0.0, math.nan]), "gap")
    assert result.index == (0, 0, NO_DATA)
    assert len(result.colors) == 5


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks"])
def test_mapclassify_schemes_give_k_classes_covering_all_values(scheme):
    values = pd.Series(np.random.default_rng(3).uniform(0.5, 1.0, 60))
    result = classify(values, "coverage", scheme, k=5)
    assert len(result.colors) == 5
    assert sum(result.counts) == 60
    assert result.lower[0] == pytest.approx(values.min())
    assert result.upper[-1] == pytest.approx(values.max())


def test_natural_breaks_separate_obvious_groups():
    values = pd.Series([10, 11, 12, 500, 510, 520, 5000, 5100])
    result = classify(values, "gap", "natural_breaks", k=3)
    assert result.index == (0, 0, 0, 1, 1, 1, 2, 2)


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks"])
def test_fewer_distinct_values_than_classes_make_one_class_per_value(scheme):
    result = classify(pd.Series([0.5, 0.5, 0.7, math.nan]), "coverage", scheme, k=5)
    assert result.index == (0, 0, 1, NO_DATA)
    assert class_labels(result, "id") == ["50,00 %", "70,00 %"]


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "policy"])
def test_all_missing_values_are_all_no_data(scheme):
    result = classify(pd.Series([math.nan, math.nan]), "coverage", scheme)
    assert result.index == (NO_DATA, NO_DATA)
    assert result.no_data == 2


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks"])
def test_a_single_unit_gets_a_single_class(scheme):
    result = classify(pd.Series([0.3]), "coverage", scheme)
    assert result.index == (0,)
    assert len(result.colors) == 1


def test_low_coverage_gets_the_strongest_colour_and_many_people_the_darkest():
    rates = classify(pd.Series([0.5, 0.99]), "coverage")
    assert rates.colors[0] == YLORRD[4][-1]  # darkest red for < 80 %
    counts = classify(pd.Series([0, 10_000]), "gap")
    assert counts.colors[-1] == PUBU[5][-1]
    assert set(rates.colors).isdisjoint(counts.colors)


def test_no_data_never_gets_a_class_colour():
    for kind in ("rate", "count"):
        for n in range(1, 8):
            assert NO_DATA_BACKGROUND not in sequential(kind, n)
    assert classify(pd.Series([math.nan, 0.5]), "coverage").color_of(NO_DATA) is None


def test_the_input_series_is_left_alone():
    values = pd.Series([0.5, math.nan, 0.9])
    before = values.copy()
    classify(values, "coverage", "quantiles")
    pd.testing.assert_series_equal(values, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"metric": "popularity"}, "metric 'popularity' is not one of coverage"),
    ({"scheme": "jenks"}, "classes 'jenks' is not one of policy"),
    ({"target": 95}, "target"),
    ({"k": 12}, "number of classes"),
])
def test_bad_parameters_raise_a_data_error_naming_the_choices(kwargs, message):
    args = {"metric": "coverage", "scheme": "policy", **kwargs}
    with pytest.raises(DataError, match=message):
        classify(pd.Series([0.5]), **args)
