"""An office's bad day on a served store of all of Jawa Tengah: 20 office clients, 1.100 idle connections and one
client flooding the server with atlases, against each way geojkn is served.

    python benchmarks/bench_load.py [--seconds 30] [--clients 20] [--idle 1100] [--workers 2] [--repeat 3]

Needs ../shared/data. Builds a store of all of Jawa Tengah (boundaries, facilities, a month of figures for every
desa), then for each server, in the same run:
- `geojkn serve` (waitress, one process);
- `geojkn serve --production --workers N` (gunicorn, gthread) behind nginx with the site geojkn ships, where nginx
  is installed, else `serve --production` alone;
starts it on 127.0.0.1, opens the idle connections, and lets `--clients` client processes loop over dashboards,
maps and API answers of Jepara (33.20) and Demak (33.21) for `--seconds`, while one more process asks for the
atlas of Jepara with a new target each time and never waits for it. Prints, per server, the medians over
`--repeat` runs (and their range) of the office requests per second and the dashboards' p50/p95/p99, the office
requests that were not 200 (the goal: none), and what the flooder was told; then the goals and whether each is met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_jateng import FASKES, JATENG, figures_csv  # noqa: E402
from office_load import idle, load, nginx_binary, start  # noqa: E402

OFFICE = ["/r/33.20", "/r/33.21", "/r/33.20/map", "/r/33.21/map?metric=gap", "/api/regions/33.20/summary",
          "/api/regions/33.21/ranking.json?level=desa", "/r/33.20.10", "/api/search?q=tlogorejo", "/healthz"]
P95_GOAL = 0.300  # seconds: a dashboard, at the 95th percentile


def build_store(folder: Path) -> Path:
    import subprocess

    store = folder / "jateng.gpkg"
    for argv in (["import-boundaries", str(JATENG)], ["import-facilities", str(FASKES)],
                 ["import-figures", str(figures_csv(folder)), "--period", "2024-01"]):
        subprocess.run([sys.executable, "-m", "geojkn", "--store", str(store), *argv], check=True,
                       stdout=subprocess.DEVNULL)
    return store


def spread(values: list[float], scale: float = 1.0, digits: int = 0) -> str:
    """A median with its range: '120 (105-140)'."""
    med = statistics.median(values) * scale
    return f"{med:.{digits}f} ({min(values) * scale:.{digits}f}-{max(values) * scale:.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--idle", type=int, default=1100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not JATENG.exists():
        raise SystemExit(f"skipped: {JATENG} not found (the ../shared data folder)")
    modes = ["serve", "nginx" if nginx_binary() else "production"]
    names = {"serve": "serve (waitress)", "nginx": f"serve --production --workers {args.workers} behind nginx",
             "production": f"serve --production --workers {args.workers} (no nginx installed)"}
    print(f"load {os.getloadavg()[0]:.2f} before; {os.cpu_count()} cores; {args.clients} office clients, "
          f"{args.idle} idle connections, 1 atlas flooder; {args.seconds:.0f} s x {args.repeat}")
    rows, met = [], True
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp))
        for mode in modes:
            runs = []
            for _ in range(args.repeat):
                with start(store, mode, Path(tmp), args.workers) as base, idle(base, args.idle):
                    runs.append(load(base, args.seconds, args.clients, OFFICE, flood="33.20"))
            dashboards = [r.times(dashboards=True) for r in runs]
            p95 = [r.quantile(d, 0.95) for r, d in zip(runs, dashboards, strict=True)]
            errors = sum((r.errors for r in runs), Counter())
            flood = sum((r.flooded for r in runs), Counter())
            ok = statistics.median(p95) < P95_GOAL and not errors
            met &= ok
            rows.append((names[mode], spread([len(r.office) / r.seconds for r in runs]),
                         spread([r.quantile(d, 0.5) for r, d in zip(runs, dashboards, strict=True)], 1000),
                         spread(p95, 1000), spread([r.quantile(d, 0.99) for r, d in zip(runs, dashboards,
                                                                                         strict=True)], 1000),
                         dict(errors) or "none", dict(sorted(flood.items())), "met" if ok else "NOT MET"))
    print(f"{'server':<52}{'req/s':>16}{'p50 ms':>16}{'p95 ms':>16}{'p99 ms':>16}  not 200 / flooder told  goal")
    for name, rps, p50, p95s, p99, errors, flood, verdict in rows:
        print(f"{name:<52}{rps:>16}{p50:>16}{p95s:>16}{p99:>16}  {errors} / {flood}  {verdict}")
    print(f"goal: dashboard p95 < {P95_GOAL * 1000:.0f} ms and every office request 200, for every server: "
          f"{'met' if met else 'NOT MET'}; load {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
