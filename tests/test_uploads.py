"""Uploads on the server: a preview of what would change, commit or discard, history and restore."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from test_accounts import PASSWORD, add, log_in
from test_hostile_files import VRT

from geojkn import create_app
from geojkn.formatting import format_time
from geojkn.store import GpkgStore, open_store

from conftest import TINY_DESA, clear_settings, fingerprint, write_figures


@pytest.fixture
def app(tiny_store, runner, monkeypatch):
    clear_settings(monkeypatch)
    for name, role, regions in (("admin", "admin", ""), ("ed", "editor", "99.01"), ("ed02", "editor", "99.01.02"),
                                ("viewer", "viewer", "")):
        extra = ("--regions", regions) if regions else ()
        assert add(runner, monkeypatch, tiny_store, "add", name, "--role", role, *extra).status == 0
    return create_app({"TESTING": True, "STORE": str(tiny_store), "SECRET_KEY": "k" * 40, "UPLOAD_MB": 1})


def csrf(client, path: str = "/upload") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def figures_csv(tmp_path, registered, name="feb.csv") -> bytes:
    path = write_figures(tmp_path / name, TINY_DESA, [1000, 2000, 1500, 500], registered, [700, 1000, 900, 400])
    return path.read_bytes()


def send(client, data: bytes, filename: str, kind: str = "figures", **form: str):
    fields = {"kind": kind, "csrf_token": csrf(client), **form, "file": (io.BytesIO(data), filename)}
    return client.post("/upload", data=fields, content_type="multipart/form-data")


def nothing_staged(store) -> bool:
    """No draft kept, and for a GeoPackage store no copy left in its uploads folder."""
    staged = store.parent / "store.uploads" if isinstance(store, Path) else None
    files = [p for p in staged.iterdir() if not p.name.startswith(".")] if staged and staged.exists() else []
    return open_store(str(store)).drafts() == [] and not files


def registered(store) -> dict[str, float]:
    rows = open_store(str(store)).figures(period="2024-01")
    return dict(zip(rows["code"], rows["registered"], strict=True))


def test_an_upload_is_previewed_then_committed_and_logged(app, tiny_store, tmp_path):
    client, _ = log_in(app, "ed")
    before = fingerprint(tiny_store)
    data = figures_csv(tmp_path, [990, 1600, 1200, 480])
    resp = send(client, data, "Rekap Januari.csv", period="2024-01", source="BPJS Cabang Kudus")
    assert resp.status_code == 302, resp.get_data(as_text=True).split("<main")[-1][:600]
    page_url = resp.headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert "Rekap Januari.csv" in page and "99.01.01.2001" in page
    assert "4.170 / 5.000" in page and "4.270 / 5.000" in page  # the kabupaten's registered before and after
    assert fingerprint(tiny_store) == before  # a preview changes nothing
    upload_id = page_url.rsplit("/", 1)[1]
    token = csrf(client, page_url)
    assert client.post(f"/upload/{upload_id}/commit", data={"csrf_token": token}).status_code == 302
    assert registered(tiny_store)["99.01.01.2001"] == 990
    history = client.get("/history").get_data(as_text=True)
    assert "Rekap Januari.csv" in history and ">ed<" in history
    assert hashlib.sha256(data).hexdigest()[:12] in history
    assert client.post(f"/upload/{upload_id}/commit", data={"csrf_token": token}).status_code == 404  # used up


def test_a_month_is_restored_from_the_history(app, tiny_store, tmp_path, runner):
    client, _ = log_in(app, "ed")
    resp = send(client, figures_csv(tmp_path, [150, 250, 350, 450]), "wrong.csv", period="2024-01")
    upload_id = resp.headers["Location"].rsplit("/", 1)[1]
    client.post(f"/upload/{upload_id}/commit", data={"csrf_token": csrf(client)})
    assert registered(tiny_store)["99.01.01.2001"] == 150
    number = len(open_store(str(tiny_store)).imports())
    page = client.get("/history").get_data(as_text=True)
    assert f"Angka bulan 2024-01 di wilayah yang Anda tulis kembali seperti sebelum perubahan {number};" in page
    assert 'placeholder="33.20"' not in page and "Wilayah (kode atau nama) <input" in page  # an empty box, labelled
    resp = client.post("/history/restore", data={"csrf_token": csrf(client, "/history"), "number": number,
                                                 "region": "99.01", "period": "2024-01"})
    assert resp.status_code == 302
    assert registered(tiny_store) == {"99.01.01.2001": 950, "99.01.01.2002": 1500, "99.01.02.2001": 1200,
                                      "99.01.02.2002": 520}
    listed = runner("--store", tiny_store, "history").out
    assert "restore" in listed and "wrong.csv" in listed and " ed " in listed
    # when, in the office's zone (WIB unless TIMEZONE says otherwise), on the page and on the command line
    stored = str(open_store(str(tiny_store)).imports()["imported_at"].iloc[-1])
    wib = format_time(stored, "Asia/Jakarta")
    assert wib.endswith(" WIB") and wib in listed and wib in client.get("/history").get_data(as_text=True)
    assert "UTC" not in client.get("/history").get_data(as_text=True)
    wit = format_time(stored, "Asia/Jayapura")
    assert (int(wit[11:13]) - int(wib[11:13])) % 24 == 2 and wit.endswith(" WIT")
    # the command line restores too: back to the wrong upload's figures, then forward again
    result = runner("--store", tiny_store, "restore", "99.01", "--period", "2024-01", "--before", number + 1)
    assert result.status == 0 and registered(tiny_store)["99.01.01.2001"] == 150, result.err


def test_an_editor_may_not_change_other_regions(app, tiny_store, tmp_path):
    client, _ = log_in(app, "ed02")
    before = fingerprint(tiny_store)
    resp = send(client, figures_csv(tmp_path, [990, 1600, 1200, 480]), "feb.csv", period="2024-01")
    assert resp.status_code == 403
    assert "outside your regions (99.01.02): 99.01.01.2001, 99.01.01.2002" in resp.get_data(as_text=True)
    assert fingerprint(tiny_store) == before
    assert nothing_staged(tiny_store)


@pytest.mark.parametrize("who,status", [("viewer", 403), (None, 302)])
def test_viewers_and_visitors_cannot_upload(app, who, status):
    client = log_in(app, who)[0] if who else app.test_client()
    assert client.get("/upload").status_code == status
    assert client.get("/history").status_code == status


def test_of_two_previews_only_the_first_commit_wins(app, tiny_store, tmp_path):
    first, _ = log_in(app, "ed")
    second, _ = log_in(app, "admin")
    a = send(first, figures_csv(tmp_path, [901, 1600, 1200, 480], "a.csv"), "a.csv", period="2024-01")
    b = send(second, figures_csv(tmp_path, [902, 1600, 1200, 480], "b.csv"), "b.csv", period="2024-01")
    a_id, b_id = (r.headers["Location"].rsplit("/", 1)[1] for r in (a, b))
    assert first.post(f"/upload/{a_id}/commit", data={"csrf_token": csrf(first)}).status_code == 302
    resp = second.post(f"/upload/{b_id}/commit", data={"csrf_token": csrf(second)})
    assert resp.status_code == 409 and "changed since this preview" in resp.get_data(as_text=True)
    assert registered(tiny_store)["99.01.01.2001"] == 901


def test_bad_uploads_get_a_message_and_leave_nothing(app, tiny_store, tmp_path):
    client, _ = log_in(app, "admin")
    before = fingerprint(tiny_store)
    cases = [
        (VRT.format(src="/etc/passwd").encode(), "figures.csv", "figures", 400, "GDAL virtual dataset"),
        (b"x" * (1024 * 1024 + 10), "big.csv", "figures", 413, "larger than the 1 MB"),
        (figures_csv(tmp_path, [1, 2, 3, 4]), "../../../etc/cron.d/x.csv", "figures", 400,
         "x.csv: column &#39;Peserta Terdaftar&#39; holds no value above 100"),
        (b"<script>alert(1)</script>", "<b>x</b>.geojson", "boundaries", 400, "XML or HTML"),
        (figures_csv(tmp_path, [1, 2, 3, 4]), "x.csv", "nothing", 400, "batas wilayah, atau fasilitas kesehatan"),
    ]
    for data, name, kind, status, message in cases:
        resp = send(client, data, name, kind)
        text = resp.get_data(as_text=True)
        assert resp.status_code == status and message in text, (name, resp.status_code, text[:300])
        assert "<script>alert" not in text and "<b>x</b>" not in text
    resp = client.post("/upload", data={"kind": "figures", "file": (io.BytesIO(b"x"), "a.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400  # no CSRF token
    assert fingerprint(tiny_store) == before
    assert nothing_staged(tiny_store)


def test_a_refused_upload_says_why_on_the_form_and_keeps_the_choices(app, tiny_store, tmp_path):
    client, _ = log_in(app, "admin")
    resp = send(client, figures_csv(tmp_path, [1, 2, 3, 4]), "x.csv", period="2024-02", source="BPJS Kudus",
                month="replace")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="upload-error"' in page and "Peserta Terdaftar" in page
    form = page[page.index("<form"):]
    assert 'name="period" placeholder="2024-01" maxlength="20" value="2024-02"' in form
    assert 'value="BPJS Kudus"' in form and 'value="replace" checked' in form
    assert '<option value="figures" selected>' in form
    nothing = client.post("/upload", data={"kind": "figures", "csrf_token": csrf(client)},
                          content_type="multipart/form-data")
    assert nothing.status_code == 400 and "Pilih berkas yang akan diunggah." in nothing.get_data(as_text=True)


def test_a_discarded_preview_is_gone(app, tiny_store, tmp_path):
    client, _ = log_in(app, "ed")
    resp = send(client, figures_csv(tmp_path, [990, 1600, 1200, 480]), "feb.csv", period="2024-01")
    upload_id = resp.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/upload/{upload_id}/discard", data={"csrf_token": csrf(client)}).status_code == 302
    assert client.get(f"/upload/{upload_id}").status_code == 404
    assert client.get("/upload/..%2F..%2Fstore").status_code == 404
    assert registered(tiny_store)["99.01.01.2001"] == 950


def test_boundaries_and_facilities_are_previewed_by_what_they_add(app, tmp_path, tiny_geojson):
    client, _ = log_in(app, "admin")
    page = client.get(send(client, tiny_geojson.read_bytes(), "batas.geojson", "boundaries").headers["Location"])
    assert "0 unit baru, 0 unit berubah" in page.get_data(as_text=True)
    faskes = b"nama;jenis;lat;lon\nPKM Sidomulyo;Puskesmas;-5.95;127.05\n"
    page = client.get(send(client, faskes, "faskes.csv", "facilities").headers["Location"]).get_data(as_text=True)
    assert "1 fasilitas baru" in page and "99.01.01.2001" in page
    assert PASSWORD not in page


def test_an_editor_cannot_reach_other_regions_through_boundaries_or_facilities(app, tiny_store, tmp_path):
    """Redrawing one's own desa over a neighbour's puskesmas moves the puskesmas: that touches the neighbour.
    A facility outside every boundary belongs to no editor's region."""
    admin, _ = log_in(app, "admin")
    faskes = b"nama;jenis;lat;lon\nPKM Kedungjati;Puskesmas;-5.95;127.05\n"
    resp = send(admin, faskes, "faskes.csv", "facilities")
    admin.post(resp.headers["Location"] + "/commit", data={"csrf_token": csrf(admin)})
    before = fingerprint(tiny_store)
    import geopandas as gpd
    import shapely

    grab = gpd.GeoDataFrame({"kode": ["99.01.02.2002"], "nama": ["Tegalsari"]},
                            geometry=[shapely.box(126.9, -6.1, 127.2, -5.8)], crs=4326)
    client, _ = log_in(app, "ed02")
    resp = send(client, grab.to_json().encode(), "batas.geojson", "boundaries")
    assert resp.status_code == 403 and "99.01.01.2001" in resp.get_data(as_text=True)
    outside = b"nama;jenis;lat;lon\nPKM Luar;Puskesmas;-5.95;127.31\n"
    resp = send(client, outside, "luar.csv", "facilities")
    assert resp.status_code == 403 and "outside every boundary" in resp.get_data(as_text=True)
    own = b"nama;jenis;lat;lon\nPKM Tegalsari;Puskesmas;-5.85;127.15\n"
    resp = send(client, own, "own.csv", "facilities", replace="1")  # replacing would remove the neighbour's
    assert resp.status_code == 403 and "99.01.01.2001" in resp.get_data(as_text=True)
    assert fingerprint(tiny_store) == before


