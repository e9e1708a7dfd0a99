"""Every option and setting a user can give, declared once: name, type, default, allowed values and help.

The command line builds its flags from COMMANDS, the web reads its query parameters with the same Option
objects (web/params.py), a bad value is refused with the option's rule in the message, and the README test
checks that every option, command and setting is documented. Values come out typed: enums, Period, shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any, Self

from .errors import DataError
from .period import ACCEPTED, Period
from .schema import Level, Metric

DEFAULT_TARGET = 0.95
DEFAULT_ACTIVE_TARGET = 0.80  # the active share award categories ask for beside 95 % registered (DOMAIN.md)
ACTIVE_TARGET_RANGE = (0.1, 1.0)
TARGET_RANGE = (0.5, 1.0)  # national plans use 0.95, 0.98, 0.99; regencies set interim targets such as 0.9
BELOW_RANGE = (0.0, 2.0)   # coverage can pass 100 % where the population figure is stale
DEFAULT_ACCESS_KM = 5.0    # residents farther than this from any FKTP count as far from one (straight line)
ACCESS_KM_RANGE = (0.5, 100.0)
SHOWN_CHARS = 60           # how much of a refused value a message repeats


class Classes(StrEnum):
    """How map classes are formed."""

    POLICY = "policy"
    QUANTILES = "quantiles"
    NATURAL_BREAKS = "natural_breaks"


class Role(StrEnum):
    """What an account may do on the server (accounts.py)."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


class UserAction(StrEnum):
    ADD = "add"
    LIST = "list"
    REMOVE = "remove"
    PASSWORD = "password"


class Basemap(StrEnum):
    """What lies under the map's units."""

    NONE = "none"
    OSM = "osm"


class SheetFormat(StrEnum):
    """How a work list is written."""

    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class Lang(StrEnum):
    """The language of words and numbers: Bahasa Indonesia or English."""

    ID = "id"
    EN = "en"


class Format(StrEnum):
    """How `rank` prints its table."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def _choice(kind: type[StrEnum]) -> Callable[[object], Any]:
    def parse(value: object) -> Any:
        return kind(str(value).strip().lower())
    return parse


def _decimal(low: float, high: float, low_open: bool = False, digits: int = 4) -> Callable[[object], float]:
    """A decimal number in a range, rounded to `digits` decimals (a share to a hundredth of a percent: more is
    noise, and each different value would be a map of its own); "0,95" (the decimal comma) reads as 0.95."""
    def parse(value: object) -> float:
        number = float(str(value).strip().replace(",", "."))
        if not math.isfinite(number) or number > high or number < low or (low_open and number == low):
            raise ValueError(value)
        rounded = round(number, digits)
        if rounded < low or (low_open and rounded == low):
            raise ValueError(value)
        return min(rounded, high)
    return parse


def _whole(minimum: int, maximum: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        number = int(str(value).strip())
        if not minimum <= number <= maximum:
            raise ValueError(value)
        return number
    return parse


def _text(value: object) -> str:
    text = str(value).strip()
    if not text:
        raise ValueError(value)
    return text


def _text_upto(limit: int) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = _text(value)
        if len(text) > limit:
            raise ValueError(value)
        return text
    return parse


def _crs(value: object) -> str:
    """A coordinate reference system PROJ knows (EPSG:32749, a WKT or a PROJ string), kept as written."""
    from pyproj import CRS as ProjCRS  # loaded only when --crs is given
    from pyproj.exceptions import CRSError

    text = _text(value)
    try:
        ProjCRS.from_user_input(text)
    except CRSError:
        raise ValueError(value) from None
    return text


def _yes_no(value: object) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "ya"):
        return True
    if text in ("0", "false", "no", "off", "tidak"):
        return False
    raise ValueError(value)


def _zone(value: object) -> str:
    """An IANA time zone name (Asia/Jakarta, Asia/Makassar, Asia/Jayapura), checked against the zone database."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = _text(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(text) from exc
    return text


def _secret(value: object) -> str:
    text = _text(value)
    if len(text) < 32:
        raise ValueError("a secret key too short to guess safely")
    return text


