"""The pure views of a region's data (analysis/region.py) on hand-made data: no store, no I/O."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geojkn.analysis.region import (
    RegionData,
    check_level,
    choose_period,
    map_level,
    rank,
    rank_level,
    region_figures,
    summarise,
    trend,
    unit_table,
    view_levels,
)
from geojkn.analysis.rollup import rollup
from geojkn.errors import DataError
from geojkn.options import Question
from geojkn.period import Period
from geojkn.records import Region
from geojkn.schema import DESA, KABUPATEN, KECAMATAN, PROVINSI, Level

DESA_CODES = ("99.01.01.2001", "99.01.01.2002", "99.01.02.2001")


def units(level: Level, codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    boxes = [shapely.box(127 + i * 0.1, -6, 127.1 + i * 0.1, -5.9) for i in range(len(codes))]
    return gpd.GeoDataFrame({"code": codes, "name": [f"Unit {c}" for c in codes],
                             "parent_code": [c.rsplit(".", 1)[0] for c in codes], "level": str(level),
                             "kecamatan_name": None}, geometry=boxes, crs="EPSG:4326")


def figures() -> pd.DataFrame:
    rows = []
    for period, extra in (("2024-01", 0), ("2024-02", 50)):
        for code, pop, reg in zip(DESA_CODES, (1000, 2000, 1000), (900, 1500, 980), strict=True):
            rows.append({"period": period, "code": code, "level": "desa", "population": pop,
                         "registered": reg + extra, "active": reg * 0.8})
    frame = pd.DataFrame(rows)
    for segment in ("pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp"):
        frame[segment] = float("nan")
    return frame


@pytest.fixture
def data() -> RegionData:
    return RegionData(Region("99.01", "Kabupaten Contoh", KABUPATEN), (Region("99", "Provinsi 99", PROVINSI),),
                      {KABUPATEN: units(KABUPATEN, ("99.01",)), KECAMATAN: units(KECAMATAN, ("99.01.01", "99.01.02")),
                       DESA: units(DESA, DESA_CODES)}, rollup(figures()), units(DESA, ()).iloc[:0].assign(type=[]))


def test_levels_a_region_can_be_shown_at(data):
    assert view_levels(data) == (KECAMATAN, DESA)
    assert map_level(data, None) == DESA and rank_level(data, None) == KECAMATAN
    with pytest.raises(DataError, match="no provinsi units inside it"):
        check_level(data, PROVINSI)


def test_the_latest_period_unless_another_is_asked_for(data):
    assert data.periods == (Period(2024, 1), Period(2024, 2))
    assert choose_period(data, None) == Period(2024, 2)
    with pytest.raises(DataError, match="2024-01, 2024-02"):
        choose_period(data, Period(2023, 12))


def test_figures_are_summed_then_divided(data):
    jan = region_figures(data, Period(2024, 1), 0.95)
    assert (jan.population, jan.registered) == (4000, 3380) and jan.coverage == pytest.approx(0.845)
    assert jan.gap == 3800 - 3380


def test_trend_is_the_figures_of_every_period_in_order(data):
    assert trend(data, 0.95) == tuple(region_figures(data, p, 0.95) for p in data.periods)
    assert [f.registered for f in trend(data, 0.95)] == [3380, 3530]


def test_summary_counts_desa_at_target_and_compares_with_the_period_before(data):
    summary = summarise(data, Question(Period(2024, 2)))
    # 99.01.02.2001 has 1.030 registered of 1.000 residents in February: tidak wajar, never counted at the target
    assert (summary.desa, summary.desa_with_figures, summary.desa_at_target) == (3, 3, 1)
    assert summary.desa_implausible == 1 and summary.kecamatan == 2 and summary.kecamatan_with_desa_at_target == 1
    january = summarise(data, Question(Period(2024, 1)))
    assert (january.desa_at_target, january.desa_implausible) == (1, 0)  # its 98 % in January is plausible
    assert summary.previous is not None and summary.previous.period == Period(2024, 1)


def test_units_of_a_level_carry_their_figures_and_ranking_puts_the_lowest_first(data):
    table = unit_table(data, KECAMATAN, Question(Period(2024, 1))).set_index("code")
    assert table.loc["99.01.01", "registered"] == 2400 and table.loc["99.01.01", "desa_with_figures"] == 2
    ranked = rank(data, DESA, Question(Period(2024, 1), metric="coverage"))
    assert ranked.table["code"].tolist() == ["99.01.01.2002", "99.01.01.2001", "99.01.02.2001"]