def test_a_commit_checks_the_account_again_and_previews_are_private(app, tiny_store, tmp_path, runner,
                                                                    monkeypatch):
    client, _ = log_in(app, "ed02")
    rows = b"Kode Desa;Jumlah Penduduk;Peserta Terdaftar;Peserta Aktif\n99.01.02.2001;1500;1400;900\n"
    resp = send(client, rows, "merge.csv", period="2024-01", month="merge")
    assert resp.status_code == 302, resp.get_data(as_text=True)[-400:]
    page = resp.headers["Location"]
    admin, _ = log_in(app, "admin")
    assert admin.get(page).status_code == 200
    other, _ = log_in(app, "ed")
    assert other.get(page).status_code == 403  # another editor cannot open it
    assert runner("--store", tiny_store, "user", "remove", "ed02").status == 0
    assert add(runner, monkeypatch, tiny_store, "add", "ed02", "--role", "editor", "--regions", "99.01.01").status == 0
    client, _ = log_in(app, "ed02")
    resp = client.post(page + "/commit", data={"csrf_token": csrf(client)})
    assert resp.status_code == 403 and "99.01.02.2001" in resp.get_data(as_text=True)
    assert registered(tiny_store)["99.01.02.2001"] == 1200


def test_an_editor_limited_to_regions_sees_its_own_changes_and_totals_only(app, tiny_store, tmp_path):
    admin, _ = log_in(app, "admin")
    resp = send(admin, figures_csv(tmp_path, [990, 1600, 1200, 480]), "admin.csv", period="2024-01")
    admin.post(resp.headers["Location"] + "/commit", data={"csrf_token": csrf(admin)})
    client, _ = log_in(app, "ed02")
    rows = b"Kode Desa;Jumlah Penduduk;Peserta Terdaftar;Peserta Aktif\n99.01.02.2001;1500;1400;900\n"
    page = client.get(send(client, rows, "ed02.csv", period="2024-01", month="merge").headers["Location"])
    text = page.get_data(as_text=True)
    assert "Tegalrejo (99.01.02)" in text and "Kabupaten Contoh (99.01)" not in text
    history = client.get("/history").get_data(as_text=True)
    assert "admin.csv" not in history


