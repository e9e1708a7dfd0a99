"""Province maps at the speed of a kabupaten: every target of the province issue, measured side by side in one run.

    python benchmarks/bench_province.py [--repeat 5] [--store jateng.gpkg] [--seconds 20] [--baseline REV]
                                        [--skip browser,served,commands] [--nice 10]

Needs ../shared/data. Builds a store of all of Jawa Tengah (8,563 desa; boundaries, facilities, twelve months of
figures), or uses --store. Then, medians of --repeat runs:

- export: `geojkn export 33 --level desa` as a whole process against a script that reads the same layers of the
  same store and calls GeoDataFrame.explore() with the same figures and facilities; bytes and seconds, ratios;
- browser (headless Chromium): time from navigation to the first drawn map, and one zoom step, for both pages;
  the JS heap; a screenshot of the province map zoomed to one kecamatan (test-output/province_kecamatan.png);
- served (`geojkn serve`, waitress): the first province desa map of a fresh server, the first one after a figures
  import into the running server, a repeated one (and with If-None-Match), then --seconds of load: 20 clients over
  regency dashboards, maps and API answers and one client asking for province desa maps with odd targets, with
  /healthz measured beside them; the load clients stand for the planners' own machines, so they run at a lower
  CPU priority (--nice; 0 lets them compete with the server for its cores);
- commands: `geojkn --help`, `summary 33` and `rank 33 --level desa` as whole processes, against the same
  commands of --baseline (a git revision, default the one before the province work) run from a worktree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_jateng import FASKES, JATENG, figures_csv  # noqa: E402
from bench_load import get, pct, start  # noqa: E402

OUT = ROOT / "test-output"
BASELINE = "3771efc"  # the last revision before the province work
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REGENCY = ("/r/33.20", "/r/33.21", "/r/33.20/map", "/r/33.74", "/api/regions/33.20/summary", "/r/33.02",
           "/r/33.21/map?metric=gap", "/api/regions/33.21/ranking.json?level=desa")
PEER = """
import sys
import geopandas as gpd, pandas as pd, pyogrio
store, out = sys.argv[1], sys.argv[2]
desa = pyogrio.read_dataframe(store, layer="desa")
figures = pd.DataFrame(pyogrio.read_dataframe(store, layer="figures", read_geometry=False))
latest = figures[figures["period"] == figures["period"].max()]
desa = desa.merge(latest[["code", "population", "registered", "active"]], on="code", how="left")
desa["coverage"] = desa["registered"] / desa["population"]
desa["active_coverage"] = desa["active"] / desa["population"]
desa["gap"] = (0.95 * desa["population"]).apply(lambda v: v // 1 + (v % 1 > 0)) - desa["registered"]
facilities = pyogrio.read_dataframe(store, layer="facilities")
m = desa[["code", "name", "population", "registered", "active", "coverage", "active_coverage", "gap", "geometry"]]\\
    .explore(column="coverage", cmap="YlOrRd_r", tooltip=["name", "code", "coverage", "registered", "population",
                                                         "active", "gap"])
facilities[["name", "type", "geometry"]].explore(m=m, color="#0072B2", marker_kwds={"radius": 5})
m.save(out)
"""


def geojkn(store: Path, *argv: str, env: dict[str, str] | None = None, quiet: bool = True) -> float:
    """Run a geojkn command as a whole process; its wall time."""
    start = time.perf_counter()
    # run from the store's folder: `python -m` looks in the working folder first, which must not hold a geojkn
    subprocess.run([sys.executable, "-m", "geojkn", "--store", str(store), *argv], check=True, env=env,
                   cwd=Path(store).resolve().parent, stdout=subprocess.DEVNULL if quiet else None,
                   stderr=subprocess.DEVNULL if quiet else None)
    return time.perf_counter() - start


def median_of(repeat: int, run) -> float:
    return statistics.median(run() for _ in range(repeat))


def build_store(folder: Path) -> tuple[Path, float]:
    store = folder / "jateng.gpkg"
    took = geojkn(store, "import-boundaries", str(JATENG))
    geojkn(store, "import-facilities", str(FASKES))
    for month in range(12):  # a year of figures, as a planner's store holds
        geojkn(store, "import-figures", str(figures_csv(folder, month)), "--period", f"2024-{month + 1:02d}")
    return store, took


def line(name: str, ours: float, peer: float | None = None, unit: str = "s", target: str = "",
         ok: bool | None = None) -> None:
    ratio = f"{peer / ours:8.1f}x" if peer and ours else " " * 9
    peer_text = f"{peer:10.3f}" if peer is not None else " " * 10
    verdict = "" if ok is None else ("  met" if ok else "  NOT MET")
    print(f"{name:<58} {ours:10.3f} {unit:<3} {peer_text} {ratio}  {target}{verdict}", flush=True)


def export_part(store: Path, folder: Path, repeat: int) -> tuple[Path, Path]:
    ours, peer = folder / "ours.html", folder / "explore.html"
    script = folder / "peer.py"
    script.write_text(PEER, encoding="utf-8")
    t_ours = median_of(repeat, lambda: geojkn(store, "export", "33", "--level", "desa", "-o", str(ours)))

    def run_peer() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, str(script), str(store), str(peer)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return time.perf_counter() - start
    t_peer = median_of(repeat, run_peer)
    size, peer_size = ours.stat().st_size / 1e6, peer.stat().st_size / 1e6
    print("\n== export 33 --level desa (8,563 desa) against a script calling GeoDataFrame.explore()")
    line("page size (MB): geojkn | explore | explore/geojkn", size, peer_size, "MB",
         "<= 1.5 MB and >= 24x smaller", size <= 1.5 and peer_size / size >= 24)
    line("whole process (s): geojkn | explore | explore/geojkn", t_ours, t_peer, "s", ">= 5x faster",
         t_peer / t_ours >= 5)
    return ours, peer


DRAWN = """() => new Promise(done => {
    const finish = () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));
    if (document.readyState === "complete") finish(); else window.addEventListener("load", finish);
})"""
ZOOM = """(step) => new Promise(done => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const start = performance.now();
    map.setZoom(map.getZoom() + step, {animate: false});
    requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - start)));
})"""


def offline(page: Path) -> Path:
    """explore()'s page with Leaflet inlined from the installed package and its other CDN links left out (the
    machine has no internet; the choropleth and its tooltips need nothing else), so that it can draw here."""
    from geojkn.maps.assets import vendor_text

    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<script src="[^"]*leaflet(?:\.min)?\.js"></script>',
                  lambda _: f"<script>{vendor_text('leaflet.js')}</script>", text, count=1)
    text = re.sub(r'<link rel="stylesheet" href="[^"]*leaflet(?:\.min)?\.css"\s*/?>',
                  lambda _: f"<style>{vendor_text('leaflet.css')}</style>", text, count=1)
    cdn = r'<script src="https?://[^"]*"></script>|<link rel="stylesheet" href="https?://[^"]*"\s*/?>'
    text = re.sub(cdn, "", text)
    out = page.with_name(page.stem + "-offline.html")
    out.write_text(text, encoding="utf-8")
    return out


def browser_part(ours: Path, peer: Path, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    peer = offline(peer)
    print("\n== in headless Chromium (1366 x 768): first drawn map and one zoom step")
    results = {}
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        for name, path in (("geojkn", ours), ("explore", peer)):
            draws, zooms, heaps = [], [], []
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                           else r.abort())  # no network here: tiles and CDN links fail at once
                page.goto(path.as_uri(), wait_until="commit", timeout=180_000)
                draws.append(page.evaluate(DRAWN) / 1000)
                page.wait_for_timeout(500)  # the first view settles (fitted again once laid out)
                for step in (1, 1, -1, -1):
                    zooms.append(page.evaluate(ZOOM, step) / 1000)
                heaps.append(page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0") / 1e6)
                page.close()
            results[name] = (statistics.median(draws), statistics.median(zooms), statistics.median(heaps))
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(ours.as_uri())
        page.wait_for_function("window.geojkn && geojkn.maps.length > 0")
        page.wait_for_timeout(500)
        # Kecamatan Kedung (33.20.01), Jepara: its desa and the kecamatan lines drawn from their borders
        page.evaluate("() => { const m = geojkn.maps[0]; m.map.setView([-6.705, 110.655], 13, {animate: false}); }")
        page.wait_for_timeout(800)
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT / "province_kecamatan.png"))
        page.close()
        browser.close()
    (d_ours, z_ours, h_ours), (d_peer, z_peer, h_peer) = results["geojkn"], results["explore"]
    line("first drawn map (s): geojkn | explore | explore/geojkn", d_ours, d_peer, "s", ">= 3x sooner",
         d_peer / d_ours >= 3)
    line("one zoom step (s): geojkn | explore | explore/geojkn", z_ours, z_peer, "s", "< 0.25 s", z_ours < 0.25)
    line("JS heap (MB): geojkn | explore", h_ours, h_peer, "MB")
    print(f"screenshot of the map zoomed to Kecamatan Kedung: {OUT / 'province_kecamatan.png'}")


def serve(store: Path, prepare: bool) -> tuple[subprocess.Popen[bytes], str]:
    """`geojkn serve` (waitress) of a store, preparing ahead after imports or not."""
    return start(store, False, 1, {"GEOJKN_PREPARE_AHEAD": "1" if prepare else "0"})


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)


def conditional(url: str) -> tuple[int, float, str]:
    """GET with gzip; then the same with If-None-Match: (status of the second, its seconds, the tag)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        tag = response.headers["ETag"]
    start = time.perf_counter()
    again = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    try:
        with urllib.request.urlopen(again, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - start, tag


def served_part(store: Path, folder: Path, seconds: float, nice: int) -> None:
    print("\n== served (geojkn serve, waitress, THREADS 8)")
    province = "/r/33/map?level=desa"
    proc, base = serve(store, prepare=False)
    try:
        status, first = get(base + province, 120)
        repeats = [get(base + province)[1] for _ in range(20)]
        status304, t304, _ = conditional(base + province)
        line("first province desa map of a fresh server (s)", first, target="(loads the region first)")
        line("repeated province desa map (s, median of 20)", statistics.median(repeats), target="< 0.05 s",
             ok=statistics.median(repeats) < 0.05)
        line(f"repeated with If-None-Match (s; status {status304})", t304)
    finally:
        stop(proc)
    work = folder / "served.gpkg"
    shutil.copy(store, work)
    proc, base = serve(work, prepare=True)
    try:
        time.sleep(2)
        get(base + "/healthz")
        deadline = time.monotonic() + 300
        while get(base + province)[1] > 0.2 and time.monotonic() < deadline:
            time.sleep(1)  # until the first round of preparing has the province map ready
        geojkn(work, "import-figures", str(figures_csv(folder, 12)), "--period", "2025-01")
        status, after = get(base + province, 120)
        line("first province desa map after a figures import (s)", after, target="< 1.5 s", ok=after < 1.5)
        time.sleep(20)  # let the preparing after that import finish before the load
        load_part(base, seconds, nice=nice)
    finally:
        stop(proc)


def _client(base: str, paths: tuple[str, ...], seconds: float, start: int, pause: float, nice: int, out) -> None:
    """One client in a process of its own (so that no client waits for another's turn at Python): GET the paths
    in turn until the time is up; put (path, status, seconds) of every answer on `out`. `nice`: the process's
    lower CPU priority."""
    os.nice(nice)
    end, i, seen = time.monotonic() + seconds, start, []
    while time.monotonic() < end:
        path = paths[i % len(paths)]
        status, took = get(base + path, 120)
        seen.append((path, status, took))
        i += 1
        time.sleep(pause)
    out.put(seen)


def load_part(base: str, seconds: float, clients: int = 20, nice: int = 0) -> None:
    import multiprocessing

    for path in REGENCY:
        get(base + path)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    odd = tuple(f"/r/33/map?level=desa&target=0.{9000 + 37 * i % 999}" for i in range(200))
    # the planners' browsers and the monitor run on machines of their own; here they share the server's cores, so
    # the load clients run at a lower priority (--nice) and leave the server the cores it would have
    jobs = [(REGENCY, k, 0.0, nice) for k in range(clients)] + [(odd, 0, 0.0, nice), (("/healthz",), 0, 0.1, 0)]
    procs = [context.Process(target=_client, args=(base, paths, seconds, k, pause, n, out))
             for paths, k, pause, n in jobs]
    for proc in procs:
        proc.start()
    answers = [row for _ in procs for row in out.get(timeout=seconds + 300)]
    for proc in procs:
        proc.join()
    regency = [a for a in answers if a[0] in REGENCY]
    dashboards = [took for path, status, took in regency if status == 200 and "/map" not in path
                  and path.startswith("/r/")]
    health = [took for path, status, took in answers if path == "/healthz"]
    province = [(status, took) for path, status, took in answers if path.startswith("/r/33/map")]
    print(f"-- {seconds:.0f} s of load: {clients} regency clients, one client asking for province desa maps with a "
          f"new target each time (these at nice {nice}), and /healthz every 0.1 s, each client a process of its own")
    rate = len(regency) / seconds
    line("regency answers per second", rate, target=">= 100 /s", unit="/s", ok=rate >= 100)
    line("regency dashboard p95 (s)", pct(dashboards, 0.95), target="< 0.2 s", ok=pct(dashboards, 0.95) < 0.2)
    line("regency dashboard p50 (s)", pct(dashboards, 0.5))
    line("/healthz p99 (s)", pct(health, 0.99), target="< 0.05 s", ok=pct(health, 0.99) < 0.05)
    codes = {s: sum(1 for st, _ in province if st == s) for s in sorted({st for st, _ in province})}
    line(f"province maps, each a new target: {codes}, p50 (s)", pct([t for _, t in province], 0.5))
    print(f"regency answers that were not 200: {sum(1 for _, status, _ in regency if status != 200)}")


def commands_part(store: Path, folder: Path, repeat: int, baseline: str) -> None:
    tree = folder / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), baseline], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        old = {**os.environ, "PYTHONPATH": str(tree)}
        new = {**os.environ, "PYTHONPATH": str(ROOT)}
        print(f"\n== commands as whole processes: geojkn against itself at {baseline} (same store)")
        for name, argv, goal, factor in (
                ("geojkn --help", ("--help",), "< 0.2 s", None),
                ("summary 33 --json", ("summary", "33", "--json"), ">= 2x faster", 2.0),
                ("rank 33 --level desa --format json", ("rank", "33", "--level", "desa", "--format", "json"),
                 ">= 2x faster", 2.0)):
            ours = median_of(repeat, lambda a=argv: geojkn(store, *a, env=new))
            peer = median_of(repeat, lambda a=argv: geojkn(store, *a, env=old))
            ok = ours < 0.2 if factor is None else peer / ours >= factor
            line(f"{name} (s): now | {baseline} | ratio", ours, peer, "s", goal, ok)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--nice", type=int, default=10,
                        help="lower CPU priority of the load clients (0: the same as the server's)")
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--skip", default="", help="parts to leave out: browser, served, commands")
    args = parser.parse_args()
    if not JATENG.exists():
        sys.exit(f"skipped: {JATENG} not found (the ../shared data folder)")
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'':<58} {'geojkn':>10}     {'peer':>10} {'ratio':>9}  target")
        if args.store:
            store = folder / "jateng.gpkg"
            shutil.copy(args.store, store)
        else:
            store, took = build_store(folder)
            line("import-boundaries of Jawa Tengah, maps prepared (s)", took)
        print(f"store: {store.stat().st_size / 1e6:.1f} MB")
        ours, peer = export_part(store, folder, args.repeat)
        if "browser" not in skip and Path(CHROMIUM).exists():
            browser_part(ours, peer, args.repeat)
        if "served" not in skip:
            served_part(store, folder, args.seconds, args.nice)
        if "commands" not in skip:
            commands_part(store, folder, args.repeat, args.baseline)
    print(json.dumps({"python": sys.version.split()[0], "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
