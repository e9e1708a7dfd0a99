"""Accounts: who may see which region on a server of one's own store, and how they log in."""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geojkn import create_app
from geojkn.accounts import ACCOUNT_LIMIT, ACCOUNT_PAUSE, ADDRESS_LIMIT, WINDOW, accounts_path
from geojkn.store import open_store

from conftest import clear_settings, tiny_units

PASSWORD = "kata-sandi-panjang-1"


def add(runner, monkeypatch, store, *argv: str, password: str = PASSWORD):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return runner("--store", store, "user", *argv, "--password-stdin")


@pytest.fixture
def server(tiny_store, runner, monkeypatch):
    """The tiny regency served with accounts: an admin, a viewer of all, a viewer and an editor of kecamatan 01."""
    clear_settings(monkeypatch)
    assert add(runner, monkeypatch, tiny_store, "add", "admin", "--role", "admin").status == 0
    assert add(runner, monkeypatch, tiny_store, "add", "dinkes", "--role", "viewer").status == 0
    assert add(runner, monkeypatch, tiny_store, "add", "kec01", "--role", "viewer", "--regions", "99.01.01").status == 0
    assert add(runner, monkeypatch, tiny_store, "add", "ed01", "--role", "editor", "--regions", "990101").status == 0
    return create_app({"TESTING": True, "STORE": str(tiny_store), "SECRET_KEY": "k" * 40})


