"""A store in PostgreSQL with PostGIS, for an office (or a province) of many server processes on many machines: the
contract of base.py, every write one transaction that the database serializes, the history kept in the database.

Tables, in the schema `geojkn` of the database the connection string names (made at first use, or by
`geojkn init-store`; upgraded there when a newer geojkn needs more, see SCHEMA and UPGRADES):
- meta: the schema's version, the store's identity and the number of its writes. The store's version is read
  from here at each question, so every process of every host sees another's import at its next request;
- units: every unit of every level (code, name, parent, level, derived, geometry in EPSG:4326);
- figures: every row ever stored, with the change that wrote it (`since`) and the change that replaced or removed
  it (`until`, NULL while it is current): the figures as they were before any change can be restored;
- facilities, imports (the log), shapes, rollup, distances: what the GeoPackage store keeps, the same way;
- drafts: uploads staged for a preview, with the file (a commit imports it again onto the same version);
- kept: what the servers make and keep for one another (downloads, answers: store/kept.py), so that a file asked
  for on one host can be fetched from another;
- users, login_failures: the server's accounts (accounts.py).

Geometry goes in by COPY as hex EWKB and comes out as WKB, read with shapely. Connections come from a pool per
process (psycopg_pool); a write takes a transaction-level advisory lock first, so writers wait for each other in
the database and a reader never waits.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from ..accounts import TABLES as ACCOUNT_TABLES
from ..accounts import Accounts
from ..errors import Conflict, DataError, NotFound, Unavailable
from ..schema import (
    APPROXIMATE,
    CODE,
    COUNTS,
    CRS,
    DERIVED,
    GEOMETRY,
    LEVEL,
    LEVELS,
    NAME,
    PARENT,
    PERIOD,
    SOURCE,
    UNIT_CODE,
    Level,
)
from .base import (
    FACILITY_COLUMNS,
    FIGURE_COLUMNS,
    HISTORY_KEPT,
    IMPORT_COLUMNS,
    INDEX_COLUMNS,
    UNIT_COLUMNS,
    Change,
    Contents,
    Draft,
    Measure,
    Redo,
    Relocate,
    Reshape,
    Rollup,
    ShapeRow,
    Staging,
    Store,
    check_period,
    check_region,
    empty_units,
    figure_history,
    logged_changes,
    merge_facilities,
    merge_figures,
)
from .kept import Entry, Kept
from .packing import file_sha256, pack, pack_frame, unpack, unpack_frame

SCHEMA = "geojkn"
SCHEMA_VERSION = 1
POOL_SIZE = 8  # connections per process at most (the server's threads, the workers' builds)
CONNECT_TIMEOUT_S = 10
WRITE_LOCK = 0x67656F6A6B6E  # the advisory lock every write of a store takes first ("geojkn")
HISTORY = "history"  # the log's snapshot of a change whose figures before it are in the figures table
_TEXT_FACILITY_COLUMNS = [c for c in FACILITY_COLUMNS if c != APPROXIMATE]
_COUNT_COLUMNS = ", ".join(f"{c} DOUBLE PRECISION" for c in COUNTS)

# The tables of schema version 1, in order. A later version adds its statements to UPGRADES under its number:
# a store made by an older geojkn is brought up to date in one transaction when it is opened.
TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    'CREATE TABLE units (code TEXT COLLATE "C" PRIMARY KEY, name TEXT, parent_code TEXT COLLATE "C", '
    "level TEXT NOT NULL, derived BOOLEAN NOT NULL DEFAULT false, geom geometry(Geometry, 4326))",
    "CREATE INDEX units_level_code ON units (level, code)",
    "CREATE INDEX units_geom ON units USING gist (geom)",
    f'CREATE TABLE figures (period TEXT COLLATE "C" NOT NULL, code TEXT COLLATE "C" NOT NULL, level TEXT, '
    f"{_COUNT_COLUMNS}, source TEXT, since INTEGER NOT NULL, until INTEGER)",
    "CREATE UNIQUE INDEX figures_current ON figures (code, period) INCLUDE (source) WHERE until IS NULL",
    "CREATE INDEX figures_history ON figures (period, code, since)",
    'CREATE TABLE facilities (id BIGSERIAL PRIMARY KEY, name TEXT, type TEXT, type_source TEXT, '
    'facility_code TEXT, unit_code TEXT COLLATE "C", approximate BOOLEAN NOT NULL DEFAULT false, '
    "geom geometry(Geometry, 4326))",
    "CREATE INDEX facilities_unit ON facilities (unit_code)",
    'CREATE TABLE imports (number INTEGER PRIMARY KEY, imported_at TEXT, kind TEXT, file TEXT, "rows" INTEGER, '
    'period TEXT, detail TEXT, "user" TEXT, sha256 TEXT, snapshot TEXT)',
    'CREATE TABLE shapes (area TEXT COLLATE "C" NOT NULL, level TEXT NOT NULL, zoom INTEGER NOT NULL, '
    "codes TEXT NOT NULL, arrays BYTEA NOT NULL, stamp TEXT NOT NULL)",
    "CREATE INDEX shapes_area ON shapes (area, level, zoom)",
    "CREATE INDEX shapes_stamp ON shapes (stamp)",
    'CREATE TABLE rollup (area TEXT COLLATE "C" PRIMARY KEY, "rows" BYTEA NOT NULL)',
    'CREATE TABLE distances (area TEXT COLLATE "C" PRIMARY KEY, "rows" BYTEA NOT NULL)',
    'CREATE TABLE drafts (id TEXT PRIMARY KEY, "user" TEXT NOT NULL, made_at DOUBLE PRECISION NOT NULL, '
    "version TEXT NOT NULL, described TEXT NOT NULL, file_name TEXT NOT NULL, upload BYTEA NOT NULL)",
    "CREATE TABLE kept (place TEXT NOT NULL, name TEXT NOT NULL, data BYTEA NOT NULL, "
    "used_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (place, name))",
    *ACCOUNT_TABLES,
)
UPGRADES: dict[int, tuple[str, ...]] = {}  # schema version -> the statements that make it from the one before

_POOLS: dict[tuple[str, int], ConnectionPool] = {}
_READY: dict[tuple[str, int], str] = {}  # (connection string, process) -> the schema PostGIS lives in
_POOLS_LOCK = threading.Lock()


def close_pools(dsn: str | None = None) -> None:
    """Close this process's connections to a store (to every store when None): before its database is dropped,
    or when a process is done with it."""
    with _POOLS_LOCK:
        for key in [k for k in _POOLS if dsn is None or k[0] == dsn.strip()]:
            _POOLS.pop(key).close()
        for key in [k for k in _READY if dsn is None or k[0] == dsn.strip()]:
            del _READY[key]


def _parts(dsn: str) -> dict[str, Any]:
    try:
        return conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise DataError(f"The store is not a connection string PostgreSQL reads ({_first_line(exc)}). Write it as "
                        "postgresql://USER@HOST:PORT/DATABASE, or service=NAME for an entry of pg_service.conf.") \
            from exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _within(column: str, region: str) -> tuple[sql.Composable, list[str]]:
    """SQL keeping the codes inside a region (checked first), by the code index: a range, then the exact test."""
    check_region(region)
    name = sql.Identifier(column)
    return (sql.SQL("({c} >= %s AND {c} < %s AND ({c} = %s OR {c} LIKE %s))").format(c=name),
            [region, region + "/", region, region + ".%"])


def _ewkb(geometries: Any) -> list[str | None]:
    """Geometries as hex EWKB in EPSG:4326 (what COPY reads into a geometry column); polygons as multipolygons,
    as the GeoPackage store writes them."""
    out: list[str | None] = []
    array = np.asarray(geometries, dtype=object)
    promoted = [shapely.MultiPolygon([g]) if g is not None and g.geom_type == "Polygon" else g for g in array]
    texts = shapely.to_wkb(shapely.set_srid(np.asarray(promoted, dtype=object), 4326), hex=True, include_srid=True)
    for geometry, text in zip(promoted, texts, strict=True):
        out.append(None if geometry is None else str(text))
    return out


def _geometries(blobs: Sequence[bytes | None]) -> np.ndarray:
    return shapely.from_wkb(np.asarray([None if b is None else bytes(b) for b in blobs], dtype=object))


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def _number(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


class PgAccounts(Accounts):
    """The accounts in tables of the store's schema."""

    placeholder = "%s"

    def __init__(self, store: PostgisStore) -> None:
        self.store = store
        self.where = store.shown

    def exists(self) -> bool:
        return True

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        with self.store._connection() as conn, conn.transaction():
            yield conn


