"""The `geojkn` command: import files into a store, and answer questions about a region."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from . import queries
from .errors import DataError
from .formatting import LANGS
from .report import rank_csv, rank_table, summary_text
from .schema import BASEMAPS, CLASS_SCHEMES, COVERAGE, DEFAULT_TARGET, DESA, KECAMATAN, LEVELS, MAP_LEVELS, METRICS
from .serialize import plain, records
from .store import ENV_STORE, open_store


def _add_view_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", help="month of the figures, YYYY-MM (default: the latest)")
    p.add_argument("--target", type=float, default=DEFAULT_TARGET, help="coverage target, a share (default 0.95)")
    p.add_argument("--lang", choices=LANGS, default="id", help="language of text and numbers (default id)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to check the README documents every command)."""
    parser = argparse.ArgumentParser(prog="geojkn", description="JKN-KIS coverage maps and figures for planners.")
    parser.add_argument("--store", help=f"GeoPackage store to use (default: ${ENV_STORE}, else the bundled demo)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import-boundaries", help="import desa/kecamatan/kabupaten polygons")
    p.add_argument("file")
    p.add_argument("--code-field", help="field holding the area code (found automatically if omitted)")
    p.add_argument("--name-field", help="field holding the name (found automatically if omitted)")
    p.add_argument("--layer", help="read only this layer (default: every polygon layer)")
    p.add_argument("--crs", help="CRS of a file that does not declare one, e.g. EPSG:32749")

    p = sub.add_parser("import-figures", help="import monthly enrollment figures (CSV or XLSX)")
    p.add_argument("file")
    p.add_argument("--period", help="month the figures are for, YYYY-MM (or a period column in the file)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first)")

    p = sub.add_parser("import-facilities", help="import health facility points")
    p.add_argument("file")
    p.add_argument("--replace", action="store_true", help="replace all stored facilities instead of adding")

    p = sub.add_parser("summary", help="coverage, gap and facilities of a region")
    p.add_argument("region", help="code (33.20, 3320, ID3320) or name ('Kabupaten Jepara')")
    _add_view_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("rank", help="units of a region, lowest coverage first")
    p.add_argument("region")
    p.add_argument("--level", choices=LEVELS, default=KECAMATAN, help="units to rank (default kecamatan)")
    p.add_argument("--metric", choices=METRICS, default=COVERAGE, help="what to rank by (default coverage)")
    p.add_argument("--below", type=float, help="only units whose coverage (or the rate metric) is below this share")
    p.add_argument("--limit", type=int, help="show at most this many units")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    _add_view_options(p)

    p = sub.add_parser("regions", help="list the regions in the store")
    p.add_argument("--level", choices=LEVELS, help="only this level")

    sub.add_parser("info", help="what the store holds and its import log")

    p = sub.add_parser("export", help="write the map as one standalone HTML file that works offline")
    p.add_argument("region")
    p.add_argument("-o", "--output", required=True, help="HTML file to write")
    p.add_argument("--level", choices=MAP_LEVELS, default=DESA, help="units to colour (default desa)")
    p.add_argument("--metric", choices=METRICS, default=COVERAGE, help="what to colour by (default coverage)")
    p.add_argument("--classes", choices=CLASS_SCHEMES, default=CLASS_SCHEMES[0],
                   help="class breaks: policy bands around the target (default), quantiles, natural_breaks")
    p.add_argument("--basemap", choices=BASEMAPS, default=BASEMAPS[0], help="OpenStreetMap tiles under the map")
    _add_view_options(p)

    p = sub.add_parser("serve", help="run the dashboard at http://127.0.0.1:5000")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    return parser


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line)


def cmd_import_boundaries(store, args) -> None:
    from .importing import import_boundaries
    _print_lines(import_boundaries(store, args.file, code_field=args.code_field, name_field=args.name_field,
                                   layer=args.layer, crs=args.crs))


def cmd_import_figures(store, args) -> None:
    from .importing import import_figures
    _print_lines(import_figures(store, args.file, period=args.period, sheet=args.sheet))


def cmd_import_facilities(store, args) -> None:
    from .importing import import_facilities
    _print_lines(import_facilities(store, args.file, replace=args.replace))


def cmd_summary(store, args) -> None:
    result = queries.summary(store, args.region, period=args.period, target=args.target)
    if args.json:
        print(json.dumps(plain(result), ensure_ascii=False, indent=2))
    else:
        print(summary_text(result, args.lang))


def cmd_rank(store, args) -> None:
    if args.limit is not None and args.limit < 1:
        raise DataError("--limit must be 1 or more.")
    reg, period, table = queries.ranking(store, args.region, level=args.level, metric=args.metric,
                                         below=args.below, period=args.period, target=args.target)
    if args.limit:
        table = table.head(args.limit)
    if args.format == "json":
        body = {"region": reg, "period": period, "level": args.level, "metric": args.metric, "units": records(table)}
        print(json.dumps(plain(body), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(rank_csv(table))
    else:
        print(rank_table(reg, period, args.level, args.metric, table, args.lang))


def cmd_regions(store, args) -> None:
    index = store.unit_index()
    if args.level:
        index = index[index["level"] == args.level]
    for row in index.sort_values("code").itertuples():
        print(f"{row.code}\t{row.level}\t{row.name}")


def cmd_info(store, args) -> None:
    index = store.unit_index()
    print(f"store: {store.location}{' (bundled demo, read-only)' if store.readonly else ''}")
    counts = index["level"].value_counts()
    print("units: " + (", ".join(f"{counts[lv]} {lv}" for lv in LEVELS if lv in counts) or "none"))
    print("periods: " + (", ".join(store.periods()) or "none"))
    print(f"facilities: {len(store.facilities())}")
    for row in store.imports().itertuples():
        print(f"  {row.imported_at}  {row.kind:<10} {row.file}  rows {row.rows}  {row.period or ''} {row.detail or ''}".rstrip())


def cmd_export(store, args) -> None:
    from .rendering import MapOptions, standalone_html

    options = MapOptions(level=args.level, metric=args.metric, period=args.period, classes=args.classes,
                         basemap=args.basemap, lang=args.lang, target=args.target)
    html, reg, used = standalone_html(store, args.region, options)
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(html)
    except OSError as exc:
        raise DataError(f"Cannot write {args.output}: {exc.strerror}.") from exc
    size = len(html.encode("utf-8")) / 1e6
    print(f"wrote {args.output}: {reg['name']} {used.level} {used.metric} {used.period or '-'} ({size:.1f} MB)")


def cmd_serve(store, args) -> None:
    import waitress

    from .web.app import create_app

    app = create_app({"STORE": store.location if not store.readonly else None})
    try:
        # waitress: a production WSGI server in pure Python, fit for an office intranet
        server = waitress.create_server(app, host=args.host, port=args.port, threads=4, ident="geojkn")
    except OSError as exc:
        raise DataError(f"Cannot listen on {args.host}:{args.port} ({exc.strerror}); "
                        "choose another port with --port.") from exc
    print(f"geojkn: dashboard on http://{args.host}:{args.port}/  (store: {store.location}; Ctrl+C to stop)",
          flush=True)
    server.run()


COMMANDS = {
    "import-boundaries": cmd_import_boundaries,
    "import-figures": cmd_import_figures,
    "import-facilities": cmd_import_facilities,
    "summary": cmd_summary,
    "rank": cmd_rank,
    "regions": cmd_regions,
    "info": cmd_info,
    "export": cmd_export,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors print a message on stderr and return 2."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its message
        return int(exc.code or 0)
    try:
        store = open_store(args.store)
        COMMANDS[args.command](store, args)
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