def token(client, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def log_in(app, name: str, password: str = PASSWORD, next_: str = ""):
    client = app.test_client()
    resp = client.post("/login", data={"name": name, "password": password, "next": next_,
                                       "csrf_token": token(client)})
    return client, resp


def stored(location, query: str) -> list[tuple]:
    """Rows of the accounts' own tables, as the file or the database holds them."""
    if isinstance(location, Path):
        with sqlite3.connect(accounts_path(str(location))) as db:
            return db.execute(query).fetchall()
    import psycopg

    with psycopg.connect(location) as db:
        db.execute("SET search_path TO geojkn")
        return db.execute(query).fetchall()


def test_accounts_are_managed_from_the_command_line_and_passwords_are_only_hashed(tiny_store, runner, monkeypatch):
    assert add(runner, monkeypatch, tiny_store, "add", "budi", "--role", "editor", "--regions", "99.01.02").status == 0
    listed = runner("--store", tiny_store, "user", "list").out
    assert "budi\teditor\t99.01.02" in listed
    raw = repr(stored(tiny_store, "SELECT * FROM users"))
    assert PASSWORD not in raw and "scrypt" in raw
    assert open_store(str(tiny_store)).accounts().check("budi", PASSWORD).regions == ("99.01.02",)
    assert add(runner, monkeypatch, tiny_store, "password", "budi", password="another-password-2").status == 0
    assert open_store(str(tiny_store)).accounts().check("budi", PASSWORD) is None
    assert runner("--store", tiny_store, "user", "remove", "budi").status == 0
    assert runner("--store", tiny_store, "user", "list").out == ""
    for argv, password, message in [
        (("add", "x y"), PASSWORD, "must be 1 to 64 letters"),
        (("add", "siti"), "short", "at least 10 characters"),
        (("add", "siti", "--regions", "99.05"), PASSWORD, "99.05 are not in the store"),
        (("add", "siti", "--regions", "kabupaten"), PASSWORD, "not an area code"),
        (("add", "siti", "--role", "boss"), PASSWORD, "role 'boss' is not one of viewer, editor, admin"),
        (("remove", "nobody"), PASSWORD, "there is no user 'nobody'"),
        (("rename", "siti"), PASSWORD, "not one of add, list, remove, password"),
        (("add",), PASSWORD, "name the account"),
    ]:
        result = add(runner, monkeypatch, tiny_store, *argv, password=password)
        assert result.status == 2 and message in result.err, (argv, result)
    assert runner("user", "list").status == 2  # the bundled demo has no accounts


def test_without_public_read_a_visitor_must_log_in(server):
    client = server.test_client()
    resp = client.get("/r/99.01?metric=gap")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/r/99.01")
    assert client.get("/api/regions/99.01/summary").status_code == 401
    assert client.get("/api/regions").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/vendor/leaflet.js").status_code == 200
    assert client.get("/login").status_code == 200


def test_a_login_opens_the_pages_and_a_logout_closes_them(server):
    client, resp = log_in(server, "dinkes", next_="/r/99.01?metric=gap")
    assert resp.status_code == 302 and resp.headers["Location"] == "/r/99.01?metric=gap"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = client.get("/r/99.01").get_data(as_text=True)
    assert "dinkes" in page and "Keluar" in page
    assert client.post("/logout").status_code == 400  # no CSRF token: refused
    assert client.get("/r/99.01").status_code == 200
    assert client.post("/logout", data={"csrf_token": token(client, "/r/99.01")}).status_code == 302
    assert client.get("/r/99.01").status_code == 302


def test_a_wrong_password_and_a_foreign_next_address_get_nowhere(server):
    client, resp = log_in(server, "dinkes", "wrong-password-000")
    assert resp.status_code == 401 and "salah" in resp.get_data(as_text=True)
    _, resp = log_in(server, "nobody")
    assert resp.status_code == 401
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        _, resp = log_in(server, "dinkes", next_=target)
        assert resp.status_code == 302 and resp.headers["Location"] == "/", target


def test_logins_are_paused_after_repeated_failures(server):
    for _ in range(ACCOUNT_LIMIT):
        assert log_in(server, "admin", "wrong-password-000")[1].status_code == 401
    client, resp = log_in(server, "admin")  # the right password, but too soon
    assert resp.status_code == 429 and "Tunggu" in resp.get_data(as_text=True)
    assert int(resp.headers["Retry-After"]) <= ACCOUNT_PAUSE
    assert log_in(server, "dinkes")[1].status_code == 302  # another account is not paused


def test_failures_against_someone_elses_account_cannot_lock_its_owner_out(tiny_store, tmp_path):
    """Counted in the accounts file (every server process sees them): an address that keeps failing waits out the
    window, whatever account it tries; an account that keeps failing only pauses, so its owner gets in again."""
    throttle = open_store(str(tiny_store)).accounts()
    now = 1_000_000.0
    for i in range(ACCOUNT_LIMIT):
        throttle.login_failed("10.0.0.66", "kepala", now + i)
    assert throttle.login_wait("10.0.0.7", "kepala", now + ACCOUNT_LIMIT) > 0  # paused for every address...
    assert throttle.login_wait("10.0.0.7", "kepala", now + ACCOUNT_LIMIT + ACCOUNT_PAUSE) == 0  # ...for a short while
    assert throttle.login_wait("10.0.0.7", "staf", now + ACCOUNT_LIMIT) == 0
    for i in range(ADDRESS_LIMIT):
        throttle.login_failed("10.0.0.66", f"nama{i}", now + 100 + i)
    assert throttle.login_wait("10.0.0.66", "staf", now + 200) > 0  # the address itself is blocked, any account
    assert throttle.login_wait("10.0.0.66", "staf", now + 100 + WINDOW + ADDRESS_LIMIT) == 0  # until its window ends
    throttle.login_succeeded("kepala")
    assert throttle.login_wait("10.0.0.7", "kepala", now + ACCOUNT_LIMIT) == 0
    throttle.login_failed("10.0.0.1", "x", now + 10 * WINDOW)  # old failures are dropped as new ones come
    assert stored(tiny_store, "SELECT count(*) FROM login_failures")[0][0] == 2


def test_the_throttle_sees_the_client_behind_the_proxy_and_nobody_elses_word(tiny_store, runner, monkeypatch):
    """Behind nginx (PROXY) the client's own address counts; a client that writes X-Forwarded-For itself, from
    an address that is not the proxy's, is counted by its own address."""
    clear_settings(monkeypatch)
    assert add(runner, monkeypatch, tiny_store, "add", "admin", "--role", "admin").status == 0
    app = create_app({"TESTING": True, "STORE": str(tiny_store), "SECRET_KEY": "k" * 40, "PROXY": "127.0.0.1"})
    client = app.test_client()

    def attempt(proxy: str, claimed: str, name: str = "admin", password: str = "wrong-password-000") -> int:
        return client.post("/login", data={"name": name, "password": password, "csrf_token": token(client)},
                           headers={"X-Forwarded-For": claimed},
                           environ_base={"REMOTE_ADDR": proxy}).status_code

    for i in range(ADDRESS_LIMIT):
        assert attempt("127.0.0.1", "10.1.1.1", f"orang{i}") == 401  # through the proxy: the client 10.1.1.1
    assert attempt("127.0.0.1", "10.1.1.1", "admin", PASSWORD) == 429  # that client is blocked
    assert attempt("127.0.0.1", "10.2.2.2", "admin", PASSWORD) == 302  # another client of the proxy is not
    for i in range(ADDRESS_LIMIT):
        assert attempt("10.9.9.9", "10.3.3.3", f"lagi{i}") == 401  # not the proxy: its header is not believed
    assert attempt("10.9.9.9", "10.4.4.4", "admin", PASSWORD) == 429  # 10.9.9.9 itself was counted
    assert attempt("127.0.0.1", "10.3.3.3", "admin", PASSWORD) == 302


def test_a_form_without_the_session_token_is_refused(server):
    client = server.test_client()
    resp = client.post("/login", data={"name": "admin", "password": PASSWORD})
    assert resp.status_code == 400 and "expired" in resp.get_data(as_text=True)


# every route, for every kind of visitor: the status it answers
ROUTES = ["/", "/r/99.01", "/r/99.01.01", "/r/99.01.02", "/r/99.01.01.2001/map", "/r/99.01.02/export.html",
          "/api/regions/99.01/summary", "/api/regions/99.01.01/summary", "/api/regions/99.01.02/ranking.csv",
          "/r/99.01.01/worklist.csv", "/api/regions/99.01.02/units.geojson", "/search?q=sido", "/api/regions",
          "/healthz"]
MATRIX = {  # visitor: statuses in the order of ROUTES
    "anonymous": [302, 302, 302, 302, 302, 302, 401, 401, 401, 302, 401, 302, 401, 200],
    # a region outside the account answers as one that does not exist: nothing tells it which codes exist
    "kec01": [200, 404, 200, 404, 200, 404, 404, 200, 404, 200, 404, 200, 200, 200],
    "ed01": [200, 404, 200, 404, 200, 404, 404, 200, 404, 200, 404, 200, 200, 200],
    "dinkes": [200] * len(ROUTES),
    "admin": [200] * len(ROUTES),
}


@pytest.mark.parametrize("visitor", MATRIX)
def test_the_role_matrix(server, visitor):
    client = server.test_client() if visitor == "anonymous" else log_in(server, visitor)[0]
    got = [client.get(route).status_code for route in ROUTES]
    assert got == MATRIX[visitor], list(zip(ROUTES, got, strict=True))


def test_an_account_limited_to_a_kecamatan_lists_and_finds_only_what_it_may_see(server):
    client = log_in(server, "kec01")[0]
    codes = {u["code"] for u in client.get("/api/regions").get_json()}
    assert codes == {"99.01", "99.01.01", "99.01.01.2001", "99.01.01.2002"}  # its kecamatan and the way down
    found = {u["code"] for u in client.get("/api/search?q=sidomulyo").get_json()}
    assert found == {"99.01.01.2001"}  # the other Sidomulyo lies in kecamatan 02
    everyone = log_in(server, "dinkes")[0]
    assert {u["code"] for u in everyone.get("/api/search?q=sidomulyo").get_json()} == {"99.01.01.2001",
                                                                                       "99.01.02.2001"}


def test_an_account_that_sees_everything_is_not_asked_about_each_unit(server, monkeypatch):
    """A search or a list over a nation's units settles the account's scope once, not once per unit (asking per
    unit made a search of 85.000 units take seconds)."""
    from geojkn.accounts import User

    everyone = log_in(server, "dinkes")[0]

    def asked(self, code):
        raise AssertionError(f"asked about {code}")

    monkeypatch.setattr(User, "may_view", asked)
    monkeypatch.setattr(User, "may_see_unit_list", asked)
    assert len(everyone.get("/api/search?q=sidomulyo").get_json()) == 2
    assert everyone.get("/api/regions").status_code == 200


def test_a_scoped_account_learns_nothing_about_codes_outside_it(server, tiny_store, tmp_path, runner):
    client = log_in(server, "kec01")[0]
    outside, missing = client.get("/api/regions/99.01.02/summary"), client.get("/api/regions/99.01.07/summary")
    assert (outside.status_code, missing.status_code) == (404, 404)
    assert outside.get_json()["error"].replace("99.01.02", "X") == missing.get_json()["error"].replace("99.01.07", "X")
    # its search limits after its scope: every one of its own units is found, none of the others
    units = tiny_units()
    extra = [{"kode": f"99.01.01.{2100 + i}", "nama": f"Sido Baru {i}", "geometry": shapely.box(
        127.0 + 0.001 * i, -6.0, 127.0005 + 0.001 * i, -5.9995)} for i in range(25)]
    extra += [{"kode": f"99.01.02.{2100 + i}", "nama": f"Sido Lain {i}", "geometry": shapely.box(
        127.0 + 0.001 * i, -5.9, 127.0005 + 0.001 * i, -5.8995)} for i in range(25)]
    gpd.GeoDataFrame([*units.to_dict("records"), *extra], geometry="geometry", crs="EPSG:4326").to_file(
        tmp_path / "more.geojson", driver="GeoJSON")
    assert runner("--store", tiny_store, "import-boundaries", tmp_path / "more.geojson").status == 0
    found = client.get("/api/search?q=sido").get_json()
    assert all(u["code"].startswith("99.01.01") for u in found) and len(found) == 20  # twenty of its own


def test_public_read_opens_the_maps_to_visitors(tiny_store, monkeypatch):
    clear_settings(monkeypatch)
    monkeypatch.setenv("GEOJKN_PUBLIC_READ", "1")
    client = create_app({"TESTING": True, "STORE": str(tiny_store)}).test_client()
    assert client.get("/r/99.01").status_code == 200
    demo = create_app({"TESTING": True}).test_client()  # the demo is public unless told otherwise
    monkeypatch.delenv("GEOJKN_PUBLIC_READ")
    assert demo.get("/r/99.01").status_code == 200


def test_https_makes_the_login_cookie_secure(tiny_store, runner, monkeypatch):
    clear_settings(monkeypatch)
    assert add(runner, monkeypatch, tiny_store, "add", "admin", "--role", "admin").status == 0
    app = create_app({"TESTING": True, "STORE": str(tiny_store), "SECRET_KEY": "k" * 40, "HTTPS": True})
    _, resp = log_in(app, "admin")
    assert "Secure" in resp.headers["Set-Cookie"]


def test_serving_a_store_of_ones_own_to_other_machines_needs_a_secret_key(tiny_store, runner, monkeypatch):
    clear_settings(monkeypatch)
    result = runner("--store", tiny_store, "serve", "--host", "0.0.0.0", "--port", "1")
    assert result.status == 2 and "GEOJKN_SECRET_KEY" in result.err
    monkeypatch.setenv("GEOJKN_SECRET_KEY", "short")
    result = runner("--store", tiny_store, "serve", "--port", "1")
    assert result.status == 2 and "32 characters" in result.err


def test_served_on_this_machine_alone_a_key_is_made_once_and_kept(tiny_store, runner, monkeypatch, tmp_path):
    """A planner's own `geojkn serve`: no key to prepare by hand; the one made is kept, readable by its owner only,
    so a login outlives a restart of the server."""
    import os
    import subprocess
    import sys

    import requests

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from office_load import _wait_for, free_port

    assert add(runner, monkeypatch, tiny_store, "add", "admin", "--role", "admin").status == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOJKN_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # where a database store's key is kept
    port = free_port()
    base, client = f"http://127.0.0.1:{port}", requests.Session()
    for turn in range(2):
        server = subprocess.Popen([sys.executable, "-m", "geojkn", "--store", str(tiny_store), "serve", "--port",
                                   str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for(f"{base}/healthz", 60)
            if turn == 0:
                token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"{base}/login").text).group(1)
                assert client.post(f"{base}/login", data={"name": "admin", "password": PASSWORD,
                                                          "csrf_token": token}).status_code == 200
            assert client.get(f"{base}/upload", allow_redirects=False).status_code == 200  # logged in, still
        finally:
            server.terminate()
            out, err = server.communicate(timeout=30)
        kept = re.search(r"kept in (\S+)", err) or re.search(r"disimpan di (\S+)", err)
        assert kept and "Traceback" not in err, err
        path = Path(kept.group(1))
        assert path.stat().st_mode & 0o777 == 0o600 and len(path.read_text().strip()) >= 32
        if isinstance(tiny_store, Path):
            assert path == tiny_store.resolve().with_name("store.secret")


@pytest.mark.gpkg_only
def test_the_accounts_file_is_beside_the_store_and_not_in_it(server, tiny_store):
    assert accounts_path(str(tiny_store)).name == "store.users.sqlite"
    with sqlite3.connect(tiny_store) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
    assert "users" not in tables


def test_logging_out_or_a_new_password_ends_every_copy_of_a_session(server, tiny_store, runner, monkeypatch):
    client, _ = log_in(server, "kec01")
    cookie = client.get_cookie("session").value
    thief = server.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/api/regions/99.01.01/summary").status_code == 200
    assert client.post("/logout", data={"csrf_token": token(client, "/r/99.01.01")}).status_code == 302
    assert thief.get("/api/regions/99.01.01/summary").status_code == 401  # the copied cookie opens nothing now
    client, _ = log_in(server, "kec01")
    thief.set_cookie("session", client.get_cookie("session").value)
    assert add(runner, monkeypatch, tiny_store, "password", "kec01", password="another-password-2").status == 0
    assert thief.get("/api/regions/99.01.01/summary").status_code == 401
    assert client.get("/api/regions/99.01.01/summary").status_code == 401


def test_a_next_address_with_line_breaks_is_not_followed(server):
    _, resp = log_in(server, "dinkes", next_="/\r\nX-Injected: 1")
    assert resp.status_code == 302 and resp.headers["Location"] == "/" and "X-Injected" not in resp.headers


def test_an_account_limited_to_a_kecamatan_sees_its_own_region_on_the_front_page(server):
    client, _ = log_in(server, "kec01")
    page = client.get("/").get_data(as_text=True)
    assert "/r/99.01.01?" in page and "Kedungjati" in page
    assert "Kabupaten Contoh" not in page  # no totals of the kabupaten around it
    denied = client.get("/r/99.01.02.2002").get_data(as_text=True)
    assert "99.01.02.2002" in denied and "Tegalsari" not in denied  # a refusal names no unit


def test_a_kept_dashboard_carries_each_sessions_own_form_token_and_each_accounts_own_name(server):
    """The dashboard is made once per account and address; the form token of each session is put in for each
    request, so one session's token never reaches another, and a logout works from the kept page."""
    ws = server.extensions["geojkn.workspace"]
    first, _ = log_in(server, "dinkes")
    second, _ = log_in(server, "dinkes")
    other, _ = log_in(server, "admin")
    tokens = []
    for client in (first, second):
        page = client.get("/r/99.01").get_data(as_text=True)
        assert "dinkes" in page and "form-token-" not in page
        tokens.append(token(client, "/r/99.01"))
    builds = ws.answers.builds
    assert tokens[0] != tokens[1] and tokens[0] == token(first, "/r/99.01")
    assert ws.answers.builds == builds  # the same page, kept, with each session's token
    page = other.get("/r/99.01").get_data(as_text=True)
    assert "admin" in page and ">dinkes<" not in page and ws.answers.builds == builds + 1
    assert first.post("/logout", data={"csrf_token": tokens[1]}).status_code == 400  # another session's token
    assert first.post("/logout", data={"csrf_token": tokens[0]}).status_code == 302
    assert first.get("/r/99.01").status_code == 302 and other.get("/r/99.01").status_code == 200


def test_a_kept_api_answer_is_never_given_to_an_account_that_may_not_see_its_region(server):
    admin, _ = log_in(server, "admin")
    assert admin.get("/api/regions/99.01/summary").status_code == 200  # made and kept
    assert admin.get("/api/regions/99.01/ranking.json?level=desa").status_code == 200
    limited, _ = log_in(server, "kec01")
    assert limited.get("/api/regions/99.01/summary").status_code == 404  # as if it did not exist
    assert limited.get("/api/regions/99.01/ranking.json?level=desa").status_code == 404
    assert limited.get("/api/regions/99.01.01/summary").status_code == 200
    assert admin.get("/r/99.01/map/shapes.json?level=desa&zoom=16").status_code == 200
    assert limited.get("/r/99.01/map/shapes.json?level=desa&zoom=16").status_code == 404
    assert server.test_client().get("/api/regions/99.01/summary").status_code == 401