def _addresses(value: object) -> tuple[str, ...]:
    """IP addresses separated by commas (each checked), as a tuple."""
    import ipaddress

    parts = value if isinstance(value, (tuple, list)) else str(value).split(",")
    return tuple(str(ipaddress.ip_address(str(part).strip())) for part in parts if str(part).strip())


def _one_of(kind: type[StrEnum]) -> str:
    return "one of " + ", ".join(kind)


def shown(value: object) -> str:
    """A value a user gave, cut short for a message."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


@dataclass(frozen=True)
class Option:
    """One option: `--name` on the command line and `?name=` on the web, with one rule for both."""

    name: str
    help: str
    parse: Callable[[object], Any] = _text
    rule: str = "a non-empty text"
    default: Any = None
    setting: str | None = None  # the setting (GEOJKN_<SETTING>) whose value is the default
    switch: bool = False        # a flag that takes no value (--json)
    short: str | None = None
    required: bool = False
    metavar: str | None = None
    choices: tuple[str, ...] = ()  # the allowed values, for options that take one of a list

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def read(self, raw: object) -> Any:
        """The typed value of what a user wrote, or a DataError quoting the rule."""
        try:
            return self.parse(raw)
        except (ValueError, TypeError, OverflowError):
            raise DataError(f"{self.name} '{shown(raw)}' is not {self.rule}.") from None

    def default_in(self, settings: Settings) -> Any:
        """The default, taken from the settings when the option has one."""
        return getattr(settings, self.setting.lower()) if self.setting else self.default


def choice(name: str, help: str, kind: type[StrEnum], default: StrEnum | None = None,
           setting: str | None = None) -> Option:
    """An option that takes one value of an enum."""
    return Option(name, help, _choice(kind), _one_of(kind), default, setting, metavar=name.upper(),
                  choices=tuple(str(value) for value in kind))


LEVEL = choice("level", "units to show (default: desa on maps, kecamatan for a province; the level just below the "
               "region in rankings)", Level)
METRIC = choice("metric", "what to colour or rank by", Metric, Metric.COVERAGE)
PERIOD = Option("period", "month of the figures (default: the latest with figures)", Period.parse,
                f"a month such as {ACCEPTED}", metavar="YYYY-MM")
SINCE = Option("since", "measure the change metrics from this earlier month (default: the period before)",
               Period.parse, f"a month such as {ACCEPTED}", metavar="YYYY-MM")
CLASSES = choice("classes", "class breaks: policy bands around the target, quantiles, natural_breaks", Classes,
                 Classes.POLICY)
BASEMAP = choice("basemap", "OpenStreetMap tiles under the map (they need internet)", Basemap, setting="BASEMAP")
TARGET = Option("target", "coverage target, a share (0.95 means 95 %)", _decimal(*TARGET_RANGE),
                f"a share between {TARGET_RANGE[0]} and {TARGET_RANGE[1]:g}, such as 0.95 for 95 %",
                setting="TARGET", metavar="SHARE")
ACTIVE_TARGET = Option("active_target", "active coverage to reach, a share (0.8 means 80 % of residents active)",
                       _decimal(*ACTIVE_TARGET_RANGE), f"a share between {ACTIVE_TARGET_RANGE[0]:g} and "
                       f"{ACTIVE_TARGET_RANGE[1]:g}, such as 0.8 for 80 %", setting="ACTIVE_TARGET", metavar="SHARE")
ACCESS_KM = Option("access_km", "distance in km from the nearest FKTP beyond which residents count as far from one "
                   "(a straight line)", _decimal(*ACCESS_KM_RANGE, digits=1),
                   f"a number of km from {ACCESS_KM_RANGE[0]:g} to {ACCESS_KM_RANGE[1]:g}, such as 5",
                   setting="ACCESS_KM", metavar="KM")
LANG = choice("lang", "language of words and numbers: id (Bahasa Indonesia) or en", Lang, setting="LANG")
BELOW = Option("below", "only units whose coverage (or the chosen rate) is below this share",
               _decimal(*BELOW_RANGE, low_open=True), f"a share above {BELOW_RANGE[0]:g} and up to {BELOW_RANGE[1]:g}, "
               "such as 0.95", metavar="SHARE")
LIMIT = Option("limit", "show at most this many units", _whole(1, 1_000_000), "a whole number of 1 or more",
               metavar="N")
FORMAT = choice("format", "how to print the ranking", Format, Format.TABLE)
JSON = Option("json", "print one JSON object", switch=True)
OUTPUT = Option("output", "file to write", short="-o", required=True, metavar="FILE")
CODE_FIELD = Option("code_field", "field holding the area code (found automatically if omitted)", metavar="F")
NAME_FIELD = Option("name_field", "field holding the name (found automatically if omitted)", metavar="F")
LAYER = Option("layer", "read only this layer (default: every polygon layer)", metavar="L")
CRS = Option("crs", "CRS of a file that does not declare one, e.g. EPSG:32749", _crs,
             "a coordinate reference system PROJ knows, such as EPSG:32749 (UTM 49S) or EPSG:4326", metavar="CRS")
FIGURES_PERIOD = replace(PERIOD, help="month the figures are for (or a period column in the file)")
SOURCE = Option("source", "where the figures come from, shown in legends and exports (default: the file's name)",
                metavar="TEXT")
MERGE = Option("merge", "add the rows to what is stored for the month instead of replacing the month in the "
               "kabupaten the file covers", switch=True)
REPLACE = Option("replace", "replace all stored facilities instead of adding", switch=True)
REPLACE_MONTH = replace(REPLACE, help="the file is the whole month of the kabupaten it covers: units it leaves out "
                        "lose their figures for the month (needed when it covers less than half of a kabupaten "
                        "whose month is stored)")
REMOVED_PERIOD = replace(PERIOD, help="the month whose figures to remove", required=True)
SHEET = Option("sheet", "XLSX sheet name (default: the first)", metavar="NAME")
PRODUCTION = Option("production", "serve with several worker processes (gunicorn; pip install 'geojkn[production]')",
                    switch=True)
WORKERS = Option("workers", "worker processes with --production (each answers THREADS requests at once)",
                 _whole(1, 64), "a whole number from 1 to 64", 2, metavar="N")
HOST = Option("host", "address to listen on (0.0.0.0 lets colleagues connect)", default="127.0.0.1", metavar="H")
PORT = Option("port", "port to listen on", _whole(1, 65535), "a port number from 1 to 65535", 5000, metavar="N")
SERVER_NAME = Option("server_name", "the name nginx answers to (its server_name), such as jkn.dinkes.local",
                     _text_upto(200), "a host name", "_", metavar="NAME")
REGION_LEVEL = replace(LEVEL, help="only units of this level")
BY = choice("by", "what to put first (any metric): the lowest rate, supply or change, the most people, the "
            "farthest from a facility", Metric, Metric.GAP)
TOP = Option("top", "keep the units most in need, at most this many", _whole(1, 1_000_000),
             "a whole number of 1 or more", metavar="N")
SHEET_FORMAT = choice("format", "table (to read), csv or xlsx (for spreadsheets), json", SheetFormat, SheetFormat.TABLE)
PRINT_OUTPUT = replace(OUTPUT, help="the file to write: .pdf or .png")
ATLAS_OUTPUT = replace(OUTPUT, help="the PDF file to write")
SAVE_TO = replace(OUTPUT, required=False, help="file to write (needed for xlsx; otherwise printed)")
BEFORE = Option("before", "the number of the change (geojkn history) to go back to just before",
                _whole(1, 10**9), "a change number from geojkn history, such as 12", required=True, metavar="N")
RESTORED_PERIOD = replace(PERIOD, help="the month to restore", required=True)
ROLE = choice("role", "viewer (sees maps), editor (also changes the data of its regions) or admin (everything, "
              "and accounts)", Role, Role.VIEWER)
REGIONS = Option("regions", "limit the account to these regions and what lies inside them, e.g. 33.20,33.21 "
                 "(default: every region)", metavar="CODES")
PASSWORD_STDIN = Option("password_stdin", "read the password from the first line of standard input instead of "
                        "asking for it", switch=True)
ZOOM = Option("zoom", "the map zoom the shapes are wanted for (a served map asks for finer shapes as it is zoomed "
              "in)", _whole(0, 22), "a whole number from 0 to 22", metavar="Z", required=True)
QUERY = Option("q", "a name or code to find (part of it is enough)", _text_upto(100), "a text of 1 to 100 characters",
               required=True, metavar="TEXT")


@dataclass(frozen=True)
class Argument:
    """A positional argument of a command."""

    name: str
    help: str
    optional: bool = False


FILE = Argument("file", "the file to import")
REGION = Argument("region", "code (33.20, 3320, ID3320) or name ('Kabupaten Jepara')")
SOME_REGION = Argument("region", "only inside this region (default: everywhere)", optional=True)


@dataclass(frozen=True)
class Command:
    """One `geojkn` command: its arguments and options, in the order --help lists them."""

    name: str
    help: str
    arguments: tuple[Argument, ...] = ()
    options: tuple[Option, ...] = ()


WORKLIST_OPTIONS = (LEVEL, BY, PERIOD, SINCE, TARGET, ACCESS_KM, TOP, LANG)
VIEW_OPTIONS = (LEVEL, METRIC, PERIOD, SINCE, CLASSES, BASEMAP, TARGET, ACCESS_KM, LANG)
RANKING_OPTIONS = (LEVEL, METRIC, BELOW, PERIOD, SINCE, TARGET, ACCESS_KM, LANG)
SUMMARY_OPTIONS = (PERIOD, SINCE, TARGET, ACTIVE_TARGET, ACCESS_KM, LANG)
DESA_JKN_OPTIONS = (PERIOD, TARGET, LANG)
COMMANDS = (
    Command("import-boundaries", "import desa/kecamatan/kabupaten polygons", (FILE,),
            (CODE_FIELD, NAME_FIELD, LAYER, CRS, LANG)),
    Command("import-figures", "import monthly enrollment figures (CSV or XLSX)", (FILE,),
            (FIGURES_PERIOD, SHEET, SOURCE, MERGE, REPLACE_MONTH, LANG)),
    Command("remove-figures", "remove the figures of one month", (SOME_REGION,), (REMOVED_PERIOD, LANG)),
    Command("import-facilities", "import health facility points", (FILE,), (REPLACE, LANG)),
    Command("summary", "coverage, gap and facilities of a region", (REGION,), (*SUMMARY_OPTIONS, JSON)),
    Command("desa-jkn", "the desa at the registered target (Desa JKN), by kecamatan", (REGION,),
            (*DESA_JKN_OPTIONS, JSON)),
    Command("rank", "units of a region, the ones needing action first", (REGION,),
            (*RANKING_OPTIONS, LIMIT, FORMAT)),
    Command("worklist", "the units to work through first, grouped by kecamatan", (REGION,),
            (LEVEL, BY, PERIOD, SINCE, TARGET, ACCESS_KM, TOP, SHEET_FORMAT, SAVE_TO, LANG)),
    Command("regions", "list the regions in the store", (), (REGION_LEVEL, LANG)),
    Command("search", "find units by name or code", (Argument("text", "part of a name, or the start of a code"),),
            (LANG,)),
    Command("info", "what the store holds and its import log", (), (LANG,)),
    Command("export", "write the map as one standalone HTML file that works offline", (REGION,),
            (OUTPUT, *VIEW_OPTIONS)),
    Command("sheet", "one A4 page for a meeting: the map with names, legend and scale, key figures, the lowest units "
            "(PDF or PNG by the file's name)", (REGION,), (PRINT_OUTPUT, *VIEW_OPTIONS)),
    Command("atlas", "a PDF to hand out: the region, contents, then one page per kecamatan with every desa named",
            (REGION,), (ATLAS_OUTPUT, METRIC, PERIOD, SINCE, CLASSES, TARGET, ACCESS_KM, LANG)),
    Command("serve", "run the dashboard at http://127.0.0.1:5000", (), (HOST, PORT, PRODUCTION, WORKERS)),
    Command("prepare", "prepare the pages the server shows first (each province's and kabupaten's dashboard and "
            "map) where every server process reads them", (), (LANG,)),
    Command("nginx-site", "print the nginx site that stands in front of serve --production (see the README's "
            "office set-up)", (), (PORT, SERVER_NAME)),
    Command("history", "every change of the store: when, what, which file (and its SHA-256), who", (),
            (JSON, LANG)),
    Command("restore", "make a region's month what it was just before a change (see history)", (REGION,),
            (RESTORED_PERIOD, BEFORE, LANG)),
    Command("init-store", "make the store's tables now (a PostgreSQL store; a GeoPackage is made by its first "
            "import)", (), (LANG,)),
    Command("copy-store", "copy a store, its history and accounts into a new one (GeoPackage to PostgreSQL and back)",
            (Argument("source", "the store to copy: a .gpkg file or a PostgreSQL connection string"),
             Argument("target", "the new store: a .gpkg file that does not exist yet, or an empty database")),
            (LANG,)),
    Command("user", "accounts of the server: add, list, remove, or set a password",
            (Argument("action", "add, list, remove or password"),
             Argument("name", "the account's name", optional=True)),
            (ROLE, REGIONS, PASSWORD_STDIN)),
)
# Every option by name (options of the same name differ at most in their help text).
OPTIONS_BY_NAME = {option.name: option for command in COMMANDS for option in command.options}


@dataclass(frozen=True)
class Setting:
    """A setting of the installation: GEOJKN_<NAME> in the environment, or NAME in instance/config.py."""

    name: str
    help: str
    parse: Callable[[object], Any]
    rule: str
    default: Any

    def read(self, raw: object) -> Any:
        try:
            return self.parse(raw)
        except (ValueError, TypeError, OverflowError):
            raise DataError(f"The setting GEOJKN_{self.name} '{shown(raw)}' is not {self.rule}.") from None


@dataclass(frozen=True)
class Tier:
    """A step of an award ladder: units whose registered and active coverage both reach its shares."""

    name: str
    registered: float
    active: float


# The thresholds geojkn's domain notes give (DOMAIN.md): 95 % registered (UHC), 98 % and 99 % (the national
# plans for 2024 and 2029), with the 80 % active share UHC award categories ask for. Not an official award list.
PRESET_TIERS = {
    "uhc": (Tier("UHC 99 % + aktif 80 %", 0.99, 0.80), Tier("UHC 98 % + aktif 80 %", 0.98, 0.80),
            Tier("UHC 95 % + aktif 80 %", 0.95, 0.80), Tier("UHC 95 %", 0.95, 0.0)),
}
MAX_TIERS = 6  # with the class of units below every tier, the seven classes a map can show


def _tiers(value: object) -> tuple[Tier, ...]:
    """A preset's name, or tiers written 'name:registered:active; ...' (shares), from the highest down; in
    instance/config.py also a list of (name, registered, active)."""
    if isinstance(value, (tuple, list)):
        parts = [(str(t.name), t.registered, t.active) if isinstance(t, Tier) else tuple(t) for t in value]
    else:
        text = str(value).strip()
        if text.lower() in PRESET_TIERS:
            return PRESET_TIERS[text.lower()]
        parts = [tuple(piece.strip() for piece in part.rsplit(":", 2)) for part in text.split(";")]
    tiers = []
    for part in parts:
        name, registered, active = part
        name = str(name).strip()
        tier = Tier(name, _decimal(0.01, 1.0)(registered), _decimal(0.0, 1.0)(active))
        if not name or len(name) > 40:
            raise ValueError(value)
        tiers.append(tier)
    ordered = sorted(tiers, key=lambda t: (t.registered, t.active), reverse=True)
    distinct = len({(t.registered, t.active) for t in tiers}) == len(tiers)
    if not 1 <= len(tiers) <= MAX_TIERS or ordered != tiers or not distinct:
        raise ValueError(value)
    return tuple(tiers)


SETTINGS = (
    Setting("STORE", "the store to use: a GeoPackage file or a PostgreSQL database; none means the bundled demo",
            _text, "the path of a .gpkg file, or a PostgreSQL connection string (postgresql://... or service=...)",
            None),
    Setting("TARGET", "coverage target, the default of --target and ?target=", TARGET.parse, TARGET.rule,
            DEFAULT_TARGET),
    Setting("ACTIVE_TARGET", "active coverage to reach, the default of --active-target", ACTIVE_TARGET.parse,
            ACTIVE_TARGET.rule, DEFAULT_ACTIVE_TARGET),
    Setting("ACCESS_KM", "distance from the nearest FKTP beyond which residents count as far, the default of "
            "--access-km", ACCESS_KM.parse, ACCESS_KM.rule, DEFAULT_ACCESS_KM),
    Setting("TIERS", "award tiers the tier metric maps: a preset (uhc) or 'name:registered:active; ...'", _tiers,
            f"a preset ({', '.join(PRESET_TIERS)}) or 1 to {MAX_TIERS} tiers written 'name:registered:active' with "
            "shares, separated by ';', from the highest down", PRESET_TIERS["uhc"]),
    Setting("LANG", "language of pages and command output (id or en)", LANG.parse, LANG.rule, Lang.ID),
    Setting("BASEMAP", "base map of maps (none or osm)", BASEMAP.parse, BASEMAP.rule, Basemap.NONE),
    Setting("TIMEZONE", "the office's time zone, in which times are shown (the history of changes)", _zone,
            "a time zone name: Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)", "Asia/Jakarta"),
    Setting("CACHE_SIZE", "regions kept ready in memory (and four times as many finished pages, maps and "
            "answers)", _whole(1, 10_000),
            "a whole number of 1 or more", 16),
    Setting("CACHE_MB", "the most memory one server process keeps regions (three quarters) and finished pages, "
            "maps and answers (a quarter) in", _whole(16, 1_000_000), "a whole number of MB of 16 or more", 1024),
    Setting("SHARED_MB", "the most disk the pages, maps and answers kept for every server process may take beside "
            "the store (the ones asked for least recently go first)", _whole(10, 1_000_000),
            "a whole number of MB of 10 or more", 500),
    Setting("THREADS", "requests the server answers at once; at most half of them prepare maps at a time",
            _whole(2, 64), "a whole number from 2 to 64", 8),
    Setting("PUBLIC_READ", "whether visitors who have not logged in may view maps (on for the demo, off for "
            "a store of your own)", _yes_no, "yes or no (1/0, true/false, on/off)", None),
    Setting("SECRET_KEY", "the key that signs login sessions; required to serve a store of your own", _secret,
            "a random text of 32 characters or more (python -c 'import secrets; print(secrets.token_hex(32))')",
            None),
    Setting("HTTPS", "whether the server is reached over https (behind a reverse proxy): login cookies are then "
            "sent over https only", _yes_no, "yes or no (1/0, true/false, on/off)", False),
    Setting("PROXY", "the address(es) of the reverse proxy in front of the server (nginx), separated by ',': only "
            "from them are X-Forwarded-For, -Proto and -Host trusted (none: from nobody)", _addresses,
            "IP addresses separated by ',', such as 127.0.0.1", None),
    Setting("UPLOAD_MB", "the largest file the server accepts in an upload, in MB", _whole(1, 100),
            "a whole number of MB from 1 to 100", 50),
    Setting("BUSY_AFTER", "seconds a request waits for a map being prepared before it answers 503 'try again'",
            _whole(1, 600), "a whole number of seconds from 1 to 600", 10),
    Setting("JOB_WORKERS", "worker processes each server process builds sheets, atlases, exported maps and work "
            "lists in, outside its page threads (0: in the page's own thread)", _whole(0, 16),
            "a whole number from 0 to 16", 1),
    Setting("JOBS_MB", "the most disk the finished sheets, atlases, maps and work lists may take beside the store "
            "(the ones asked for least recently go first)", _whole(10, 100_000), "a whole number of MB of 10 or more",
            500),
    Setting("PREPARE_AHEAD", "whether the server prepares each province's maps and each kabupaten's dashboard and "
            "map in the background after every import, before anyone asks", _yes_no,
            "yes or no (1/0, true/false, on/off)", True),
)


def _default(name: str) -> Any:
    """The default of a setting, as the SETTINGS table declares it (the dataclasses below take it from there)."""
    return next(setting.default for setting in SETTINGS if setting.name == name.upper())


@dataclass(frozen=True)
class Settings:
    """The settings in force, typed; one field per entry of SETTINGS, whose defaults are the table's."""

    store: str | None = _default("store")
    target: float = _default("target")
    active_target: float = _default("active_target")
    access_km: float = _default("access_km")
    tiers: tuple[Tier, ...] = _default("tiers")
    lang: Lang = _default("lang")
    basemap: Basemap = _default("basemap")
    timezone: str = _default("timezone")
    cache_size: int = _default("cache_size")
    cache_mb: int = _default("cache_mb")
    shared_mb: int = _default("shared_mb")
    threads: int = _default("threads")
    public_read: bool | None = _default("public_read")
    secret_key: str | None = _default("secret_key")
    https: bool = _default("https")
    proxy: tuple[str, ...] | None = _default("proxy")
    upload_mb: int = _default("upload_mb")
    busy_after: int = _default("busy_after")
    job_workers: int = _default("job_workers")
    jobs_mb: int = _default("jobs_mb")
    prepare_ahead: bool = _default("prepare_ahead")

    @property
    def public_read_in_effect(self) -> bool:
        """PUBLIC_READ as set; unset, on for the bundled demo and off for a store of one's own."""
        return self.public_read if self.public_read is not None else self.store is None

    @property
    def builders(self) -> int:
        """How many maps or regions the server prepares at once: half its threads, so the rest stay free."""
        return max(1, self.threads // 2)

    @classmethod
    def read(cls, values: Mapping[str, object]) -> Settings:
        """Settings from NAME -> raw value (missing or empty means the default), each checked by its rule."""
        chosen = {}
        for setting in SETTINGS:
            raw = values.get(setting.name)
            chosen[setting.name.lower()] = setting.default if raw in (None, "") else setting.read(raw)
        return cls(**chosen)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from GEOJKN_* environment variables."""
        prefix = "GEOJKN_"
        return cls.read({key[len(prefix):]: value for key, value in environ.items() if key.startswith(prefix)})


@dataclass(frozen=True)
class Question:
    """The choices every figure answers to: the month and the month a change is measured from, the targets, the
    access distance, the award tiers, and the level and metric asked about. Built once from the options (by the
    command line or the web, with Question.of) and passed whole to the analysis; None for level, period and
    since means the usual level, the latest month and the month before it (analysis.region.settle)."""

    period: Period | None = None
    since: Period | None = None
    target: float = _default("target")
    active_target: float = _default("active_target")
    access_km: float = _default("access_km")
    tiers: tuple[Tier, ...] = _default("tiers")  # from the TIERS setting, never from a URL
    level: Level | None = None
    metric: Metric = METRIC.default

    @classmethod
    def of(cls, values: Mapping[str, Any], settings: Settings | None = None) -> Self:
        """The record of typed option values by name (other names are ignored); what the values do not give comes
        from the settings (the defaults of the settings table when there are none)."""
        chosen = settings or Settings()
        names = [f.name for f in fields(cls)]
        given = {name: getattr(chosen, name) for name in names if hasattr(chosen, name)}
        given.update({name: values[name] for name in names if name in values and values[name] is not None})
        return cls(**given)

    @property
    def figures(self) -> tuple[object, ...]:
        """What a table of units' figures depends on (not the level, metric or the way it is shown)."""
        return (self.period, self.since, self.target, self.active_target, self.access_km, self.tiers)


@dataclass(frozen=True)
class View(Question):
    """A question and how its map is shown: classes, base map and language."""

    classes: Classes = CLASSES.default
    basemap: Basemap = _default("basemap")
    lang: Lang = _default("lang")

    def query(self) -> dict[str, str]:
        """The view as URL query parameters, in the order the options are listed (what is unset is left out; the
        tiers are a setting)."""
        shown = [option.name for option in (*VIEW_OPTIONS, ACTIVE_TARGET)]
        return {name: str(getattr(self, name)) for name in shown if getattr(self, name) is not None}

    def carried(self) -> dict[str, str]:
        """The choices that go along to another region's page: all but the level, which is its own (the month and
        the month compared with go along when they were asked for, so a drill-down stays in the month shown)."""
        return {k: v for k, v in self.query().items() if k != "level"}


def read_values(options: tuple[Option, ...], raw: Mapping[str, object], settings: Settings) -> dict[str, Any]:
    """Typed values of the options from raw text by name; a missing or empty value takes the default."""
    values = {}
    for option in options:
        given = raw.get(option.name)
        if option.switch:
            values[option.name] = given is True or str(given).lower() in ("1", "true", "yes")
        elif (given is None or given == "") and option.required:
            raise DataError(f"{option.name} is missing: give {option.rule}.")
        elif given is None or given == "":
            values[option.name] = option.default_in(settings)
        else:
            values[option.name] = option.read(given)
    return values
