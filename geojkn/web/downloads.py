"""Files to download (sheets, atlases, exported maps, work lists): asked of the jobs (jobs.py), sent once built.

A request waits up to PREPARE_WAIT seconds for its file; a file that takes longer answers 202 with a page that
says it is being prepared, shows the pages done, and fetches the file when it is ready (the same address). The
state of a build is at /jobs/<key> for that page (and for scripts).
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file
from flask.typing import ResponseReturnValue

from ..analysis.region import resolve
from ..documents import Kind, Request
from ..errors import DataError
from ..jobs import DONE, FAILED
from ..schema import Metric
from . import params
from .auth import user

bp = Blueprint("downloads", __name__)
PREPARE_WAIT = 2.0  # seconds a request waits for its file before it answers that the file is being prepared


def asker() -> str:
    """Who asks, for the bound on builds waiting: the account, else the address."""
    account = user()
    return f"account {account.name}" if account else f"address {request.remote_addr or '-'}"


def download(code: str, kind: Kind, by: Metric = Metric.GAP, top: int | None = None) -> ResponseReturnValue:
    """The file of a kind for a region and this request's view: sent when built, else a page that waits for it."""
    ws = params.workspace()
    data = ws.region(code)
    asked = Request(kind, data.region.code, resolve(data, params.view()), by, top)
    jobs = params.jobs()
    state = jobs.ask(asked, ws.store.version(), asker())
    if state.state not in (DONE, FAILED):
        state = jobs.wait(state.key, PREPARE_WAIT) or state
    if state.state == FAILED:
        if state.status >= 500:
            abort(500, description=state.message)
        failed = DataError(state.message)
        failed.status = state.status or 400
        raise failed
    found = jobs.result(state.key) if state.state == DONE else None
    if found is not None:
        sent = send_file(io.BytesIO(found), mimetype=kind.mimetype, max_age=0)
        sent.headers["Content-Disposition"] = f'attachment; filename="{state.name}"'  # (letters, digits, - and .)
        return sent
    page = render_template("preparing.html", key=state.key, kind=str(kind), region=data.region, state=state)
    return Response(page, status=202, headers={"Retry-After": "2"})


@bp.get("/jobs/<key>")
def job(key: str) -> ResponseReturnValue:
    """How a build goes: its state, the steps done of all, and its message when it failed."""
    if len(key) != 40 or not all(c in "0123456789abcdef" for c in key):
        abort(404)
    state = params.jobs().state(key)
    if state is None:
        abort(404, description="No such file is being prepared.")
    return jsonify(state.to_json())