class TableKept(Kept):
    """Blobs in the table `kept` under one place; locks are PostgreSQL's advisory locks, held by a connection for
    the block (the database lets them go when the process holding them dies)."""

    def __init__(self, store: PostgisStore, place: str) -> None:
        self.store = store
        self.place = place

    def _lock_key(self, name: str) -> int:
        return int.from_bytes(hashlib.sha256(f"{self.place}/{name}".encode()).digest()[:8], "big", signed=True)

    def get(self, name: str, touch: bool = True) -> bytes | None:
        if touch:
            rows = self.store._rows("UPDATE kept SET used_at = %s WHERE place = %s AND name = %s RETURNING data",
                                    (time.time(), self.place, name), binary=True)
        else:
            rows = self.store._rows("SELECT data FROM kept WHERE place = %s AND name = %s", (self.place, name),
                                    binary=True)
        return bytes(rows[0][0]) if rows else None

    def put(self, name: str, data: bytes) -> None:
        with self.store._connection() as conn:
            conn.execute("INSERT INTO kept VALUES (%s, %s, %s, %s) ON CONFLICT (place, name) DO UPDATE SET "
                         "data = EXCLUDED.data, used_at = EXCLUDED.used_at", (self.place, name, data, time.time()))

    def delete(self, name: str) -> None:
        with self.store._connection() as conn:
            conn.execute("DELETE FROM kept WHERE place = %s AND name = %s", (self.place, name))

    def entries(self) -> list[Entry]:
        rows = self.store._rows("SELECT name, used_at, octet_length(data) FROM kept WHERE place = %s", (self.place,))
        return [Entry(str(name), float(used), int(size)) for name, used, size in rows]

    @contextmanager
    def holding(self, name: str) -> Iterator[bool]:
        key = self._lock_key(name)
        with self.store._connection() as conn:
            taken = bool(conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0])  # type: ignore[index]
            try:
                yield taken
            finally:
                if taken:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


