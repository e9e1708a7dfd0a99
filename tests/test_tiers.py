"""Award tiers: a ladder of registered and active shares from configuration, reached per unit and mapped."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from geojkn.analysis.metrics import tier_steps
from geojkn.errors import DataError
from geojkn.options import PRESET_TIERS, SETTINGS, Settings, Tier

LADDER = "Emas:1.0:0.8; Perak:0.95:0.7; Perunggu:0.8:0"
TIERS = next(s for s in SETTINGS if s.name == "TIERS")


def test_a_unit_reaches_the_highest_tier_whose_two_shares_it_meets():
    tiers = TIERS.read(LADDER)
    coverage = pd.Series([1.02, 1.02, 0.95, 0.9499, 0.85, 0.5, 0.97])
    active = pd.Series([0.8, 0.79, 0.7, 0.9, math.nan, 0.4, 0.75])
    complete = pd.Series([True, True, True, True, True, True, False])
    steps = tier_steps(coverage, active, complete, tiers)
    # Emas; Perak (active short of Emas); Perak exactly at its shares; Perunggu (registered short of Perak);
    # Perunggu (asks nothing active); below every tier; partial figures: no tier
    assert steps.tolist()[:6] == [3, 2, 2, 1, 1, 0] and math.isnan(steps.iloc[6])


def test_tiers_are_read_from_a_preset_or_written_out_and_checked():
    assert TIERS.read("UHC") == PRESET_TIERS["uhc"] and Settings().tiers == PRESET_TIERS["uhc"]
    assert TIERS.read(LADDER) == (Tier("Emas", 1.0, 0.8), Tier("Perak", 0.95, 0.7), Tier("Perunggu", 0.8, 0.0))
    assert TIERS.read([("A", 0.98, 0.8), ("B", 0.95, 0)]) == (Tier("A", 0.98, 0.8), Tier("B", 0.95, 0.0))
    for bad in ("Perak:0.95:0.7; Emas:1.0:0.8",  # not from the highest down
                "A:0.95:0.7; B:0.95:0.7",  # the same shares twice
                "A:1.5:0.8", ":0.95:0.8", "A:0.95", "gold",
                "; ".join(f"T{i}:0.9{i}:0" for i in range(7))):  # more than a map's classes
        with pytest.raises(DataError, match="GEOJKN_TIERS"):
            TIERS.read(bad)


def test_the_tier_map_and_ranking_name_the_configured_tiers(tiny_store, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOJKN_TIERS", LADDER)
    ranked = json.loads(runner("--store", tiny_store, "rank", "99.01", "--level", "desa", "--metric", "tier",
                               "--format", "json").out)["units"]
    # Jan: 95 % / 70 %, 75 % / 50 %, 80 % / 60 %, 104 % / 80 %; below every tier first; 104 % registered is
    # tidak wajar: no tier, not even Emas, so it is left out of a ranking by tier
    assert [(u["code"], u["tier"], u["tier_name"]) for u in ranked] == [
        ("99.01.01.2002", 0, None), ("99.01.02.2001", 1, "Perunggu"), ("99.01.01.2001", 2, "Perak")]
    text = runner("--store", tiny_store, "rank", "99.01", "--level", "desa", "--metric", "tier").out
    assert "Di bawah semua tingkat" in text and "Perak" in text and "99.01.02.2002" not in text
    out = tmp_path / "tingkat.html"
    assert runner("--store", tiny_store, "export", "99.01", "-o", out, "--metric", "tier").status == 0
    page = out.read_text(encoding="utf-8")
    for name in ("Emas", "Perak", "Perunggu", "Di bawah semua tingkat"):
        assert name in page
    monkeypatch.setenv("GEOJKN_TIERS", "Emas:0.9:0.8; Perak:0.95:0.7")
    refused = runner("--store", tiny_store, "rank", "99.01", "--metric", "tier")
    assert refused.status == 2 and "from the highest down" in refused.err
