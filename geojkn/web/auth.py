"""Who is asking: login and logout, the regions an account may see, CSRF tokens and a bound on login attempts.

Every request passes `guard()` first. Without PUBLIC_READ a visitor who has not logged in is sent to the login
page (an API call gets 401); an account limited to regions gets 403 for any other region, and lists and search
show only what it may see. Every form that changes something carries a CSRF token tied to the session.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from ..accounts import Accounts, User
from ..options import Role
from ..vocabulary import word
from . import params

bp = Blueprint("auth", __name__)
OPEN_ENDPOINTS = {"auth.login", "auth.logout", "api.healthz", "api.readyz", "views.vendor", "views.icon",
                  "views.icon_asked"}


class SessionUser(UserMixin):
    """The account of a logged-in session, as Flask-Login wants it."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return f"{self.user.name}:{self.token}"  # a new token (logout, new password) ends every old session


def accounts() -> Accounts | None:
    found: Accounts | None = current_app.extensions["geojkn.accounts"]
    return found


def user() -> User | None:
    """The logged-in account, or None for an anonymous visitor."""
    return current_user.user if current_user.is_authenticated else None


def _nothing(code: str) -> bool:
    return False


def scope(listing: bool = False) -> Callable[[str], bool] | None:
    """The test a request applies to each of many units (what it may view, or with `listing` what it may see
    listed), settled once per request: None when it may see every unit, so that a search or a list over a whole
    nation's units asks nothing per unit."""
    found = user()
    if found is None:
        return None if params.settings().public_read_in_effect else _nothing
    if found.role == Role.ADMIN or not found.regions:
        return None
    return found.may_see_unit_list if listing else found.may_view


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


def _safe_next(target: str | None) -> str:
    """Only a path on this server: never an address elsewhere (an open redirect)."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 32 or ord(c) == 127 for c in target) or urlsplit(target).netloc):
        return url_for("views.index")
    return target


def guard() -> ResponseReturnValue | None:
    """Run before every request: CSRF on forms, login unless public, and the account's regions."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, "The form has expired or did not come from this site. Reload the page and try again.")
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if user() is None and not params.settings().public_read_in_effect:
        if request.path.startswith("/api/"):
            abort(401, "Log in first: this server shows its maps to its accounts only.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    code = (request.view_args or {}).get("code")
    account = user()
    if code and account is not None and account.regions:
        # a code outside the account and a code that does not exist get the same answer (404): no oracle
        params.workspace().resolve(str(code), allowed=account.may_view)
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    lang = params.language()
    given_next = request.values.get("next", "")[:500]
    if request.method == "GET":
        return render_template("login.html", message="", next=given_next)
    name = request.form.get("name", "")[:64]
    address = request.remote_addr or "-"  # the client's own (from the trusted proxy only: web/app.py)
    found = accounts()
    wait = found.login_wait(address, name) if found is not None else 0.0
    if wait:
        message = word("login_wait", lang, seconds=max(1, round(wait)))
        return render_template("login.html", message=message, next=given_next), 429, {"Retry-After": str(round(wait))}
    account = found.check(name, request.form.get("password", "")) if found else None
    if account is None:
        if found is not None:
            found.login_failed(address, name)
        return render_template("login.html", message=word("login_wrong", lang), next=given_next), 401
    if found is not None:
        found.login_succeeded(account.name)
    session.clear()
    session.permanent = True
    login_user(SessionUser(account, found.token(account.name) if found else ""))
    return redirect(_safe_next(given_next))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    found, account = accounts(), user()
    if found is not None and account is not None:
        found.end_sessions(account.name)  # a copy of this session's cookie no longer opens anything
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def register(app: Flask, found: Accounts | None) -> None:
    """Install login, the guard and the CSRF token on the app."""
    app.extensions["geojkn.accounts"] = found
    manager = LoginManager()
    manager.init_app(app)

    @manager.user_loader
    def load(session_id: str) -> SessionUser | None:
        name, _, token = session_id.partition(":")
        if found is None or not token or not hmac.compare_digest(token, found.token(name)):
            return None
        account = found.get(name)
        return SessionUser(account, token) if account else None

    app.register_blueprint(bp)
    app.before_request(guard)

    @app.context_processor
    def auth_helpers() -> dict[str, object]:
        return {"csrf_token": csrf_token, "account": user()}

