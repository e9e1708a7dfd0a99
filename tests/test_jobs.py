"""Heavy files built outside the page threads (jobs.py): one build per store version and request across every
process, finished files kept on disk and bounded in bytes, bounds per account, progress for the waiting page."""

from __future__ import annotations

import os
import re
import threading
import time

import pytest

from geojkn import create_app
from geojkn.documents import Kind, Request
from geojkn.jobs import DONE, FAILED, QUEUED, Folder, Jobs, JobState, TooMany, build_file
from geojkn.options import View
from geojkn.store import GpkgStore, open_store
from geojkn.store.kept import FolderKept
from geojkn.workspace import Workspace


def _request(kind: Kind = Kind.SHEET_PNG, target: float = 0.95) -> Request:
    return Request(kind, "99.01", View(target=target))


def test_a_request_names_one_file_per_store_version_and_choices():
    assert _request().key("v1") == _request().key("v1")
    assert len({_request().key("v1"), _request().key("v2"), _request(target=0.98).key("v1"),
                _request(Kind.ATLAS).key("v1")}) == 4


def test_a_file_is_built_once_and_then_only_sent(tiny_store, tmp_path, monkeypatch):
    import geojkn.documents as documents

    calls = []
    real = documents.build
    monkeypatch.setattr(documents, "build", lambda *a, **k: calls.append(1) or real(*a, **k))
    ws = Workspace(open_store(str(tiny_store)))
    jobs = Jobs(ws.store.kept("jobs"), str(tiny_store), workers=0, workspace=ws)
    version = ws.store.version()
    first = jobs.ask(_request(), version, "account budi")
    assert first.state == DONE and first.name.endswith(".png") and calls == [1]
    made = jobs.result(first.key)
    assert made is not None and made.startswith(b"\x89PNG")
    again = jobs.ask(_request(), version, "account siti")
    assert again.state == DONE and calls == [1]  # built once, sent to the next asker as it is


def test_two_processes_asking_at_once_build_the_file_once(tiny_store, tmp_path, monkeypatch):
    """The lock (a file's flock, a database's advisory lock) holds two threads apart as it holds two processes."""
    import geojkn.documents as documents

    started, calls = threading.Event(), []
    real = documents.build

    def slow(*args, **kwargs):
        calls.append(1)
        started.set()
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(documents, "build", slow)
    ws = Workspace(open_store(str(tiny_store)))
    folder, version = Folder(ws.store.kept("jobs")), ws.store.version()
    key = _request().key(version)
    folder.write(JobState(key, QUEUED, account="a", pid=os.getpid()))
    first = threading.Thread(target=build_file, args=(str(tiny_store), key, _request(), version, 10**9, ws))
    first.start()
    assert started.wait(10)
    assert folder.building(key)
    build_file(str(tiny_store), key, _request(), version, 10**9, ws)  # returns: another builds it
    first.join()
    assert calls == [1] and folder.state(key).state == DONE


def test_an_account_may_have_only_a_few_builds_waiting(tmp_path):
    jobs = Jobs(FolderKept(tmp_path / "jobs"), None, workers=1, per_account=2)
    for key in ("a" * 40, "b" * 40):
        jobs.folder.write(JobState(key, QUEUED, account="address 10.0.0.9", pid=os.getpid()))
    with pytest.raises(TooMany) as refused:
        jobs.ask(_request(), "v1", "address 10.0.0.9")
    assert refused.value.status == 429 and "2 files you asked for" in str(refused.value)
    jobs.shutdown()


def test_a_build_that_cannot_be_made_says_why(tiny_store, tmp_path):
    ws = Workspace(open_store(str(tiny_store)))
    jobs = Jobs(ws.store.kept("jobs"), str(tiny_store), workers=0, workspace=ws)
    state = jobs.ask(_request(), "a version that is gone", "account budi")
    assert state.state == FAILED and "data changed" in state.message


def test_finished_files_are_kept_under_their_bytes_the_least_recently_asked_first(tmp_path):
    folder = Folder(FolderKept(tmp_path))
    for i, key in enumerate(("1" * 40, "2" * 40, "3" * 40)):
        (tmp_path / key).write_bytes(b"x" * 1000)
        folder.write(JobState(key, DONE, 1, 1, f"f{i}.pdf"))
        os.utime(tmp_path / key, (1000 + i, 1000 + i))
    folder.result("1" * 40)  # asked for again now: the most recent
    folder.prune(2500)
    assert sorted(p.name for p in tmp_path.iterdir() if "." not in p.name) == ["1" * 40, "3" * 40]
    assert folder.state("2" * 40) is None  # its state went with it


def test_the_jobs_folder_lies_beside_the_store(tmp_path):
    assert GpkgStore(tmp_path / "jepara.gpkg").kept("jobs").path == tmp_path.resolve() / "jepara.jobs"
    assert GpkgStore(tmp_path / "jepara.gpkg").kept("pages").path == tmp_path.resolve() / "jepara.jobs" / "pages"
    assert open_store(None).kept("jobs").path.name == "demo.jobs"


@pytest.mark.slow
def test_the_server_builds_an_atlas_in_a_worker_process_and_the_page_waits_for_it(tiny_store, tmp_path,
                                                                                  monkeypatch):
    from conftest import clear_settings

    clear_settings(monkeypatch)
    app = create_app({"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True, "JOB_WORKERS": 1})
    client = app.test_client()
    try:
        first = client.get("/r/99.01/atlas.pdf")
        if first.status_code == 202:  # a worker process takes a moment to start
            page = first.get_data(as_text=True)
            assert "Berkas sedang disiapkan" in page and "atlas" in page
            job = re.search(r'data-job="([^"]+)"', page).group(1)
            deadline = time.monotonic() + 120
            while client.get(job).get_json()["state"] not in ("done", "failed"):
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert client.get(job).get_json()["state"] == "done"
        again = client.get("/r/99.01/atlas.pdf")
        assert again.status_code == 200 and again.data.startswith(b"%PDF")
        assert again.headers["Content-Disposition"].startswith('attachment; filename="geojkn-atlas-99.01-')
        assert any(e.name.endswith(".json") for e in open_store(str(tiny_store)).kept("jobs").entries())
    finally:
        app.extensions["geojkn.jobs"].shutdown()


def test_a_build_lost_with_its_process_is_asked_for_anew(tmp_path):
    """A server worker restarted (or killed) takes its pool's builds with it: they are not failures to show, but
    builds nobody does any more, started again by the next asker."""
    import subprocess
    from concurrent.futures import Future

    gone = subprocess.Popen(["true"])
    gone.wait()
    folder = Folder(FolderKept(tmp_path))
    orphan = JobState("a" * 40, QUEUED, account="x", pid=gone.pid)
    folder.write(orphan)
    assert not folder.alive(folder.state(orphan.key))  # its process is gone: not on its way
    jobs = Jobs(FolderKept(tmp_path), None, workers=1)
    mine = JobState("b" * 40, QUEUED, account="x", pid=os.getpid())
    folder.write(mine)
    stopped: Future[None] = Future()
    stopped.cancel()
    jobs._finished(mine.key, stopped)
    assert folder.state(mine.key) is None  # forgotten, so asked for anew (never a sticky "failed")
