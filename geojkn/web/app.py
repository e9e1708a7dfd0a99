"""The Flask app factory: settings from defaults, instance/config.py, GEOJKN_* environment, then the test config."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, request, url_for
from jinja2 import StrictUndefined

from ..formatting import format_decimal, format_int, format_metric, format_percent, format_points
from ..jobs import Jobs
from ..options import SETTINGS, Lang, Settings
from ..resources import templates_folder
from ..shared import SharedAnswers
from ..store import open_store
from ..vocabulary import FACILITY_TYPE_NAMES, WORDS, level_label, metric_label, period_text, unit_title
from ..workspace import Workspace
from .params import language
from .proxy import TrustedProxy


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the dashboard app; nothing is read from the store until a request needs it."""
    app = Flask("geojkn", template_folder=str(templates_folder()), instance_relative_config=True,
                static_folder=None)
    app.config.from_mapping({setting.name: setting.default for setting in SETTINGS})
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("GEOJKN")
    if test_config:
        app.config.from_mapping(test_config)
    settings = Settings.read(app.config)  # every setting checked by its rule: a bad one stops the start
    app.extensions["geojkn.settings"] = settings
    # a request that would wait over BUSY_AFTER seconds for a map to be prepared answers 503 "try again"
    # what the app derives from the store: in memory, and the finished answers on disk for every process too
    store = open_store(settings.store)
    shared = SharedAnswers(store.kept("pages"), settings.shared_mb * 1024 * 1024) \
        if not app.testing or "SHARED_MB" in (test_config or {}) else None  # (tests count what is made)
    app.extensions["geojkn.workspace"] = Workspace(store, settings.cache_size, settings.builders,
                                                   settings.busy_after, settings.cache_mb * 1024 * 1024, shared)
    # sheets, atlases, exported maps and work lists: built by a pool of worker processes (tests build them in the
    # asking thread unless they ask for workers), kept by the store for every process
    workers = settings.job_workers if not app.testing or "JOB_WORKERS" in (test_config or {}) else 0
    app.extensions["geojkn.jobs"] = Jobs(store.kept("jobs"), settings.store, workers,
                                         keep_bytes=settings.jobs_mb * 1024 * 1024,
                                         workspace=app.extensions["geojkn.workspace"])
    app.jinja_env.undefined = StrictUndefined  # a missing word is an error in tests, not a blank on a page

    # login sessions: signed with SECRET_KEY (a random one, lost at restart, when none is set), cookies the
    # page's scripts cannot read, not sent by other sites' forms, over https only when served over https
    app.config.update(SECRET_KEY=settings.secret_key or secrets.token_hex(32), SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.https,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_SECURE=settings.https, PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
                      MAX_CONTENT_LENGTH=settings.upload_mb * 1024 * 1024)
    app.wsgi_app = TrustedProxy(app.wsgi_app, settings.proxy or ())  # type: ignore[method-assign]

    from . import api, auth, caching, downloads, errors, security, upload, views, warm

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(upload.bp)
    errors.register(app)
    auth.register(app, app.extensions["geojkn.workspace"].store.accounts())
    security.register(app, settings)
    caching.register(app)
    # tests prepare ahead only when they ask for it: a background thread would change what they count
    if settings.prepare_ahead and (not app.testing or "PREPARE_AHEAD" in (test_config or {})):
        warm.register(app)

    @app.context_processor
    def page_helpers() -> dict[str, Any]:
        def lang_url(other: str) -> str:
            """This page in another language."""
            if not request.endpoint:
                return "/"
            args = {**request.args.to_dict(), "lang": other}
            return f"{url_for(request.endpoint, **(request.view_args or {}))}?{urlencode(args)}"

        lang = language()
        return {
            "lang_url": lang_url, "lang": lang, "t": WORDS[lang],
            "other_lang": Lang.EN if lang == Lang.ID else Lang.ID,
            # numbers and names in the page's language
            "num": lambda v: format_int(v, lang),
            "pct": lambda v: format_percent(v, lang=lang),
            "pct0": lambda v: format_percent(v, 0, lang),
            "dec": lambda value, digits: format_decimal(value, digits, lang),
            "pts": lambda v: format_points(v, 2, lang),
            "val": lambda metric, v: format_metric(metric, v, lang),
            "period_text": lambda p: period_text(p, lang),
            "metric_label": lambda m: metric_label(m, lang),
            "level_label": lambda lv: level_label(lv, lang),
            "unit_title": lambda region: unit_title(region.name, region.level, lang),
            "facility_type": lambda kind: FACILITY_TYPE_NAMES[lang].get(kind, kind),
        }

    return app
