"""The default store: one GeoPackage file, written copy-on-write so every import is all-or-nothing.

Layers: one per level (provinsi, kabupaten, kecamatan, desa) with geometry; `unit_index` (code, name, level,
parent of every unit, so finding a region never reads geometry); `figures` (one row per period and code);
`facilities` (points with the unit each lies in, found at import); `imports` (the log).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ..errors import Conflict, DataError, NotFound
from ..schema import APPROXIMATE, CODE, CRS, DERIVED, GEOMETRY, LEVEL, LEVELS, PERIOD, SOURCE, UNIT_CODE, Level
from .base import (
    FACILITY_COLUMNS,
    FIGURE_COLUMNS,
    IMPORT_COLUMNS,
    INDEX_COLUMNS,
    UNIT_COLUMNS,
    Measure,
    Relocate,
    Reshape,
    Rollup,
    ShapeRow,
    Store,
    merge_facilities,
    merge_figures,
)

FIGURES, FACILITIES, IMPORTS, INDEX = "figures", "facilities", "imports", "unit_index"
SHAPES = "geojkn_shapes"  # prepared map shapes: a plain table beside the layers (arrays as little-endian blobs)
DISTANCES = "geojkn_distances"  # each desa's km to the nearest FKTP, puskesmas and hospital, measured at import
ROLLUP = "geojkn_rollup"  # every unit's figures rolled up at the last write of figures or units, per province
KEEP = 30  # states of the store kept in <store>.history/, the newest last
_SAFE_CODE = re.compile(r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")
_SAFE_PERIOD = re.compile(r"^\d{4}-\d{2}$")


def _within(column: str, region: str) -> str:
    """SQL filter for codes inside a region; the code is checked first so it can be put in SQL as it is."""
    if not _SAFE_CODE.match(region):
        raise DataError(f"'{region}' is not a dotted area code such as 33.20.")
    # the range lets SQLite find the rows by the code's index (see _index_codes) in a store of any size; the
    # second part keeps exactly the region and what lies inside it
    return (f"({column} >= '{region}' AND {column} < '{region}/' AND "
            f"({column} = '{region}' OR {column} LIKE '{region}.%'))")


# the columns a region's reads filter on, indexed after every write so that what a region costs to read does not
# grow with the store (a layer written again by GDAL is a new table, without the index); the shapes' stamp is
# indexed so that its newest value is found without reading every shape
_INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    # the figures' index covers what `sources` asks, so that it never reads the rows themselves
    **{str(level): ((CODE,),) for level in LEVELS}, INDEX: ((CODE,),), FIGURES: ((CODE, PERIOD, SOURCE),),
    FACILITIES: ((UNIT_CODE,),), SHAPES: (("area", "level", "zoom"), ("stamp",)),
}


_REPLACED_INDEXES = ("geojkn_figures_code",)  # by the index that covers the sources too


def _index_codes(connection: sqlite3.Connection) -> None:
    for name in _REPLACED_INDEXES:
        connection.execute(f'DROP INDEX IF EXISTS "{name}"')
    tables = {str(row[0]) for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table, indexes in _INDEXES.items():
        if table not in tables:
            continue
        present = {str(row[1]) for row in connection.execute(f'PRAGMA table_info("{table}")')}
        for columns in indexes:
            if set(columns) <= present:
                name, listed = "_".join(columns), ", ".join(f'"{c}"' for c in columns)
                connection.execute(f'CREATE INDEX IF NOT EXISTS "geojkn_{table}_{name}" ON "{table}" ({listed})')


@contextmanager
def refusing_disk_errors(folder: Path, history: Path) -> Iterator[None]:
    """A full disk or a folder that cannot be written, met while writing the store, as a DataError that names the
    folder and what to do (the write was to a copy: the store is as it was)."""
    try:
        yield
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else folder
        place = history if history == where or history in where.parents else folder
        if exc.errno == errno.ENOSPC:
            raise DataError(f"The disk holding {place} is full: nothing was changed. Free space there (the old "
                            f"states in {history} and the finished files in the .jobs folder beside the store can "
                            "go) and import again.") from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise DataError(f"Cannot write in {place} ({exc.strerror}): nothing was changed. Make the folder "
                            "writable for the account that runs geojkn (or, for the history folder, move it "
                            "away: it is made again) and import again.") from exc
        raise DataError(f"Writing the store in {folder} failed ({exc.strerror}): nothing was changed.") from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, sqlite3.OperationalError) as exc:
        if "no space left" in str(exc).lower() or "disk is full" in str(exc).lower():  # GDAL's and SQLite's words
            raise DataError(f"The disk holding {folder} is full: nothing was changed. Free space there and import "
                            "again.") from exc
        raise


def _snapshot_name() -> str:
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(3)}.gpkg"


def _sha256(path: Path) -> str:
    """The SHA-256 of an imported file ('' when the source is not a file)."""
    if not path.is_file():
        return ""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pack(arrays: Mapping[str, np.ndarray], every: str | None = None) -> bytes:
    """Named arrays as one blob: a JSON header (name, type, shape of each) and the arrays' bytes; each of the type
    `every` when given, else 64-bit floats for floats and 32-bit integers for whole numbers (a topology on a 1e-6
    degree grid, positions, counts)."""
    parts, header = [], []
    for name, array in arrays.items():
        kind = every or ("<f8" if np.asarray(array).dtype.kind == "f" else "<i4")
        data = np.ascontiguousarray(array, dtype=kind)
        header.append([name, kind, list(data.shape)])
        parts.append(data.tobytes())
    head = json.dumps(header).encode("utf-8")
    return len(head).to_bytes(4, "little") + head + b"".join(parts)


def _unpack(blob: bytes) -> dict[str, np.ndarray]:
    size = int.from_bytes(blob[:4], "little")
    header = json.loads(blob[4:4 + size].decode("utf-8"))
    out, at = {}, 4 + size
    for name, kind, shape in header:
        count = int(np.prod(shape)) if shape else 1
        dtype = np.dtype(kind)
        out[name] = np.frombuffer(blob, dtype=dtype, count=count, offset=at).reshape(shape)
        at += count * dtype.itemsize
    return out


def _pack_frame(frame: pd.DataFrame) -> bytes:
    """A table as one blob: text columns as a list of their values and an index per row, the rest as numbers."""
    arrays: dict[str, np.ndarray] = {}
    header: list[list[object]] = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype == bool:
            header.append([name, "bool", None])
            arrays[name] = column.to_numpy(dtype=np.float64)
        elif pd.api.types.is_numeric_dtype(column):
            header.append([name, str(column.dtype), None])
            arrays[name] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = column.astype(object).where(column.notna(), None)
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            header.append([name, "text", [None if u is None else str(u) for u in uniques]])
            arrays[name] = codes.astype(np.float64)
    head = json.dumps(header).encode("utf-8")
    return len(head).to_bytes(4, "little") + head + _pack(arrays, every="<f8")


def _unpack_frame(blob: bytes) -> pd.DataFrame:
    size = int.from_bytes(blob[:4], "little")
    header = json.loads(blob[4:4 + size].decode("utf-8"))
    arrays = _unpack(blob[4 + size:])
    out: dict[str, object] = {}
    for name, kind, uniques in header:
        values = arrays[name]
        if kind == "bool":
            out[name] = values.astype(bool)
        elif kind == "text":
            table = np.array([*uniques, None], dtype=object)
            out[name] = table[np.where(values < 0, len(uniques), values).astype(np.int64)]
        else:
            out[name] = pd.Series(values).astype(kind) if kind.startswith("int") else values
    return pd.DataFrame(out)


def _all_of(*conditions: str | None) -> str | None:
    chosen = [c for c in conditions if c]
    return " AND ".join(chosen) if chosen else None


def _empty_units(level: Level) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in UNIT_COLUMNS}, geometry=gpd.GeoSeries([], crs=CRS))
    return frame.assign(**{LEVEL: str(level)})


class GpkgStore(Store):
    """A GeoPackage file holding boundaries, figures, facilities and the import log."""

    def __init__(self, path: str | os.PathLike[str], readonly: bool = False, history: bool = True) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.readonly = readonly
        self.history = history  # keep the state before each write (off for a preview's private copy)
        self.actor = ""  # the account writing, recorded in the log
        self._snapshot = ""
        self._listed: tuple[str, frozenset[str]] | None = None  # (version, layers)

    @property
    def history_folder(self) -> Path:
        real = self.path.resolve()
        return real.with_name(real.stem + ".history")

    def snapshot(self, name: str) -> GpkgStore:
        """The store as it was before a logged write (read-only); NotFound once it has been pruned."""
        path = self.history_folder / Path(name).name
        if not name or not path.is_file():
            raise NotFound(f"The state before that change is no longer kept (geojkn keeps the last {KEEP}).")
        return GpkgStore(path, readonly=True, history=False)

    def check_kind(self) -> None:
        """A file that exists must be a GeoPackage: geojkn never reads, nor replaces, anything else as a store."""
        if not self.path.exists():
            return
        if not self.path.is_file():
            raise DataError(f"The store {self.location} is a folder, not a GeoPackage file. Give the path of a .gpkg.")
        try:
            with self.path.open("rb") as handle:
                head = handle.read(72)
        except OSError as exc:
            raise DataError(f"The store {self.location} cannot be read: {exc.strerror}.") from exc
        if not head.startswith(b"SQLite format 3\x00") or head[68:72] not in (b"GPKG", b"GP10", b"GP11"):
            raise DataError(f"The store {self.location} is not a GeoPackage. Give the path of a geojkn store, "
                            "or a new file name to start one.")

    def check_writable(self) -> None:
        super().check_writable()
        self.check_kind()
        if self.path.exists() and (not os.access(self.path, os.W_OK) or not self.path.stat().st_mode & 0o222):
            raise DataError(f"The store {self.location} is read-only (file permissions): nothing was changed. "
                            "Make it writable, or import into a copy.")

    # --- reading -----------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.is_file()

    def version(self) -> str:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return "none"
        return f"{st.st_mtime_ns}-{st.st_size}-{st.st_ino}"

    def _layers(self) -> set[str]:
        """The store's layers, listed once per version of the store."""
        version = self.version()
        if version == "none" or not self.exists():
            return set()
        known = self._listed
        if known is None or known[0] != version:
            known = self._listed = (version, frozenset(str(name) for name in pyogrio.list_layers(self.path)[:, 0]))
        return set(known[1])

    def _read(self, layer: str, where: str | None = None, geometry: bool = True) -> Any:
        """The one place that reads a layer (tests count the calls)."""
        return pyogrio.read_dataframe(self.path, layer=str(layer), where=where, read_geometry=geometry)

    def unit_index(self, within: str | None = None) -> pd.DataFrame:
        layers = self._layers()
        where = _within(CODE, within) if within else None
        if INDEX in layers:
            return pd.DataFrame(self._read(INDEX, where, geometry=False))[list(INDEX_COLUMNS)]
        # a store written before the index layer existed: read the level layers' attributes
        frames = [pd.DataFrame(self._read(level, where, geometry=False))[list(UNIT_COLUMNS)]
                  .assign(**{LEVEL: str(level)})
                  for level in LEVELS if level in layers]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in INDEX_COLUMNS})
        return pd.concat(frames, ignore_index=True)[list(INDEX_COLUMNS)]

    def units(self, level: Level, within: str | None = None) -> gpd.GeoDataFrame:
        if level not in self._layers():
            return _empty_units(level)
        frame = self._read(level, _within(CODE, within) if within else None)
        frame[LEVEL] = str(level)
        if DERIVED not in frame:  # a store written before shapes were derived
            frame[DERIVED] = False
        return gpd.GeoDataFrame(frame, geometry=GEOMETRY, crs=CRS)

    def figures(self, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        if FIGURES not in self._layers():
            return pd.DataFrame({c: pd.Series(dtype=object) for c in FIGURE_COLUMNS})
        if period is not None and not _SAFE_PERIOD.match(period):
            raise DataError(f"'{period}' is not a period written YYYY-MM.")
        where = _all_of(f"{PERIOD} = '{period}'" if period else None, _within(CODE, within) if within else None)
        return pd.DataFrame(self._read(FIGURES, where, geometry=False)).reset_index(drop=True)

    def periods(self) -> list[str]:
        if FIGURES not in self._layers():
            return []
        found = pyogrio.read_dataframe(self.path, sql=f"SELECT DISTINCT {PERIOD} FROM {FIGURES}", read_geometry=False)
        return sorted(str(p) for p in found[PERIOD].dropna())

    def facilities(self, within: str | None = None) -> gpd.GeoDataFrame:
        layers = self._layers()
        if FACILITIES not in layers:
            return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in FACILITY_COLUMNS},
                                    geometry=gpd.GeoSeries([], crs=CRS))
        placed = UNIT_CODE in pyogrio.read_info(self.path, layer=FACILITIES)["fields"]
        # a store written before facilities were placed at import has no unit_code: the caller places them
        frame = self._read(FACILITIES, _within(UNIT_CODE, within) if within and placed else None)
        if APPROXIMATE not in frame:  # a store written before facilities could be placed by area code
            frame[APPROXIMATE] = False
        return gpd.GeoDataFrame(frame, geometry=GEOMETRY, crs=CRS)

    def _connect(self, path: Path | None = None, write: bool = False) -> sqlite3.Connection:
        where = path or self.path
        if write:
            return sqlite3.connect(where)
        return sqlite3.connect(f"{where.resolve().as_uri()}?mode=ro", uri=True)

    def shapes(self, level: Level, areas: Sequence[str] | None = None,
               zooms: Sequence[int] | None = None) -> list[ShapeRow]:
        if not self.exists():
            return []
        where: list[str] = ["level = ?"]
        values: list[str | int] = [str(level)]
        for column, wanted in (("area", areas), ("zoom", zooms)):
            if wanted is not None:
                where.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                values += [str(w) if column == "area" else int(w) for w in wanted]
        with closing(self._connect()) as connection:
            if not self._has_table(connection, SHAPES):
                return []
            rows = connection.execute(f"SELECT area, level, zoom, codes, arrays FROM {SHAPES} "
                                      f"WHERE {' AND '.join(where)} ORDER BY area, zoom", values).fetchall()
        return [ShapeRow(area, lv, int(zoom), tuple(json.loads(codes)), _unpack(blob))
                for area, lv, zoom, codes, blob in rows]

    def shape_zooms(self, level: Level, area: str) -> list[int]:
        if not self.exists():
            return []
        with closing(self._connect()) as connection:
            if not self._has_table(connection, SHAPES):
                return []
            found = connection.execute(f"SELECT DISTINCT zoom FROM {SHAPES} WHERE level = ? AND area = ? ORDER BY zoom",
                                       (str(level), area)).fetchall()
        return [int(row[0]) for row in found]

    def shapes_stamp(self) -> str:
        if not self.exists():
            return ""
        with closing(self._connect()) as connection:
            if not self._has_table(connection, SHAPES):
                return ""
            found = connection.execute(f"SELECT max(stamp) FROM {SHAPES}").fetchone()
        return str(found[0] or "")

    def _shape_areas(self) -> list[str]:
        if not self.exists():
            return []
        with closing(self._connect()) as connection:
            if not self._has_table(connection, SHAPES):
                return []
            return [str(row[0]) for row in connection.execute(f"SELECT DISTINCT area FROM {SHAPES}")]

    def _write_shapes(self, tmp: Path, rows: Sequence[ShapeRow], areas: Sequence[str]) -> None:
        stamp = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(3)}"
        with closing(self._connect(tmp, write=True)) as connection, connection:
            connection.execute(f"CREATE TABLE IF NOT EXISTS {SHAPES} (area TEXT, level TEXT, zoom INTEGER, "
                               "codes TEXT, arrays BLOB, stamp TEXT)")
            connection.executemany(f"DELETE FROM {SHAPES} WHERE area = ?", [(area,) for area in areas])
            connection.executemany(f"INSERT INTO {SHAPES} VALUES (?, ?, ?, ?, ?, ?)",
                                   [(row.area, row.level, row.zoom, json.dumps(list(row.codes)),
                                     _pack(row.arrays), stamp) for row in rows])

    def rolled_up(self, within: str | None = None) -> pd.DataFrame | None:
        if not self.exists():
            return None
        with closing(self._connect()) as connection:
            if not self._has_table(connection, ROLLUP):
                return None
            where, values = ("WHERE area = ?", [within[:2]]) if within else ("", [])
            blobs = [row[0] for row in connection.execute(f"SELECT rows FROM {ROLLUP} {where} ORDER BY area", values)]
        if not blobs:
            return None  # nothing rolled up there: the caller rolls up what figures there are
        frame = pd.concat([_unpack_frame(blob) for blob in blobs], ignore_index=True)
        if within and len(within) > 2:
            codes = frame[CODE].astype(str)
            frame = frame[(codes == within) | codes.str.startswith(within + ".")].reset_index(drop=True)
        return frame

    def sources(self, within: str | None = None) -> pd.DataFrame:
        if FIGURES not in self._layers():
            return pd.DataFrame({PERIOD: pd.Series(dtype=object), SOURCE: pd.Series(dtype=object)})
        where = f"WHERE {_within(CODE, within)}" if within else ""
        with closing(self._connect()) as connection:
            rows = connection.execute(f"SELECT DISTINCT {PERIOD}, {SOURCE} FROM {FIGURES} {where}").fetchall()
        return pd.DataFrame(rows, columns=[PERIOD, SOURCE])

    def _has_table(self, connection: sqlite3.Connection, name: str) -> bool:
        found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return found.fetchone() is not None

    def _write_rollup(self, tmp: Path, rollup: Rollup | None, figures: pd.DataFrame, index: pd.DataFrame) -> None:
        """The rolled-up figures of every province, written with the figures or units they come from; without
        `rollup` the stored ones are dropped, so that nothing stale is read."""
        with closing(self._connect(tmp, write=True)) as connection, connection:
            connection.execute(f"DROP TABLE IF EXISTS {ROLLUP}")
            if rollup is None:
                return
            table = rollup(figures, index)
            connection.execute(f"CREATE TABLE {ROLLUP} (area TEXT PRIMARY KEY, rows BLOB)")
            areas = table[CODE].astype(str).str[:2]
            connection.executemany(f"INSERT INTO {ROLLUP} VALUES (?, ?)",
                                   [(str(area), _pack_frame(part.reset_index(drop=True)))
                                    for area, part in table.groupby(areas, sort=True)])

    def distances(self, area: str | None = None) -> pd.DataFrame | None:
        if not self.exists():
            return None
        with closing(self._connect()) as connection:
            if not self._has_table(connection, DISTANCES):
                return None
            where = f"WHERE {_within(CODE, area)}" if area else ""
            rows = connection.execute(f"SELECT * FROM {DISTANCES} {where}")
            names = [column[0] for column in rows.description]
            frame = pd.DataFrame(rows.fetchall(), columns=names)
        return frame.set_index(CODE).astype("float64")

    def _write_distances(self, tmp: Path, measured: pd.DataFrame) -> None:
        table = measured.reset_index()
        columns = [str(c) for c in table.columns]
        with closing(self._connect(tmp, write=True)) as connection, connection:
            connection.execute(f"DROP TABLE IF EXISTS {DISTANCES}")
            connection.execute(f"CREATE TABLE {DISTANCES} ({CODE} TEXT PRIMARY KEY, "
                               + ", ".join(f"{c} REAL" for c in columns if c != CODE) + ")")
            connection.executemany(f"INSERT INTO {DISTANCES} VALUES ({', '.join('?' * len(columns))})",
                                   [tuple(None if v != v else v for v in row)
                                    for row in table.itertuples(index=False, name=None)])

    def imports(self) -> pd.DataFrame:
        if IMPORTS not in self._layers():
            return pd.DataFrame({c: pd.Series(dtype=object) for c in IMPORT_COLUMNS})
        return pd.DataFrame(self._read(IMPORTS, geometry=False))

    # --- writing -------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[Path]:
        """Write into a copy next to the store, then rename it over the store: readers never see half an import.
        A disk that is full or a folder that cannot be written is a DataError naming the folder: the store is as
        it was."""
        self.check_writable()
        real = self.path.resolve()  # a symlinked store stays a symlink: the file it points to is replaced
        with self._lock(), refusing_disk_errors(real.parent, self.history_folder):
            yield from self._written(real)

    def _written(self, real: Path) -> Iterator[Path]:
        """The copy to write into (hold the lock); installed over the store when the writer is done with it."""
        prefix = f".{real.name}.tmp-"  # the full name: another store's temp files never match
        for stale in real.parent.glob(prefix + "*"):
            stale.unlink(missing_ok=True)  # left by a writer that was killed; we hold the lock now
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".gpkg", dir=real.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            tmp.unlink()
            if real.exists():
                shutil.copyfile(real, tmp)
                shutil.copymode(real, tmp)
            self._snapshot = _snapshot_name() if self.history and real.exists() else ""
            yield tmp
            with closing(self._connect(tmp, write=True)) as connection, connection:
                _index_codes(connection)
            self._install(tmp, real)
        finally:
            self._snapshot = ""
            tmp.unlink(missing_ok=True)

    def _install(self, new: Path, real: Path) -> None:
        """Rename `new` over the store, keeping the old file as the snapshot the log names (hold the lock)."""
        if self._snapshot:
            folder = self.history_folder
            if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, "cannot write there", str(folder))
            folder.mkdir(exist_ok=True)
            try:
                os.link(real, folder / self._snapshot)  # the old file itself: no copy, no space until replaced
            except OSError:
                shutil.copyfile(real, folder / self._snapshot)
            for old in sorted(folder.glob("*.gpkg"))[:-KEEP]:
                old.unlink(missing_ok=True)
        os.replace(new, real)

    def adopt(self, staged: Path, version: str, entry: Mapping[str, object]) -> None:
        """Make a previewed copy the store, if the store is still the version it was copied from; the copy's
        own log entry is completed with `entry`. Conflict (409) when someone else changed the store meanwhile."""
        self.check_writable()
        real = self.path.resolve()
        with self._lock():
            if self.version() != version:
                raise Conflict("The data changed since this preview was made (another import was committed). "
                               "Nothing was changed: upload the file again to see what it would change now.")
            staged_store = GpkgStore(staged, history=False)
            log = staged_store.imports().reindex(columns=list(IMPORT_COLUMNS)).fillna("")
            self._snapshot = _snapshot_name() if self.history and real.exists() else ""
            last: dict[str, object] = {str(k): v for k, v in log.iloc[-1].to_dict().items()}
            last.update({**entry, "snapshot": self._snapshot})
            log = pd.concat([log.iloc[:-1], pd.DataFrame([last])], ignore_index=True)
            pyogrio.write_dataframe(log.astype({"rows": "int64"}), staged, layer=IMPORTS)
            if real.exists():
                shutil.copymode(real, staged)
            try:
                with refusing_disk_errors(real.parent, self.history_folder):
                    self._install(staged, real)
            finally:
                self._snapshot = ""

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer at a time (readers are never blocked); a folder we cannot write to is a user error."""
        try:
            real = self.path.resolve()
            real.parent.mkdir(parents=True, exist_ok=True)
            lock = open(real.parent / f".{real.name}.lock", "w")  # noqa: SIM115 (held for the block)
        except OSError as exc:
            raise DataError(f"Cannot write the store {self.path}: {exc.strerror}. "
                            "Choose a folder you can write to with --store.") from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _log(self, tmp: Path, kind: str, source: str, rows: int, period: str = "", detail: str = "") -> None:
        entry = {"imported_at": datetime.now(UTC).isoformat(timespec="seconds"), "kind": kind,
                 "file": Path(source).name, "rows": int(rows), "period": period, "detail": detail,
                 "user": self.actor, "sha256": _sha256(Path(source)), "snapshot": self._snapshot}
        log = pd.concat([self.imports(), pd.DataFrame([entry])], ignore_index=True)
        log = log.reindex(columns=list(IMPORT_COLUMNS)).fillna("").astype({"rows": "int64"})
        pyogrio.write_dataframe(log, tmp, layer=IMPORTS)

    def _all_units(self) -> dict[Level, gpd.GeoDataFrame]:
        return {level: self.units(level) for level in LEVELS}

    def _write_facilities(self, tmp: Path, facilities: gpd.GeoDataFrame) -> None:
        out = facilities.reindex(columns=list(FACILITY_COLUMNS) + [GEOMETRY])
        texts = [c for c in FACILITY_COLUMNS if c != APPROXIMATE]
        out = out.astype({c: object for c in texts}).assign(**{APPROXIMATE: out[APPROXIMATE].eq(True)})
        out = gpd.GeoDataFrame(out, geometry=GEOMETRY, crs=CRS)
        pyogrio.write_dataframe(out, tmp, layer=FACILITIES)

    def put_units(self, units: gpd.GeoDataFrame, source: str, relocate: Relocate | None = None,
                  reshape: Reshape | None = None, measure: Measure | None = None, rollup: Rollup | None = None) -> None:
        with self._transaction() as tmp:
            after = self._all_units()
            before = dict(after)
            for level in LEVELS:
                new = units[units[LEVEL] == level]
                if new.empty:
                    continue
                old = after[level]
                kept = old[~old[CODE].isin(new[CODE])]
                merged = pd.concat([kept, new], ignore_index=True).reindex(columns=[*UNIT_COLUMNS, DERIVED, GEOMETRY])
                merged[DERIVED] = merged[DERIVED].eq(True)  # missing (a file's own polygon) is not derived
                merged = gpd.GeoDataFrame(merged.sort_values(CODE), geometry=GEOMETRY, crs=CRS)
                pyogrio.write_dataframe(merged, tmp, layer=str(level), promote_to_multi=True)
                after[level] = merged.assign(**{LEVEL: str(level)})
            index = pd.concat([pd.DataFrame(frame.drop(columns=GEOMETRY)) for frame in after.values()],
                              ignore_index=True)[list(INDEX_COLUMNS)]
            pyogrio.write_dataframe(index.astype(object), tmp, layer=INDEX)
            placed = relocate(self.facilities(), after) if relocate is not None and FACILITIES in self._layers() \
                else None
            if placed is not None:
                self._write_facilities(tmp, placed)
            if measure is not None:
                self._write_distances(tmp, measure(after[Level.DESA], placed if placed is not None
                                                   else self.facilities()))
            if reshape is not None:
                rows, areas = reshape(before, after, self._shape_areas())
                self._write_shapes(tmp, rows, areas)
            self._write_rollup(tmp, rollup, self.figures(), index)
            counts = units[LEVEL].value_counts()
            detail = ", ".join(f"{level} {counts[level]}" for level in LEVELS if level in counts)
            self._log(tmp, "boundaries", source, len(units), detail=detail)

    def put_figures(self, figures: pd.DataFrame, source: str, detail: str = "",
                    replace: Mapping[str, Sequence[str]] | None = None, rollup: Rollup | None = None) -> None:
        with self._transaction() as tmp:
            merged = merge_figures(self.figures(), figures, replace)
            pyogrio.write_dataframe(merged, tmp, layer=FIGURES)
            self._write_rollup(tmp, rollup, merged, self.unit_index())
            periods = ", ".join(sorted(figures[PERIOD].unique()))
            self._log(tmp, "figures", source, len(figures), period=periods, detail=detail)

    def remove_figures(self, period: str, within: str | None = None, source: str = "",
                       rollup: Rollup | None = None) -> int:
        with self._transaction() as tmp:
            old = self.figures()
            codes = old[CODE].astype(str)
            gone = old[PERIOD] == period
            if within is not None:
                gone &= (codes == within) | codes.str.startswith(within + ".")
            kept = old[~gone].reset_index(drop=True)
            pyogrio.write_dataframe(kept, tmp, layer=FIGURES)
            self._write_rollup(tmp, rollup, kept, self.unit_index())
            self._log(tmp, "removal", source, int(gone.sum()), period=period, detail=within or "")
        return int(gone.sum())

    def restore_figures(self, snapshot: str, period: str, within: str, source: str,
                        rollup: Rollup | None = None) -> int:
        """Make a region's month what it was in a snapshot (removing it if it had none then); rows restored."""
        old = self.snapshot(snapshot).figures(period, within)
        with self._transaction() as tmp:
            now = self.figures()
            codes = now[CODE].astype(str)
            gone = (now[PERIOD] == period) & ((codes == within) | codes.str.startswith(within + "."))
            merged = pd.concat([now[~gone], old.reindex(columns=now.columns)], ignore_index=True).reset_index(drop=True)
            pyogrio.write_dataframe(merged, tmp, layer=FIGURES)
            self._write_rollup(tmp, rollup, merged, self.unit_index())
            self._log(tmp, "restore", source, len(old), period=period, detail=within)
        return len(old)

    def put_facilities(self, facilities: gpd.GeoDataFrame, source: str, replace: bool = False,
                       relocate: Relocate | None = None, measure: Measure | None = None) -> int:
        with self._transaction() as tmp:
            old = facilities.iloc[:0] if replace else self.facilities()
            merged, added = merge_facilities(old, facilities)
            units = self._all_units() if relocate is not None or measure is not None else {}
            if relocate is not None:
                merged = relocate(merged, units)
            self._write_facilities(tmp, merged)
            if measure is not None:
                self._write_distances(tmp, measure(units[Level.DESA], merged))
            self._log(tmp, "facilities", source, added, detail="replaced" if replace else "added")
        return added
