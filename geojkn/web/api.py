"""JSON, GeoJSON and CSV endpoints; the same objects as the command line prints."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from .. import queries
from ..report import rank_csv
from ..schema import COVERAGE, KECAMATAN, LEVELS
from ..serialize import plain, records
from . import params

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    store = params.store()
    return jsonify({"status": "ok", "store": store.location, "units": int(len(store.unit_index()))})


@bp.get("/api/regions")
def regions():
    index = params.store().unit_index()
    wanted = request.args.get("level")
    if wanted is not None:
        index = index[index["level"] == params.level(allowed=LEVELS)]
    return jsonify(records(index.sort_values("code")))


@bp.get("/api/regions/<code>/summary")
def summary(code: str):
    result = queries.summary(params.store(), code, period=request.args.get("period") or None,
                             target=params.number("target", _target()))
    return jsonify(plain(result))


@bp.get("/api/regions/<code>/units.geojson")
def units(code: str):
    store = params.store()
    reg = queries.region(store, code)
    level = queries.check_level(params.level(KECAMATAN), reg["level"])
    period = queries.choose_period(store, reg["code"], request.args.get("period") or None)
    table = queries.unit_metrics(store, reg["code"], level, period, params.number("target", _target()))
    body = table.to_json(na="null", drop_id=True)
    return Response(body, mimetype="application/geo+json")


def _ranking(code: str):
    return queries.ranking(params.store(), code, level=params.level(KECAMATAN),
                           metric=request.args.get("metric", COVERAGE), below=params.number("below", None),
                           period=request.args.get("period") or None, target=params.number("target", _target()))


@bp.get("/api/regions/<code>/ranking.json")
def ranking_json(code: str):
    reg, period, table = _ranking(code)
    return jsonify({"region": plain(reg), "period": period, "units": records(table)})


@bp.get("/api/regions/<code>/ranking.csv")
def ranking_csv(code: str):
    reg, period, table = _ranking(code)
    name = f"geojkn-{reg['code']}-ranking-{period or 'none'}.csv"
    return Response(rank_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _target() -> float:
    return current_app.config["TARGET"]
