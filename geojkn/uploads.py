"""Uploads in two steps: a preview of what a file would change, then commit or discard.

Step one keeps the file under a name the server chooses, imports it into a private state of the store
(Store.stage: every check of the command line applies) and compares that state with the store: the report, the
units and facilities added or changed, the codes touched, and each affected kabupaten's totals before and after.
An account limited to regions may only touch codes inside them. Step two makes the import the store's
(Store.commit_draft) only if the store is still the version the preview was made from (otherwise nobody's work
is mixed: the second committer is told and nothing changes); the store keeps the previous state for restore.
Discarding forgets the draft. Everything here goes through the Store interface, whatever the backend.
"""

from __future__ import annotations

import errno
import re
import secrets
import tempfile
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
from .store import Store
from .store.base import Change, Draft

SUFFIXES = {Kind.CSV: ".csv", Kind.XLSX: ".xlsx", Kind.GPKG: ".gpkg", Kind.GEOJSON: ".geojson",
            Kind.ZIP: ".zip", Kind.SHAPEFILE: ".shp"}
SHOWN_CODES = 20
OUTSIDE = "-"  # what a facility outside every stored boundary counts as touching
PREVIEWS_EACH = 5  # previews an account keeps at once; a new one discards its oldest
KEEP_PREVIEWS_S = 24 * 3600


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
    asked: dict[str, Any] = field(default_factory=dict)  # the import's options (Asked), to import it again

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preview:
        totals = [Totals(t["code"], t["name"], t["period"], tuple(t["before"]), tuple(t["after"]))
                  for t in data.pop("totals", [])]
        return cls(**data, totals=totals)


@dataclass(frozen=True)
class Asked:
    """What an upload asks: what the file holds and the options of its import."""

    kind: UploadKind
    period: str | None = None
    source: str | None = None
    merge: bool = False
    replace: bool = False  # facilities: the file replaces every stored facility
    whole_month: bool = False  # figures: the file is its month's truth inside its regions
    lang: Lang = Lang.ID

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": str(self.kind), "lang": str(self.lang)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Asked:
        return cls(**{**data, "kind": UploadKind(data["kind"]), "lang": Lang(data["lang"])})


def _import(store: Store, raw: Path, asked: Asked, actor: str) -> list[str]:
    """The file imported into `store` as the command line would, logged as `actor`'s."""
    from . import importing

    if asked.kind == UploadKind.FIGURES:
        return importing.import_figures(store, raw, period=asked.period, merge=asked.merge,
                                        replace=asked.whole_month, source=asked.source or raw.name,
                                        lang=asked.lang, actor=actor)
    if asked.kind == UploadKind.BOUNDARIES:
        return importing.import_boundaries(store, raw, lang=asked.lang, actor=actor)
    return importing.import_facilities(store, raw, replace=asked.replace, lang=asked.lang, actor=actor)


def _prune(store: Store, user: User | None) -> None:
    """Previews nobody committed or discarded within a day are discarded, and an account keeps at most
    PREVIEWS_EACH (a staged state each): its oldest go first."""
    cutoff = datetime.now(UTC).timestamp() - KEEP_PREVIEWS_S
    mine = []
    for draft in store.drafts():
        if draft.made_at < cutoff:
            store.drop_draft(draft.id)
        elif draft.user == (user.name if user else ""):
            mine.append(draft.id)
    for draft_id in mine[:max(0, len(mine) - PREVIEWS_EACH + 1)]:
        store.drop_draft(draft_id)