@pytest.mark.gpkg_only
def test_what_a_killed_upload_left_is_removed_by_the_next_one(app, tiny_store, tmp_path):
    folder = GpkgStore(tiny_store).drafts_folder
    folder.mkdir(exist_ok=True)
    left = [folder / "0123456789abcdef.gpkg", folder / "0123456789abcdef.gpkg-journal",
            folder / ".0123456789abcdef.gpkg.lock", folder / "0123456789abcdef"]
    for path in left[:3]:
        path.write_bytes(b"x")
    left[3].mkdir()
    for path in left:
        os.utime(path, (1_000_000_000, 1_000_000_000))  # long ago: no stage is still writing them
    client, _ = log_in(app, "admin")
    resp = send(client, figures_csv(tmp_path, [990, 1600, 1200, 480]), "feb.csv", period="2024-01")
    assert resp.status_code == 302
    assert not any(path.exists() for path in left)


@pytest.mark.gpkg_only
def test_a_full_disk_on_the_upload_page_is_a_message_not_an_error(app, tiny_store, tmp_path, monkeypatch):
    import errno
    import shutil

    def full(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(shutil, "copyfile", full)
    client, _ = log_in(app, "admin")
    resp = send(client, figures_csv(tmp_path, [990, 1600, 1200, 480]), "feb.csv", period="2024-01")
    assert resp.status_code == 400 and "is full" in resp.get_data(as_text=True)


def test_an_editor_cannot_draw_over_the_units_of_another_region(app, tiny_store, tmp_path):
    """ed02 edits kecamatan 99.01.02: a new desa of its own whose polygon covers a desa of 99.01.01 is refused,
    naming that desa; one drawn inside its own kecamatan is previewed, with the shapes that move beside it."""
    import geopandas as gpd
    import shapely

    client, _ = log_in(app, "ed02")
    grabbing = gpd.GeoDataFrame({"kode": ["99.01.02.2003"], "nama": ["Baru"]},
                                geometry=[shapely.box(127.0, -6.0, 127.1, -5.85)], crs="EPSG:4326")
    grabbing.to_file(tmp_path / "baru.geojson", driver="GeoJSON")
    resp = send(client, (tmp_path / "baru.geojson").read_bytes(), "baru.geojson", "boundaries")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 403 and "99.01.01.2001" in text and "cover units outside your regions" in text
    own = gpd.GeoDataFrame({"kode": ["99.01.02.2003"], "nama": ["Baru"]},
                           geometry=[shapely.box(127.0, -5.9, 127.05, -5.85)], crs="EPSG:4326")
    own.to_file(tmp_path / "own.geojson", driver="GeoJSON")
    resp = send(client, (tmp_path / "own.geojson").read_bytes(), "own.geojson", "boundaries")
    assert resp.status_code == 302, resp.get_data(as_text=True)[-500:]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "99.01.02.2003" in page and 'id="reshaped"' in page and "99.01.02.2001" in page
