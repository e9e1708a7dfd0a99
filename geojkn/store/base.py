"""The store interface: everything the rest of geojkn may ask of a backend (GeoPackage now, PostGIS later).

Every backend passes tests/test_store_contract.py. Reads go to the backend each time: caching is the
Workspace's job, keyed by `version()`, which changes with every write.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..codes import within_any
from ..errors import DataError
from ..schema import (
    ACTIVE,
    APPROXIMATE,
    CODE,
    COUNTS,
    CRS,
    FACILITY_CODE,
    FACILITY_NAME,
    FACILITY_TYPE,
    LEVEL,
    NAME,
    PARENT,
    PERIOD,
    POPULATION,
    REGISTERED,
    SEGMENTS,
    SOURCE,
    TYPE_SOURCE,
    UNIT_CODE,
    Level,
)

if TYPE_CHECKING:
    from ..accounts import Accounts
    from .kept import Kept

_AREA_CODE = re.compile(r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")
_PERIOD = re.compile(r"^\d{4}-\d{2}$")
UNIT_COLUMNS = (CODE, NAME, PARENT)
INDEX_COLUMNS = (CODE, NAME, LEVEL, PARENT)
FIGURE_COLUMNS = (PERIOD, CODE, LEVEL) + COUNTS + (SOURCE,)
FACILITY_COLUMNS = (FACILITY_NAME, FACILITY_TYPE, TYPE_SOURCE, FACILITY_CODE, UNIT_CODE, APPROXIMATE)
# Counts replaced together by an import: a file that carries one of a group replaces the whole group.
COUNT_GROUPS = ((POPULATION,), (REGISTERED, ACTIVE), SEGMENTS)
# the log of writes: when, what, the file's name, rows, periods, a detail, who wrote (an account of the server;
# empty on the command line), the file's SHA-256, and how the backend finds the state just before (a GeoPackage
# store: the name of the snapshot file)
IMPORT_COLUMNS = ("imported_at", "kind", "file", "rows", "period", "detail", "user", "sha256", "snapshot")


@dataclass(frozen=True)
class Change:
    """One logged write of a store; `number` counts from 1, the oldest first."""

    number: int
    at: str
    kind: str
    file: str
    rows: int
    period: str
    detail: str
    user: str
    sha256: str
    restorable: bool  # the figures as they were just before it can still be restored

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def logged_changes(log: pd.DataFrame, restorable: Callable[[int, str], bool]) -> list[Change]:
    """The changes of an import log (IMPORT_COLUMNS), oldest first; `restorable` is asked with each change's number
    and snapshot."""
    log = log.reindex(columns=list(IMPORT_COLUMNS)).fillna("")
    return [Change(i + 1, str(r["imported_at"]), str(r["kind"]), str(r["file"]), int(r["rows"] or 0),
                   str(r["period"]), str(r["detail"]), str(r["user"]), str(r["sha256"]),
                   restorable(i + 1, str(r["snapshot"])))
            for i, r in enumerate(log.to_dict("records"))]


@dataclass(frozen=True)
class Draft:
    """An import staged for a preview (uploads.py), kept by the store until it is committed or discarded: who made
    it and when (epoch seconds), the version of the store it was made from, and its description (JSON)."""

    id: str
    user: str
    made_at: float
    version: str
    described: Mapping[str, Any]


@dataclass(frozen=True)
class Staging:
    """A private, writable state of a store to import into and compare with the store (Store.stage): what it
    started from is `version` of the store."""

    store: Store
    version: str


# An import written again into a store, from the file kept with its draft (see Store.commit_draft)
Redo = Callable[["Store", Path], object]
HISTORY_KEPT = 30  # the newest changes whose figures before them are kept (a GeoPackage store: its snapshots)


@dataclass(frozen=True)
class Contents:
    """Everything a store holds, as `geojkn copy-store` moves it from one backend to another (Store.contents,
    Store.load): the units of every level (with `derived`), the current figures and, for the newest restorable
    changes, the figures just before each (change number -> rows), the facilities, the log, the prepared map
    shapes, roll-ups and distances, and the accounts (their rows as stored: password hashes, never passwords)."""

    units: gpd.GeoDataFrame
    figures: pd.DataFrame
    before: Mapping[int, pd.DataFrame]
    facilities: gpd.GeoDataFrame
    log: pd.DataFrame
    shapes: Sequence[ShapeRow]
    rolled_up: pd.DataFrame | None
    distances: pd.DataFrame | None
    accounts: Sequence[tuple[str, ...]]


def figure_history(before: Mapping[int, pd.DataFrame], current: pd.DataFrame) -> pd.DataFrame:
    """Figures rows with the change that wrote each (`since`) and the one that replaced it (`until`, None while
    current), from the figures known just before some changes and now: the figures before each of those changes
    read back exactly (since < n <= until). A row that differs between two known states is taken as replaced by the
    first change of the stretch between them."""
    keys = [PERIOD, CODE]
    values = [c for c in FIGURE_COLUMNS if c not in keys]
    known = sorted(before.items())
    first = known[0][1] if known else current
    open_rows = first.reindex(columns=list(FIGURE_COLUMNS)).assign(since=0)
    closed = []
    stretches = [(n, frame) for n, frame in known[1:]] + [(None, current)]
    starts = [n for n, _ in known] or [0]
    for start, (_end, frame) in zip(starts, stretches, strict=True):
        frame = frame.reindex(columns=list(FIGURE_COLUMNS))
        both = open_rows.merge(frame, on=keys, how="outer", suffixes=("", "_new"), indicator=True)
        differs = both["_merge"] != "both"
        for column in values:
            a, b = both[column], both[f"{column}_new"]
            differs |= ~((a == b) | (a.isna() & b.isna()))
        gone = both[differs & (both["_merge"] != "right_only")]
        closed.append(gone[[*FIGURE_COLUMNS, "since"]].assign(until=start))
        kept = both[~differs][[*FIGURE_COLUMNS, "since"]]
        came = both[differs & (both["_merge"] != "left_only")]
        came = came[keys + [f"{c}_new" for c in values]].set_axis(list(FIGURE_COLUMNS), axis=1)
        open_rows = pd.concat([kept, came.assign(since=start)], ignore_index=True)
    rows = pd.concat([*closed, open_rows.assign(until=None)], ignore_index=True)
    return rows.astype({"since": "int64"})


@dataclass(frozen=True, eq=False)
class ShapeRow:
    """Prepared map shapes of one level of one province at one zoom band (analysis/mapgeometry.py): the units'
    codes in order and named integer or float arrays (a topology and the name anchors)."""

    area: str
    level: str
    zoom: int
    codes: tuple[str, ...]
    arrays: Mapping[str, np.ndarray]


# The map shapes to write with new boundaries: given the units before and after (per level) and the provinces
# already prepared, the rows of the provinces to prepare (again) and those provinces.
Reshape = Callable[[Mapping[Level, gpd.GeoDataFrame], Mapping[Level, gpd.GeoDataFrame], Sequence[str]],
                   tuple[Sequence[ShapeRow], Sequence[str]]]

# Every unit's figures rolled up (analysis.rollup.rollup) from the figures and the unit index as they will be after
# a write: a write of figures or units stores them with it, so questions read them instead of rolling up again.
Rollup = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]

# The distances from every desa to the nearest facilities (analysis.access.store_distances), measured inside a
# write of boundaries or facilities from the desa and the facilities as they will be.
Measure = Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame], pd.DataFrame]

# Facilities placed in the given units (analysis.facilities.place_facilities): the store calls it inside a write,
# so that what is stored always says where each facility lies, without the store knowing how to find out.
Relocate = Callable[[gpd.GeoDataFrame, Mapping[Level, gpd.GeoDataFrame]], gpd.GeoDataFrame]


def check_region(region: str) -> str:
    """A region's dotted code, checked before it goes near a query."""
    if not _AREA_CODE.match(region):
        raise DataError(f"'{region}' is not a dotted area code such as 33.20.")
    return region


