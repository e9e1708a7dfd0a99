"""geojkn installs like any package: a wheel built from the tree, with the tree gone, serves the bundled demo."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUNK = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", "dist", "test-output", ".pytest_cache")

pytestmark = pytest.mark.slow
# the installed copy runs as a user's would: no PYTHONPATH of the test run pointing back at a source tree
ALONE = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("GEOJKN_")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtual environment with the wheel installed, built from a copy of the tree that is deleted before
    anything runs. It finds the dependencies in the folders of the Python running the tests (a line each in a .pth
    file: a venv's own packages too, which `venv --system-site-packages` from inside a venv would not see), but not
    their .pth files, so an editable install of this tree there is not seen."""
    tmp = tmp_path_factory.mktemp("wheel")
    source, dist, env = tmp / "source", tmp / "dist", tmp / "env"
    shutil.copytree(ROOT, source, ignore=JUNK)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(dist), str(source)], check=True)
    shutil.rmtree(source)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    own = next(env.glob("lib/python*/site-packages"))
    (own / "dependencies.pth").write_text("\n".join(sorted({p for p in sys.path if p.endswith("-packages")})) + "\n")
    wheel = next(dist.glob("geojkn-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    return env


def test_the_wheel_holds_the_demo_and_the_templates(installed):
    found = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import geojkn, geojkn.resources as r; print(geojkn.__file__); "
                            "print(r.demo_store()); print(r.templates_folder())"],
                           capture_output=True, text=True, check=True, cwd=installed, env=ALONE).stdout.split()
    assert all(str(installed) in line for line in found), found  # the installed copy, not this tree
    assert Path(found[1]).is_file() and (Path(found[2]) / "dashboard.html").is_file()


def test_the_installed_command_answers_from_the_bundled_demo(installed):
    done = subprocess.run([str(installed / "bin" / "geojkn"), "summary", "99.01", "--json"], capture_output=True,
                          text=True, cwd=installed, env=ALONE)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "Kabupaten Sukamaju"


def test_the_installed_server_serves_the_demo(installed):
    port = free_port()
    server = subprocess.Popen([str(installed / "bin" / "geojkn"), "serve", "--port", str(port)], cwd=installed,
                              env=ALONE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(80):
            try:
                get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.25)
        status, index = get(base + "/")
        assert status == 200 and "Kabupaten Sukamaju" in index
        status, dashboard = get(base + "/r/99.01")
        assert status == 200 and "penduduk terdaftar" in dashboard
        status, page = get(base + "/r/99.01/map")
        assert status == 200 and "/static/vendor/leaflet.js" in page
        assert get(base + "/static/vendor/leaflet.js")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
