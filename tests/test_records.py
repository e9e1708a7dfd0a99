"""Typed records serialise to the documented JSON: the keys, their order, and the same object from CLI and API."""

from __future__ import annotations

import json

SUMMARY_KEYS = ["code", "name", "level", "period", "population", "registered", "active", "coverage",
                "active_coverage", "activity_rate", "target", "gap", "to_reactivate", "desa", "desa_with_figures",
                "desa_total", "complete", "active_complete", "desa_with_active", "implausible", "desa_implausible",
                "desa_at_target", "kecamatan", "kecamatan_with_desa_at_target", "segments",
                "facilities", "periods", "previous", "change", "sources", "status", "access"]
ACCESS_KEYS = ["access_km", "desa_measured", "desa_beyond", "population_beyond", "population_beyond_share",
               "nearest_fktp_km", "fktp", "fktp_per_10k", "registered_per_fktp"]
FIGURES_KEYS = ["period", "population", "registered", "active", "coverage", "active_coverage", "activity_rate",
                "gap", "to_reactivate", "desa_with_figures", "desa_total", "complete", "active_complete",
                "desa_with_active", "implausible"]
CHANGE_KEYS = ["since", "level", "compared", "left_out", "breaks", "registered", "coverage_points",
               "active_coverage_points", "segments"]
UNIT_KEYS = ["rank", "code", "name", "kecamatan_name", "population", "registered", "active", "coverage",
             "active_coverage", "activity_rate", "gap", "to_reactivate", "change", "active_change",
             "nearest_fktp_km", "nearest_puskesmas_km", "nearest_hospital_km", "population_beyond", "fktp_per_10k",
             "registered_per_fktp", "tier", "tier_name", "fktp", "desa_with_figures", "desa_total", "complete",
             "desa_with_active", "active_complete", "implausible", "change_compared", "active_change_compared",
             "data_breaks"]


def test_summary_json_keeps_its_documented_shape(runner):
    data = json.loads(runner("summary", "99.01", "--json").out)
    assert list(data) == SUMMARY_KEYS
    assert list(data["previous"]) == FIGURES_KEYS
    assert list(data["access"]) == ACCESS_KEYS
    assert list(data["change"]) == CHANGE_KEYS and data["change"]["since"] == "2024-06"
    assert list(data["segments"]) == ["pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp"]
    assert list(data["facilities"]) == ["fktp", "fkrtl", "lab", "optik", "apotek", "non_jkn", "by_type",
                                        "approximate"]
    assert all(isinstance(data[k], int) for k in ("population", "registered", "active", "gap", "desa"))
    assert data["periods"] == ["2024-06", "2024-12"] and data["previous"]["period"] == "2024-06"


def test_the_api_answers_what_the_command_line_prints(runner, client):
    for argv, url in ((["summary", "99.01", "--json", "--period", "2024-06", "--target", "0.98"],
                       "/api/regions/99.01/summary?period=2024-06&target=0.98"),
                      (["rank", "99.01", "--format", "json", "--level", "desa", "--metric", "gap", "--below", "0.9"],
                       "/api/regions/99.01/ranking.json?level=desa&metric=gap&below=0.9")):
        assert json.loads(runner(*argv).out) == client.get(url).get_json()


def test_ranking_json_names_what_it_ranks(runner):
    data = json.loads(runner("rank", "99.01", "--format", "json", "--level", "desa", "--limit", "2").out)
    assert list(data) == ["region", "period", "level", "metric", "target", "since", "units"]
    assert data["since"] is None  # a rate is not measured from an earlier month
    assert data["region"] == {"code": "99.01", "name": "Kabupaten Sukamaju", "level": "kabupaten"}
    assert (data["level"], data["metric"], len(data["units"])) == ("desa", "coverage", 2)
    assert list(data["units"][0]) == UNIT_KEYS
