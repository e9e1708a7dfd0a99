"""Uploads in two steps: a preview of what a file would change, then commit or discard.

Step one stores the file under a name the server chooses, copies the store, imports the file into the copy
(every check of the command line applies) and compares the copy with the store: the report, the units and
facilities added or changed, the codes touched, and each affected kabupaten's totals before and after. An
account limited to regions may only touch codes inside them. Step two makes the copy the store in one rename,
if the store is still the version that was copied (otherwise nobody's work is mixed: the second committer is
told and nothing changes), keeping the previous state for restore. Discarding deletes the copy and the file.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from .accounts import User
from .analysis.rollup import rollup, stored_rollup
from .errors import DataError, NotFound
from .options import Lang, Role
from .readers.files import LIMITS, MB, Kind, sniff
from .schema import ACTIVE, CODE, FACILITY_NAME, FACILITY_TYPE, NAME, PERIOD, POPULATION, REGISTERED, UNIT_CODE
from .store import GpkgStore
from .store.gpkg import refusing_disk_errors

SUFFIXES = {Kind.CSV: ".csv", Kind.XLSX: ".xlsx", Kind.GPKG: ".gpkg", Kind.GEOJSON: ".geojson",
            Kind.ZIP: ".zip", Kind.SHAPEFILE: ".shp"}
_ID_CHARS = set("0123456789abcdef")
SHOWN_CODES = 20
OUTSIDE = "-"  # what a facility outside every stored boundary counts as touching
PREVIEWS_EACH = 5  # previews an account keeps at once; a new one discards its oldest
KEEP_PREVIEWS_S = 24 * 3600
ORPHAN_AFTER_S = 600  # a file of an upload with no description this old was left by a stage or commit killed
SQLITE_LEFTOVERS = ("-journal", "-wal", "-shm")  # beside a copy SQLite was writing when it was stopped


class UploadKind(StrEnum):
    FIGURES = "figures"
    BOUNDARIES = "boundaries"
    FACILITIES = "facilities"


class Forbidden(DataError):
    """The account may not change what the file would change."""

    status = 403


@dataclass(frozen=True)
class Totals:
    """A kabupaten's month before and after, as the roll-up counts it."""

    code: str
    name: str
    period: str
    before: tuple[int | None, int | None, int | None]  # population, registered, active
    after: tuple[int | None, int | None, int | None]


@dataclass
class Preview:
    """What an upload would change; kept as JSON beside the staged copy until committed or discarded."""

    id: str
    kind: str
    file: str
    user: str
    made_at: str
    version: str
    lines: list[str]
    touched: list[str]
    units_added: int = 0
    units_changed: int = 0
    facilities_added: int = 0
    facilities_removed: int = 0
    totals: list[Totals] = field(default_factory=list)
    reshaped: list[str] = field(default_factory=list)  # units whose map shape changes (the cleaning moves borders)
    overlaps: list[str] = field(default_factory=list)  # units outside an editor's regions a new polygon covers

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preview:
        totals = [Totals(t["code"], t["name"], t["period"], tuple(t["before"]), tuple(t["after"]))
                  for t in data.pop("totals", [])]
        return cls(**data, totals=totals)


def staging_folder(store: GpkgStore) -> Path:
    real = store.path.resolve()
    return real.with_name(real.stem + ".uploads")


def _paths(store: GpkgStore, upload_id: str) -> tuple[Path, Path]:
    if len(upload_id) != 16 or not set(upload_id) <= _ID_CHARS:
        raise NotFound("There is no such upload (it was committed, discarded or never made).")
    folder = staging_folder(store)
    return folder / f"{upload_id}.gpkg", folder / f"{upload_id}.json"


def _remove(store: GpkgStore, upload_id: str) -> None:
    """Delete a preview's copy, description and lock, and what SQLite may have left beside the copy."""
    staged, meta = _paths(store, upload_id)
    for path in (staged, meta, staged.with_name(f".{staged.name}.lock"),
                 *(staged.with_name(staged.name + ending) for ending in SQLITE_LEFTOVERS)):
        path.unlink(missing_ok=True)
    shutil.rmtree(staged.with_name(upload_id), ignore_errors=True)


