"""Tests for geojkn.maps.legend: content, number formats, counts, escaping."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geojkn.maps.classify import classify
from geojkn.maps.legend import Legend, legend_html

from maps_fixtures import PAYLOADS


@pytest.fixture()
def rates():
    return classify(pd.Series([0.5, 0.85, 0.85, 0.97, math.nan, math.nan]), "coverage")


def test_legend_lists_each_class_with_its_range_and_count(rates):
    body = legend_html(rates, title="Kabupaten Jepara", period="2022-01",
                       source="BPJS Kesehatan, 2022-01", lang="id")
    assert "<h4>Kabupaten Jepara</h4>" in body
    assert "Cakupan terdaftar (terdaftar / penduduk)" in body
    assert "80,00 – 90,00 %" in body
    assert '<td>80,00 – 90,00 %</td><td class="gj-count">2</td>' in body
    assert "Periode: Januari 2022" in body
    assert "Sumber: BPJS Kesehatan, 2022-01" in body


def test_no_data_has_its_own_hatched_entry_and_count(rates):
    body = legend_html(rates, title=None, period=None, source=None, lang="id")
    assert '<span class="gj-swatch gj-nodata"></span></td><td>tanpa data</td><td class="gj-count">2</td>' in body
    english = legend_html(rates, title=None, period=None, source=None, lang="en")
    assert "<td>no data</td>" in english
    assert "Period" not in english  # no period given, no period line


def test_english_uses_english_number_format():
    counts = classify(pd.Series([0, 1500, 2500, 30000]), "gap")
    body = legend_html(counts, title=None, period="2022-03", source=None, lang="en")
    assert "Still to enrol (to the 95 % target)" in body
    assert "Period: March 2022" in body
    assert "10,000 – 19,999" in body


def test_indonesian_count_labels_use_dots_for_thousands():
    counts = classify(pd.Series([0, 1500, 2500, 30000]), "gap")
    assert "10.000 – 19.999" in legend_html(counts, title=None, period=None, source=None, lang="id")


def test_below_target_and_facility_entries_only_when_asked(rates):
    plain = legend_html(rates, title=None, period=None, source=None)
    assert "gj-below" not in plain and "gj-dot" not in plain
    full = legend_html(rates, title=None, period=None, source=None, target=0.98,
                       facility_groups=("fktp", "rumah_sakit"), below_target=True)
    assert "di bawah target 98 %" in full
    assert "FKTP (puskesmas, klinik, dokter)" in full
    assert "Rumah sakit" in full
    assert full.count('class="gj-dot"') == 2


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_text_is_escaped(rates, payload):
    body = legend_html(rates, title=payload, period=payload, source=payload)
    assert payload not in body
    assert "<script" not in body and "<img" not in body and "${" not in body and "`" not in body


def test_legend_element_embeds_the_body_without_closing_the_script():
    import folium

    fmap = folium.Map(tiles=None)
    Legend("<b>x</b></script>").add_to(fmap)
    page = fmap.get_root().render()
    assert page.count("</script>") == page.count("<script")  # the body closed no tag early
    assert r"\u003cb\u003ex\u003c/b\u003e\u003c/script\u003e" in page
