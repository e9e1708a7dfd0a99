"""The `geojkn` command: import files into a store, and answer questions about a region.

The commands, their arguments and options are declared in options.COMMANDS; this module builds the parser
from that table and maps each command to what it does.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .errors import DataError
from .formatting import format_decimal, format_int
from .options import (
    COMMANDS,
    QUERY,
    Command,
    Format,
    Option,
    Role,
    Settings,
    SheetFormat,
    UserAction,
    View,
    read_values,
)
from .schema import LEVEL, LEVELS
from .vocabulary import unit_title, word

if TYPE_CHECKING:  # the heavy libraries load with the commands that use them: `geojkn --help` needs none
    from .store import Store
    from .workspace import Workspace

Values = dict[str, Any]


def _option_help(option: Option) -> str:
    default = f"$GEOJKN_{option.setting}, else {option.default_in(Settings())}" if option.setting else option.default
    return option.help + (f" (default: {default})" if default is not None and not option.switch else "")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, from options.COMMANDS (also read by the README test)."""
    parser = argparse.ArgumentParser(prog="geojkn", description="JKN-KIS coverage maps and figures for planners.")
    parser.add_argument("--store", help="the store: a .gpkg file, or a PostgreSQL connection string "
                        "(postgresql://user@host/db, service=name); default: $GEOJKN_STORE, else the bundled demo")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        for argument in command.arguments:
            p.add_argument(argument.name, help=argument.help, nargs="?" if argument.optional else None)
        for option in command.options:
            flags = [f for f in (option.short, option.flag) if f]
            if option.switch:
                p.add_argument(*flags, dest=option.name, action="store_true", help=option.help)
            else:  # values stay text here: options.read_values checks them, as the web does
                p.add_argument(*flags, dest=option.name, default=None, required=option.required,
                               metavar=option.metavar, help=_option_help(option))
    return parser


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line)


def cmd_import_boundaries(ws: Workspace, v: Values, view: View) -> None:
    from .importing import import_boundaries
    _print_lines(import_boundaries(ws.store, v["file"], code_field=v["code_field"], name_field=v["name_field"],
                                   layer=v["layer"], crs=v["crs"], lang=v["lang"], progress=_progress(v["lang"])))


