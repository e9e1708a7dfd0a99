"""The default store: one GeoPackage file, written copy-on-write so every import is all-or-nothing.

Layers: one per level (provinsi, kabupaten, kecamatan, desa) with geometry; `unit_index` (code, name, level,
parent of every unit, so finding a region never reads geometry); `figures` (one row per period and code);
`facilities` (points with the unit each lies in, found at import); `imports` (the log).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from ..accounts import Accounts, SqliteAccounts, accounts_path
from ..errors import Conflict, DataError, NotFound
from ..resources import demo_store
from ..schema import APPROXIMATE, CODE, CRS, DERIVED, GEOMETRY, LEVEL, LEVELS, PERIOD, SOURCE, UNIT_CODE, Level
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
    logged_changes,
    merge_facilities,
    merge_figures,
)
from .kept import FolderKept, Kept
from .packing import file_sha256, pack, pack_frame, unpack, unpack_frame

FIGURES, FACILITIES, IMPORTS, INDEX = "figures", "facilities", "imports", "unit_index"
SHAPES = "geojkn_shapes"  # prepared map shapes: a plain table beside the layers (arrays as little-endian blobs)
DISTANCES = "geojkn_distances"  # each desa's km to the nearest FKTP, puskesmas and hospital, measured at import
ROLLUP = "geojkn_rollup"  # every unit's figures rolled up at the last write of figures or units, per province
KEEP = HISTORY_KEPT  # states of the store kept in <store>.history/, the newest last
ORPHAN_AFTER_S = 600  # a file of a draft with no description this old was left by a stage or commit killed
SQLITE_LEFTOVERS = ("-journal", "-wal", "-shm")  # beside a copy SQLite was writing when it was stopped


def _within(column: str, region: str) -> str:
    """SQL filter for codes inside a region; the code is checked first so it can be put in SQL as it is."""
    check_region(region)
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


def _all_of(*conditions: str | None) -> str | None:
    chosen = [c for c in conditions if c]
    return " AND ".join(chosen) if chosen else None


class GpkgStore(Store):
    """A GeoPackage file holding boundaries, figures, facilities and the import log."""

    def __init__(self, path: str | os.PathLike[str], readonly: bool = False, history: bool = True) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.readonly = readonly
        self.history = history  # keep the state before each write (off for a preview's private copy)
        self._snapshot = ""
        self._listed: tuple[str, frozenset[str]] | None = None  # (version, layers)

    @property
    def history_folder(self) -> Path:
        return self.beside(".history")

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
            return empty_units(level)
        frame = self._read(level, _within(CODE, within) if within else None)
        frame[LEVEL] = str(level)
        if DERIVED not in frame:  # a store written before shapes were derived
            frame[DERIVED] = False
        return gpd.GeoDataFrame(frame, geometry=GEOMETRY, crs=CRS)

    def figures(self, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        if FIGURES not in self._layers():
            return pd.DataFrame({c: pd.Series(dtype=object) for c in FIGURE_COLUMNS})
        if period is not None:
            check_period(period)
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
        return [ShapeRow(area, lv, int(zoom), tuple(json.loads(codes)), unpack(blob))
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
                                     pack(row.arrays), stamp) for row in rows])

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
        frame = pd.concat([unpack_frame(blob) for blob in blobs], ignore_index=True)
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
                                   [(str(area), pack_frame(part.reset_index(drop=True)))
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

    # --- staging: a preview is a copy of the file, committed by renaming it over the store ---------------------
    @property
    def drafts_folder(self) -> Path:
        return self.beside(".uploads")

    def _draft_paths(self, draft: str) -> tuple[Path, Path]:
        """The copy and the description of a draft (NotFound for an id the server could not have made)."""
        if len(draft) != 16 or not set(draft) <= set("0123456789abcdef"):
            raise NotFound("There is no such upload (it was committed, discarded or never made).")
        return self.drafts_folder / f"{draft}.gpkg", self.drafts_folder / f"{draft}.json"

    def _prune_orphans(self) -> None:
        """What a stage or a commit that was killed left: files of no kept draft, older than ORPHAN_AFTER_S."""
        now = datetime.now(UTC).timestamp()
        described = {meta.stem for meta in self.drafts_folder.glob("*.json")}
        for leftover in self.drafts_folder.iterdir():
            draft = leftover.name.lstrip(".")[:16]
            with suppress(OSError):
                if draft not in described and now - leftover.stat().st_mtime > ORPHAN_AFTER_S:
                    if leftover.is_dir():
                        shutil.rmtree(leftover, ignore_errors=True)
                    else:
                        leftover.unlink()

    @contextmanager
    def stage(self, draft: str) -> Iterator[Staging]:
        self.check_writable()
        copy, _meta = self._draft_paths(draft)
        folder = self.drafts_folder
        with refusing_disk_errors(folder, self.history_folder):
            folder.mkdir(mode=0o700, exist_ok=True)
            self._prune_orphans()
            try:
                version = self._copy_to(copy)
                yield Staging(GpkgStore(copy, history=False), version)
            except BaseException:
                self.drop_draft(draft)
                raise

    def _copy_to(self, target: Path) -> str:
        """Copy the store as one version (again when an import replaced it during the copy); that version."""
        for _ in range(5):
            version = self.version()
            if self.path.exists():
                shutil.copyfile(self.path.resolve(), target)
            if self.version() == version:
                return version
        raise DataError("The store is being changed right now; upload again in a moment.")

    def keep_draft(self, draft: Draft, upload: Path) -> None:
        """The description only: the staged copy is what is committed (the upload is not needed again)."""
        _copy, meta = self._draft_paths(draft.id)
        written = meta.with_name(f".{meta.name}.part")
        written.write_text(json.dumps({"id": draft.id, "user": draft.user, "made_at": draft.made_at,
                                       "version": draft.version, "described": dict(draft.described)},
                                      ensure_ascii=False), encoding="utf-8")
        os.replace(written, meta)

    def drafts(self) -> list[Draft]:
        found = []
        for meta in self.drafts_folder.glob("*.json") if self.drafts_folder.is_dir() else []:
            with suppress(OSError, ValueError, KeyError, TypeError):
                data = json.loads(meta.read_text(encoding="utf-8"))
                if (self.drafts_folder / f"{data['id']}.gpkg").is_file():
                    found.append(Draft(str(data["id"]), str(data["user"]), float(data["made_at"]),
                                       str(data["version"]), data["described"]))
        return sorted(found, key=lambda d: d.made_at)

    def drop_draft(self, draft: str) -> None:
        """Delete a draft's copy and description, and what SQLite may have left beside the copy."""
        copy, meta = self._draft_paths(draft)
        for path in (copy, meta, meta.with_name(f".{meta.name}.part"), copy.with_name(f".{copy.name}.lock"),
                     *(copy.with_name(copy.name + ending) for ending in SQLITE_LEFTOVERS)):
            path.unlink(missing_ok=True)

    def commit_draft(self, draft: str, actor: str, redo: Redo) -> None:
        """Rename the staged copy over the store, if the store is still the version it was copied from; the copy's
        own log entry names the committing account. Conflict (409) when someone else changed the store meanwhile.
        (`redo` is not needed: the copy is the import.)"""
        copy, _meta = self._draft_paths(draft)
        kept = {d.id: d for d in self.drafts()}.get(draft)
        if kept is None:
            raise NotFound("There is no such upload (it was committed, discarded or never made).")
        self.check_writable()
        real = self.path.resolve()
        with self._lock():
            if self.version() != kept.version:
                raise Conflict("The data changed since this preview was made (another import was committed). "
                               "Nothing was changed: upload the file again to see what it would change now.")
            staged_store = GpkgStore(copy, history=False)
            log = staged_store.imports().reindex(columns=list(IMPORT_COLUMNS)).fillna("")
            self._snapshot = _snapshot_name() if self.history and real.exists() else ""
            last: dict[str, object] = {str(k): v for k, v in log.iloc[-1].to_dict().items()}
            last.update({"user": actor, "snapshot": self._snapshot})
            log = pd.concat([log.iloc[:-1], pd.DataFrame([last])], ignore_index=True)
            pyogrio.write_dataframe(log.astype({"rows": "int64"}), copy, layer=IMPORTS)
            if real.exists():
                shutil.copymode(real, copy)
            try:
                with refusing_disk_errors(real.parent, self.history_folder):
                    self._install(copy, real)
            finally:
                self._snapshot = ""

    # --- moving between backends -------------------------------------------------------------------------
    def contents(self) -> Contents:
        log = self.imports()
        snapshots = log["snapshot"].fillna("").astype(str).tolist() if "snapshot" in log else []
        restorable = [c.number for c in self.changes() if c.restorable][-KEEP:]
        accounts = self.accounts()
        return Contents(
            units=gpd.GeoDataFrame(pd.concat([self.units(level) for level in LEVELS], ignore_index=True),
                                   geometry=GEOMETRY, crs=CRS),
            figures=self.figures(), before={n: self.snapshot(snapshots[n - 1]).figures() for n in restorable},
            facilities=self.facilities(), log=log, shapes=[row for level in LEVELS for row in self.shapes(level)],
            rolled_up=self.rolled_up(), distances=self.distances(),
            accounts=accounts.rows() if accounts is not None else [])

    def load(self, contents: Contents) -> None:
        """The figures before each restorable change become snapshot files (a figures layer each)."""
        self.check_writable()
        if self.exists():
            raise DataError(f"The store {self.shown} already holds data: copy into a new store.")
        with self._transaction() as tmp:
            units = contents.units
            for level in LEVELS:
                part = units[units[LEVEL] == str(level)].reindex(columns=[*UNIT_COLUMNS, DERIVED, GEOMETRY])
                if not part.empty:
                    part = gpd.GeoDataFrame(part.sort_values(CODE).assign(**{DERIVED: part[DERIVED].eq(True)}),
                                            geometry=GEOMETRY, crs=CRS)
                    pyogrio.write_dataframe(part, tmp, layer=str(level), promote_to_multi=True)
            index = pd.DataFrame(units.drop(columns=GEOMETRY)).reindex(columns=list(INDEX_COLUMNS))
            pyogrio.write_dataframe(index.astype(object), tmp, layer=INDEX)
            pyogrio.write_dataframe(contents.figures.reindex(columns=list(FIGURE_COLUMNS)), tmp, layer=FIGURES)
            self._write_facilities(tmp, contents.facilities)
            self._write_shapes(tmp, contents.shapes, sorted({row.area for row in contents.shapes}))
            rolled = contents.rolled_up
            self._write_rollup(tmp, (lambda _f, _i: rolled) if rolled is not None else None, contents.figures, index)
            if contents.distances is not None:
                self._write_distances(tmp, contents.distances)
            names = self._write_snapshots(contents.before)
            log = contents.log.reindex(columns=list(IMPORT_COLUMNS)).fillna("")
            log["snapshot"] = [names.get(number, "") for number in range(1, len(log) + 1)]
            pyogrio.write_dataframe(log.astype({"rows": "int64"}), tmp, layer=IMPORTS)
        accounts = self.accounts()
        if accounts is not None:
            accounts.load_rows(list(contents.accounts))

    def _write_snapshots(self, before: Mapping[int, pd.DataFrame]) -> dict[int, str]:
        """A snapshot file (the figures alone) for each change whose figures before it are known; their names."""
        names: dict[int, str] = {}
        if not before:
            return names
        folder = self.history_folder
        folder.mkdir(exist_ok=True)
        for number, figures in sorted(before.items())[-KEEP:]:
            names[number] = _snapshot_name()
            pyogrio.write_dataframe(figures.reindex(columns=list(FIGURE_COLUMNS)), folder / names[number],
                                    layer=FIGURES)
        return names

    def accounts(self) -> Accounts | None:
        return None if self.readonly else SqliteAccounts(accounts_path(self.location))

    def beside(self, suffix: str) -> Path:
        real = self.path.resolve()
        return real.with_name(real.stem + suffix)

    def kept(self, place: str) -> Kept:
        """A folder beside the store (`<store>.jobs/`, pages in `pages/` inside it); for the bundled demo, which
        may lie where nobody writes, in the user's temporary folder."""
        real = self.path.resolve()
        apart = self.readonly or real == demo_store().resolve()
        folder = self.beside(".jobs") if not apart else \
            Path(tempfile.gettempdir()) / f"geojkn-{os.getuid()}" / f"{real.stem}.jobs"
        return FolderKept(folder if place == "jobs" else folder / place)

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

    def _log(self, tmp: Path, kind: str, source: str, rows: int, period: str = "", detail: str = "",
             actor: str = "") -> None:
        entry = {"imported_at": datetime.now(UTC).isoformat(timespec="seconds"), "kind": kind,
                 "file": Path(source).name, "rows": int(rows), "period": period, "detail": detail,
                 "user": actor, "sha256": file_sha256(Path(source)), "snapshot": self._snapshot}
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
                  reshape: Reshape | None = None, measure: Measure | None = None, rollup: Rollup | None = None,
                  actor: str = "") -> None:
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
            self._log(tmp, "boundaries", source, len(units), detail=detail, actor=actor)

    def put_figures(self, figures: pd.DataFrame, source: str, detail: str = "",
                    replace: Mapping[str, Sequence[str]] | None = None, rollup: Rollup | None = None,
                    actor: str = "") -> None:
        with self._transaction() as tmp:
            merged = merge_figures(self.figures(), figures, replace)
            pyogrio.write_dataframe(merged, tmp, layer=FIGURES)
            self._write_rollup(tmp, rollup, merged, self.unit_index())
            periods = ", ".join(sorted(figures[PERIOD].unique()))
            self._log(tmp, "figures", source, len(figures), period=periods, detail=detail, actor=actor)

    def remove_figures(self, period: str, within: str | None = None, source: str = "",
                       rollup: Rollup | None = None, actor: str = "") -> int:
        with self._transaction() as tmp:
            old = self.figures()
            codes = old[CODE].astype(str)
            gone = old[PERIOD] == period
            if within is not None:
                gone &= (codes == within) | codes.str.startswith(within + ".")
            kept = old[~gone].reset_index(drop=True)
            pyogrio.write_dataframe(kept, tmp, layer=FIGURES)
            self._write_rollup(tmp, rollup, kept, self.unit_index())
            self._log(tmp, "removal", source, int(gone.sum()), period=period, detail=within or "", actor=actor)
        return int(gone.sum())

    def changes(self) -> list[Change]:
        folder = self.history_folder
        return logged_changes(self.imports(),
                              lambda _number, snapshot: bool(snapshot) and (folder / snapshot).is_file())

    def restore_figures(self, number: int, period: str, within: str, source: str, rollup: Rollup | None = None,
                        actor: str = "") -> int:
        log = self.imports()
        if not 1 <= number <= len(log):
            raise NotFound(f"There is no change number {number}: the log has {len(log)}.")
        old = self.snapshot(str(log.iloc[number - 1].get("snapshot", "") or "")).figures(period, within)
        with self._transaction() as tmp:
            now = self.figures()
            codes = now[CODE].astype(str)
            gone = (now[PERIOD] == period) & ((codes == within) | codes.str.startswith(within + "."))
            merged = pd.concat([now[~gone], old.reindex(columns=now.columns)], ignore_index=True).reset_index(drop=True)
            pyogrio.write_dataframe(merged, tmp, layer=FIGURES)
            self._write_rollup(tmp, rollup, merged, self.unit_index())
            self._log(tmp, "restore", source, len(old), period=period, detail=within, actor=actor)
        return len(old)

    def put_facilities(self, facilities: gpd.GeoDataFrame, source: str, replace: bool = False,
                       relocate: Relocate | None = None, measure: Measure | None = None, actor: str = "") -> int:
        with self._transaction() as tmp:
            old = facilities.iloc[:0] if replace else self.facilities()
            merged, added = merge_facilities(old, facilities)
            units = self._all_units() if relocate is not None or measure is not None else {}
            if relocate is not None:
                merged = relocate(merged, units)
            self._write_facilities(tmp, merged)
            if measure is not None:
                self._write_distances(tmp, measure(units[Level.DESA], merged))
            self._log(tmp, "facilities", source, added, detail="replaced" if replace else "added", actor=actor)
        return added
