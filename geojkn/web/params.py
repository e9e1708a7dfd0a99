"""Request parameters, read with the options declared in options.py: the same rules and messages as the CLI."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..errors import DataError
from ..jobs import Jobs
from ..options import (
    ACCESS_KM,
    ACTIVE_TARGET,
    CLASSES,
    DESA_JKN_OPTIONS,
    LANG,
    LEVEL,
    METRIC,
    PERIOD,
    QUERY,
    RANKING_OPTIONS,
    REGION_LEVEL,
    SINCE,
    SUMMARY_OPTIONS,
    TARGET,
    VIEW_OPTIONS,
    WORKLIST_OPTIONS,
    ZOOM,
    Lang,
    Option,
    Question,
    Settings,
    View,
    read_values,
)
from ..workspace import Workspace

# The query parameters of each route, by endpoint (the README test checks each is documented).
PARAMETERS: dict[str, tuple[Option, ...]] = {
    "views.index": (TARGET, LANG),
    "views.dashboard": (*VIEW_OPTIONS, ACTIVE_TARGET),
    "views.map_page": VIEW_OPTIONS,
    "views.map_shapes": (*VIEW_OPTIONS, ZOOM),
    "views.export": VIEW_OPTIONS,
    "api.healthz": (),
    "views.icon": (),
    "views.icon_asked": (),
    "api.readyz": (),
    "downloads.job": (),
    "views.sheet": VIEW_OPTIONS,
    "views.atlas": (METRIC, PERIOD, SINCE, CLASSES, TARGET, ACCESS_KM, LANG),
    "auth.login": (LANG,),
    "auth.logout": (),
    "upload.form": (LANG,),
    "upload.upload": (LANG,),
    "upload.show": (LANG,),
    "upload.commit_upload": (),
    "upload.discard_upload": (),
    "upload.changes": (LANG,),
    "upload.restore_month": (),
    "views.search": (QUERY, LANG),
    "api.search": (QUERY, LANG),
    "api.regions": (REGION_LEVEL,),
    "api.summary": SUMMARY_OPTIONS,
    "api.desa_jkn_json": DESA_JKN_OPTIONS,
    "api.units": (LEVEL, PERIOD, SINCE, TARGET, ACCESS_KM),
    "api.ranking_json": RANKING_OPTIONS,
    "api.ranking_csv": RANKING_OPTIONS,
    "api.worklist_csv_file": WORKLIST_OPTIONS,
    "api.worklist_xlsx_file": WORKLIST_OPTIONS,
    "api.worklist_json": WORKLIST_OPTIONS,
}


def workspace() -> Workspace:
    """The app's store and its cache."""
    found: Workspace = current_app.extensions["geojkn.workspace"]
    return found


def jobs() -> Jobs:
    """The app's builds of heavy files (jobs.py)."""
    found: Jobs = current_app.extensions["geojkn.jobs"]
    return found


def settings() -> Settings:
    found: Settings = current_app.extensions["geojkn.settings"]
    return found


def language() -> Lang:
    """The language of this request's page: ?lang= when it is valid, else the LANG setting."""
    try:
        found: Lang = LANG.read(request.args.get("lang") or settings().lang)
        return found
    except DataError:  # the view answers 400; its error page still needs words
        return settings().lang


def values() -> dict[str, Any]:
    """This route's parameters, typed; a bad one is a DataError (400) quoting its rule."""
    return read_values(PARAMETERS[str(request.endpoint)], request.args, settings())


def question() -> Question:
    """The question this request asks (its parameters, the settings for the rest)."""
    return Question.of(values(), settings())


def view() -> View:
    """The map and dashboard choices of this request."""
    return View.of(values(), settings())
