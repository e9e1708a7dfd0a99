"""The servers: `geojkn serve` runs waitress in one process, `geojkn serve --production` runs gunicorn's threaded
workers (gthread) for an office, behind nginx (the site file in geojkn/deploy/nginx-site.conf, see the README).

Both are used through their public options only. The processes share what must be shared through the store's
folder: the store (one writer at a time, each import renamed into place whole), the accounts and the login
throttle (SQLite), the finished downloads (`<store>.jobs/`); login sessions are cookies signed with SECRET_KEY.
"""

from __future__ import annotations

import resource
import sys
from typing import Any

from ..errors import DataError

CONNECTIONS = 4096  # connections waitress holds at once (idle ones are closed after CHANNEL_TIMEOUT)
CHANNEL_TIMEOUT = 30  # seconds an idle connection is kept
BACKLOG = 2048  # connections the system queues before the server accepts them
SWITCH_SECONDS = 0.001  # how long a thread may hold the interpreter (5 ms by default): short answers wait less


def open_files(wanted: int) -> int:
    """Raise this process's limit of open files towards `wanted` (as far as the system's hard limit allows): a
    server holding thousands of connections needs a descriptor for each. The limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return int(soft)


def office_server(app: Any, host: str, port: int, threads: int) -> Any:
    """waitress for one planner or an office intranet, through its public options: a poll() loop (no limit of
    1024 descriptors, unlike select()), thousands of connections held, idle ones closed after CHANNEL_TIMEOUT
    seconds, `threads` threads answering. Raises OSError when the port cannot be listened on."""
    import waitress

    limit = open_files(CONNECTIONS + 256)
    sys.setswitchinterval(SWITCH_SECONDS)
    return waitress.create_server(app, host=host, port=port, threads=threads, asyncore_use_poll=True,
                                  connection_limit=min(CONNECTIONS, limit - 128), channel_timeout=CHANNEL_TIMEOUT,
                                  backlog=BACKLOG, ident="geojkn")


def serve_production(store: str | None, host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn with `workers` processes of `threads` threads each (gthread). A thread of a gthread worker waits
    for a slow client's whole request: in an office it stands behind nginx, which reads each request whole
    before passing it on (geojkn/deploy/nginx-site.conf)."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise DataError("--production needs gunicorn: pip install 'geojkn[production]' (or pip install gunicorn), "
                        "or serve without --production.") from None

    class Server(BaseApplication):
        def load_config(self) -> None:
            settings: dict[str, Any] = {
                "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
                "worker_connections": CONNECTIONS, "backlog": BACKLOG, "timeout": 120, "graceful_timeout": 20,
                "keepalive": 5, "max_requests": 2000, "max_requests_jitter": 200, "limit_request_line": 8190,
                "limit_request_fields": 100, "proc_name": "geojkn", "accesslog": "-",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from .app import create_app

            sys.setswitchinterval(SWITCH_SECONDS)
            return create_app({"STORE": store})

    open_files(CONNECTIONS + 256)
    Server().run()
