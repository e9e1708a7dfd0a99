"""Headers every response carries: pages run only scripts and styles served by geojkn itself, never from
another origin, cannot be framed by another site, and tell browsers not to guess types or leak addresses."""

from __future__ import annotations

from flask import Flask, Response, request

from ..errors import DataError
from ..options import BASEMAP, Basemap, Settings

# Inline scripts and styles stay allowed: folium writes each map as one inline script. Every other source is
# this server; a base map's tiles are the one remote origin, and only on maps that ask for that base map.
POLICY = {
    "default-src": "'none'",
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "frame-ancestors": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
}
TILE_ORIGINS = {Basemap.OSM: "https://tile.openstreetmap.org"}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(self)",
}


def policy(basemap: Basemap = Basemap.NONE) -> str:
    """The Content-Security-Policy of a response whose map (if any) has this base map."""
    parts = dict(POLICY)
    if basemap in TILE_ORIGINS:
        parts["img-src"] += " " + TILE_ORIGINS[basemap]
    return "; ".join(f"{name} {value}" for name, value in parts.items())


def register(app: Flask, settings: Settings) -> None:
    @app.after_request
    def secure(response: Response) -> Response:
        try:
            basemap = BASEMAP.read(request.args.get("basemap") or settings.basemap)
        except DataError:
            basemap = Basemap.NONE
        response.headers["Content-Security-Policy"] = policy(basemap)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
