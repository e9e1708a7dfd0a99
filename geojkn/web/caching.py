"""Answers sent once: every page and API answer carries an ETag made from its bytes, a browser that asks again
with If-None-Match gets 304 and no body, and text goes gzip-compressed to browsers that accept it (compressed once
per ETag: the one cache of compressed bodies lives here, in the app's extensions)."""

from __future__ import annotations

import functools
import gzip
import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask.typing import ResponseReturnValue

from ..cache import Cache
from . import params

COMPRESSED_KEPT = 64  # compressed bodies kept (the maps and pages asked for most recently)
SMALLEST = 1400  # bytes: below about one packet compression saves nothing
TEXT = ("text/", "application/json", "application/javascript", "application/geo+json", "image/svg+xml")
LEVEL = 6


def register(app: Flask) -> None:
    app.extensions["geojkn.compressed"] = Cache(COMPRESSED_KEPT)
    app.after_request(conditional)


def conditional(response: Response) -> Response:
    """ETag and 304 for GET answers, and their gzip form where the browser accepts it."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough \
            or response.is_streamed:
        return response
    body = response.get_data()
    tag = hashlib.blake2b(body, digest_size=16).hexdigest()
    kind = response.mimetype or ""
    packed = (len(body) >= SMALLEST and kind.startswith(TEXT) and "gzip" in request.headers.get("Accept-Encoding", "")
              and "Content-Encoding" not in response.headers)
    response.headers.add("Vary", "Accept-Encoding")
    if packed:
        cache: Cache = current_app.extensions["geojkn.compressed"]
        response.set_data(cache.get(tag, lambda: gzip.compress(body, LEVEL, mtime=0), light=True))
        response.headers["Content-Encoding"] = "gzip"
        tag += "-gz"  # another representation, another tag
    response.set_etag(tag)
    response.headers.setdefault("Cache-Control", "no-cache")  # kept by the browser, asked again each time
    response.make_conditional(request)  # 304 and no body where the browser has these bytes already
    return response


def kept(view: Callable[..., ResponseReturnValue]) -> Callable[..., Response]:
    """A route whose answer is made from the store and the route's parameters alone (not from the account or the
    session): made once per store version, address and parameters, then sent as it was made."""
    @functools.wraps(view)
    def answer(**arguments: Any) -> Response:
        chosen = tuple(sorted(params.values().items()))  # typed and settled: 0.95 and 0.950 are one answer

        def build() -> tuple[bytes, int, list[tuple[str, str]]]:
            made = current_app.make_response(view(**arguments))
            return made.get_data(), made.status_code, [(k, v) for k, v in made.headers.items()
                                                       if k != "Content-Length"]
        body, status, headers = params.workspace().answer(
            ("answer", request.endpoint, tuple(sorted(arguments.items())), chosen), build)
        return Response(body, status=status, headers=headers)
    return answer