def _prune(store: GpkgStore, user: User | None) -> None:
    """Previews nobody committed or discarded within a day are discarded, and an account keeps at most
    PREVIEWS_EACH (a copy of the store each): its oldest go first."""
    folder = staging_folder(store)
    now = datetime.now(UTC).timestamp()
    cutoff = now - KEEP_PREVIEWS_S
    described = {meta.stem for meta in folder.glob("*.json")}
    for leftover in folder.iterdir():  # what a stage or a commit that was killed left: no description, or stale
        upload_id = leftover.name.lstrip(".")[:16]
        with contextlib.suppress(OSError):
            if upload_id not in described and now - leftover.stat().st_mtime > ORPHAN_AFTER_S:
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink()
    mine = []
    for meta in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
        if meta.stat().st_mtime < cutoff:
            _remove(store, meta.stem)
        elif json.loads(meta.read_text(encoding="utf-8")).get("user") == (user.name if user else ""):
            mine.append(meta.stem)
    for upload_id in mine[:max(0, len(mine) - PREVIEWS_EACH + 1)]:
        _remove(store, upload_id)


def _copy_store(store: GpkgStore, target: Path) -> str:
    """Copy the store as one version (retry when an import replaced it during the copy); that version."""
    for _ in range(5):
        version = store.version()
        if store.path.exists():
            shutil.copyfile(store.path.resolve(), target)
        if store.version() == version:
            return version
    raise DataError("The store is being changed right now; upload again in a moment.")


def stage(store: GpkgStore, data: bytes, filename: str, kind: UploadKind, user: User | None, *,
          period: str | None = None, source: str | None = None, merge: bool = False, replace: bool = False,
          whole_month: bool = False, lang: Lang = Lang.ID) -> Preview:
    """Import `data` into a copy of the store and describe the difference; nothing of the store changes."""
    store.check_writable()
    if not store.exists():
        raise DataError("The store does not exist yet: its first boundaries are imported on the command line.")
    if len(data) > LIMITS.file_bytes:
        raise DataError(f"{filename}: is larger than {LIMITS.file_bytes // MB} MB.")
    folder = staging_folder(store)
    folder.mkdir(mode=0o700, exist_ok=True)
    _prune(store, user)
    with refusing_disk_errors(folder, store.history_folder):
        return _stage(store, folder, data, filename, kind, user, period, source, merge, replace, whole_month, lang)


def _stage(store: GpkgStore, folder: Path, data: bytes, filename: str, kind: UploadKind, user: User | None,
           period: str | None, source: str | None, merge: bool, replace: bool, whole_month: bool,
           lang: Lang) -> Preview:
    from . import importing

    upload_id = secrets.token_hex(8)
    staged_path, meta = _paths(store, upload_id)
    private = folder / upload_id  # the file under the user's name, made safe, in a folder of its own
    private.mkdir(mode=0o700)
    name = safe_name(filename)
    raw = private / "upload"
    try:
        raw.write_bytes(data)
        raw = raw.rename(private / (Path(name).stem + SUFFIXES[sniff(raw, name)]))
        version = _copy_store(store, staged_path)
        staged = GpkgStore(staged_path, history=False)
        staged.actor = user.name if user else ""
        if kind == UploadKind.FIGURES:
            lines = importing.import_figures(staged, raw, period=period, merge=merge, replace=whole_month,
                                             source=source or raw.name, lang=lang)
        elif kind == UploadKind.BOUNDARIES:
            lines = importing.import_boundaries(staged, raw, lang=lang)
        else:
            lines = importing.import_facilities(staged, raw, replace=replace, lang=lang)
        preview = _compare(store, staged, kind, user.regions if user and user.role != Role.ADMIN else ())
        preview.id, preview.kind, preview.file, preview.version, preview.lines = (
            upload_id, str(kind), raw.name, version, lines)
        preview.user = user.name if user else ""
        _check_allowed(preview, user)
        meta.write_text(json.dumps(preview.to_json(), ensure_ascii=False), encoding="utf-8")
        return preview
    except BaseException:
        _remove(store, upload_id)
        raise
    finally:
        shutil.rmtree(private, ignore_errors=True)


