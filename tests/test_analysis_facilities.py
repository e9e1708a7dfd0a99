import geopandas as gpd
import shapely

from geojkn.analysis.facilities import place_facilities, within_region
from geojkn.codes import ancestor_at, level_of
from geojkn.records import FacilityCounts

from conftest import tiny_units


def levels():
    frame = tiny_units().rename(columns={"kode": "code", "nama": "name"})
    frame["level"] = frame.code.map(level_of)
    return {lv: frame[frame.level == lv] for lv in ("desa", "kecamatan", "kabupaten")}


def points(*rows):
    return gpd.GeoDataFrame([{"name": n, "type": t, "geometry": shapely.Point(x, y)} for n, t, x, y in rows],
                            geometry="geometry", crs="EPSG:4326")


def test_each_point_lands_in_its_desa_and_outside_points_are_kept():
    placed = place_facilities(points(("PKM", "puskesmas", 127.05, -5.95), ("RS", "rumah_sakit", 127.15, -5.85),
                                     ("Far", "optik", 120.0, -3.0)), levels())
    assert placed.unit_code.tolist()[:2] == ["99.01.01.2001", "99.01.02.2002"]
    assert [ancestor_at(c, "kecamatan") for c in placed.unit_code[:2]] == ["99.01.01", "99.01.02"]
    assert placed.unit_code.isna().tolist() == [False, False, True]
    assert len(placed) == 3


def test_overlapping_units_pick_the_one_the_point_lies_deepest_in():
    units = levels()
    wide = units["desa"].copy()
    # stretch desa 2001 so that it overlaps the edge of 2002
    wide.loc[wide.code == "99.01.01.2001", "geometry"] = shapely.box(127.0, -6.0, 127.12, -5.9)
    units["desa"] = wide
    placed = place_facilities(points(("Edge", "klinik", 127.105, -5.95), ("Mid", "klinik", 127.15, -5.95)), units)
    assert placed.unit_code.tolist() == ["99.01.01.2001", "99.01.01.2002"]
    assert placed.unit_code.notna().all()


def test_counts_inside_region_by_group():
    placed = place_facilities(points(("A", "puskesmas", 127.05, -5.95), ("B", "dokter", 127.05, -5.95),
                                     ("C", "rumah_sakit", 127.15, -5.85), ("D", "lab", 127.05, -5.95)), levels())
    counts = FacilityCounts.of(within_region(placed, "99.01.01")["type"])
    assert (counts.fktp, counts.fkrtl, counts.lab, counts.optik) == (2, 0, 1, 0)
    assert counts.by_type["dokter"] == 1
    assert FacilityCounts.of(within_region(placed, "99.01")["type"]).fkrtl == 1
    assert FacilityCounts.of(within_region(placed, "98")["type"]).fktp == 0
    assert counts.to_json() == {"fktp": 2, "fkrtl": 0, "lab": 1, "optik": 0, "apotek": 0, "non_jkn": 0,
                                "by_type": {"puskesmas": 1, "klinik": 0, "dokter": 1, "rumah_sakit": 0, "lab": 1,
                                            "optik": 0, "apotek": 0, "pustu": 0, "poskesdes": 0,
                                            "rumah_bersalin": 0, "bidan": 0}, "approximate": 0}


def test_pustu_and_other_non_contracted_facilities_are_never_fktp():
    counts = FacilityCounts.of(points(("Pustu", "pustu", 127.05, -5.95), ("Bidan", "bidan", 127.05, -5.95),
                                      ("PKM", "puskesmas", 127.05, -5.95))["type"])
    assert (counts.fktp, counts.fkrtl, counts.non_jkn) == (1, 0, 2)
