"""geojkn: JKN-KIS coverage maps for district planners."""

from __future__ import annotations

__version__ = "0.1.0"


def create_app(test_config: dict | None = None):
    """The Flask app factory (imported lazily so the core and the CLI do not need Flask loaded)."""
    from .web.app import create_app as factory

    return factory(test_config)
