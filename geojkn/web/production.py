"""`geojkn serve --production`: the app in several gunicorn worker processes, each with its own threads.

The processes share what must be shared through files: the store (one writer at a time by a file lock, each
import renamed into place whole), the accounts (SQLite) and login sessions (cookies signed with SECRET_KEY).
Each process keeps its own cache of regions and maps, emptied when the store changes. Failed logins are
counted per process.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataError


def serve_production(store: str | None, host: str, port: int, workers: int, threads: int) -> None:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise DataError("--production needs gunicorn: pip install 'geojkn[production]' (or pip install gunicorn), "
                        "or serve without --production.") from None

    class Server(BaseApplication):
        def load_config(self) -> None:
            settings: dict[str, Any] = {
                "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
                "timeout": 120, "graceful_timeout": 20, "keepalive": 5, "max_requests": 2000,
                "max_requests_jitter": 200, "limit_request_line": 8190, "limit_request_fields": 100,
                "proc_name": "geojkn", "accesslog": "-",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from .app import create_app

            return create_app({"STORE": store})

    Server().run()
