"""JSON, GeoJSON and CSV endpoints: the same objects as the command line prints."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for
from flask.typing import ResponseReturnValue

from ..analysis.region import (
    desa_jkn,
    map_level,
    rank,
    rank_level,
    settle,
    summarise,
    unit_table,
)
from ..analysis.worklist import Worklist, worklist
from ..documents import Kind
from ..errors import DataError
from ..records import Ranking
from ..report import rank_csv
from ..schema import CODE, Level
from ..serialize import records
from ..vocabulary import unit_title
from . import params
from .auth import scope
from .caching import kept
from .downloads import download

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: the server answers (it reads nothing, so a slow store never makes a live server look dead)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: the store answers (503 while it cannot be read); no path, so it tells an outsider nothing."""
    ws = params.workspace()
    try:
        ws.store.version()
        units = len(ws.index().table) if ws.store.exists() else 0
    except (DataError, OSError) as exc:
        return jsonify({"status": "not ready", "error": type(exc).__name__}), 503
    return jsonify({"status": "ready", "units": units})


def found(query: str) -> list[dict[str, str]]:
    """The units a search finds, each with its title, where it lies and its dashboard's address."""
    ws, lang = params.workspace(), params.values()["lang"]
    ws.require()
    index, out = ws.index(), []
    for region in index.search(query, allowed=scope()):  # an account limited to regions finds only inside them
        within = [unit_title(p.name, p.level, lang) for p in index.parents(region.code) if p.level != Level.PROVINSI]
        out.append({**region.to_json(), "title": unit_title(region.name, region.level, lang),
                    "within": ", ".join(reversed(within)), "url": url_for("views.dashboard", code=region.code)})
    return out


@bp.get("/api/search")
def search() -> ResponseReturnValue:
    return jsonify(found(params.values()["q"]))


@bp.get("/api/regions")
def regions() -> ResponseReturnValue:
    ws = params.workspace()
    ws.require()
    units = ws.unit_list(params.values()["level"])
    listed = scope(listing=True)
    return jsonify(records(units if listed is None else units[[listed(code) for code in units[CODE]]]))


@bp.get("/api/regions/<code>/summary")
@kept
def summary(code: str) -> ResponseReturnValue:
    data = params.workspace().region(code)
    return jsonify(summarise(data, settle(data, params.question())).to_json())


@bp.get("/api/regions/<code>/desa-jkn")
@kept
def desa_jkn_json(code: str) -> ResponseReturnValue:
    data = params.workspace().region(code)
    return jsonify(desa_jkn(data, settle(data, params.question())).to_json())


@bp.get("/api/regions/<code>/units.geojson")
@kept
def units(code: str) -> ResponseReturnValue:
    question, data = params.question(), params.workspace().region(code)
    table = unit_table(data, rank_level(data, question.level), settle(data, question))
    return Response(table.to_json(na="null", drop_id=True), mimetype="application/geo+json")


def _ranking(code: str) -> Ranking:
    question, data = params.question(), params.workspace().region(code)
    return rank(data, rank_level(data, question.level), settle(data, question), params.values()["below"])


def _worklist(code: str) -> Worklist:
    chosen, question, data = params.values(), params.question(), params.workspace().region(code)
    return worklist(data, map_level(data, question.level), settle(data, question), chosen["by"], chosen["top"])


@bp.get("/r/<code>/worklist.csv")
def worklist_csv_file(code: str) -> ResponseReturnValue:
    chosen = params.values()
    return download(code, Kind.WORKLIST_CSV, chosen["by"], chosen["top"])


@bp.get("/r/<code>/worklist.xlsx")
def worklist_xlsx_file(code: str) -> ResponseReturnValue:
    chosen = params.values()
    return download(code, Kind.WORKLIST_XLSX, chosen["by"], chosen["top"])


@bp.get("/api/regions/<code>/worklist.json")
@kept
def worklist_json(code: str) -> ResponseReturnValue:
    return jsonify(_worklist(code).to_json())


@bp.get("/api/regions/<code>/ranking.json")
@kept
def ranking_json(code: str) -> ResponseReturnValue:
    return jsonify(_ranking(code).to_json())


@bp.get("/api/regions/<code>/ranking.csv")
@kept
def ranking_csv(code: str) -> ResponseReturnValue:
    ranking = _ranking(code)
    name = f"geojkn-{ranking.region.code}-ranking-{ranking.period or 'none'}.csv"
    return Response(rank_csv(ranking.table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
