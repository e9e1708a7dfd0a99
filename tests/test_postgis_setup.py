"""The README's page 'A PostgreSQL store', done as it says: a database owned by its own account with PostGIS added
by the server's owner, reached by a service name with the password in a password file; `init-store`; a GeoPackage
store moved in with `copy-store`; a backup with pg_dump restored into a new database answering the same; and the
schema's upgrade path (an older schema brought up to date at first use, a newer one refused)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geojkn.resources import demo_store
from geojkn.store import open_store
from geojkn.store import postgis as backend

from conftest import clear_settings


def _tool(name: str) -> str:
    """A PostgreSQL client program of the server's version (Debian keeps them in /usr/lib/postgresql/N/bin)."""
    import postgres as cluster

    folder = cluster._binaries()
    found = str(folder / name) if folder is not None and (folder / name).exists() else shutil.which(name)
    if not found:
        if os.environ.get("TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{name} is not installed (postgresql-client)")
        pytest.skip(f"{name} is not installed (postgresql-client)")
    return found


@pytest.fixture
def office(postgres, tmp_path, monkeypatch):
    """An account and its database, PostGIS added by the server's owner; a service file naming them and a
    password file holding the password (PGSERVICEFILE, PGPASSFILE stand for ~/.pg_service.conf and ~/.pgpass)."""
    clear_settings(monkeypatch)
    role, password = f"geojkn_{secrets.token_hex(4)}", secrets.token_hex(12)
    databases = [role, f"{role}_restored"]
    server = conninfo_to_dict(postgres)
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        for name in databases:
            conn.execute(f"CREATE DATABASE {name} OWNER {role}")
            with psycopg.connect(make_conninfo(postgres, dbname=name), autocommit=True) as db:
                db.execute("CREATE EXTENSION postgis")
    host, port = server.get("host", "127.0.0.1"), server.get("port", "5432")
    (tmp_path / "pg_service.conf").write_text(
        "".join(f"[{name}]\nhost={host}\nport={port}\ndbname={name}\nuser={role}\n\n" for name in databases))
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{host}:{port}:*:{role}:{password}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGSERVICEFILE", str(tmp_path / "pg_service.conf"))
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    yield role
    for name in databases:
        backend.close_pools(f"service={name}")
    with psycopg.connect(postgres, autocommit=True) as conn:
        for name in databases:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_an_office_database_set_up_moved_in_backed_up_and_restored(office, runner, tmp_path):
    store = f"service={office}"
    made = runner("--store", store, "init-store", "--lang", "en")
    assert made.status == 0 and f"(schema geojkn, version {backend.SCHEMA_VERSION})" in made.out, made
    assert runner("copy-store", demo_store(), store).status == 0
    summary = runner("--store", store, "summary", "99.01", "--json")
    assert summary.status == 0 and json.loads(summary.out)["population"] > 1_000_000

    dump = tmp_path / "geojkn.dump"
    env = {**os.environ, "PGSERVICE": office}
    subprocess.run([_tool("pg_dump"), "--format=custom", "--schema=geojkn", "--exclude-table-data=geojkn.kept",
                    f"--file={dump}"], check=True, env=env, capture_output=True)
    restored = subprocess.run([_tool("pg_restore"), "--no-owner", f"--dbname=service={office}_restored",
                               str(dump)], env=env, capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr  # no error: only what geojkn made was dumped
    again = runner("--store", f"service={office}_restored", "summary", "99.01", "--json")
    assert again.status == 0 and json.loads(again.out) == json.loads(summary.out)
    assert [c.number for c in open_store(f"service={office}_restored").changes()] == \
        [c.number for c in open_store(store).changes()]


def test_an_older_schema_is_upgraded_at_first_use_and_a_newer_one_refused(pg_store, runner, monkeypatch):
    assert runner("--store", pg_store, "init-store").status == 0
    assert runner("copy-store", demo_store(), pg_store).status == 0  # a store init-store made is empty: it takes a copy
    newer = backend.SCHEMA_VERSION + 1
    # a later geojkn whose schema adds a table: the store made by this one is brought up to it once, in place
    monkeypatch.setattr(backend, "SCHEMA_VERSION", newer)
    monkeypatch.setattr(backend, "UPGRADES", {newer: ("CREATE TABLE upgrade_probe (x INTEGER)",)})
    backend.close_pools(pg_store)
    assert runner("--store", pg_store, "regions").status == 0
    with psycopg.connect(pg_store) as conn:
        assert conn.execute("SELECT to_regclass('geojkn.upgrade_probe') IS NOT NULL").fetchone() == (True,)
        assert conn.execute("SELECT value FROM geojkn.meta WHERE key = 'schema'").fetchone() == (str(newer),)
    # and this geojkn, older than the store now, refuses it with the reason instead of misreading it
    monkeypatch.undo()
    clear_settings(monkeypatch)
    backend.close_pools(pg_store)
    refused = runner("--store", pg_store, "regions", "--lang", "en")
    assert refused.status == 2 and "made by a newer geojkn" in refused.err and "upgrade geojkn" in refused.err