def _progress(lang: Any) -> Callable[[str, str, int, int], None]:
    """Progress of a long import on standard error: a bar redrawn in place on a terminal, a line per step else."""
    live = sys.stderr.isatty()
    started = time.monotonic()

    def show(area: str, step: str, done: int, total: int) -> None:
        text = word("map_progress", lang, area=area, step=word(f"map_step_{step}", lang))
        if live:
            bar = "#" * round(20 * done / max(total, 1))
            end = "\n" if done == total and step == "bands" else ""
            print(f"\r{text} [{bar:<20}] {done}/{total} {time.monotonic() - started:.0f} s", end=end,
                  file=sys.stderr, flush=True)
        elif done == 0:
            print(f"{text} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    return show


def cmd_import_figures(ws: Workspace, v: Values, view: View) -> None:
    from .importing import import_figures
    period = str(v["period"]) if v["period"] else None
    _print_lines(import_figures(ws.store, v["file"], period=period, sheet=v["sheet"], merge=v["merge"],
                                replace=v["replace"], source=v["source"], lang=v["lang"]))


def cmd_remove_figures(ws: Workspace, v: Values, view: View) -> None:
    ws.store.check_writable()
    region = ws.resolve(v["region"]) if v["region"] else None
    within, period = region.code if region else None, str(v["period"])
    if ws.store.figures(period, within=within).empty:
        where = f" in {region.name}" if region else ""
        raise DataError(f"No figures for {period}{where} to remove. Months with figures: "
                        f"{', '.join(ws.store.periods()) or 'none'}.")
    from .analysis.rollup import stored_rollup

    removed = ws.store.remove_figures(period, within=within, source="geojkn remove-figures", rollup=stored_rollup)
    where = f" ({region.name})" if region else ""
    print(word("removed", v["lang"], n=format_int(removed, v["lang"]), period=period, where=where))


def cmd_import_facilities(ws: Workspace, v: Values, view: View) -> None:
    from .importing import import_facilities
    _print_lines(import_facilities(ws.store, v["file"], replace=v["replace"], lang=v["lang"]))


def cmd_summary(ws: Workspace, v: Values, view: View) -> None:
    from .analysis.region import settle, summarise
    from .report import summary_text
    data = ws.region(v["region"])
    summary = summarise(data, settle(data, view))
    if v["json"]:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        print(summary_text(summary, v["lang"]))


def cmd_desa_jkn(ws: Workspace, v: Values, view: View) -> None:
    from .analysis.region import desa_jkn, settle
    from .report import desa_jkn_text
    data = ws.region(v["region"])
    found = desa_jkn(data, settle(data, view))
    print(json.dumps(found.to_json(), ensure_ascii=False, indent=2) if v["json"] else desa_jkn_text(found, v["lang"]))


def cmd_rank(ws: Workspace, v: Values, view: View) -> None:
    from .analysis.region import rank, rank_level, settle
    from .report import rank_csv, rank_table
    from .serialize import pretty_json
    data = ws.region(v["region"])
    ranking = rank(data, rank_level(data, view.level), settle(data, view), v["below"]).head(v["limit"])
    if v["format"] == Format.JSON:
        print(pretty_json(ranking.to_json()))
    elif v["format"] == Format.CSV:
        sys.stdout.write(rank_csv(ranking.table))
    else:
        print(rank_table(ranking, v["lang"]))


def cmd_worklist(ws: Workspace, v: Values, view: View) -> None:
    from .analysis.region import map_level, settle
    from .analysis.worklist import worklist
    from .outputs import write_output
    from .serialize import pretty_json
    from .sheets import worklist_csv, worklist_text, worklist_xlsx

    data = ws.region(v["region"])
    made = worklist(data, map_level(data, view.level), settle(data, view), v["by"], v["top"])
    fmt, lang, output = v["format"], v["lang"], v["output"]
    if fmt == SheetFormat.XLSX and not output:
        raise DataError("--format xlsx writes a workbook: name the file with -o FILE.xlsx.")
    if fmt == SheetFormat.XLSX:
        content: str | bytes = worklist_xlsx(made, lang)
    elif fmt == SheetFormat.CSV:
        content = worklist_csv(made, lang)
    elif fmt == SheetFormat.JSON:
        content = pretty_json(made.to_json()) + "\n"
    else:
        content = worklist_text(made, lang) + "\n"
    if not output:
        sys.stdout.write(str(content))
        return
    write_output(output, content, store=ws.store.location)
    print(word("wrote_worklist", lang, file=output, n=format_int(len(made.table), lang)))


def cmd_regions(ws: Workspace, v: Values, view: View) -> None:
    for row in ws.unit_list(v["level"]).itertuples():
        print(f"{row.code}\t{row.level}\t{row.name}")


def cmd_search(ws: Workspace, v: Values, view: View) -> None:
    text = QUERY.read(v["text"])  # the same rule as ?q= on the web
    ws.require()
    index, lang = ws.index(), v["lang"]
    for region in index.search(text):
        within = [unit_title(p.name, p.level, lang) for p in index.parents(region.code) if p.level != "provinsi"]
        print(f"{region.code}\t{unit_title(region.name, region.level, lang)}\t{', '.join(reversed(within))}")


def cmd_info(ws: Workspace, v: Values, view: View) -> None:
    store, lang = ws.store, v["lang"]
    print(word("info_store", lang, store=store.shown) + (word("info_demo", lang) if store.readonly else ""))
    counts = ws.unit_list()[LEVEL].value_counts()
    units = ", ".join(f"{format_int(counts[lv], lang)} {lv}" for lv in LEVELS if lv in counts)
    print(word("info_units", lang, units=units or word("none", lang)))
    print(word("info_periods", lang, periods=", ".join(store.periods()) or word("none", lang)))
    print(word("info_facilities", lang, n=format_int(len(store.facilities()), lang)))
    for row in store.imports().itertuples():
        detail = f"{str(row.period or '')} {str(row.detail or '')}".strip()
        print(word("info_import", lang, when=row.imported_at, kind=row.kind, file=row.file, rows=row.rows,
                   detail=detail).rstrip())


@contextmanager
def importing_meanwhile(*modules: str) -> Iterator[None]:
    """Import modules in a thread of their own while this one reads the store (SQLite and GDAL let go of the
    interpreter as they read): a command that makes a map then starts sooner. (Reading a region imports nothing,
    so the two threads never wait for each other's imports.)"""
    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except ImportError:  # raised again where the command imports it
                return
    thread = threading.Thread(target=load, name="geojkn-imports", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _document(ws: Workspace, v: Values, view: View, kind: Any) -> tuple[bytes, Any]:
    """Build a file (documents.py) for the command line and write it to --output; its bytes and its view."""
    from .analysis.region import resolve
    from .documents import Request, build
    from .outputs import write_output

    data = ws.region(v["region"])
    settled = resolve(data, view)
    content, _ = build(ws, Request(kind, data.region.code, view))
    write_output(v["output"], content, store=ws.store.location)
    return content, settled


def cmd_export(ws: Workspace, v: Values, view: View) -> None:
    from .documents import Kind

    with importing_meanwhile("geojkn.rendering", "geojkn.outputs"):
        ws.region(v["region"])
    content, settled = _document(ws, v, view, Kind.EXPORT)
    size = format_decimal(len(content) / 1e6, 1, settled.lang)
    print(word("wrote", settled.lang, file=v["output"], region=ws.region(v["region"]).region.name,
               level=settled.level, metric=settled.metric, period=settled.period or "-", size=size))


def cmd_sheet(ws: Workspace, v: Values, view: View) -> None:
    from .documents import Kind

    output = str(v["output"])
    fmt = output.rsplit(".", 1)[-1].lower()
    if fmt not in ("pdf", "png"):
        raise DataError(f"sheet: '{output}' must end in .pdf or .png (the file's type follows its name).")
    content, settled = _document(ws, v, view, Kind.SHEET_PDF if fmt == "pdf" else Kind.SHEET_PNG)
    print(word("wrote_print", settled.lang, file=output, region=ws.region(v["region"]).region.name, pages=1,
               size=format_decimal(len(content) / 1e6, 1, settled.lang)))


def cmd_atlas(ws: Workspace, v: Values, view: View) -> None:
    from .documents import Kind
    from .printed import kecamatan_codes

    output = str(v["output"])
    if not output.lower().endswith(".pdf"):
        raise DataError(f"atlas: '{output}' must end in .pdf.")
    content, settled = _document(ws, v, view, Kind.ATLAS)
    data = ws.region(v["region"])
    pages = len(kecamatan_codes(data)) + 2  # the cover, the contents, a page per kecamatan
    print(word("wrote_print", settled.lang, file=output, region=data.region.name, pages=pages,
               size=format_decimal(len(content) / 1e6, 1, settled.lang)))


def cmd_serve(ws: Workspace, v: Values, view: View) -> None:
    from .web.app import create_app

    store = ws.store
    key: dict[str, str] = {}
    kept_in = ""
    if not store.readonly and not os.environ.get("GEOJKN_SECRET_KEY") and _this_machine_only(v["host"]):
        # served to this machine alone (a planner's own laptop): the key is made once and kept for the store
        key["SECRET_KEY"], kept_in = _kept_session_key(store)
        os.environ["GEOJKN_SECRET_KEY"] = key["SECRET_KEY"]  # for the workers of --production too
    # with --production this process only checks the settings and starts the workers, which make their own app:
    # it prepares nothing ahead itself (a thread of its own inside GDAL when it forks would hang the workers)
    app = create_app({"STORE": None if store.readonly else store.location, **key,
                      **({"PREPARE_AHEAD": False} if v["production"] else {})})
    settings = app.extensions["geojkn.settings"]
    if key:
        print(word("key_kept", settings.lang, path=kept_in), file=sys.stderr)
    if not store.readonly and settings.secret_key is None and not key:
        raise DataError("Serving a store of your own to other machines needs a secret key that signs login "
                        "sessions: set GEOJKN_SECRET_KEY to a random text of 32 characters or more, e.g. the "
                        "output of python -c 'import secrets; print(secrets.token_hex(32))', and keep it private "
                        "(served on 127.0.0.1 only, geojkn makes one and keeps it beside the store).")
    accounts = app.extensions["geojkn.accounts"]
    if not settings.public_read_in_effect and accounts is not None and not accounts.users():
        print(word("no_accounts", settings.lang, store=store.shown), file=sys.stderr)
    if v["production"]:
        from .web.production import serve_production

        print(word("serving", settings.lang, url=f"http://{v['host']}:{v['port']}/", store=store.shown), flush=True)
        serve_production(store.location if not store.readonly else None, v["host"], v["port"], v["workers"],
                         settings.threads)
        return
    from .web.production import office_server

    try:
        server = office_server(app, v["host"], v["port"], settings.threads)
    except OSError as exc:
        raise DataError(f"Cannot listen on {v['host']}:{v['port']} ({exc.strerror}); "
                        "choose another port with --port.") from exc
    print(word("serving", settings.lang, url=f"http://{v['host']}:{v['port']}/", store=store.shown), flush=True)
    server.run()


def _this_machine_only(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _kept_session_key(store: Store) -> tuple[str, str]:
    """The key signing the login sessions of a store served on this machine only, made at the first `serve` and
    kept, readable by its owner alone: beside a GeoPackage store (`<store>.secret`), or for a database store in the
    user's own configuration folder (one file per database). The key and where it is kept."""
    import hashlib
    import secrets
    from pathlib import Path

    path = store.beside(".secret")
    if path is None:
        folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "geojkn"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{hashlib.sha256(store.location.encode()).hexdigest()[:16]}.secret"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text, str(path)
        raise DataError(f"The session key in {path} is damaged: remove the file, and geojkn makes a new one (everyone "
                        "logs in again).") from None
    except OSError as exc:
        raise DataError(f"Cannot keep a session key in {path} ({exc.strerror}): set GEOJKN_SECRET_KEY instead.") \
            from exc
    text = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(text + "\n")
    return text, str(path)


def cmd_prepare(ws: Workspace, v: Values, view: View) -> None:
    from .web.app import create_app
    from .web.warm import Warmer

    ws.require()
    store = ws.store
    app = create_app({"STORE": None if store.readonly else store.location, "PREPARE_AHEAD": False})
    warmer = Warmer(app)
    started = time.monotonic()
    version = store.version()
    if not warmer.round(version):
        print(word("prepared_already", v["lang"]))
        return
    print(word("prepared", v["lang"], n=format_int(len(warmer.plan()), v["lang"]),
               seconds=format_decimal(time.monotonic() - started, 1, v["lang"])))


def cmd_nginx_site(ws: Workspace, v: Values, view: View) -> None:
    from .resources import nginx_site

    settings = Settings.from_environ(dict(os.environ))
    sys.stdout.write(nginx_site(v["port"], v["server_name"], settings.upload_mb))


def cmd_history(ws: Workspace, v: Values, view: View) -> None:
    from .formatting import format_time
    from .uploads import history

    ws.require()
    entries = history(ws.store)
    if v["json"]:
        print(json.dumps([e.to_json() for e in entries], ensure_ascii=False, indent=2))
        return
    zone = Settings.from_environ(dict(os.environ)).timezone
    for e in entries:
        mark = "" if e.restorable else " *"
        print(f"{e.number:>4}  {format_time(e.at, zone)}  {e.kind:<10} {e.file}  {format_int(e.rows, v['lang'])}  "
              f"{e.period}  {e.user or '-'}  {e.sha256[:12]}{mark}")
    if any(not e.restorable for e in entries):
        print(word("history_not_kept", v["lang"]))


def cmd_restore(ws: Workspace, v: Values, view: View) -> None:
    from .uploads import restore

    region = ws.resolve(v["region"])
    rows = restore(ws.store, v["before"], region.code, str(v["period"]), None)
    print(word("restored", v["lang"], region=region.name, period=v["period"], n=format_int(rows, v["lang"]),
               number=v["before"]))


def cmd_init_store(ws: Workspace, v: Values, view: View) -> None:
    from .store.postgis import SCHEMA, SCHEMA_VERSION, PostgisStore

    store = ws.store
    if not isinstance(store, PostgisStore):
        print(word("store_made_by_import", v["lang"], store=store.shown))
        return
    store.create()
    print(word("store_created", v["lang"], store=store.shown, schema=SCHEMA, version=SCHEMA_VERSION))


def cmd_copy_store(ws: Workspace, v: Values, view: View) -> None:
    from .store import open_store

    source, target = open_store(v["source"]), open_store(v["target"])
    if not source.exists():
        raise DataError(f"The store {source.shown} does not exist or holds nothing: there is nothing to copy.")
    if source.location == target.location:
        raise DataError("copy-store: the source and the target are the same store.")
    target.check_writable()
    if target.exists():
        raise DataError(f"The store {target.shown} already holds data: copy into a new .gpkg file or an empty "
                        "database.")
    started = time.monotonic()
    contents = source.contents()
    target.load(contents)
    changes = target.changes()
    lang = v["lang"]
    print(word("copied", lang, source=source.shown, target=target.shown, units=format_int(len(contents.units), lang),
               months=format_int(len(target.periods()), lang),
               facilities=format_int(len(contents.facilities), lang), changes=format_int(len(changes), lang),
               restorable=format_int(sum(c.restorable for c in changes), lang),
               accounts=format_int(len(contents.accounts), lang),
               seconds=format_decimal(time.monotonic() - started, 1, lang)))


def cmd_user(ws: Workspace, v: Values, view: View) -> None:
    from .accounts import read_regions

    accounts = ws.store.accounts()
    if accounts is None:
        raise DataError("The bundled demo has no accounts: give --store PATH (or GEOJKN_STORE) of your own store.")
    try:
        action = UserAction(str(v["action"]))
    except ValueError:
        raise DataError(f"user: '{str(v['action'])[:20]}' is not one of add, list, remove, password.") from None
    if action == UserAction.LIST:
        for user in accounts.users():
            print(f"{user.name}\t{user.role}\t{','.join(user.regions) or '*'}")
        return
    name = v["name"]
    if not name:
        raise DataError(f"user {action}: name the account, e.g. geojkn user {action} budi.")
    if action == UserAction.REMOVE:
        accounts.remove(name)
        print(f"removed {name}")
        return
    password = _password(v["password_stdin"])
    if action == UserAction.PASSWORD:
        accounts.set_password(name, password)
        print(f"password of {name} changed")
        return
    if v["role"] != Role.ADMIN:
        regions = read_regions(v["regions"])
        index = ws.index()
        unknown = [code for code in regions if code not in index.names]
        if unknown:
            raise DataError(f"regions: {', '.join(unknown)} are not in the store {ws.store.shown}.")
    else:
        regions = ()
    user = accounts.add(name, v["role"], regions, password)
    print(f"added {user.name} ({user.role}; {', '.join(user.regions) or 'every region'})")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise DataError("the two passwords differ; nothing was changed.")
    return first


HANDLERS: dict[str, Callable[[Workspace, Values, View], None]] = {
    "import-boundaries": cmd_import_boundaries,
    "import-figures": cmd_import_figures,
    "import-facilities": cmd_import_facilities,
    "remove-figures": cmd_remove_figures,
    "summary": cmd_summary,
    "desa-jkn": cmd_desa_jkn,
    "rank": cmd_rank,
    "worklist": cmd_worklist,
    "regions": cmd_regions,
    "search": cmd_search,
    "info": cmd_info,
    "export": cmd_export,
    "serve": cmd_serve,
    "sheet": cmd_sheet,
    "atlas": cmd_atlas,
    "user": cmd_user,
    "history": cmd_history,
    "nginx-site": cmd_nginx_site,
    "prepare": cmd_prepare,
    "restore": cmd_restore,
    "init-store": cmd_init_store,
    "copy-store": cmd_copy_store,
}
BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}


def run(args: argparse.Namespace, environ: dict[str, str]) -> None:
    """Check every option against its declaration, open the store, and run the command."""
    from .store import open_store
    from .workspace import Workspace
    settings = Settings.from_environ(environ)
    command = BY_NAME[args.command]
    raw = vars(args)
    values = read_values(command.options, raw, settings)
    values.update({argument.name: raw[argument.name] for argument in command.arguments})
    workspace = Workspace(open_store(args.store or settings.store), settings.cache_size)
    if args.command in ("regions", "info"):
        workspace.require()
    HANDLERS[args.command](workspace, values, View.of(values, settings))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print a message on stderr and return 2."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its message
        return int(exc.code or 0)
    try:
        run(args, dict(os.environ))
    except DataError as exc:
        print(f"geojkn: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("geojkn: interrupted; the store is unchanged unless an import had finished.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not a user error: a one-line message unless asked for the traceback
        if os.environ.get("GEOJKN_DEBUG"):
            raise
        print(f"geojkn: unexpected error ({type(exc).__name__}: {exc}). Set GEOJKN_DEBUG=1 to see the details.",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
