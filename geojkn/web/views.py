"""Pages: region picker, dashboard, map page, standalone export, and the vendored JS/CSS."""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

import pandas as pd
from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..analysis import marks
from ..analysis.access import nearest
from ..analysis.region import RegionData, desa_jkn, place_in, rank, resolve, summarise, trend, view_levels
from ..charts import trend_svg
from ..documents import Kind
from ..maps.assets import AssetMode, page_of, vendor_files
from ..maps.shapes import MapSources
from ..options import Basemap, Classes, Role, View
from ..rendering import region_map, region_shapes
from ..report import access_text, change_text, notes
from ..schema import (
    ACTIVE_COVERAGE,
    COVERAGE,
    DESA,
    FKTP_TYPES,
    GAP,
    KABUPATEN,
    KECAMATAN,
    METRICS,
    TO_REACTIVATE,
    Metric,
)
from ..serialize import records
from ..workspace import Workspace
from . import params
from .api import found
from .auth import csrf_token, user
from .downloads import download

bp = Blueprint("views", __name__)
VENDOR_PREFIX = "/static/vendor"
TARGETS = (0.95, 0.98, 0.99)  # UHC thresholds: 95 %, and the national plans' 98 % (2024) and 99 % (2029)
TOP = 10  # rows in each dashboard ranking
HEADINGS = {"rate": "lowest", "supply": "lowest", "distance": "farthest"}  # what a ranking lists first, by kind
FORM_TOKEN = f"form-token-{secrets.token_hex(12)}"  # stands for the session's form token in a page that is kept


@bp.get("/")
def index() -> ResponseReturnValue:
    chosen, ws = params.values(), params.workspace()
    account = user()  # an account limited to regions sees its own regions, nothing around them
    rows = ws.overview(chosen["target"], account.regions if account and account.role != Role.ADMIN else ())
    return render_template("index.html", rows=rows, target=chosen["target"],
                           store_name=ws.store.name, demo=ws.store.readonly,
                           missing=not ws.store.exists())


@bp.get("/search")
def search() -> ResponseReturnValue:
    query = params.values()["q"]
    return render_template("search.html", query=query, results=found(query))


def _asked(code: str) -> tuple[Workspace, RegionData, View]:
    """The store, the region a page asks about and the view it asks for, settled for the region."""
    ws = params.workspace()
    data = ws.region(code)
    return ws, data, resolve(data, params.view())


def _shapes(ws: Workspace, data: RegionData, view: View) -> MapSources:
    """The shapes prepared at import for a view's map."""
    return ws.map_sources(data.region, view.level or data.region.level)


@bp.get("/r/<code>")
def dashboard(code: str) -> ResponseReturnValue:
    ws, data, view = _asked(code)
    # what the page shows is worked out once per store version and choices, and the page once per account and
    # address too; only the session's form token is put in for each request
    account = user()

    def page() -> str:
        parts = ws.cached(("dashboard", data.region.code, view), lambda: _dashboard_parts(data, view))
        return render_template("dashboard.html", **parts, csrf_token=lambda: FORM_TOKEN)
    made = ws.answer(("dashboard page", data.region.code, view, account,
                      tuple(sorted(request.args.items(multi=True)))), page)
    return made.replace(FORM_TOKEN, csrf_token()) if FORM_TOKEN in made else made


def _dashboard_parts(data: RegionData, view: View) -> dict[str, object]:
    summary = summarise(data, view)
    history = trend(data, view.target)
    jkn = desa_jkn(data, view)
    levels = [level for level in view_levels(data) if level != data.region.level]
    rankings_rows = []
    for level in levels:
        ranking = rank(data, level, view)
        if view.metric.is_change:  # the steepest falls, then the largest rises
            shown = [(ranking.falling(TOP), "fell_most"), (ranking.rising(TOP), "rose_most")]
        else:
            shown = [(ranking.head(TOP), HEADINGS.get(view.metric.kind, "highest"))]
        rankings_rows += [(part, _marked(part.table, view.metric), heading) for part, heading in shown]
    desa_page = {"place": None, "place_in": None, "nearest": [],
                 **(_desa_page(data, view) if data.region.level == DESA else {})}
    query = view.query()
    return dict(
        s=summary, view=view, rankings=rankings_rows, trend=history,
        trend_chart=Markup(trend_svg(history, view.target, view.lang)),  # built with every text escaped
        change=change_text(summary, view.lang), access=access_text(summary, view.lang), levels=view_levels(data),
        notes=notes(summary, view.lang), active_partial=summary.figures.active is not None
        and not summary.figures.active_complete,
        metrics=METRICS, schemes=tuple(Classes),
        basemaps=tuple(Basemap), targets=sorted({*TARGETS, view.target}), periods=summary.periods,
        earlier=[p for p in summary.periods if view.period is not None and p < view.period],
        map_url=f"{url_for('views.map_page', code=data.region.code)}?{urlencode(query)}",
        export_url=f"{url_for('views.export', code=data.region.code)}?{urlencode(query)}",
        sheet_url=f"{url_for('views.sheet', code=data.region.code, fmt='pdf')}?{urlencode(query)}",
        atlas_url=(f"{url_for('views.atlas', code=data.region.code)}?"
                   f"{urlencode({k: v for k, v in query.items() if k != 'level'})}"
                   if data.region.level == KABUPATEN and len(data.units_of(KECAMATAN)) else None),
        worklist=urlencode({"level": str(view.level), "by": str(view.metric), "period": str(view.period or ""),
                            "since": str(view.since or ""), "target": str(view.target),
                            "access_km": str(view.access_km), "lang": str(view.lang)}),
        jkn=jkn, parents=params.workspace().index(data.region.code[:2]).crumbs(data.region.code),
        keep=urlencode(view.carried()),
        **desa_page,
    )


