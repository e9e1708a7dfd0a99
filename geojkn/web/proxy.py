"""The client's own address behind a reverse proxy, and nobody else's word for it.

werkzeug's ProxyFix takes X-Forwarded-For, -Proto and -Host from whoever sends them. In front of it, this keeps
them only when the request comes from one of the addresses of the PROXY setting (nginx, which writes the client's
address there itself: geojkn/deploy/nginx-site.conf); from anyone else they are removed. So a client that reaches
the server directly cannot pose as another address (to the login throttle, or in the logs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
             "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


class TrustedProxy:
    """A WSGI app that trusts one hop of X-Forwarded-* from the given addresses only."""

    def __init__(self, app: Any, proxies: Iterable[str]) -> None:
        self.app = app
        self.proxies = frozenset(proxies)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REMOTE_ADDR") in self.proxies:
            return self.fixed(environ, start_response)
        for header in FORWARDED:
            environ.pop(header, None)
        return self.app(environ, start_response)