def safe_name(filename: str) -> str:
    """A file's name as the server keeps it: no folders, only letters, digits, spaces and . - _ ( )."""
    name = re.sub(r"[^\w.\- ()]+", "_", Path(filename or "").name).strip(" ._")[:100]
    return name or "upload"


def _check_allowed(preview: Preview, user: User | None) -> None:
    if user is None or user.role == Role.ADMIN:
        return
    if user.role != Role.EDITOR:
        raise Forbidden("Your account may view maps but not change data: ask an admin for an editor account.")
    if preview.overlaps:
        shown = ", ".join(preview.overlaps[:SHOWN_CODES])
        raise Forbidden(f"{preview.file}: its polygons cover units outside your regions ({', '.join(user.regions)}) "
                        f"by more than {OVERLAP_SHARE:.0%} of their area: {shown}. Check the file's boundaries, or "
                        "ask an admin to import it.")
    outside = [code if code != OUTSIDE else "(outside every boundary)" for code in preview.touched
               if code == OUTSIDE or not user.may_edit(code)]
    if outside:
        shown = ", ".join(outside[:SHOWN_CODES]) + (f" and {len(outside) - SHOWN_CODES} more"
                                                    if len(outside) > SHOWN_CODES else "")
        raise Forbidden(f"{preview.file}: would change data outside your regions ({', '.join(user.regions)}): "
                        f"{shown}. Upload only your regions' rows, with 'merge' for figures, or ask an admin.")


def _compare(store: GpkgStore, staged: GpkgStore, kind: UploadKind, regions: tuple[str, ...]) -> Preview:
    preview = Preview("", "", "", "", datetime.now(UTC).isoformat(timespec="seconds"), "", [], [])
    touched: set[str] = set()
    if kind == UploadKind.FIGURES:
        touched |= _figure_changes(store.figures(), staged.figures())
        preview.totals = _totals(store, staged, touched, regions)
    if kind == UploadKind.BOUNDARIES:
        before, after = store.unit_index(), staged.unit_index()
        added = set(after[CODE]) - set(before[CODE])
        preview.units_added = len(added)
        changed = _changed_units(store, staged, set(after[CODE]) & set(before[CODE]))
        preview.units_changed = len(changed)
        touched |= added | changed
        preview.reshaped = sorted(_reshaped(store, staged, added | changed))
        if regions:
            preview.overlaps = _overlaps(store, staged, added | changed, regions)
    before_f, after_f = _facility_keys(store), _facility_keys(staged)
    gone, new = before_f.difference(after_f), after_f.difference(before_f)
    if kind == UploadKind.FACILITIES:
        preview.facilities_added, preview.facilities_removed = len(new), len(gone)
    # a facility added, removed or placed in another unit (new boundaries) touches the units on both sides;
    # one outside every boundary touches OUTSIDE, which only an account without region limits may change
    touched |= {unit or OUTSIDE for _key, unit in gone | new}
    preview.touched = sorted(touched)
    return preview


def _figure_changes(before: pd.DataFrame, after: pd.DataFrame) -> set[str]:
    """Codes whose figures of some month were added, removed or changed."""
    key = [PERIOD, CODE]
    columns = [c for c in after.columns if c in before.columns]
    both = before[columns].merge(after[columns], on=key, how="outer", suffixes=("_b", "_a"), indicator=True)
    values = [c for c in columns if c not in key]
    differs = both["_merge"] != "both"
    for column in values:
        b, a = both[f"{column}_b"], both[f"{column}_a"]
        differs |= ~((b == a) | (b.isna() & a.isna()))
    return set(both.loc[differs, CODE].astype(str))


OVERLAP_SHARE, OVERLAP_M2 = 0.02, 10_000.0  # a new polygon may cover this much of a unit outside the scope