class PostgisStore(Store):
    """Boundaries, figures, facilities, the log and the accounts in a PostgreSQL database with PostGIS."""

    def __init__(self, dsn: str, *, _conn: psycopg.Connection[Any] | None = None) -> None:
        self.location = dsn.strip()
        self.readonly = False
        self._parts = _parts(self.location)
        self._conn = _conn  # bound: every question goes through this connection, inside its transaction

    # --- naming -----------------------------------------------------------------------------------
    @property
    def shown(self) -> str:
        parts = self._parts
        if "service" in parts and "host" not in parts:
            return f"service={parts['service']}"
        user = f"{parts['user']}@" if parts.get("user") else ""
        port = f":{parts['port']}" if parts.get("port") else ""
        return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"

    @property
    def name(self) -> str:
        return str(self._parts.get("dbname") or self._parts.get("service") or "PostgreSQL")

    # --- connections ------------------------------------------------------------------------------
    def _key(self) -> tuple[str, int]:
        return self.location, os.getpid()  # a process started by fork makes its own pool

    def _ready(self) -> str:
        """Connect once per process, make or upgrade the schema when needed; where PostGIS lives."""
        key = self._key()
        found = _READY.get(key)
        if found is not None:
            return found
        try:
            with psycopg.connect(self.location, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                found = self._prepare(conn)
        except psycopg.OperationalError as exc:
            raise Unavailable(f"Cannot connect to the store {self.shown}: {_first_line(exc)}. Check that the "
                              "database server runs and the connection string (host, port, database, user, "
                              "password or ~/.pgpass) is right.") from exc
        _READY[key] = found
        return found

    def _prepare(self, conn: psycopg.Connection[Any]) -> str:
        """Make the schema on first use, or bring an older one up to date, in one transaction (the writers' lock
        held, so two processes starting at once make it once)."""
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            row = conn.execute("SELECT extnamespace::regnamespace::text FROM pg_extension "
                               "WHERE extname = 'postgis'").fetchone()
            if row is None:
                try:
                    with conn.transaction():
                        conn.execute("CREATE EXTENSION postgis")
                except psycopg.errors.InsufficientPrivilege as exc:
                    raise DataError(f"The database of the store {self.shown} has no PostGIS, and this account may "
                                    "not add it: ask the database's owner to run CREATE EXTENSION postgis; in it "
                                    "(see the README, 'A PostgreSQL store').") from exc
                row = conn.execute("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                   "WHERE extname = 'postgis'").fetchone()
            postgis = str(row[0]) if row else "public"
            conn.execute(sql.SQL("SET LOCAL search_path TO {}, {}").format(sql.Identifier(SCHEMA),
                                                                           sql.Identifier(postgis)))
            made = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.meta",)).fetchone()
            if made is None or made[0] is None:
                try:
                    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))
                except psycopg.errors.InsufficientPrivilege as exc:
                    raise DataError(f"This account may not make the schema {SCHEMA} in the store {self.shown}: "
                                    "ask the database's owner to run geojkn init-store, or to grant CREATE on the "
                                    "database.") from exc
                for statement in TABLES:
                    conn.execute(statement)
                with conn.cursor() as cursor:
                    cursor.executemany("INSERT INTO meta VALUES (%s, %s)",
                                       [("schema", str(SCHEMA_VERSION)), ("id", secrets.token_hex(6)),
                                        ("writes", "0"), ("measured", "0"), ("restorable_from", "1")])
                return postgis
            version = int(conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0])  # type: ignore[index]
            if version > SCHEMA_VERSION:
                raise DataError(f"The store {self.shown} was made by a newer geojkn (schema {version}; this one "
                                f"knows {SCHEMA_VERSION}): upgrade geojkn on this machine.")
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in UPGRADES.get(number, ()):
                    conn.execute(statement)
            if version < SCHEMA_VERSION:
                conn.execute("UPDATE meta SET value = %s WHERE key = 'schema'", (str(SCHEMA_VERSION),))
        return postgis

    def _pool(self) -> ConnectionPool:
        postgis = self._ready()
        key = self._key()
        with _POOLS_LOCK:
            pool = _POOLS.get(key)
            if pool is None:
                path = sql.SQL("SET search_path TO {}, {}").format(sql.Identifier(SCHEMA), sql.Identifier(postgis))

                def configure(conn: psycopg.Connection[Any]) -> None:
                    conn.execute(path)

                pool = ConnectionPool(self.location, min_size=1, max_size=POOL_SIZE, open=True, timeout=60,
                                      configure=configure, name="geojkn",
                                      kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S})
                _POOLS[key] = pool
        return pool

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        if self._conn is not None:
            yield self._conn
            return
        try:
            with self._pool().connection() as conn:
                yield conn
        except psycopg.errors.DiskFull as exc:
            raise DataError(f"The disk of the database of the store {self.shown} is full: nothing was changed. Ask "
                            "its administrator to free space, then import again.") from exc
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise Unavailable(f"The store {self.shown} cannot be reached now ({_first_line(exc)}): try again in "
                              "a moment.") from exc

    def _rows(self, query: str | sql.Composable, values: Sequence[Any] = (), binary: bool = False) -> list[Any]:
        with self._connection() as conn, conn.cursor(binary=binary) as cursor:
            cursor.execute(query, values)  # type: ignore[arg-type]
            return cursor.fetchall()

    def _meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._rows("SELECT key, value FROM meta")}

    def create(self) -> None:
        """Make the schema now (`geojkn init-store`), rather than at first use."""
        self._ready()

    # --- reading ----------------------------------------------------------------------------------
    def exists(self) -> bool:
        return int(self._meta().get("writes", "0")) > 0

    def version(self) -> str:
        meta = self._meta()
        return f"pg-{meta.get('id', '')}-{meta.get('writes', '0')}"

    def unit_index(self, within: str | None = None) -> pd.DataFrame:
        where, values = _within(CODE, within) if within else (sql.SQL("true"), [])
        rows = self._rows(sql.SQL("SELECT code, name, level, parent_code FROM units WHERE {} "
                                  "ORDER BY array_position(%s::text[], level), code").format(where),
                          [*values, [str(level) for level in LEVELS]])
        return pd.DataFrame(rows, columns=list(INDEX_COLUMNS), dtype=object)

    def units(self, level: Level, within: str | None = None) -> gpd.GeoDataFrame:
        where, values = _within(CODE, within) if within else (sql.SQL("true"), [])
        rows = self._rows(sql.SQL("SELECT code, name, parent_code, derived, ST_AsBinary(geom) FROM units "
                                  "WHERE level = %s AND {} ORDER BY code").format(where),
                          [str(level), *values], binary=True)
        if not rows:
            return empty_units(level)
        frame = pd.DataFrame([row[:4] for row in rows], columns=[*UNIT_COLUMNS, DERIVED], dtype=object)
        frame[DERIVED] = frame[DERIVED].astype(bool)
        units = gpd.GeoDataFrame(frame, geometry=_geometries([row[4] for row in rows]), crs=CRS)
        units[LEVEL] = str(level)
        return units

    def figures(self, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        return self._figures_when(sql.SQL("until IS NULL"), [], period, within)

    def _figures_when(self, when: sql.Composable, values: list[Any], period: str | None,
                      within: str | None) -> pd.DataFrame:
        """The figure rows current under `when` (with its values), of a period, inside a region."""
        conditions: list[sql.Composable] = [when]
        if period is not None:
            conditions.append(sql.SQL("period = %s"))
            values = [*values, check_period(period)]
        if within:
            where, more = _within(CODE, within)
            conditions.append(where)
            values = [*values, *more]
        return self._figure_rows(sql.SQL(" AND ").join(conditions), values)

    def _figure_rows(self, where: sql.Composable, values: Sequence[Any]) -> pd.DataFrame:
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in FIGURE_COLUMNS)
        rows = self._rows(sql.SQL("SELECT {} FROM figures WHERE {} ORDER BY period, code").format(columns, where),
                          values)
        frame = pd.DataFrame(rows, columns=list(FIGURE_COLUMNS), dtype=object)
        return frame.astype({c: "float64" for c in COUNTS})

    def periods(self) -> list[str]:
        return [str(row[0]) for row in self._rows("SELECT DISTINCT period FROM figures WHERE until IS NULL "
                                                  "ORDER BY period")]

    def facilities(self, within: str | None = None) -> gpd.GeoDataFrame:
        where, values = _within(UNIT_CODE, within) if within else (sql.SQL("true"), [])
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in FACILITY_COLUMNS)
        rows = self._rows(sql.SQL("SELECT {}, ST_AsBinary(geom) FROM facilities WHERE {} ORDER BY id")
                          .format(columns, where), values, binary=True)
        frame = pd.DataFrame([row[:-1] for row in rows], columns=list(FACILITY_COLUMNS), dtype=object)
        frame[APPROXIMATE] = frame[APPROXIMATE].astype(bool)
        return gpd.GeoDataFrame(frame, geometry=_geometries([row[-1] for row in rows]), crs=CRS)

    def imports(self) -> pd.DataFrame:
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in IMPORT_COLUMNS)
        rows = self._rows(sql.SQL("SELECT {} FROM imports ORDER BY number").format(columns))
        frame = pd.DataFrame(rows, columns=list(IMPORT_COLUMNS), dtype=object)
        return frame.astype({"rows": "int64"})

    def shapes(self, level: Level, areas: Sequence[str] | None = None,
               zooms: Sequence[int] | None = None) -> list[ShapeRow]:
        conditions, values = ["level = %s"], [str(level)]
        if areas is not None:
            conditions.append("area = ANY(%s)")
            values.append([str(a) for a in areas])  # type: ignore[arg-type]
        if zooms is not None:
            conditions.append("zoom = ANY(%s)")
            values.append([int(z) for z in zooms])  # type: ignore[arg-type]
        rows = self._rows(f"SELECT area, level, zoom, codes, arrays FROM shapes WHERE {' AND '.join(conditions)} "
                          "ORDER BY area, zoom", values, binary=True)
        return [ShapeRow(area, lv, int(zoom), tuple(json.loads(codes)), unpack(bytes(blob)))
                for area, lv, zoom, codes, blob in rows]

    def shape_zooms(self, level: Level, area: str) -> list[int]:
        return [int(row[0]) for row in self._rows("SELECT DISTINCT zoom FROM shapes WHERE level = %s AND area = %s "
                                                  "ORDER BY zoom", (str(level), area))]

    def shapes_stamp(self) -> str:
        return str(self._rows("SELECT max(stamp) FROM shapes")[0][0] or "")

    def _shape_areas(self) -> list[str]:
        return [str(row[0]) for row in self._rows("SELECT DISTINCT area FROM shapes ORDER BY area")]

    def rolled_up(self, within: str | None = None) -> pd.DataFrame | None:
        where, values = ("WHERE area = %s", [within[:2]]) if within else ("", [])
        blobs = [bytes(row[0]) for row in self._rows(f'SELECT "rows" FROM rollup {where} ORDER BY area', values,
                                                     binary=True)]
        if not blobs:
            return None  # nothing rolled up there: the caller rolls up what figures there are
        frame = pd.concat([unpack_frame(blob) for blob in blobs], ignore_index=True)
        if within and len(within) > 2:
            codes = frame[CODE].astype(str)
            frame = frame[(codes == within) | codes.str.startswith(within + ".")].reset_index(drop=True)
        return frame

    def sources(self, within: str | None = None) -> pd.DataFrame:
        where, values = _within(CODE, within) if within else (sql.SQL("true"), [])
        rows = self._rows(sql.SQL("SELECT DISTINCT period, source FROM figures WHERE until IS NULL AND {} "
                                  "ORDER BY period, source").format(where), values)
        return pd.DataFrame(rows, columns=[PERIOD, SOURCE], dtype=object)

    def distances(self, area: str | None = None) -> pd.DataFrame | None:
        if self._meta().get("measured") != "1":
            return None
        where, values = ("WHERE area = %s", [area[:2]]) if area else ("", [])
        blobs = [bytes(row[0]) for row in self._rows(f'SELECT "rows" FROM distances {where} ORDER BY area', values,
                                                     binary=True)]
        frames = [unpack_frame(blob) for blob in blobs]
        if not frames:
            return pd.DataFrame(columns=[CODE]).set_index(CODE).astype("float64")
        frame = pd.concat(frames, ignore_index=True)
        if area and len(area) > 2:
            codes = frame[CODE].astype(str)
            frame = frame[(codes == area) | codes.str.startswith(area + ".")]
        return frame.set_index(CODE).astype("float64")

    # --- writing ----------------------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[tuple[PostgisStore, psycopg.Connection[Any], int]]:
        """One write: a transaction (a savepoint inside a staging or a commit) holding the writers' lock, the store
        bound to it, and the number this change will have in the log. The store's version moves when it ends."""
        self.check_writable()
        with self._connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            bound = self if self._conn is not None else PostgisStore(self.location, _conn=conn)
            number = int(conn.execute("SELECT count(*) FROM imports").fetchone()[0]) + 1  # type: ignore[index]
            yield bound, conn, number
            conn.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'writes'")

    def _log(self, conn: psycopg.Connection[Any], number: int, kind: str, source: str, rows: int, period: str = "",
             detail: str = "", actor: str = "") -> None:
        conn.execute('INSERT INTO imports VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)',
                     (number, datetime.now(UTC).isoformat(timespec="seconds"), kind, Path(source).name, int(rows),
                      period, detail, actor, file_sha256(Path(source)), HISTORY))

    def _all_units(self) -> dict[Level, gpd.GeoDataFrame]:
        return {level: self.units(level) for level in LEVELS}

    def put_units(self, units: gpd.GeoDataFrame, source: str, relocate: Relocate | None = None,
                  reshape: Reshape | None = None, measure: Measure | None = None, rollup: Rollup | None = None,
                  actor: str = "") -> None:
        with self._writing() as (store, conn, number):
            after = store._all_units()
            before = dict(after)
            written = []
            for level in LEVELS:
                new = units[units[LEVEL] == level]
                if new.empty:
                    continue
                old = after[level]
                kept = old[~old[CODE].isin(new[CODE])]
                merged = pd.concat([kept, new], ignore_index=True).reindex(columns=[*UNIT_COLUMNS, DERIVED, GEOMETRY])
                merged[DERIVED] = merged[DERIVED].eq(True)  # missing (a file's own polygon) is not derived
                merged = gpd.GeoDataFrame(merged.sort_values(CODE), geometry=GEOMETRY, crs=CRS)
                after[level] = merged.assign(**{LEVEL: str(level)})
                written.append(after[level][after[level][CODE].isin(new[CODE])])
            if written:
                rows = pd.concat(written, ignore_index=True)
                conn.execute("DELETE FROM units WHERE code = ANY(%s)", (rows[CODE].astype(str).tolist(),))
                with conn.cursor().copy("COPY units (code, name, parent_code, level, derived, geom) FROM STDIN") \
                        as copy:
                    for code, name, parent, level, derived, geom in zip(
                            rows[CODE], rows[NAME], rows[PARENT], rows[LEVEL], rows[DERIVED],
                            _ewkb(rows.geometry.values), strict=True):
                        copy.write_row((str(code), _text(name), _text(parent), str(level), bool(derived), geom))
            index = pd.concat([pd.DataFrame(frame.drop(columns=GEOMETRY)) for frame in after.values()],
                              ignore_index=True)[list(INDEX_COLUMNS)]
            stored = store.facilities()
            placed = relocate(stored, after) if relocate is not None and not stored.empty else None
            if placed is not None:
                store._write_facilities(conn, placed)
            if measure is not None:
                store._write_distances(conn, measure(after[Level.DESA], placed if placed is not None else stored))
            if reshape is not None:
                shape_rows, areas = reshape(before, after, store._shape_areas())
                store._write_shapes(conn, shape_rows, areas)
            store._write_rollup(conn, rollup, store.figures(), index)
            counts = units[LEVEL].value_counts()
            detail = ", ".join(f"{level} {counts[level]}" for level in LEVELS if level in counts)
            store._log(conn, number, "boundaries", source, len(units), detail=detail, actor=actor)

    def put_figures(self, figures: pd.DataFrame, source: str, detail: str = "",
                    replace: Mapping[str, Sequence[str]] | None = None, rollup: Rollup | None = None,
                    actor: str = "") -> None:
        with self._writing() as (store, conn, number):
            old = store.figures()
            merged = merge_figures(old, figures, replace)
            store._replace_figures(conn, old, merged, number)
            store._write_rollup(conn, rollup, merged, store.unit_index())
            periods = ", ".join(sorted(figures[PERIOD].unique()))
            store._log(conn, number, "figures", source, len(figures), period=periods, detail=detail, actor=actor)

    def remove_figures(self, period: str, within: str | None = None, source: str = "",
                       rollup: Rollup | None = None, actor: str = "") -> int:
        with self._writing() as (store, conn, number):
            old = store.figures()
            codes = old[CODE].astype(str)
            gone = old[PERIOD] == period
            if within is not None:
                gone &= (codes == within) | codes.str.startswith(within + ".")
            kept = old[~gone].reset_index(drop=True)
            store._replace_figures(conn, old, kept, number)
            store._write_rollup(conn, rollup, kept, store.unit_index())
            store._log(conn, number, "removal", source, int(gone.sum()), period=period, detail=within or "",
                       actor=actor)
        return int(gone.sum())

    def _replace_figures(self, conn: psycopg.Connection[Any], old: pd.DataFrame, new: pd.DataFrame,
                         number: int) -> None:
        """Make `new` the current figures: rows that change or go are closed by change `number`, rows that change
        or come are written by it; what stays the same is not touched."""
        key = [PERIOD, CODE]
        values = [c for c in FIGURE_COLUMNS if c not in key]
        both = old.merge(new, on=key, how="outer", suffixes=("_old", "_new"), indicator=True)
        differs = both["_merge"] != "both"
        for column in values:
            a, b = both[f"{column}_old"], both[f"{column}_new"]
            differs |= ~((a == b) | (a.isna() & b.isna()))
        closing = both[differs & (both["_merge"] != "right_only")]
        if len(closing):
            conn.execute("UPDATE figures SET until = %s FROM unnest(%s::text[], %s::text[]) AS gone(period, code) "
                         "WHERE figures.until IS NULL AND figures.period = gone.period AND figures.code = gone.code",
                         (number, closing[PERIOD].astype(str).tolist(), closing[CODE].astype(str).tolist()))
        coming = both[differs & (both["_merge"] != "left_only")]
        if len(coming):
            columns = ", ".join(FIGURE_COLUMNS)
            with conn.cursor().copy(f"COPY figures ({columns}, since) FROM STDIN") as copy:
                for row in coming[[PERIOD, CODE, *(f"{c}_new" for c in values)]].itertuples(index=False, name=None):
                    period, code, level, *counts, source = row
                    copy.write_row((str(period), str(code), _text(level), *(_number(c) for c in counts),
                                    _text(source), number))

    def put_facilities(self, facilities: gpd.GeoDataFrame, source: str, replace: bool = False,
                       relocate: Relocate | None = None, measure: Measure | None = None, actor: str = "") -> int:
        with self._writing() as (store, conn, number):
            old = facilities.iloc[:0] if replace else store.facilities()
            merged, added = merge_facilities(old, facilities)
            units = store._all_units() if relocate is not None or measure is not None else {}
            if relocate is not None:
                merged = relocate(merged, units)
            store._write_facilities(conn, merged)
            if measure is not None:
                store._write_distances(conn, measure(units[Level.DESA], merged))
            store._log(conn, number, "facilities", source, added, detail="replaced" if replace else "added",
                       actor=actor)
        return added

    def _write_facilities(self, conn: psycopg.Connection[Any], facilities: gpd.GeoDataFrame) -> None:
        out = facilities.reindex(columns=list(FACILITY_COLUMNS) + [GEOMETRY])
        conn.execute("DELETE FROM facilities")
        columns = ", ".join(FACILITY_COLUMNS)
        with conn.cursor().copy(f"COPY facilities ({columns}, geom) FROM STDIN") as copy:
            for row, geom in zip(out[_TEXT_FACILITY_COLUMNS + [APPROXIMATE]].itertuples(index=False, name=None),
                                 _ewkb(out.geometry.values), strict=True):
                *texts, approximate = row
                copy.write_row((*(_text(t) for t in texts), approximate is True or approximate == 1, geom))

    def _write_distances(self, conn: psycopg.Connection[Any], measured: pd.DataFrame) -> None:
        table = measured.reset_index()
        conn.execute("DELETE FROM distances")
        areas = table[CODE].astype(str).str[:2]
        for area, part in table.groupby(areas, sort=True):
            conn.execute('INSERT INTO distances (area, "rows") VALUES (%s, %s)',
                         (str(area), pack_frame(part.reset_index(drop=True))))
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'measured'")

    def _write_shapes(self, conn: psycopg.Connection[Any], rows: Sequence[ShapeRow], areas: Sequence[str]) -> None:
        stamp = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(3)}"
        conn.execute("DELETE FROM shapes WHERE area = ANY(%s)", (list(areas),))
        with conn.cursor().copy("COPY shapes (area, level, zoom, codes, arrays, stamp) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row.area, row.level, int(row.zoom), json.dumps(list(row.codes)), pack(row.arrays),
                                stamp))

    def _write_rollup(self, conn: psycopg.Connection[Any], rollup: Rollup | None, figures: pd.DataFrame,
                      index: pd.DataFrame) -> None:
        """The rolled-up figures of every province, written with the figures or units they come from; without
        `rollup` the stored ones are dropped, so that nothing stale is read."""
        conn.execute("DELETE FROM rollup")
        if rollup is None:
            return
        table = rollup(figures, index)
        areas = table[CODE].astype(str).str[:2]
        for area, part in table.groupby(areas, sort=True):
            conn.execute('INSERT INTO rollup (area, "rows") VALUES (%s, %s)',
                         (str(area), pack_frame(part.reset_index(drop=True))))

    # --- history ----------------------------------------------------------------------------------
    def changes(self) -> list[Change]:
        first = int(self._meta().get("restorable_from", "1"))  # a store copied here knows the figures from then
        return logged_changes(self.imports(), lambda number, snapshot: snapshot == HISTORY and number >= first)

    def figures_before(self, number: int, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        """The figures as they were just before change `number` (of a period, inside a region)."""
        return self._figures_when(sql.SQL("since < %s AND (until IS NULL OR until >= %s)"), [number, number], period,
                                  within)

    def restore_figures(self, number: int, period: str, within: str, source: str, rollup: Rollup | None = None,
                        actor: str = "") -> int:
        changes = self.changes()
        if not 1 <= number <= len(changes):
            raise NotFound(f"There is no change number {number}: the log has {len(changes)}.")
        if not changes[number - 1].restorable:
            raise NotFound("The state before that change is not kept (it was made before the store was copied "
                           "here).")
        with self._writing() as (store, conn, written):
            old = store.figures_before(number, period, within)
            now = store.figures()
            codes = now[CODE].astype(str)
            gone = (now[PERIOD] == period) & ((codes == within) | codes.str.startswith(within + "."))
            merged = pd.concat([now[~gone], old], ignore_index=True).sort_values([PERIOD, CODE])
            store._replace_figures(conn, now, merged.reset_index(drop=True), written)
            store._write_rollup(conn, rollup, merged.reset_index(drop=True), store.unit_index())
            store._log(conn, written, "restore", source, len(old), period=period, detail=within, actor=actor)
        return len(old)

    # --- staging: a preview is a transaction rolled back; a commit imports the kept file again ----------------
    @contextmanager
    def _stage(self) -> Iterator[Staging]:
        self.check_writable()
        with self._connection() as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                bound = PostgisStore(self.location, _conn=conn)
                yield Staging(bound, bound.version())
                raise psycopg.Rollback()  # nothing of a preview stays

    def stage(self, draft: str) -> AbstractContextManager[Staging]:
        return self._stage()

    def keep_draft(self, draft: Draft, upload: Path) -> None:
        with self._connection() as conn:
            conn.execute('INSERT INTO drafts VALUES (%s, %s, %s, %s, %s, %s, %s)',
                         (draft.id, draft.user, draft.made_at, draft.version,
                          json.dumps(dict(draft.described), ensure_ascii=False), upload.name, upload.read_bytes()))

    def drafts(self) -> list[Draft]:
        rows = self._rows('SELECT id, "user", made_at, version, described FROM drafts ORDER BY made_at')
        return [Draft(str(i), str(user), float(made), str(version), json.loads(described))
                for i, user, made, version, described in rows]

    def drop_draft(self, draft: str) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM drafts WHERE id = %s", (draft,))

    def commit_draft(self, draft: str, actor: str, redo: Redo) -> None:
        self.check_writable()
        found = self._rows("SELECT version, file_name, upload FROM drafts WHERE id = %s", (draft,), binary=True)
        if not found:
            raise NotFound("There is no such upload (it was committed, discarded or never made).")
        version, file_name, upload = found[0]
        with self._connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            bound = PostgisStore(self.location, _conn=conn)
            if bound.version() != str(version):
                raise Conflict("The data changed since this preview was made (another import was committed). "
                               "Nothing was changed: upload the file again to see what it would change now.")
            with tempfile.TemporaryDirectory(prefix="geojkn-commit-") as folder:
                path = Path(folder) / Path(str(file_name)).name
                path.write_bytes(bytes(upload))
                redo(bound, path)

    # --- moving between backends -------------------------------------------------------------------------
    def contents(self) -> Contents:
        restorable = [c.number for c in self.changes() if c.restorable][-HISTORY_KEPT:]
        accounts = self.accounts()
        return Contents(
            units=gpd.GeoDataFrame(pd.concat([self.units(level) for level in LEVELS], ignore_index=True),
                                   geometry=GEOMETRY, crs=CRS),
            figures=self.figures(), before={n: self.figures_before(n) for n in restorable},
            facilities=self.facilities(), log=self.imports(),
            shapes=[row for level in LEVELS for row in self.shapes(level)], rolled_up=self.rolled_up(),
            distances=self.distances(), accounts=accounts.rows() if accounts is not None else [])

    def load(self, contents: Contents) -> None:
        """The figures before each restorable change become the figures' history (figure_history)."""
        if self.exists():
            raise DataError(f"The store {self.shown} already holds data: copy into a new store.")
        with self._writing() as (store, conn, _next):
            units = contents.units.reindex(columns=[*UNIT_COLUMNS, LEVEL, DERIVED, GEOMETRY])
            with conn.cursor().copy("COPY units (code, name, parent_code, level, derived, geom) FROM STDIN") as copy:
                for code, name, parent, level, derived, geom in zip(
                        units[CODE], units[NAME], units[PARENT], units[LEVEL], units[DERIVED],
                        _ewkb(units.geometry.values), strict=True):
                    copy.write_row((str(code), _text(name), _text(parent), str(level), derived is True or derived == 1,
                                    geom))
            rows = figure_history(contents.before, contents.figures)
            columns = ", ".join(FIGURE_COLUMNS)
            with conn.cursor().copy(f"COPY figures ({columns}, since, until) FROM STDIN") as copy:
                for row in rows[[*FIGURE_COLUMNS, "since", "until"]].itertuples(index=False, name=None):
                    *figure, written, replaced = row
                    copy.write_row((str(figure[0]), str(figure[1]), _text(figure[2]),
                                    *(_number(c) for c in figure[3:-1]), _text(figure[-1]), int(written),
                                    None if replaced is None or replaced != replaced else int(replaced)))
            store._write_facilities(conn, contents.facilities)
            store._write_shapes(conn, contents.shapes, sorted({row.area for row in contents.shapes}))
            rolled = contents.rolled_up
            store._write_rollup(conn, (lambda _f, _i: rolled) if rolled is not None else None, contents.figures,
                                pd.DataFrame())
            if contents.distances is not None:
                store._write_distances(conn, contents.distances)
            log = contents.log.reindex(columns=list(IMPORT_COLUMNS)).fillna("")
            with conn.cursor().copy("COPY imports FROM STDIN") as copy:
                for number, entry in enumerate(log.to_dict("records"), start=1):
                    copy.write_row((number, *(str(entry[c]) for c in IMPORT_COLUMNS[:3]), int(entry["rows"] or 0),
                                    *(str(entry[c]) for c in IMPORT_COLUMNS[4:8]),
                                    HISTORY if number in contents.before else ""))
        PgAccounts(self).load_rows(list(contents.accounts))

    # --- accounts and what the servers make ----------------------------------------------------------------
    def accounts(self) -> Accounts | None:
        return PgAccounts(self)

    def kept(self, place: str) -> Kept:
        return TableKept(self, place)
