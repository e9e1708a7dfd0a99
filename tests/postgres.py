"""A throw-away PostgreSQL cluster with PostGIS for the tests and the benchmarks, and a new database per test.

The server is the one TEST_POSTGRES names (a connection string to a database whose user may create databases;
.ci/run starts one and sets it), else one started here in a temporary folder from the Debian packages
(postgresql-15, postgresql-15-postgis-3), as the postgres user when run as root. Without either the tests that
need it are skipped with the reason, unless TEST_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail.
"""

from __future__ import annotations

import atexit
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

TEMPLATE = "geojkn_template"  # a database with PostGIS added, copied for each test (faster than adding it)


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_cluster(durable: bool = False) -> str:
    """Start a cluster in a temporary folder, stopped and removed when this process ends; its connection string.
    Durable: with PostgreSQL's own settings for writing to disk (for benchmarks), else with fsync off (for tests).
    RuntimeError saying why when it cannot be started."""
    binaries = _binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql-15 postgresql-15-postgis-3)")
    folder = Path(tempfile.mkdtemp(prefix="geojkn-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: as the postgres user the package made
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    run = dict(check=True, capture_output=True, text=True, cwd=folder)
    try:
        subprocess.run([*as_user, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync"], **run)  # type: ignore[call-overload]
        subprocess.run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300"
                              + ("" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
                        "start"], **run)  # type: ignore[call-overload]
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"the throw-away PostgreSQL did not start: {exc.stderr or exc.stdout}") from exc

    def stop() -> None:
        subprocess.run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def server() -> str:
    """The connection string of the test server (started once per process), with the template database made."""
    given = os.environ.get("TEST_POSTGRES") or _started()
    _template(given)
    return given


_STARTED: list[str] = []


def _started() -> str:
    if not _STARTED:
        _STARTED.append(start_cluster())
    return _STARTED[0]


def _template(base: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,)).fetchone():
            return
        try:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        except psycopg.errors.DuplicateDatabase:
            return  # made by another process meanwhile
    with psycopg.connect(_with_database(base, TEMPLATE), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def _with_database(base: str, name: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(base, dbname=name)


def new_database(base: str) -> str:
    """A new, empty database (PostGIS added) on the test server: its connection string."""
    import psycopg

    name = f"geojkn_test_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return _with_database(base, name)


def drop_database(base: str, dsn: str) -> None:
    """Remove a test's database, closing what this process still holds open on it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    from geojkn.store.postgis import close_pools

    close_pools(dsn)
    name = conninfo_to_dict(dsn)["dbname"]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