def _overlaps(store: GpkgStore, staged: GpkgStore, codes: set[str], regions: tuple[str, ...]) -> list[str]:
    """Units outside `regions` that the new or changed polygons cover by more than OVERLAP_SHARE of their area and
    OVERLAP_M2 (real neighbours overlap a little: boundaries are drawn apart)."""
    import geopandas as gpd

    from .analysis.access import utm_crs
    from .schema import LEVELS

    def inside(code: str) -> bool:
        return any(code == r or code.startswith(r + ".") for r in regions)

    found: set[str] = set()
    for level in LEVELS:
        new = staged.units(level)
        new = new[new[CODE].isin(codes)]
        if new.empty:
            continue
        old = store.units(level)
        others = old[[not inside(str(c)) for c in old[CODE]]]
        if others.empty:
            continue
        west, south, east, north = new.total_bounds
        metric = utm_crs((west + east) / 2, (south + north) / 2)
        a, b = gpd.GeoSeries(new.geometry.values, crs=new.crs).to_crs(metric), others.to_crs(metric)
        for polygon in a.values:
            near = b[b.intersects(polygon)]
            covered = near.intersection(polygon).area
            found |= {str(c) for c, part, whole in zip(near[CODE], covered, near.area, strict=True)
                      if part > OVERLAP_M2 and part > OVERLAP_SHARE * whole}
    return sorted(found)


def _reshaped(store: GpkgStore, staged: GpkgStore, codes: set[str]) -> set[str]:
    """Units whose prepared map shape changes with the new boundaries (cleaning moves the borders they share),
    besides those the file names."""
    import shapely

    from .schema import DESA, KECAMATAN
    from .workspace import bands_of

    found: set[str] = set()
    for area in sorted({code[:2] for code in codes}):
        for level in (DESA, KECAMATAN):
            old, new = bands_of(store, level, area), bands_of(staged, level, area)
            if old is None or new is None:
                continue
            top = max(set(old.zooms) & set(new.zooms), default=None)
            if top is None:
                continue
            before, after = old.band(top), new.band(top)
            shapes = dict(zip(before.codes, before.polygons(), strict=True))
            for code, polygon in zip(after.codes, after.polygons(), strict=True):
                if code in shapes and not shapely.equals_exact(shapes[code], polygon, tolerance=1e-7):
                    found.add(code)
    return found - codes


def _changed_units(store: GpkgStore, staged: GpkgStore, codes: set[str]) -> set[str]:
    from .schema import LEVELS

    changed: set[str] = set()
    for level in LEVELS:
        old, new = store.units(level), staged.units(level)
        if new.empty:
            continue
        merged = old.merge(pd.DataFrame(new.drop(columns="geometry").assign(wkb=new.geometry.to_wkb())),
                           on=CODE, suffixes=("_b", "_a"))
        merged = merged[merged[CODE].isin(codes)]
        same = (merged[f"{NAME}_b"] == merged[f"{NAME}_a"]) & (merged.geometry.to_wkb() == merged["wkb"])
        changed |= set(merged.loc[~same, CODE])
    return changed


def _facility_keys(store: GpkgStore) -> set[tuple[tuple[str, str, float, float], str]]:
    found = store.facilities()
    keys = set()
    for name, kind, geom, unit in zip(found[FACILITY_NAME], found[FACILITY_TYPE], found.geometry,
                                      found[UNIT_CODE] if UNIT_CODE in found else [None] * len(found), strict=True):
        point = geom.centroid if geom is not None and not geom.is_empty else None
        x, y = (round(point.x, 6), round(point.y, 6)) if point is not None else (0.0, 0.0)
        keys.add(((str(name), str(kind), x, y), str(unit) if isinstance(unit, str) else ""))
    return keys


