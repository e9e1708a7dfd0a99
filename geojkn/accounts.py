"""Planner accounts for the server: who may see which regions, and who may change their data.

Accounts live with the store but apart from its data: in an SQLite file beside a GeoPackage store
(`jepara.gpkg` -> `jepara.users.sqlite`, so a copy of the file never carries them along), in tables of their own
in a PostgreSQL store. Passwords are kept only as salted scrypt hashes (werkzeug).

Roles: a viewer sees maps and figures; an editor also changes the data of their regions; an admin changes
everything and manages accounts. Viewers and editors may be limited to regions (a kabupaten, a kecamatan):
they then see those regions and what lies inside them, nothing else.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from .codes import parse_code
from .errors import DataError, NotFound
from .options import Role

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
# checked against when a name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = generate_password_hash("geojkn-no-such-user")


@dataclass(frozen=True)
class User:
    """An account as the server sees it (never its password)."""

    name: str
    role: Role
    regions: tuple[str, ...] = ()  # empty: every region

    def may_view(self, code: str) -> bool:
        """True for a unit inside (or equal to) one of the account's regions, or any unit without a limit."""
        return self.role == Role.ADMIN or not self.regions or any(_inside(code, r) for r in self.regions)

    def may_edit(self, code: str) -> bool:
        return self.role == Role.ADMIN or (self.role == Role.EDITOR and self.may_view(code))

    def may_see_unit_list(self, code: str) -> bool:
        """A unit shown in lists: inside the account's regions, or one of their parents (to navigate down)."""
        return self.may_view(code) or any(_inside(r, code) for r in self.regions)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "role": str(self.role), "regions": list(self.regions)}


def _inside(code: str, region: str) -> bool:
    return code == region or code.startswith(region + ".")


def read_regions(text: str | None) -> tuple[str, ...]:
    """'33.20, 3321' -> ('33.20', '33.21'); DataError naming a value that is not an area code."""
    if not text:
        return ()
    found = []
    for part in text.split(","):
        code = parse_code(part.strip())
        if code is None:
            raise DataError(f"regions: '{part.strip()[:40]}' is not an area code such as 33.20 or 33.20.01.")
        found.append(code)
    return tuple(dict.fromkeys(found))


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise DataError(f"user name '{(name or '')[:40]}' must be 1 to 64 letters, digits, '.', '_', '-' or '@', "
                        "starting with a letter or digit.")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise DataError(f"the password must have at least {MIN_PASSWORD} characters.")
    return password


def accounts_path(store: str) -> Path:
    path = Path(store)
    return path.with_name(path.stem + ".users.sqlite")


# Failed logins, counted where the accounts are kept so that every server process sees the same count. An address
# that fails ADDRESS_LIMIT times within WINDOW seconds waits out the window, whatever account it tries; an account
# that fails ACCOUNT_LIMIT times within WINDOW waits ACCOUNT_PAUSE seconds after each failure, from every address,
# so that nobody can lock its owner out for long (the right password opens it again after the pause).
WINDOW, ADDRESS_LIMIT, ACCOUNT_LIMIT, ACCOUNT_PAUSE = 900.0, 10, 5, 30.0
FAILURES_KEPT = 100_000  # rows of the failures table at most: the oldest go first

# the tables, in SQL both SQLite and PostgreSQL read (a PostgreSQL store puts them in its own schema)
TABLES = ("CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, regions TEXT NOT NULL, "
          "password TEXT NOT NULL, changed_at TEXT NOT NULL, session TEXT NOT NULL DEFAULT '')",
          "CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
          "CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at)")


