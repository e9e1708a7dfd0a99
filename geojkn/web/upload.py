"""Uploads with a preview, the history of changes and restore, for editors and admins."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..errors import Busy, DataError, Unavailable
from ..formatting import format_time
from ..options import PERIOD, Role
from ..store import Store
from ..uploads import Asked, UploadKind, commit, discard, history, load, restore, stage
from ..vocabulary import word
from . import params
from .auth import user

bp = Blueprint("upload", __name__)


def _editor_store() -> Store:
    """The store, for an editor or admin; 403 for anyone else, 400 for the bundled demo."""
    account = user()
    if account is None or account.role not in (Role.EDITOR, Role.ADMIN):
        abort(403, "Changing data needs an editor or admin account.")
    store = params.workspace().store
    if store.readonly:
        abort(400, "The bundled demo cannot be changed: serve a store of your own.")
    return store


def _form(error: str = "", filled: Mapping[str, str] | None = None, status: int = 400) -> ResponseReturnValue:
    """The upload form; after a refused file, with the message above it and every choice as it was sent (a
    browser never lets a page choose the file again)."""
    account = user()  # an editor of some regions adds to the month by default: his file holds only his rows
    scoped = account is not None and account.role != Role.ADMIN and bool(account.regions)
    default = {"kind": str(UploadKind.FIGURES), "period": "", "source": "", "month": "merge" if scoped else "",
               "replace": ""}
    shown = {**default, **{k: str(v)[:200] for k, v in (filled or {}).items() if k in default}}
    page = render_template("upload.html", preview=None, kinds=list(UploadKind), error=error, filled=shown)
    return (page, status) if error else page


@bp.get("/upload")
def form() -> ResponseReturnValue:
    _editor_store()
    return _form()


@bp.post("/upload")
def upload() -> ResponseReturnValue:
    store = _editor_store()
    lang = params.language()
    try:
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            raise DataError(word("upload_choose_file", lang))
        try:
            kind = UploadKind(request.form.get("kind", ""))
        except ValueError:
            raise DataError(word("upload_choose_kind", lang)) from None
        period = request.form.get("period") or None
        if period is not None:
            period = str(PERIOD.read(period))
        month = request.form.get("month", "")  # what a figures file means for its month: see templates/upload.html
        asked = Asked(kind, period=period, source=(request.form.get("source") or "")[:200] or None,
                      merge=month == "merge", whole_month=month == "replace",
                      replace=bool(request.form.get("replace")), lang=lang)
        preview = stage(store, sent.read(), sent.filename, asked, user())
    except (Unavailable, Busy):
        raise  # the server's state, not the file's: the error page with its Retry-After
    except DataError as exc:  # a file or a choice to fix (or refused to this account): said on the form, kept
        return _form(str(exc), request.form, exc.status)
    return redirect(url_for("upload.show", upload_id=preview.id))


@bp.get("/upload/<upload_id>")
def show(upload_id: str) -> ResponseReturnValue:
    store = _editor_store()
    return render_template("upload.html", preview=load(store, upload_id, user()), kinds=list(UploadKind))


@bp.post("/upload/<upload_id>/commit")
def commit_upload(upload_id: str) -> ResponseReturnValue:
    store = _editor_store()
    commit(store, upload_id, user())
    flash(word("committed", params.language()))
    return redirect(url_for("upload.changes"))


@bp.post("/upload/<upload_id>/discard")
def discard_upload(upload_id: str) -> ResponseReturnValue:
    store = _editor_store()
    discard(store, upload_id, user())
    return redirect(url_for("upload.form"))


@bp.get("/history")
def changes() -> ResponseReturnValue:
    store = _editor_store()
    zone = params.settings().timezone
    return render_template("history.html", entries=history(store, user()), when=lambda at: format_time(at, zone))


@bp.post("/history/restore")
def restore_month() -> ResponseReturnValue:
    store = _editor_store()
    try:
        number = int(request.form.get("number", ""))
    except ValueError:
        abort(400, "Give the number of a change from the history.")
    region = params.workspace().resolve(request.form.get("region", "")[:40])
    period = str(PERIOD.read(request.form.get("period", "")))
    rows = restore(store, number, region.code, period, user())
    lang = params.language()
    flash(word("restored", lang, region=region.name, period=period, n=rows, number=number))
    return redirect(url_for("upload.changes"))