SHOWN_METRICS = (COVERAGE, ACTIVE_COVERAGE, GAP, TO_REACTIVATE)  # the columns of a dashboard ranking


def _marked(table: pd.DataFrame, metric: Metric) -> list[dict[str, object]]:
    """A ranking's rows for the page, each with the metrics whose value is partial and whether its counts cannot
    be true (analysis/marks.py), so the page marks the same cells as every other output."""
    rows = records(table)
    partial = {m: marks.partial(table, m).tolist() for m in (*SHOWN_METRICS, metric)}
    odd = marks.implausible(table).tolist()
    for i, row in enumerate(rows):
        row["partial_of"] = [str(m) for m, flags in partial.items() if flags[i]]
        row["odd"] = odd[i]
    return rows


def _desa_page(data: RegionData, view: View) -> dict[str, object]:
    """What a desa's own page adds: its place among the desa of its kecamatan, and its nearest FKTP."""
    ws = params.workspace()
    around = [p for p in data.parents if p.level in (KECAMATAN, KABUPATEN)]
    out: dict[str, object] = {}
    if around:
        kecamatan = ws.region(around[-1].code)
        out["place"] = place_in(kecamatan, data.region.code, view)
        out["place_in"] = kecamatan.region
        kabupaten = ws.region(around[0].code)
        spot = data.units_of(DESA).geometry.iloc[0].representative_point()
        out["nearest"] = nearest(spot, kabupaten.facilities, FKTP_TYPES)
    return out


@bp.get("/r/<code>/map")
def map_page(code: str) -> ResponseReturnValue:
    ws, data, view = _asked(code)
    assets = AssetMode("served", VENDOR_PREFIX)
    # clicking a unit opens its dashboard with the same choices (the region's own level and month)
    link = (url_for("views.dashboard", code="").rstrip("/") + "/", "?" + urlencode(view.carried()))
    finer = f"{url_for('views.map_shapes', code=data.region.code)}?{urlencode(view.query())}"
    page = ws.answer(("map", data.region.code, view), lambda: page_of(region_map(
        data, view, assets, link, _shapes(ws, data, view), finer)).render())
    return Response(page, mimetype="text/html")


@bp.get("/r/<code>/map/shapes.json")
def map_shapes(code: str) -> ResponseReturnValue:
    """The shapes of a map's units finer than its page carries, for the page to draw when zoomed in."""
    ws, data, view = _asked(code)
    zoom = params.values()["zoom"]
    body = ws.answer(("map shapes", data.region.code, view, zoom), lambda: json.dumps(region_shapes(
        data, view, _shapes(ws, data, view), zoom), separators=(",", ":")))
    return Response(body, mimetype="application/json")


@bp.get("/r/<code>/export.html")
def export(code: str) -> ResponseReturnValue:
    return download(code, Kind.EXPORT)


@bp.get("/r/<code>/sheet.<fmt>")
def sheet(code: str, fmt: str) -> ResponseReturnValue:
    if fmt not in ("pdf", "png"):
        abort(404)
    return download(code, Kind.SHEET_PDF if fmt == "pdf" else Kind.SHEET_PNG)


@bp.get("/r/<code>/atlas.pdf")
def atlas(code: str) -> ResponseReturnValue:
    return download(code, Kind.ATLAS)


# The site's icon, our own drawing: a map pin on the brand's green.
ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" '
        'fill="#0f6b5c"/><path d="M16 5a8 8 0 0 0-8 8c0 6 8 14 8 14s8-8 8-14a8 8 0 0 0-8-8z" fill="#fff"/>'
        '<circle cx="16" cy="13" r="3.2" fill="#0f6b5c"/></svg>')


@bp.get("/favicon.svg")
def icon() -> ResponseReturnValue:
    return Response(ICON, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/favicon.ico")
def icon_asked() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico on their own: they are sent to the icon."""
    return redirect(url_for("views.icon"), 301)


@bp.get(f"{VENDOR_PREFIX}/<path:name>")
def vendor(name: str) -> ResponseReturnValue:
    path = vendor_files().get(name)
    if path is None:
        abort(404, description=f"No vendored file {name}.")
    return send_file(path, max_age=86400)