def check_period(period: str) -> str:
    if not _PERIOD.match(period):
        raise DataError(f"'{period}' is not a period written YYYY-MM.")
    return period


def empty_units(level: Level) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in UNIT_COLUMNS}, geometry=gpd.GeoSeries([], crs=CRS))
    return frame.assign(**{LEVEL: str(level)})


def merge_figures(old: pd.DataFrame, new: pd.DataFrame,
                  replace: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    """The stored figures after an import, for every backend to write.

    Counts that belong together are replaced together (COUNT_GROUPS: the population; registered with active
    participants; the segments), so that mixing files never leaves the active participants of one file beside the
    registered of another. Without `replace` (an import with --merge): for each unit and month of a new row, the
    groups the file carries are replaced by the row's, and every other count stays. With `replace`: for each
    period, inside each of its regions, the groups the file carries are cleared first, so a unit the file leaves
    out no longer has them; groups the file does not carry stay (a registered-only file keeps the population
    imported from another file). Rows left with no count are dropped."""
    keys = [PERIOD, CODE]
    new = new.reindex(columns=list(FIGURE_COLUMNS))
    carried = [count for group in COUNT_GROUPS if new[list(group)].notna().any().any() for count in group]
    cleared = old.copy()
    if replace is None:
        cleared.loc[cleared.set_index(keys).index.isin(new.set_index(keys).index), carried] = float("nan")
    else:
        for period, regions in replace.items():
            inside = within_any(cleared[CODE], regions)
            cleared.loc[(cleared[PERIOD] == period) & inside, carried] = float("nan")
    merged = new.set_index(keys).combine_first(cleared.set_index(keys)).reset_index()
    merged = merged[merged[list(COUNTS)].notna().any(axis=1)]
    merged = merged.reindex(columns=list(FIGURE_COLUMNS)).sort_values(keys).reset_index(drop=True)
    merged[SOURCE] = merged[SOURCE].astype(object).where(merged[SOURCE].notna(), None)
    return merged.astype({c: "float64" for c in COUNTS}).astype({PERIOD: str, CODE: str, LEVEL: str})


def _facility_key(name: object, kind: object, code: object, point: Any) -> tuple[object, ...]:
    """One facility: its type and the digits of its code where it has one (Kemenkes writes R3320010 where the RS
    Online list writes 3320010), else its name, type and place to about a metre."""
    digits = "".join(ch for ch in str(code or "") if ch.isdigit())
    if digits:
        return ("code", str(kind), digits)
    x, y = (round(point.x, 5), round(point.y, 5)) if point is not None and not point.is_empty else (None, None)
    return ("place", str(name).strip().lower(), str(kind), x, y)


def merge_facilities(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """The stored facilities after adding `new`, and how many were added: a facility already stored is not added
    again, except that a facility with coordinates replaces the same facility placed only by its area code."""
    columns = list(FACILITY_COLUMNS) + ["geometry"]
    old, new = old.reindex(columns=columns), new.reindex(columns=columns)
    keys = [_facility_key(*row) for row in zip(old[FACILITY_NAME], old[FACILITY_TYPE], old[FACILITY_CODE],
                                                    old.geometry, strict=True)]
    where = {key: i for i, key in enumerate(keys)}
    rows, added = old.to_dict("records"), 0
    for record in new.to_dict("records"):
        key = _facility_key(record[FACILITY_NAME], record[FACILITY_TYPE], record[FACILITY_CODE], record["geometry"])
        if key not in where:
            where[key] = len(rows)
            rows.append(record)
            added += 1
        elif rows[where[key]].get(APPROXIMATE) in (True,) and record.get(APPROXIMATE) not in (True,):
            rows[where[key]] = record  # coordinates win over a place taken from an area code
    merged = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=CRS)
    return merged, added


class Store(ABC):
    """Boundaries per level, figures per period, facilities, and a log of imports."""

    location: str  # how to open it again (a path, a PostgreSQL connection string): for the server's processes
    readonly: bool

    @property
    def shown(self) -> str:
        """The store as messages name it (never a password)."""
        return self.location

    @property
    def name(self) -> str:
        """The store as a page names it in a few words: its file's name, or its database's."""
        return Path(self.location).name

    def check_writable(self) -> None:
        """Raise a DataError before any work is done if this store cannot be written."""
        if self.readonly:
            raise DataError(
                f"The store {self.shown} is read-only (the bundled demo). "
                "Give --store PATH or set GEOJKN_STORE to import your own data."
            )

    @abstractmethod
    def exists(self) -> bool:
        """True once the store has been created (by a first import)."""

    @abstractmethod
    def version(self) -> str:
        """A token that changes with every write (the key of every cache of derived results)."""

    @abstractmethod
    def unit_index(self, within: str | None = None) -> pd.DataFrame:
        """Code, name, level and parent code of every unit of every level (or of a region and what lies inside
        it), without geometry."""

    @abstractmethod
    def units(self, level: Level, within: str | None = None) -> gpd.GeoDataFrame:
        """Boundaries of one level (code, name, parent_code, level, geometry), optionally inside a region."""

    @abstractmethod
    def figures(self, period: str | None = None, within: str | None = None) -> pd.DataFrame:
        """Figures rows (period, code, level, counts), optionally one period, optionally inside a region."""

    @abstractmethod
    def periods(self) -> list[str]:
        """The periods that have figures, oldest first."""

    @abstractmethod
    def facilities(self, within: str | None = None) -> gpd.GeoDataFrame:
        """Facility points (name, type, type_source, facility_code, unit_code, geometry); `within` keeps those
        placed inside a region."""

    @abstractmethod
    def imports(self) -> pd.DataFrame:
        """The import log, oldest first."""

    @abstractmethod
    def shapes(self, level: Level, areas: Sequence[str] | None = None,
               zooms: Sequence[int] | None = None) -> list[ShapeRow]:
        """The prepared map shapes of a level (of some provinces), at every zoom band or the given ones."""

    @abstractmethod
    def shape_zooms(self, level: Level, area: str) -> list[int]:
        """The zoom bands with prepared shapes of a level in a province."""

    @abstractmethod
    def shapes_stamp(self) -> str:
        """A token that changes only when the prepared map shapes change ('' when there are none)."""

    @abstractmethod
    def rolled_up(self, within: str | None = None) -> pd.DataFrame | None:
        """The figures rolled up at the last write of figures or units (rows of the units inside a region, every
        row when None); None when the store has not stored them (a write made without `rollup` drops them)."""

    @abstractmethod
    def sources(self, within: str | None = None) -> pd.DataFrame:
        """Which source (import-figures --source, else the file) each period's figures inside a region come from:
        distinct (period, source) rows."""

    @abstractmethod
    def distances(self, area: str | None = None) -> pd.DataFrame | None:
        """The distances measured at import (analysis.access.store_distances), indexed by desa code, of the desa of
        a province (every desa when None); None when this store has not measured them."""

    # --- writing: each write is one transaction, logged with the acting account (`actor`, '' on the command line)
    @abstractmethod
    def put_units(self, units: gpd.GeoDataFrame, source: str, relocate: Relocate | None = None,
                  reshape: Reshape | None = None, measure: Measure | None = None, rollup: Rollup | None = None,
                  actor: str = "") -> None:
        """Add or replace (by code) boundaries of any levels, re-place the stored facilities with `relocate`,
        prepare the map shapes with `reshape` and measure the desa's distances to facilities with `measure`, in one
        atomic write."""

    @abstractmethod
    def put_figures(self, figures: pd.DataFrame, source: str, detail: str = "",
                    replace: Mapping[str, Sequence[str]] | None = None, rollup: Rollup | None = None,
                    actor: str = "") -> None:
        """Add figures rows atomically. With `replace` (period -> region codes), the new rows are that period's
        truth inside those regions (see merge_figures); without it, rows are replaced by period and code."""

    @abstractmethod
    def remove_figures(self, period: str, within: str | None = None, source: str = "",
                       rollup: Rollup | None = None, actor: str = "") -> int:
        """Remove every figures row of a period (inside a region), atomically and logged; the rows removed."""

    @abstractmethod
    def put_facilities(self, facilities: gpd.GeoDataFrame, source: str, replace: bool = False,
                       relocate: Relocate | None = None, measure: Measure | None = None, actor: str = "") -> int:
        """Add facilities (or replace all), skipping exact duplicates, and place every stored facility with
        `relocate`; returns the number added."""

    # --- history ------------------------------------------------------------------------------------------
    @abstractmethod
    def changes(self) -> list[Change]:
        """Every logged write, the oldest first, each saying whether the figures before it can be restored."""

    @abstractmethod
    def restore_figures(self, number: int, period: str, within: str, source: str, rollup: Rollup | None = None,
                        actor: str = "") -> int:
        """Make a region's month what it was just before change `number` (removing it if it had none then),
        atomically and logged; the rows restored. NotFound when that state is no longer kept."""

    # --- staging: an import previewed first, committed only onto the state it was previewed against ------------
    @abstractmethod
    def stage(self, draft: str) -> AbstractContextManager[Staging]:
        """A private writable state of this store, as one version, to import into and compare with; nothing of
        the store changes. What commit_draft needs of it is kept under `draft` when the block ends without error
        and keep_draft is called in it; an error drops it."""

    @abstractmethod
    def keep_draft(self, draft: Draft, upload: Path) -> None:
        """Keep a staged import's description, and whatever commit_draft needs (the uploaded file, or the
        staged state itself)."""

    @abstractmethod
    def drafts(self) -> list[Draft]:
        """The drafts kept, the oldest first."""

    @abstractmethod
    def drop_draft(self, draft: str) -> None:
        """Forget a draft and everything kept for it (nothing when there is no such draft)."""

    @abstractmethod
    def commit_draft(self, draft: str, actor: str, redo: Redo) -> None:
        """Make a draft's import the store's, in one transaction, only if the store is still the version the draft
        was made from (Conflict otherwise: nothing changes); a backend that kept the upload rather than the
        staged state imports it again with `redo`."""

    # --- what the servers make ---------------------------------------------------------------------------
    @abstractmethod
    def kept(self, place: str) -> Kept:
        """Where the server's processes keep what they make from this store for one another (store/kept.py):
        `place` is "jobs" (downloads and their states) or "pages" (answers made once)."""

    def beside(self, suffix: str) -> Path | None:
        """A file of this machine that belongs with the store (a GeoPackage's `<store><suffix>` beside it); None
        for a store that is not a file."""
        return None

    # --- moving between backends -------------------------------------------------------------------------
    @abstractmethod
    def contents(self) -> Contents:
        """Everything this store holds (see Contents), for a copy."""

    @abstractmethod
    def load(self, contents: Contents) -> None:
        """Fill this store, new and empty, with what another held, in one write (DataError when it holds data)."""

    # --- accounts -----------------------------------------------------------------------------------------
    @abstractmethod
    def accounts(self) -> Accounts | None:
        """Where the server's accounts and failed logins are kept for this store (None: it keeps none, as the
        bundled demo)."""
