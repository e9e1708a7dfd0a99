"""Import files into a store: read (readers), check and match (analysis), then write once (store)."""

from __future__ import annotations

from pathlib import Path


from .analysis.facilities import UNIT_CODE, place_facilities
from .analysis.matching import match_figures
from .errors import DataError
from .readers.boundaries import read_boundaries
from .readers.facilities import read_facilities
from .readers.figures import read_figures
from .schema import CODE, DESA, FACILITY_TYPE, KECAMATAN, LEVEL, LEVELS, NAME, PARENT, PERIOD
from .store import Store


def import_boundaries(store: Store, path: str | Path, *, code_field: str | None = None, name_field: str | None = None,
                      layer: str | None = None, crs: str | None = None) -> list[str]:
    """Read a boundary file and add (or replace, by code) its units; returns the report lines."""
    store.check_writable()
    units, report = read_boundaries(path, code_field=code_field, name_field=name_field, layer=layer, crs=crs)
    before = set(store.unit_index()[CODE])
    store.put_units(units, str(path))
    counts = units[LEVEL].value_counts()
    lines = [f"imported {len(units)} units from {Path(path).name}: "
             + ", ".join(f"{counts[lv]} {lv}" for lv in LEVELS if lv in counts)]
    replaced = len(before & set(units[CODE]))
    if replaced:
        lines.append(f"{replaced} units already in the store were replaced by this file's version")
    lines += report.lines()
    orphans = _orphans(store)
    if orphans:
        lines.append(f"{len(orphans)} units have no parent unit in the store yet (e.g. {', '.join(orphans[:5])}); "
                     "import the upper levels too for kecamatan and kabupaten maps")
    return lines


def _orphans(store: Store) -> list[str]:
    """Units whose parent is not in the store (a desa file imported without its kecamatan)."""
    index = store.unit_index()
    codes = set(index[CODE])
    lower = index[index[LEVEL].isin([DESA, KECAMATAN])]
    return sorted(c for c, p in zip(lower[CODE], lower[PARENT]) if p not in codes)


def import_figures(store: Store, path: str | Path, *, period: str | None = None, sheet: str | None = None) -> list[str]:
    """Read an enrollment file, match its rows to the stored units and store them for their period."""
    store.check_writable()
    index = store.unit_index()
    if index.empty:
        raise DataError(f"The store {store.location} has no boundaries yet: import them first (import-boundaries).")
    figures = read_figures(path, sheet=sheet, period=period)
    names = index.set_index(CODE)[NAME]
    units = index.assign(kecamatan_name=index[PARENT].map(names).where(index[LEVEL] == DESA, None))
    matched, report = match_figures(figures, units)
    if matched.empty:
        raise DataError(f"{Path(path).name}: none of the {len(figures)} rows matches a unit in the store. "
                        "Check that the file is for a region whose boundaries you imported, and its code column. "
                        + " ".join(report.lines()[:6]))
    periods = ", ".join(sorted(matched[PERIOD].unique()))
    store.put_figures(matched, str(path), detail=f"{len(matched)} of {len(figures)} rows matched")
    return [f"imported figures for {periods} from {Path(path).name}"] + report.lines()


def import_facilities(store: Store, path: str | Path, *, replace: bool = False) -> list[str]:
    """Read facility points, store them, and report where they fall."""
    store.check_writable()
    points = read_facilities(path)
    added = store.put_facilities(points, str(path), replace=replace)
    lines = [f"imported {added} facilities from {Path(path).name}"
             + (f" ({len(points) - added} already in the store were skipped)" if added < len(points) else "")]
    counts = points[FACILITY_TYPE].value_counts()
    lines.append("by type: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    units = {level: store.units(level) for level in LEVELS}
    placed = place_facilities(points, units)
    outside = placed[placed[UNIT_CODE].isna()]
    if len(outside):
        names = ", ".join(str(n) for n in outside["name"].head(10))
        lines.append(f"{len(outside)} facilities lie outside every boundary in the store (kept, shown on maps, "
                     f"counted in no region): {names}")
    return lines
