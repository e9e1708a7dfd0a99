"""The Flask app factory: config from defaults, instance/config.py, GEOJKN_* environment, then the test config."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, url_for

from ..formatting import format_int, format_percent
from ..schema import DEFAULT_TARGET
from ..store import open_store
from .i18n import UI

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = {
    "STORE": None,  # a .gpkg path; None means $GEOJKN_STORE, else the bundled demo
    "TARGET": DEFAULT_TARGET,
    "LANG": "id",
    "BASEMAP": "none",
    "MAP_CACHE_SIZE": 16,
}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the dashboard app; nothing is read from the store until a request needs it."""
    app = Flask("geojkn", template_folder=str(ROOT / "templates"), instance_relative_config=True,
                static_folder=None)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("GEOJKN")
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["geojkn.store"] = open_store(app.config["STORE"])

    from . import api, errors, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    errors.register(app)

    @app.context_processor
    def page_helpers() -> dict:
        def lang_url(lang: str) -> str:
            """This page in another language."""
            args = {**request.args.to_dict(), "lang": lang}
            return url_for(request.endpoint, **(request.view_args or {}), **args) if request.endpoint else "/"

        lang = request.args.get("lang", app.config["LANG"])
        lang = lang if lang in UI else app.config["LANG"]  # an error page must render even for ?lang=xx
        return {"lang_url": lang_url, "target": app.config["TARGET"], "lang": lang, "t": UI[lang],
                "other_lang": "en" if lang == "id" else "id",
                "pct": lambda v: format_percent(v, lang=lang), "num": lambda v: format_int(v, lang)}

    return app