class Accounts(ABC):
    """The accounts of a store and its failed logins; every change is one transaction. Each store backend says
    where they are kept (`Store.accounts()`): an SQLite file beside a GeoPackage, tables in a PostgreSQL store."""

    where: str  # for messages: the file or the database
    placeholder = "?"  # how the backend's driver marks a parameter in SQL

    @abstractmethod
    def _connect(self) -> AbstractContextManager[Any]:
        """A connection in a transaction (committed when the block ends without error) with the tables made."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether any account may exist yet (reads do not create the file or the tables)."""

    @contextmanager
    def _db(self) -> Iterator[Callable[..., Any]]:
        """Run SQL written with '?' for its parameters: the cursor of each statement."""
        with self._connect() as db:
            yield lambda sql, values=(): db.execute(sql.replace("?", self.placeholder), values)

    def users(self) -> list[User]:
        if not self.exists():
            return []
        with self._db() as run:
            rows = run("SELECT name, role, regions FROM users ORDER BY name").fetchall()
        return [User(name, Role(role), tuple(r for r in regions.split(",") if r)) for name, role, regions in rows]

    def get(self, name: str) -> User | None:
        return next((u for u in self.users() if u.name == name), None)

    def add(self, name: str, role: Role, regions: tuple[str, ...], password: str) -> User:
        user = User(check_name(name), role, () if role == Role.ADMIN else regions)
        hashed = generate_password_hash(check_password(password))
        with self._db() as run:
            if run("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise DataError(f"there is already a user '{name}'. Remove it first, or change its password.")
            run("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                (name, str(role), ",".join(user.regions), hashed, _now(), secrets.token_hex(16)))
        return user

    def remove(self, name: str) -> None:
        with self._db() as run:
            if not run("DELETE FROM users WHERE name = ?", (name,)).rowcount:
                raise NotFound(f"there is no user '{name[:64]}'.")

    def set_password(self, name: str, password: str) -> None:
        hashed = generate_password_hash(check_password(password))
        with self._db() as run:
            if not run("UPDATE users SET password = ?, changed_at = ?, session = ? WHERE name = ?",
                       (hashed, _now(), secrets.token_hex(16), name)).rowcount:
                raise NotFound(f"there is no user '{name[:64]}'.")

    def token(self, name: str) -> str:
        """The account's current session token ('' for no such account): sessions carry it, and a new one
        (at logout, a new password, the account removed and added again) ends every session made before."""
        if not self.exists():
            return ""
        with self._db() as run:
            row = run("SELECT session FROM users WHERE name = ?", (name,)).fetchone()
            if row and not row[0]:  # an account from before session tokens: give it one
                row = (secrets.token_hex(16),)
                run("UPDATE users SET session = ? WHERE name = ?", (row[0], name))
        return str(row[0]) if row else ""

    def end_sessions(self, name: str) -> None:
        with self._db() as run:
            run("UPDATE users SET session = ? WHERE name = ?", (secrets.token_hex(16), name))

    def check(self, name: str, password: str) -> User | None:
        """The user if the password is theirs, else None (as slow for an unknown name as for a wrong password)."""
        row = None
        if self.exists() and NAME.match(name or ""):
            with self._db() as run:
                row = run("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        return self.get(name) if check_password_hash(row[0], password) else None

    def rows(self) -> list[tuple[str, ...]]:
        """The accounts as stored (name, role, regions, password hash, changed, session token), for a copy of the
        store."""
        if not self.exists():
            return []
        with self._db() as run:
            found = run("SELECT name, role, regions, password, changed_at, session FROM users ORDER BY name")
            return [tuple(str(value) for value in row) for row in found.fetchall()]

    def load_rows(self, rows: list[tuple[str, ...]] | tuple[tuple[str, ...], ...]) -> None:
        """Add accounts as another store held them (see rows)."""
        if not rows:
            return
        with self._db() as run:
            for row in rows:
                run("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)", row)

    # --- failed logins (bounded, shared by every process) ---------------------------------------------------
    def login_wait(self, address: str, name: str, now: float | None = None) -> float:
        """Seconds before a login from `address` to the account `name` may be tried (0: now)."""
        now = time.time() if now is None else now
        with self._db() as run:
            def recent(key: str) -> list[float]:
                rows = run("SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at",
                           (key, now - WINDOW)).fetchall()
                return [float(row[0]) for row in rows]
            by_address, by_account = recent(f"address {address}"), recent(f"account {name.lower()}")
        waits = [0.0]
        if len(by_address) >= ADDRESS_LIMIT:
            waits.append(by_address[-ADDRESS_LIMIT] + WINDOW - now)
        if len(by_account) >= ACCOUNT_LIMIT:
            waits.append(by_account[-1] + ACCOUNT_PAUSE - now)
        return max(waits)

    def login_failed(self, address: str, name: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._db() as run:
            for key in (f"address {address}", f"account {name.lower()}"):
                run("INSERT INTO login_failures VALUES (?, ?)", (key, now))
            run("DELETE FROM login_failures WHERE at < ?", (now - WINDOW,))
            run("DELETE FROM login_failures WHERE at < (SELECT at FROM login_failures ORDER BY at DESC "
                "LIMIT 1 OFFSET ?)", (FAILURES_KEPT,))

    def login_succeeded(self, name: str) -> None:
        """A right password: the account's failures are forgotten (an address's stay until they age)."""
        with self._db() as run:
            run("DELETE FROM login_failures WHERE key = ?", (f"account {name.lower()}",))


class SqliteAccounts(Accounts):
    """The accounts file beside a GeoPackage store (`jepara.gpkg` -> `jepara.users.sqlite`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)

    def exists(self) -> bool:
        return self.path.is_file()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise DataError(f"Cannot open the accounts file {self.path}: {exc}.") from exc
        try:
            with db:
                for statement in TABLES:
                    db.execute(statement)
                if "session" not in {row[1] for row in db.execute("PRAGMA table_info(users)")}:
                    db.execute("ALTER TABLE users ADD COLUMN session TEXT NOT NULL DEFAULT ''")  # an older file
                yield db
        except sqlite3.DatabaseError as exc:
            raise DataError(f"The accounts file {self.path} cannot be used ({exc}).") from exc
        finally:
            db.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
