"""Files a planner downloads (the meeting sheet, the atlas, the standalone map, the work list), each described by
one typed request and built from a Workspace: the same code for the command line (in its own process) and for
the server (in a bounded pool of worker processes, jobs.py).

A request names what to build; its key (with the store's version) names the finished file, so every process
that serves the store finds a file another has built.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .analysis.region import RegionData, resolve
from .options import View
from .resources import maker
from .schema import DESA, Level, Metric

if TYPE_CHECKING:
    from .maps.shapes import ShapeSource
    from .workspace import Workspace

Progress = Callable[[int, int], None]  # steps done, steps in all


class Kind(StrEnum):
    """What a request builds (the file's own name ends the same way)."""

    SHEET_PDF = "sheet.pdf"
    SHEET_PNG = "sheet.png"
    ATLAS = "atlas.pdf"
    EXPORT = "export.html"
    WORKLIST_XLSX = "worklist.xlsx"
    WORKLIST_CSV = "worklist.csv"

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.rsplit(".", 1)[1]]


MIMETYPES = {"pdf": "application/pdf", "png": "image/png", "html": "text/html; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Request:
    """One file to build: its kind, the region's code, the view it shows, and for a work list its order and
    length."""

    kind: Kind
    code: str
    view: View
    by: Metric = Metric.GAP
    top: int | None = None

    def key(self, version: str) -> str:
        """The name of the file this request makes from the store at `version`."""
        described = {"kind": str(self.kind), "code": self.code, **self.view.query(),
                     "tiers": [[t.name, t.registered, t.active] for t in self.view.tiers], "by": str(self.by),
                     "top": self.top, "version": version, "maker": maker()}
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:40]


def filename(request: Request, view: View) -> str:
    """The name a download is saved under (view settled)."""
    when = view.period or "tanpa-data"
    if request.kind == Kind.ATLAS:
        return f"geojkn-atlas-{request.code}-{view.metric}-{when}.pdf"
    if request.kind in (Kind.WORKLIST_XLSX, Kind.WORKLIST_CSV):
        return f"geojkn-{request.code}-daftar-kerja-{request.by}-{when}.{request.kind.rsplit('.', 1)[1]}"
    ending = request.kind.rsplit(".", 1)[1]
    return f"geojkn-{request.code}-{view.level}-{view.metric}-{when}.{ending}"


def build(ws: Workspace, request: Request, progress: Progress | None = None) -> tuple[bytes, str]:
    """The file's bytes and its name, built from the store as it is now (the region and view checked first: a
    DataError names what is wrong)."""
    data = ws.region(request.code)
    view = resolve(data, request.view)
    step = progress or (lambda done, total: None)
    if request.kind in (Kind.SHEET_PDF, Kind.SHEET_PNG):
        from .printed import sheet

        step(0, 1)
        content: bytes = sheet(data, view, request.kind.rsplit(".", 1)[1], _shapes(ws, data, view.level))
        step(1, 1)
    elif request.kind == Kind.ATLAS:
        from .printed import atlas, kecamatan_codes

        codes = kecamatan_codes(data)
        step(0, len(codes) + 2)
        content = atlas(data, view, [ws.region(code) for code in codes],
                        lambda region, level: _shapes(ws, region, level), step)
    elif request.kind == Kind.EXPORT:
        from .rendering import standalone_html

        step(0, 1)
        content = standalone_html(data, view, ws.map_sources(data.region, view.level or data.region.level)) \
            .encode("utf-8")
        step(1, 1)
    else:
        content = _worklist(data, view, request)
        step(1, 1)
    return content, filename(request, view)


def _shapes(ws: Workspace, data: RegionData, level: Level | None) -> ShapeSource | None:
    """The prepared shapes of a region's units at a level (None where the store has none)."""
    return ws.map_sources(data.region, level or DESA).units


def _worklist(data: RegionData, view: View, request: Request) -> bytes:
    from .analysis.worklist import worklist
    from .sheets import worklist_csv, worklist_xlsx

    assert view.level is not None
    made = worklist(data, view.level, view, request.by, request.top)
    if request.kind == Kind.WORKLIST_XLSX:
        return worklist_xlsx(made, view.lang)
    return ("\ufeff" + worklist_csv(made, view.lang)).encode("utf-8")  # the BOM tells Excel it is UTF-8
