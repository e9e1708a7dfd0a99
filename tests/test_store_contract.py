"""What every store backend must do (store/base.py), run against each backend: GeoPackage and PostGIS.

A new backend joins by adding its name to BACKENDS and a branch to `make`; nothing else here changes.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geojkn.analysis.facilities import place_facilities
from geojkn.codes import level_of, parent_of
from geojkn.errors import DataError
from geojkn.schema import LEVELS, UNIT_CODE, Level
from geojkn.store import GpkgStore, Store
from geojkn.store.postgis import PostgisStore

from conftest import tiny_units

BACKENDS = ["gpkg", "postgis"]


@pytest.fixture(params=BACKENDS)
def make(request, tmp_path) -> Callable[..., Store]:
    """A factory of new, empty stores of one backend (all made by one test share one location)."""
    location = request.getfixturevalue("pg_store") if request.param == "postgis" else None

    def new(readonly: bool = False) -> Store:
        if request.param == "gpkg":
            return GpkgStore(tmp_path / "contract.gpkg", readonly=readonly)
        store = PostgisStore(location)
        store.readonly = readonly
        return store
    return new


def units() -> gpd.GeoDataFrame:
    frame = tiny_units().rename(columns={"kode": "code", "nama": "name"})
    frame["level"] = frame["code"].map(level_of)
    frame["parent_code"] = frame["code"].map(parent_of)
    return frame[["code", "name", "level", "parent_code", "geometry"]]


def figures(period: str, population: float, codes=("99.01.01.2001", "99.01.02.2002")) -> pd.DataFrame:
    rows = [{"period": period, "code": c, "level": "desa", "population": population, "registered": population * 0.9,
             "active": population * 0.7} for c in codes]
    return pd.DataFrame(rows)


def points(*rows: tuple[str, str, float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [r[0] for r in rows], "type": [r[1] for r in rows],
                             "type_source": [r[1] for r in rows], "facility_code": [None] * len(rows)},
                            geometry=[shapely.Point(r[2], r[3]) for r in rows], crs="EPSG:4326")


def test_a_new_store_does_not_exist_and_reads_as_empty(make):
    store = make()
    assert not store.exists()
    assert store.unit_index().empty and store.figures().empty and store.facilities().empty
    assert store.imports().empty and store.periods() == []
    assert store.units(Level.DESA).empty and store.units(Level.DESA).crs.to_epsg() == 4326


def test_units_round_trip_by_level_and_region(make):
    store = make()
    store.put_units(units(), "wilayah.geojson")
    assert store.exists()
    desa = store.units(Level.DESA)
    assert sorted(desa.code) == ["99.01.01.2001", "99.01.01.2002", "99.01.02.2001", "99.01.02.2002"]
    assert set(desa.level) == {"desa"} and desa.crs.to_epsg() == 4326
    assert sorted(store.units(Level.DESA, within="99.01.02").code) == ["99.01.02.2001", "99.01.02.2002"]
    assert list(store.units(Level.KECAMATAN, within="99.01.01").code) == ["99.01.01"]
    index = store.unit_index()
    assert len(index) == 7 and set(index.columns) >= {"code", "name", "level", "parent_code"}
    assert index.set_index("code").loc["99.01.02.2001", "parent_code"] == "99.01.02"
    assert sorted(store.unit_index(within="99.01.02").code) == ["99.01.02", "99.01.02.2001", "99.01.02.2002"]
    assert store.unit_index(within="98").empty


def test_importing_units_again_replaces_them_by_code_and_keeps_the_rest(make):
    store = make()
    first = units()
    store.put_units(first, "a")
    store.put_units(first[first.code == "99.01.01.2001"].assign(name="Sidomulyo Baru"), "b")
    desa = store.units(Level.DESA).set_index("code")
    assert desa.loc["99.01.01.2001", "name"] == "Sidomulyo Baru" and len(desa) == 4
    assert store.unit_index().set_index("code").loc["99.01.01.2001", "name"] == "Sidomulyo Baru"
    assert store.imports()["file"].tolist() == ["a", "b"]


def test_every_write_changes_the_version(make):
    store = make()
    seen = {store.version()}
    store.put_units(units(), "a")
    seen.add(store.version())
    store.put_figures(figures("2024-01", 100.0), "jan.csv")
    seen.add(store.version())
    store.put_facilities(points(("PKM", "puskesmas", 127.05, -5.95)), "faskes.csv")
    seen.add(store.version())
    assert len(seen) == 4
    assert store.version() == store.version()  # reading changes nothing


def test_figures_replace_the_same_period_and_code_only(make):
    store = make()
    store.put_figures(figures("2024-01", 100.0), "jan.csv")
    store.put_figures(figures("2024-01", 200.0, codes=("99.01.01.2001",)), "jan2.csv")
    store.put_figures(figures("2024-02", 300.0), "feb.csv")
    jan = store.figures("2024-01").set_index("code")
    assert jan.loc["99.01.01.2001", "population"] == 200.0 and jan.loc["99.01.02.2002", "population"] == 100.0
    assert store.periods() == ["2024-01", "2024-02"]
    assert store.figures(within="99.01.02")["code"].unique().tolist() == ["99.01.02.2002"]
    assert len(store.figures("2024-02", within="99.01.01")) == 1


def test_facilities_are_added_once_replaced_and_kept_with_their_unit(make):
    store = make()
    store.put_units(units(), "a")
    new = points(("PKM", "puskesmas", 127.05, -5.95), ("RS", "rumah_sakit", 127.15, -5.85),
                 ("Far", "optik", 120.0, -3.0))
    assert store.put_facilities(new, "f.csv", relocate=place_facilities) == 3
    assert store.put_facilities(new.iloc[:1], "again.csv", relocate=place_facilities) == 0  # same name, type, place
    placed = store.facilities().set_index("name")
    assert placed.loc["PKM", UNIT_CODE] == "99.01.01.2001" and placed.loc["RS", UNIT_CODE] == "99.01.02.2002"
    assert pd.isna(placed.loc["Far", UNIT_CODE])  # outside every unit: kept, placed nowhere
    assert store.facilities(within="99.01.02")["name"].tolist() == ["RS"]
    assert store.put_facilities(new.iloc[1:2], "rs.csv", replace=True, relocate=place_facilities) == 1
    assert store.facilities()["name"].tolist() == ["RS"]


def test_new_boundaries_place_the_stored_facilities_again(make):
    store = make()
    store.put_units(units(), "a")
    store.put_facilities(points(("Edge", "klinik", 127.105, -5.95)), "f.csv", relocate=place_facilities)
    assert store.facilities()[UNIT_CODE].tolist() == ["99.01.01.2002"]
    wider = units()
    wider = wider[wider.code == "99.01.01.2001"].assign(geometry=[shapely.box(127.0, -6.0, 127.2, -5.9)])
    store.put_units(wider, "b", relocate=place_facilities)  # 2001 now covers the point more deeply
    assert store.facilities()[UNIT_CODE].tolist() == ["99.01.01.2001"]


def test_a_failed_write_changes_nothing(make):
    store = make()
    store.put_units(units(), "a")
    store.put_facilities(points(("PKM", "puskesmas", 127.05, -5.95)), "f.csv", relocate=place_facilities)
    before = (store.version(), store.unit_index(), store.imports())

    def broken(facilities, units):
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        store.put_units(units().assign(name="changed"), "b", relocate=broken)
    assert store.version() == before[0]
    pd.testing.assert_frame_equal(store.unit_index(), before[1])
    pd.testing.assert_frame_equal(store.imports(), before[2])
    assert "changed" not in set(store.units(Level.DESA).name)


def test_a_read_only_store_refuses_every_write_before_any_work(make):
    store = make(readonly=True)
    for write in (lambda: store.put_units(units(), "a"), lambda: store.put_figures(figures("2024-01", 1.0), "x"),
                  lambda: store.put_facilities(points(("P", "puskesmas", 127.05, -5.95)), "f")):
        with pytest.raises(DataError, match="read-only"):
            write()
    assert not store.exists()


@pytest.mark.parametrize("region", ["33'; DROP TABLE desa; --", "33.2", "x", "33.20.01.2001.1"])
def test_a_region_that_is_not_a_code_is_refused_not_put_in_a_query(make, region):
    store = make()
    store.put_units(units(), "a")
    store.put_figures(figures("2024-01", 1.0), "x")
    with pytest.raises(DataError):
        store.units(Level.DESA, within=region)
    with pytest.raises(DataError):
        store.figures(within=region)
    assert len(store.units(Level.DESA)) == 4


def test_levels_are_the_four_of_the_schema():
    assert [str(level) for level in LEVELS] == ["provinsi", "kabupaten", "kecamatan", "desa"]


def test_a_months_file_replaces_that_month_inside_its_regions_only(make):
    store = make()
    store.put_figures(figures("2024-01", 100.0, codes=("99.01.01.2001", "99.01.02.2002", "99.02.01.2001")), "jan")
    store.put_figures(figures("2024-02", 100.0), "feb")
    store.put_figures(figures("2024-01", 500.0, codes=("99.01.01.2001",)), "jan corrected",
                      replace={"2024-01": ["99.01"]})
    jan = store.figures("2024-01").set_index("code")["population"].to_dict()
    # 99.01.02.2002 was left out of the corrected file: it has no January figures any more;
    # kabupaten 99.02 and February are untouched
    assert jan == {"99.01.01.2001": 500.0, "99.02.01.2001": 100.0}
    assert len(store.figures("2024-02")) == 2


def test_a_file_that_carries_one_count_leaves_the_others(make):
    store = make()
    population = figures("2024-01", 1000.0, codes=("99.01.01",)).assign(registered=float("nan"),
                                                                         active=float("nan"), level="kecamatan")
    store.put_figures(population, "penduduk.csv", replace={"2024-01": ["99.01"]})
    registered = figures("2024-01", 0.0, codes=("99.01.01.2001", "99.01.01.2002")).assign(population=float("nan"))
    store.put_figures(registered, "peserta.csv", replace={"2024-01": ["99.01"]})
    rows = store.figures("2024-01").set_index("code")
    assert rows.loc["99.01.01", "population"] == 1000.0  # kept: the second file carries no population
    assert rows["registered"].notna().sum() == 2


def test_merge_keeps_what_the_file_leaves_out(make):
    store = make()
    store.put_figures(figures("2024-01", 100.0), "jan")
    store.put_figures(figures("2024-01", 300.0, codes=("99.01.01.2001",)), "jan more")  # no replace: --merge
    assert store.figures("2024-01").set_index("code")["population"].to_dict() == {"99.01.01.2001": 300.0,
                                                                                   "99.01.02.2002": 100.0}


def test_a_period_can_be_removed_in_one_region_or_everywhere(make):
    store = make()
    store.put_figures(figures("2024-01", 100.0, codes=("99.01.01.2001", "99.02.01.2001")), "jan")
    store.put_figures(figures("2024-02", 100.0), "feb")
    assert store.remove_figures("2024-01", within="99.02", source="geojkn remove-figures") == 1
    assert store.figures("2024-01")["code"].tolist() == ["99.01.01.2001"]
    assert store.remove_figures("2024-01") == 1 and store.periods() == ["2024-02"]
    assert store.imports()["kind"].tolist()[-2:] == ["removal", "removal"]


def test_what_is_derived_at_import_is_stored_with_the_write_that_it_comes_from(make):
    from geojkn.analysis.access import store_distances
    from geojkn.analysis.rollup import rollup, stored_rollup
    from geojkn.store.base import ShapeRow

    store = make()
    assert store.rolled_up() is None and store.distances() is None and store.shapes(Level.DESA) == []
    assert store.shapes_stamp() == ""

    def reshape(before, after, done):
        assert done == []  # nothing prepared yet
        desa = after[Level.DESA]
        arrays = {"xy": np.zeros((1, 2), dtype=np.int64), "anchors": np.array([[127.0, -5.9]] * len(desa))}
        return [ShapeRow("99", "desa", 8, tuple(desa.code), arrays)], ["99"]

    store.put_units(units(), "a", measure=store_distances, rollup=stored_rollup, reshape=reshape)
    (row,) = store.shapes(Level.DESA)
    assert row.zoom == 8 and len(row.codes) == 4 and row.arrays["anchors"][0].tolist() == [127.0, -5.9]
    assert store.shape_zooms(Level.DESA, "99") == [8] and store.shapes(Level.DESA, ["98"]) == []
    stamp = store.shapes_stamp()
    assert stamp and store.distances("99").index.tolist() == sorted(units().query("level == 'desa'").code)
    store.put_figures(figures("2024-01", 100.0), "jan.csv", rollup=stored_rollup)
    assert store.shapes_stamp() == stamp  # figures leave the map shapes alone
    stored = store.rolled_up("99.01.01")
    inside = [c for c in store.unit_index().code if c.startswith("99.01.01")]
    expected = rollup(store.figures(within="99.01.01"), inside)
    expected = expected[expected.code.str.startswith("99.01.01")]  # a region's own units, not sums above it
    assert sorted(stored.code.unique()) == sorted(expected.code.unique())
    row = stored.set_index(["period", "code"]).loc[("2024-01", "99.01.01")]
    assert row["population"] == 100.0 and row["desa_total"] == 2 and not row["complete"]
    assert store.sources("99.01")["period"].tolist() == ["2024-01"]
    store.put_facilities(points(("PKM", "puskesmas", 127.05, -5.95)), "faskes.csv", measure=store_distances)
    assert store.distances("99")["nearest_puskesmas_km"].notna().all()  # measured again with the facility
    assert store.rolled_up() is not None  # facilities leave the figures rolled up
    store.put_figures(figures("2024-02", 200.0), "feb.csv")  # a write that does not roll up...
    assert store.rolled_up() is None  # ...drops what would be stale


def test_each_write_is_logged_with_the_account_that_made_it_and_a_new_store_object_sees_it(make):
    store = make()
    store.put_units(units(), "wilayah.geojson", actor="admin")
    store.put_figures(figures("2024-01", 100.0), "jan.csv", actor="budi")
    other = make()  # another process, or a server on another host
    assert other.version() == store.version()
    changes = other.changes()
    assert [(c.number, c.kind, c.file, c.user) for c in changes] == [(1, "boundaries", "wilayah.geojson", "admin"),
                                                                      (2, "figures", "jan.csv", "budi")]
    assert changes[1].period == "2024-01" and changes[1].rows == 2


def test_a_month_is_restored_as_it_was_before_a_change_inside_one_region_only(make):
    from geojkn.errors import NotFound

    store = make()
    store.put_units(units(), "a")
    store.put_figures(figures("2024-01", 100.0, codes=("99.01.01.2001", "99.01.02.2002")), "jan.csv")
    store.put_figures(figures("2024-01", 500.0, codes=("99.01.01.2001", "99.01.02.2002")), "wrong.csv",
                      replace={"2024-01": ["99.01"]})
    store.put_figures(figures("2024-02", 700.0), "feb.csv")
    assert all(c.restorable for c in store.changes()[1:])  # (before the first there was no store)
    assert store.restore_figures(3, "2024-01", "99.01.02", "restore of change 3", actor="admin") == 1
    jan = store.figures("2024-01").set_index("code")["population"].to_dict()
    assert jan == {"99.01.01.2001": 500.0, "99.01.02.2002": 100.0}  # only 99.01.02 went back
    assert len(store.figures("2024-02")) == 2  # another month is left alone
    last = store.changes()[-1]
    assert (last.kind, last.user, last.period, last.detail) == ("restore", "admin", "2024-01", "99.01.02")
    # before the first figures there were none: restoring that state removes the month in the region
    assert store.restore_figures(2, "2024-01", "99.01.01", "restore of change 2") == 0
    assert store.figures("2024-01")["code"].tolist() == ["99.01.02.2002"]
    with pytest.raises(NotFound):
        store.restore_figures(99, "2024-01", "99.01", "x")


def test_a_staged_import_changes_nothing_until_committed_onto_the_same_version(make, tmp_path):
    from geojkn.store.base import Draft

    store = make()
    store.put_units(units(), "a")
    store.put_figures(figures("2024-01", 100.0), "jan.csv")
    before = store.version()
    upload = tmp_path / "feb.csv"
    upload.write_text("the file as uploaded")

    def redo(target: Store, path) -> None:
        assert path.name == "feb.csv" and path.read_text() == "the file as uploaded"
        target.put_figures(figures("2024-02", 300.0), str(path), actor="budi")

    with store.stage("00112233445566aa") as staging:
        assert staging.version == before
        staging.store.put_figures(figures("2024-02", 300.0), str(upload), actor="budi")
        assert staging.store.periods() == ["2024-01", "2024-02"] and staging.store.version() != before
        assert store.periods() == ["2024-01"] and store.version() == before  # the store itself is untouched
        store.keep_draft(Draft("00112233445566aa", "budi", 1000.0, staging.version, {"file": "feb.csv"}), upload)
    assert store.version() == before and store.periods() == ["2024-01"]
    (draft,) = store.drafts()
    assert (draft.id, draft.user, draft.version, dict(draft.described)) == (
        "00112233445566aa", "budi", before, {"file": "feb.csv"})
    store.commit_draft("00112233445566aa", "admin", redo)
    assert store.periods() == ["2024-01", "2024-02"] and store.version() != before
    assert store.changes()[-1].kind == "figures"
    store.drop_draft("00112233445566aa")
    assert store.drafts() == []


def test_a_draft_made_before_another_write_is_refused_and_changes_nothing(make, tmp_path):
    from geojkn.errors import Conflict
    from geojkn.store.base import Draft

    store = make()
    store.put_units(units(), "a")
    upload = tmp_path / "feb.csv"
    upload.write_text("x")
    with store.stage("aabbccddeeff0011") as staging:
        staging.store.put_figures(figures("2024-02", 300.0), str(upload))
        store.keep_draft(Draft("aabbccddeeff0011", "budi", 1.0, staging.version, {}), upload)
    store.put_figures(figures("2024-01", 100.0), "jan.csv")  # someone else commits meanwhile
    after = store.version()
    with pytest.raises(Conflict):
        store.commit_draft("aabbccddeeff0011", "budi", lambda target, path: target.put_figures(
            figures("2024-02", 300.0), str(path)))
    assert store.version() == after and store.periods() == ["2024-01"]


def test_an_error_while_staging_keeps_no_draft(make, tmp_path):
    store = make()
    store.put_units(units(), "a")
    with pytest.raises(DataError), store.stage("0123456789abcdef") as staging:
        staging.store.put_figures(figures("2024-02", 1.0), "x")
        raise DataError("the file has a problem")
    assert store.drafts() == [] and store.periods() == []


def test_writers_at_the_same_moment_each_land_whole(make):
    """Two writers at once (threads here, processes or hosts in an office): neither is lost, the log has both."""
    import threading

    store = make()
    store.put_units(units(), "a")
    errors: list[BaseException] = []

    def write(period: str) -> None:
        try:
            make().put_figures(figures(period, 100.0), f"{period}.csv", actor=period)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"2024-0{m}",)) for m in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.periods() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert sorted(c.user for c in store.changes() if c.kind == "figures") == [f"2024-0{m}" for m in range(1, 5)]


def test_accounts_and_failed_logins_are_kept_with_the_store(make):
    from geojkn.accounts import ACCOUNT_LIMIT
    from geojkn.errors import NotFound
    from geojkn.options import Role

    store = make()
    store.put_units(units(), "a")
    accounts = store.accounts()
    assert accounts is not None and accounts.users() == []
    accounts.add("budi", Role.EDITOR, ("99.01.02",), "kata-sandi-yang-panjang")
    again = make().accounts()  # every process of the server sees the same accounts
    assert again.check("budi", "kata-sandi-yang-panjang").regions == ("99.01.02",)
    assert again.check("budi", "salah-kata-sandi-000") is None
    token = again.token("budi")
    again.end_sessions("budi")
    assert again.token("budi") not in ("", token)
    for i in range(ACCOUNT_LIMIT):
        accounts.login_failed("10.0.0.9", "budi", 1000.0 + i)
    assert again.login_wait("10.0.0.1", "budi", 1000.0 + ACCOUNT_LIMIT) > 0
    again.login_succeeded("budi")
    assert accounts.login_wait("10.0.0.1", "budi", 1000.0 + ACCOUNT_LIMIT) == 0
    accounts.remove("budi")
    with pytest.raises(NotFound):
        accounts.remove("budi")
    assert again.users() == []
