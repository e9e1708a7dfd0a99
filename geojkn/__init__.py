"""geojkn: JKN-KIS coverage maps for district planners."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gdal import restrict

restrict()  # before anything imports pyogrio: GDAL gets only the drivers that read the file they are given

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask app factory (imported lazily so the core and the CLI do not need Flask loaded)."""
    from .web.app import create_app as factory

    return factory(test_config)
