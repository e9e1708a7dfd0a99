"""Pages: region picker, dashboard, map page, standalone export, and the vendored JS/CSS."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, send_file, url_for

from .. import queries
from ..maps.assets import AssetMode, vendor_files
from ..rendering import region_map, standalone_html
from ..report import change_text
from ..schema import BASEMAPS, CLASS_SCHEMES, COUNT_METRICS, DESA, KECAMATAN, LEVEL_PARTS, METRICS, PROVINSI
from ..serialize import records
from . import params

bp = Blueprint("views", __name__)
VENDOR_PREFIX = "/static/vendor"
TARGETS = (0.95, 0.98, 0.99)  # UHC thresholds: 95 %, and the national plans' 98 % (2024) and 99 % (2029)


@bp.get("/")
def index():
    params.lang()  # a bad ?lang= is a 400 with the allowed values
    store = params.store()
    rows = records(queries.overview(store))
    return render_template("index.html", rows=rows, store_name=Path(store.location).name, demo=store.readonly)


@bp.get("/r/<code>")
def dashboard(code: str):
    store, options = params.store(), params.map_options()
    summary = queries.summary(store, code, options.period, options.target)
    options = options.with_period(summary["period"])
    deep = LEVEL_PARTS[summary["level"]]
    rankings = {}
    for level in (KECAMATAN, DESA):
        if LEVEL_PARTS[level] > deep:
            table = queries.ranking(store, summary["code"], level=level, metric=options.metric,
                                    period=summary["period"], target=options.target)[2]
            rankings[level] = records(table.head(10))
    if LEVEL_PARTS[options.level] <= deep:
        options = replace(options, level=DESA)  # a kecamatan region is mapped by its desa
    elif summary["level"] == PROVINSI and "level" not in request.args:
        options = replace(options, level=KECAMATAN)  # thousands of desa make a slow first view
    query = {k: v for k, v in asdict(options).items() if v is not None}
    return render_template(
        "dashboard.html", s=summary, options=options, rankings=rankings,
        map_url=url_for("views.map_page", code=summary["code"], **query),
        export_url=url_for("views.export", code=summary["code"], **query),
        csv_url=url_for("api.ranking_csv", code=summary["code"], level=DESA, period=summary["period"] or ""),
        change=change_text(summary, options.lang), trend=queries.trend(store, summary["code"], options.target),
        metrics=METRICS, schemes=CLASS_SCHEMES, targets=sorted({*TARGETS, options.target}),
        count_metric=options.metric in COUNT_METRICS, basemaps=BASEMAPS, periods=summary["periods"],
        levels=[lv for lv in (KECAMATAN, DESA) if LEVEL_PARTS[lv] > deep],
    )


@bp.get("/r/<code>/map")
def map_page(code: str):
    store, options = params.store(), params.map_options()
    key = ("map", store.location, store.version(), code, options)

    def build() -> str:
        fmap = region_map(store, code, options, AssetMode("served", VENDOR_PREFIX))[0]
        return fmap.get_root().render()

    return Response(params.cached(key, build), mimetype="text/html")


@bp.get("/r/<code>/export.html")
def export(code: str):
    store, options = params.store(), params.map_options()
    key = ("export", store.location, store.version(), code, options)
    html, reg, used = params.cached(key, lambda: standalone_html(store, code, options))
    name = f"geojkn-{reg['code']}-{used.level}-{used.metric}-{used.period or 'tanpa-data'}.html"
    return Response(html, mimetype="text/html",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get(f"{VENDOR_PREFIX}/<path:name>")
def vendor(name: str):
    path = vendor_files().get(name)
    if path is None:
        abort(404, description=f"No vendored file {name}.")
    return send_file(path, max_age=86400)
