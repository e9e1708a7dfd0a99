"""What a store guarantees when things go wrong (killed writers, full disks), on each backend; the GeoPackage file's
own guarantees (marked gpkg_only); what every backend must do is in test_store_contract.py."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geojkn.errors import DataError
from geojkn.options import Settings
from geojkn.readers.boundaries import read_boundaries
from geojkn.store import GpkgStore, open_store

from conftest import fingerprint


def units(tiny_geojson):
    return read_boundaries(tiny_geojson)[0]


def one_figure(code, population, period="2024-01"):
    row = {"period": period, "code": code, "level": "desa", "population": population, "registered": population * 0.9,
           "active": population * 0.7}
    return pd.DataFrame([row])


def test_failed_write_leaves_store_unchanged(store_path, tiny_geojson, monkeypatch):
    store = open_store(str(store_path))
    store.put_units(units(tiny_geojson), "a")
    before = fingerprint(store_path)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(store), "_log", boom)  # the last step of every write
    with pytest.raises(RuntimeError):
        store.put_figures(one_figure("99.01.01.2001", 100.0), "jan.csv")
    assert fingerprint(store_path) == before
    assert store.figures().empty
    if isinstance(store_path, Path):
        assert [p.name for p in store_path.parent.iterdir() if p.suffix == ".gpkg"] == ["store.gpkg"]


def test_demo_store_is_read_only():
    store = open_store(None)
    assert store.readonly
    with pytest.raises(DataError, match="read-only"):
        store.put_figures(one_figure("99.01.01.2001", 1.0), "x")


def test_store_location_must_be_a_geopackage_or_a_postgresql_database(tmp_path):
    from geojkn.store.postgis import PostgisStore

    with pytest.raises(DataError, match=".gpkg"):
        open_store(tmp_path / "store.sqlite")
    with pytest.raises(DataError, match="GeoPackage"):
        open_store("mysql://localhost/jkn")
    for location in ("postgresql://dinkes:rahasia@db.local:5433/jkn", "postgres://db.local/jkn",
                     "service=jkn", "host=/var/run/postgresql dbname=jkn"):
        store = open_store(location)  # nothing is connected until the store is asked something
        assert isinstance(store, PostgisStore) and "rahasia" not in store.shown
    assert open_store("postgresql://dinkes:rahasia@db.local:5433/jkn").shown == "postgresql://dinkes@db.local:5433/jkn"
    with pytest.raises(DataError, match="connection string"):
        open_store("service=jkn nonsense=1")


def test_environment_variable_names_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOJKN_STORE", str(tmp_path / "env.gpkg"))
    settings = Settings.from_environ(os.environ)
    assert open_store(settings.store).location == str(tmp_path / "env.gpkg")
    assert open_store(None).readonly  # without a setting: the bundled demo


@pytest.mark.gpkg_only
def test_killed_import_leaves_previous_contents_readable(store_path, tiny_geojson):
    """A process killed in the middle of writing an import must not damage the store."""
    store = GpkgStore(store_path)
    store.put_units(units(tiny_geojson), "a")
    before = fingerprint(store_path)
    # the child writes one layer of the import, then dies as if the machine lost power
    code = (
        "import os, signal, pyogrio, geopandas as gpd\n"
        "from geojkn.store import GpkgStore\n"
        "real = pyogrio.write_dataframe\n"
        "def dying(*a, **k):\n"
        "    real(*a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "pyogrio.write_dataframe = dying\n"
        f"s = GpkgStore({str(store_path)!r})\n"
        "u = s.units('desa')\n"
        "u['name'] = 'changed'\n"
        "s.put_units(u, 'b')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code])
    assert proc.returncode == -signal.SIGKILL
    assert fingerprint(store_path) == before
    assert set(GpkgStore(store_path).units("desa").name) != {"changed"}


def test_store_in_a_folder_that_cannot_be_made_is_a_user_error(tmp_path, tiny_geojson):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    store = GpkgStore(blocker / "store.gpkg")
    with pytest.raises(DataError, match="Cannot write the store"):
        store.put_units(units(tiny_geojson), "a")


@pytest.mark.gpkg_only
def test_a_write_leaves_the_temporary_files_of_another_store_alone(store_path, tiny_geojson):
    """jepara.gpkg must not take .jepara-2022.gpkg's temporary copy for its own stale one."""
    other = store_path.parent / f".{store_path.stem}-2022.gpkg.tmp-abc.gpkg"
    other.write_bytes(b"an import into store-2022.gpkg in progress")
    GpkgStore(store_path).put_units(units(tiny_geojson), "a")
    assert other.exists()


