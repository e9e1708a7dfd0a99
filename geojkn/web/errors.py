"""User errors become 400/404 with a message (JSON under /api, a page elsewhere); never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from ..errors import Busy, DataError
from ..inert import for_log


def _respond(status: int, message: str, headers: dict[str, str] | None = None) -> ResponseReturnValue:
    if request.path.startswith("/api/") or request.path.endswith((".json", ".csv", ".geojson")):
        return jsonify({"error": message, "status": status}), status, headers or {}
    return render_template("error.html", status=status, message=message), status, headers or {}


def register(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(DataError)
    def data_error(exc: DataError) -> ResponseReturnValue:
        return _respond(exc.status, str(exc))

    @app.errorhandler(Busy)
    def busy(exc: Busy) -> ResponseReturnValue:
        return _respond(exc.status, str(exc), {"Retry-After": str(exc.retry_after)})

    @app.errorhandler(413)
    def too_large(exc: HTTPException) -> ResponseReturnValue:
        limit = (app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        return _respond(413, f"The file is larger than the {limit} MB this server accepts (the UPLOAD_MB "
                             "setting). Split it by kabupaten or by month.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        return _respond(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        app.logger.exception("unexpected error on %s", for_log(request.path))
        return _respond(500, "Something went wrong on the server; the error has been logged.")