def stage(store: Store, data: bytes, filename: str, asked: Asked, user: User | None) -> Preview:
    """Import `data` into a private state of the store and describe the difference; nothing of the store
    changes."""
    store.check_writable()
    if not store.exists():
        raise DataError("The store does not exist yet: its first boundaries are imported on the command line.")
    if len(data) > LIMITS.file_bytes:
        raise DataError(f"{filename}: is larger than {LIMITS.file_bytes // MB} MB.")
    _prune(store, user)
    actor = user.name if user else ""
    draft_id = secrets.token_hex(8)
    try:
        with tempfile.TemporaryDirectory(prefix="geojkn-upload-") as private:
            raw = Path(private) / "upload"  # the file under the user's name, made safe, in a folder of its own
            raw.write_bytes(data)
            name = safe_name(filename)
            raw = raw.rename(Path(private) / (Path(name).stem + SUFFIXES[sniff(raw, name)]))
            with store.stage(draft_id) as staging:
                lines = _import(staging.store, raw, asked, actor)
                preview = _compare(store, staging.store, asked.kind,
                                   user.regions if user and user.role != Role.ADMIN else ())
                preview.id, preview.kind, preview.file, preview.version, preview.lines = (
                    draft_id, str(asked.kind), raw.name, staging.version, lines)
                preview.user, preview.asked = actor, asked.to_json()
                _check_allowed(preview, user)
                store.keep_draft(Draft(draft_id, actor, datetime.now(UTC).timestamp(), staging.version,
                                       preview.to_json()), raw)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DataError(f"The disk holding {tempfile.gettempdir()} is full: nothing was changed. Free space "
                            "there and upload again.") from exc
        raise
    return preview


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


def _compare(store: Store, staged: Store, kind: UploadKind, regions: tuple[str, ...]) -> Preview:
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


def _overlaps(store: Store, staged: Store, codes: set[str], regions: tuple[str, ...]) -> list[str]:
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


def _reshaped(store: Store, staged: Store, codes: set[str]) -> set[str]:
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


def _changed_units(store: Store, staged: Store, codes: set[str]) -> set[str]:
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


def _facility_keys(store: Store) -> set[tuple[tuple[str, str, float, float], str]]:
    found = store.facilities()
    keys = set()
    for name, kind, geom, unit in zip(found[FACILITY_NAME], found[FACILITY_TYPE], found.geometry,
                                      found[UNIT_CODE] if UNIT_CODE in found else [None] * len(found), strict=True):
        point = geom.centroid if geom is not None and not geom.is_empty else None
        x, y = (round(point.x, 6), round(point.y, 6)) if point is not None else (0.0, 0.0)
        keys.add(((str(name), str(kind), x, y), str(unit) if isinstance(unit, str) else ""))
    return keys


def _totals(store: Store, staged: Store, touched: set[str], regions: tuple[str, ...]) -> list[Totals]:
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


def load(store: Store, upload_id: str, user: User | None) -> Preview:
    """A preview, for the account that made it or an admin (anyone else: Forbidden)."""
    draft = next((d for d in store.drafts() if d.id == upload_id), None)
    if draft is None:
        raise NotFound("There is no such upload (it was committed, discarded or never made).")
    preview = Preview.from_json(dict(draft.described))
    if user is not None and user.role != Role.ADMIN and user.name != preview.user:
        raise Forbidden("Only the account that made this preview (or an admin) may open, commit or discard it.")
    return preview


def commit(store: Store, upload_id: str, user: User | None) -> Preview:
    """Make the previewed import the store's (Conflict if the store changed since); the preview is used up."""
    preview = load(store, upload_id, user)
    _check_allowed(preview, user)  # again: the account's regions may have changed since the preview
    actor = user.name if user else preview.user
    asked = Asked.from_json(preview.asked)
    try:
        store.commit_draft(upload_id, actor, lambda target, raw: _import(target, raw, asked, actor))
    finally:
        store.drop_draft(upload_id)
    return preview


def discard(store: Store, upload_id: str, user: User | None) -> None:
    load(store, upload_id, user)
    store.drop_draft(upload_id)


def history(store: Store, user: User | None = None) -> list[Change]:
    """Every logged change of the store, the newest first; an account limited to regions sees its own."""
    entries = store.changes()
    if user is not None and user.role != Role.ADMIN and user.regions:
        entries = [e for e in entries if e.user == user.name]
    return entries[::-1]


def restore(store: Store, number: int, region: str, period: str, user: User | None) -> int:
    """Make `region`'s `period` what it was just before change `number`; the rows restored."""
    if user is not None and not user.may_edit(region):
        raise Forbidden(f"Your account may not change the data of {region}.")
    count = len(store.changes())
    if not 1 <= number <= count:
        raise NotFound(f"There is no change number {number}: the log has {count}. See geojkn history.")
    return store.restore_figures(number, period, region, f"restore of change {number}", rollup=stored_rollup,
                                 actor=user.name if user else "")