def _totals(store: GpkgStore, staged: GpkgStore, touched: set[str], regions: tuple[str, ...]) -> list[Totals]:
    """Each affected kabupaten's months before and after (at most 12 shown); for an account limited to
    regions, those regions' months instead (it sees nothing around them)."""
    index = store.unit_index()
    names = dict(zip(index[CODE], index[NAME], strict=True))
    kabupaten = list(regions) if regions else sorted({code[:5] for code in touched if len(code) >= 5})[:12]
    out = []
    for kab in kabupaten:
        inside = [c for c in names if c == kab or c.startswith(kab + ".")]
        rolled = {side: rollup(s.figures(within=kab), inside) for side, s in (("b", store), ("a", staged))}
        periods = sorted(set(rolled["a"].get(PERIOD, pd.Series(dtype=str))) | set(rolled["b"].get(PERIOD, [])))
        for period in periods:
            row = {side: t[(t[CODE] == kab) & (t[PERIOD] == period)] for side, t in rolled.items()}
            counts = {side: tuple(_count(r, c) for c in (POPULATION, REGISTERED, ACTIVE)) for side, r in row.items()}
            if counts["a"] != counts["b"]:
                out.append(Totals(kab, names.get(kab, kab), str(period), counts["b"], counts["a"]))  # type: ignore[arg-type]
    return out


def _count(rows: pd.DataFrame, column: str) -> int | None:
    if rows.empty or column not in rows or pd.isna(rows[column].iloc[0]):
        return None
    return int(rows[column].iloc[0])


def load(store: GpkgStore, upload_id: str, user: User | None) -> Preview:
    """A preview, for the account that made it or an admin (anyone else: Forbidden)."""
    staged, meta = _paths(store, upload_id)
    if not meta.is_file() or not staged.is_file():
        raise NotFound("There is no such upload (it was committed, discarded or never made).")
    preview = Preview.from_json(json.loads(meta.read_text(encoding="utf-8")))
    if user is not None and user.role != Role.ADMIN and user.name != preview.user:
        raise Forbidden("Only the account that made this preview (or an admin) may open, commit or discard it.")
    return preview


def commit(store: GpkgStore, upload_id: str, user: User | None) -> Preview:
    """Make the previewed copy the store (Conflict if the store changed since); the preview is used up."""
    preview = load(store, upload_id, user)
    _check_allowed(preview, user)  # again: the account's regions may have changed since the preview
    staged, _meta = _paths(store, upload_id)
    try:
        store.adopt(staged, preview.version, {"user": user.name if user else preview.user})
    finally:
        _remove(store, upload_id)
    return preview


def discard(store: GpkgStore, upload_id: str, user: User | None) -> None:
    load(store, upload_id, user)
    _remove(store, upload_id)


@dataclass(frozen=True)
class Entry:
    """One change of the store as the log keeps it; `number` counts from 1, the oldest first."""

    number: int
    at: str
    kind: str
    file: str
    rows: int
    period: str
    detail: str
    user: str
    sha256: str
    restorable: bool  # the state before it is still kept

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def history(store: GpkgStore, user: User | None = None) -> list[Entry]:
    """Every logged change of the store, the newest first; an account limited to regions sees its own."""
    log = store.imports().reindex(columns=["imported_at", "kind", "file", "rows", "period", "detail", "user",
                                           "sha256", "snapshot"]).fillna("")
    folder = store.history_folder
    entries = [Entry(i + 1, str(r["imported_at"]), str(r["kind"]), str(r["file"]), int(r["rows"] or 0),
                     str(r["period"]), str(r["detail"]), str(r["user"]), str(r["sha256"]),
                     bool(r["snapshot"]) and (folder / str(r["snapshot"])).is_file())
               for i, (_, r) in enumerate(log.iterrows())]
    if user is not None and user.role != Role.ADMIN and user.regions:
        entries = [e for e in entries if e.user == user.name]
    return entries[::-1]


def restore(store: GpkgStore, number: int, region: str, period: str, user: User | None) -> int:
    """Make `region`'s `period` what it was just before change `number`; the rows restored."""
    if user is not None and not user.may_edit(region):
        raise Forbidden(f"Your account may not change the data of {region}.")
    log = store.imports()
    if not 1 <= number <= len(log):
        raise NotFound(f"There is no change number {number}: the log has {len(log)}. See geojkn history.")
    snapshot = str(log.iloc[number - 1].get("snapshot", "") or "")
    store.actor = user.name if user else ""
    return store.restore_figures(snapshot, period, region, f"restore of change {number}", rollup=stored_rollup)