def test_a_store_file_that_is_missing_is_not_an_empty_store(tmp_path, runner):
    missing = tmp_path / "nowhere.gpkg"
    result = runner("--store", missing, "summary", "33.20")
    assert result.status == 2 and "does not exist" in result.err and "import-boundaries" in result.err
    assert not missing.exists()


def test_imports_killed_at_random_moments_leave_a_whole_store(tiny_store, tmp_path):
    """SIGKILL an import again and again at random moments: every time the store holds either the month as it
    was or as the file has it, never a mixture, and SQLite finds the file sound."""
    import random
    import sqlite3
    import time

    from conftest import TINY_DESA, write_figures

    def registered() -> tuple[float, ...]:
        rows = open_store(str(tiny_store)).figures(period="2024-01").sort_values("code")
        return tuple(rows["registered"])

    old = registered()
    new_file = write_figures(tmp_path / "new.csv", TINY_DESA, [1000, 2000, 1500, 500], [901, 1901, 1401, 401],
                             [700, 1000, 900, 400])
    new = (901.0, 1901.0, 1401.0, 401.0)
    chance = random.Random(20261123)
    seen = set()
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-m", "geojkn", "--store", str(tiny_store), "import-figures",
                                 str(new_file), "--period", "2024-01"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = registered()
        assert now in (old, new), now
        seen.add(now)
        if isinstance(tiny_store, Path):
            with sqlite3.connect(tiny_store) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if now == new:  # start again from the old month, so later kills can land mid-import again
            write_figures(tmp_path / "old.csv", TINY_DESA, [1000, 2000, 1500, 500], list(old), [700, 1000, 900, 400])
            assert subprocess.run([sys.executable, "-m", "geojkn", "--store", str(tiny_store), "import-figures",
                                   str(tmp_path / "old.csv"), "--period", "2024-01"],
                                  capture_output=True).returncode == 0
    assert old in seen  # at least one kill landed before the rename
    # a killed writer may leave its temporary copy; the next import clears it
    assert subprocess.run([sys.executable, "-m", "geojkn", "--store", str(tiny_store), "import-figures",
                           str(new_file), "--period", "2024-01"], capture_output=True).returncode == 0
    assert registered() == new
    assert not isinstance(tiny_store, Path) or not list(tiny_store.parent.glob(".store.gpkg.tmp-*"))


@pytest.mark.gpkg_only
def test_a_full_disk_or_an_unwritable_history_folder_is_a_message_and_changes_nothing(tiny_store, tmp_path, runner,
                                                                                     monkeypatch):
    import errno
    import shutil as shutil_module

    from conftest import TINY_DESA, write_figures

    before = fingerprint(tiny_store)
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    real_copy = shutil_module.copyfile

    def full(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(shutil_module, "copyfile", full)
    result = runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02")
    assert result.status == 2 and "is full" in result.err and str(tiny_store.parent) in result.err
    assert "unexpected" not in result.err and fingerprint(tiny_store) == before
    monkeypatch.setattr(shutil_module, "copyfile", real_copy)
    history = GpkgStore(tiny_store).history_folder
    history.mkdir(exist_ok=True)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **k: False if Path(path) == history else
                        real_access(path, mode, **k))  # (root may write anywhere: the check is what is tested)
    result = runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02")
    assert result.status == 2 and f"Cannot write in {history}" in result.err and fingerprint(tiny_store) == before
