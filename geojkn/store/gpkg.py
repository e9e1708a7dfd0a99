"""The default store: one GeoPackage file, written copy-on-write so every import is all-or-nothing."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from collections import OrderedDict
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import geopandas as gpd
import pandas as pd
import pyogrio

from ..errors import DataError
from ..schema import CODE, COUNTS, CRS, LEVEL, LEVELS, NAME, PARENT, PERIOD
from .base import FACILITY_COLUMNS, FIGURE_COLUMNS, IMPORT_COLUMNS, UNIT_COLUMNS, Store

FIGURES, FACILITIES, IMPORTS = "figures", "facilities", "imports"
_SAFE_CODE = re.compile(r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")
_CACHE: OrderedDict[tuple, object] = OrderedDict()
_CACHE_SIZE = 32


def _where_within(region: str | None) -> str | None:
    """SQL filter for units inside a region; the code is checked first so it can be put in SQL as is."""
    if region is None:
        return None
    if not _SAFE_CODE.match(region):
        raise DataError(f"'{region}' is not a dotted area code such as 33.20.")
    return f"{CODE} = '{region}' OR {CODE} LIKE '{region}.%'"


class GpkgStore(Store):
    """A GeoPackage holding layers desa, kecamatan, kabupaten, provinsi, figures, facilities, imports."""

    def __init__(self, path: str | os.PathLike, readonly: bool = False) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.readonly = readonly

    # --- reading -----------------------------------------------------------------------------
    def _stamp(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (str(self.path.resolve()), st.st_mtime_ns, st.st_size)

    def _cached(self, key: tuple, load):
        """Read once per file version: every write replaces the file, so (path, mtime, size) names a version."""
        stamp = self._stamp()
        if stamp is None:
            return load()
        full = stamp + key
        if full in _CACHE:
            _CACHE.move_to_end(full)
        else:
            _CACHE[full] = load()
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return _CACHE[full].copy()

    def _layers(self) -> set[str]:
        if self._stamp() is None:
            return set()
        return set(self._cached(("layers",), lambda: pd.Index(pyogrio.list_layers(self.path)[:, 0])))

    def _read(self, layer: str, where: str | None = None, geometry: bool = True):
        def load():
            return pyogrio.read_dataframe(self.path, layer=layer, where=where, read_geometry=geometry)

        return self._cached((layer, where, geometry), load)

    def version(self) -> str:
        stamp = self._stamp()
        return "none" if stamp is None else f"{stamp[1]}-{stamp[2]}"

    def exists(self) -> bool:
        return bool(self._layers() & set(LEVELS))

    def units(self, level: str, within: str | None = None) -> gpd.GeoDataFrame:
        if level not in self._layers():
            return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in UNIT_COLUMNS + (LEVEL,)}, geometry=[], crs=CRS)
        frame = self._read(level, _where_within(within))
        frame[LEVEL] = level
        return frame

    def unit_index(self) -> pd.DataFrame:
        frames = []
        for level in LEVELS:
            if level in self._layers():
                frame = self._read(level, geometry=False)[[CODE, NAME, PARENT]]
                frames.append(frame.assign(**{LEVEL: level}))
        if not frames:
            return pd.DataFrame(columns=[CODE, NAME, PARENT, LEVEL])
        return pd.concat(frames, ignore_index=True)

    def figures(self, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        if FIGURES not in self._layers():
            return pd.DataFrame(columns=list(FIGURE_COLUMNS))
        frame = self._read(FIGURES, geometry=False)
        if period is not None:
            frame = frame[frame[PERIOD] == period]
        if within is not None:
            codes = frame[CODE].astype(str)
            frame = frame[(codes == within) | codes.str.startswith(within + ".")]
        return frame.reset_index(drop=True)

    def periods(self) -> list[str]:
        return sorted(self.figures()[PERIOD].dropna().unique().tolist())

    def facilities(self) -> gpd.GeoDataFrame:
        if FACILITIES not in self._layers():
            return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in FACILITY_COLUMNS}, geometry=[], crs=CRS)
        return self._read(FACILITIES)

    def imports(self) -> pd.DataFrame:
        if IMPORTS not in self._layers():
            return pd.DataFrame(columns=list(IMPORT_COLUMNS))
        return self._read(IMPORTS, geometry=False)

    # --- writing -------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[Path]:
        """Write into a copy next to the store, then rename it over the store: readers never see half an import."""
        self.check_writable()
        with self._lock():
            for stale in self.path.parent.glob(f".{self.path.stem}-*.gpkg"):
                stale.unlink(missing_ok=True)  # left by a writer that was killed; we hold the lock now
            fd, name = tempfile.mkstemp(prefix=f".{self.path.stem}-", suffix=".gpkg", dir=self.path.parent)
            os.close(fd)
            tmp = Path(name)
            try:
                tmp.unlink()
                if self.path.exists():
                    shutil.copyfile(self.path, tmp)
                yield tmp
                os.replace(tmp, self.path)
            finally:
                tmp.unlink(missing_ok=True)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer at a time (readers are never blocked); a folder we cannot write to is a user error."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.parent / f".{self.path.name}.lock", "w")
        except OSError as exc:
            raise DataError(f"Cannot write the store {self.path}: {exc.strerror}. "
                            "Choose a folder you can write to with --store.") from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _log(self, tmp: Path, kind: str, source: str, rows: int, period: str = "", detail: str = "") -> None:
        log = self.imports() if IMPORTS in self._layers() else pd.DataFrame(columns=list(IMPORT_COLUMNS))
        entry = {
            "imported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "kind": kind,
            "file": Path(source).name,
            "rows": int(rows),
            "period": period,
            "detail": detail,
        }
        log = pd.concat([log, pd.DataFrame([entry])], ignore_index=True).astype({"rows": "int64"})
        pyogrio.write_dataframe(log, tmp, layer=IMPORTS)

    def put_units(self, units: gpd.GeoDataFrame, source: str) -> None:
        with self._transaction() as tmp:
            for level in LEVELS:
                new = units[units[LEVEL] == level]
                if new.empty:
                    continue
                old = self.units(level)
                kept = old[~old[CODE].isin(new[CODE])]
                merged = pd.concat([kept, new], ignore_index=True)[list(UNIT_COLUMNS) + ["geometry"]]
                merged = gpd.GeoDataFrame(merged.sort_values(CODE), geometry="geometry", crs=CRS)
                pyogrio.write_dataframe(merged, tmp, layer=level, promote_to_multi=True)
            counts = units[LEVEL].value_counts()
            detail = ", ".join(f"{level} {counts[level]}" for level in LEVELS if level in counts)
            self._log(tmp, "boundaries", source, len(units), detail=detail)

    def put_figures(self, figures: pd.DataFrame, source: str, detail: str = "") -> None:
        new = figures.reindex(columns=list(FIGURE_COLUMNS))
        with self._transaction() as tmp:
            old = self.figures()
            keys = set(zip(new[PERIOD], new[CODE]))
            kept = old[[key not in keys for key in zip(old[PERIOD], old[CODE])]]
            merged = pd.concat([kept, new], ignore_index=True).sort_values([PERIOD, CODE])
            merged = merged.astype({c: "float64" for c in COUNTS}).astype({PERIOD: str, CODE: str, LEVEL: str})
            pyogrio.write_dataframe(merged.reset_index(drop=True), tmp, layer=FIGURES)
            periods = ", ".join(sorted(new[PERIOD].unique()))
            self._log(tmp, "figures", source, len(new), period=periods, detail=detail)

    def put_facilities(self, facilities: gpd.GeoDataFrame, source: str, replace: bool = False) -> int:
        new = facilities.reindex(columns=list(FACILITY_COLUMNS) + ["geometry"])
        with self._transaction() as tmp:
            old = new.iloc[:0] if replace else self.facilities()
            seen = {_facility_key(row) for row in old.itertuples()}
            keep = []
            for row in new.itertuples():
                key = _facility_key(row)
                keep.append(key not in seen)
                seen.add(key)
            fresh = new[keep]
            merged = gpd.GeoDataFrame(pd.concat([old, fresh], ignore_index=True), geometry="geometry", crs=CRS)
            pyogrio.write_dataframe(merged.astype({c: object for c in FACILITY_COLUMNS}), tmp, layer=FACILITIES)
            self._log(tmp, "facilities", source, len(fresh), detail="replaced" if replace else "added")
        return len(fresh)


def _facility_key(row) -> tuple:
    """Same name, type and place (to ~1 m) means the same facility."""
    return (str(row.name).strip().lower(), row.type, round(row.geometry.x, 5), round(row.geometry.y, 5))

