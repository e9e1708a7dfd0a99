"""Every word geojkn shows a person, in Bahasa Indonesia (the default) and English: one term for one thing.

Pages, maps, exports, command output and import reports all take their words from here. Level names stay
Indonesian in English too (desa, kecamatan, kabupaten are the programme's own words). Entries may hold
{placeholders}; both languages have the same keys and the same placeholders (tests/test_vocabulary.py), except
that English adds `<key>_one` forms for a count of one ("1 row"), which `word(..., count=1)` picks.
"""

from __future__ import annotations

import re

from .formatting import format_plain
from .options import Lang
from .period import Period
from .schema import Level, Metric

ID, EN = Lang.ID, Lang.EN

WORDS: dict[Lang, dict[str, str]] = {
    ID: {
        # the application and its pages
        "app": "Peta Cakupan JKN-KIS", "regions": "Pilih wilayah", "region": "Wilayah",
        "search": "Cari", "search_hint": "Cari desa, kecamatan, kode…",
        "has_figures": "Ada data", "yes": "ya", "no": "tidak",
        "period_before": "periode sebelumnya", "no_figures_short": "tanpa data",
        "worklist_title": "Daftar kerja {region}, {period}: menurut {by}",
        "worklist_columns": "Kolom: cakupan terdaftar, belum terdaftar, perlu diaktifkan kembali, jarak ke FKTP "
                            "terdekat (garis lurus), perubahan cakupan sejak {since} (poin).",
        "worklist_sheet": "Daftar kerja", "worklist_heading": "Daftar kerja JKN-KIS", "ordered_by": "Urutan",
        "made_on": "Dibuat", "download_worklist": "Unduh daftar kerja",
        "wrote_worklist": "ditulis {file}: {n} unit",
        "active_target": "Target aktif", "status_met": "{what} {share}: tercapai",
        "status_short": "{what} {share}: belum tercapai, kurang {n} {people}",
        "desa_jkn_head": "Desa JKN {region}, {period} (cakupan terdaftar ≥ {target}): {n} desa/kel. di {k} kecamatan",
        "desa_jkn": "Desa JKN (≥ {target}): {n} desa/kel. di {k} kecamatan",
        "place": "Peringkat {rank} dari {n} desa/kel. di {where} menurut {metric} (terendah lebih dulu)",
        "nearest_fktp": "FKTP terdekat", "km": "{km} km", "straight_line": "Jarak garis lurus, bukan waktu tempuh; "
        "FKTP di kabupaten yang sama.", "approximate_mark": "lokasi perkiraan",
        "nothing_found": "Tidak ada wilayah yang cocok.",
        "store": "Data", "demo": "contoh fiktif bawaan; impor data Anda dengan geojkn --store FILE.gpkg",
        "no_regions": "Belum ada batas wilayah di penyimpanan.", "error": "Terjadi kesalahan",
        "no_store": "Berkas penyimpanan {store} belum ada. Buat dengan mengimpor batas wilayah: "
                    "geojkn --store {store} import-boundaries FILE",
        "back": "Kembali ke daftar wilayah", "map": "Peta", "show": "Tampilkan",
        "key_kept": "kunci sesi masuk disimpan di {path} (hanya dapat dibaca oleh Anda)",
        "no_accounts": "Belum ada akun: tidak ada yang bisa masuk. Buat akun: geojkn --store {store} user add NAMA "
                       "--role admin (atau setel GEOJKN_PUBLIC_READ=1 agar peta terbuka untuk semua).",
        "history_not_kept": "* keadaan sebelum perubahan ini tidak disimpan lagi (hanya 30 terakhir).",
        "restored": "{region} {period}: dikembalikan ke keadaan sebelum perubahan {number} ({n} baris).",
        "upload": "Unggah data", "upload_kind": "Isi berkas", "kind_figures": "data kepesertaan",
        "kind_boundaries": "batas wilayah", "kind_restore": "pengembalian", "kind_removal": "penghapusan",
        "kind_facilities": "fasilitas kesehatan", "upload_file": "Berkas",
        "upload_period": "Bulan (jika berkas tidak punya kolom periode)", "upload_source": "Sumber",
        "upload_merge": "Baris berkas ini menambah atau memperbaiki data bulan itu; desa/kel. lain tetap",
        "upload_month": "Data kepesertaan: apa arti berkas ini untuk bulannya?",
        "upload_month_file": "Berkas ini data bulan itu untuk kabupaten yang dicakupnya (ditolak bila hanya "
                             "mencakup sebagian kabupaten yang sudah punya data bulan itu)",
        "upload_whole_month": "Berkas ini seluruh data bulan itu: desa/kel. yang tidak ada di berkas kehilangan "
                              "datanya untuk bulan itu",
        "upload_replace": "Ganti semua fasilitas", "preview": "Pratinjau: yang akan berubah",
        "commit": "Simpan perubahan", "discard": "Batalkan", "committed": "Perubahan disimpan.",
        "touched": "Kode yang berubah",
        "reshaped": "Bentuk peta yang ikut bergeser (batas bersama dirapikan ulang)",
        "before": "Sebelum", "after": "Sesudah", "history": "Riwayat perubahan",
        "units_added": "unit baru", "units_changed": "unit berubah", "facilities_added": "fasilitas baru",
        "facilities_removed": "fasilitas dihapus", "restore": "Kembalikan", "change_no": "No.",
        "upload_choose_file": "Pilih berkas yang akan diunggah.",
        "upload_choose_kind": "Pilih isi berkas: angka kepesertaan, batas wilayah, atau fasilitas kesehatan.",
        "restore_explain": "Angka bulan {period} di wilayah yang Anda tulis kembali seperti sebelum perubahan {n}; "
                           "wilayah lain dan bulan lain tidak berubah, dan pengembalian ini dicatat.",
        "restore_region": "Wilayah (kode atau nama)", "restore_month": "Bulan",
        "when": "Waktu", "who": "Oleh", "file": "Berkas", "rows": "Baris",
        "sheet_sentence": "{coverage} penduduk terdaftar, {active} aktif",
        "sheet_counts": "{registered} peserta dari {population} penduduk; {gap} belum terdaftar, {reactivate} perlu "
                        "diaktifkan kembali",
        "sheet_subtitle": "{metric}, {period} · target {target} · sumber: {source} · dibuat {made} dengan geojkn",
        "title_source": "Sumber: {source} · dibuat {made} dengan geojkn",
        "gap_line": "{gap} belum terdaftar · {reactivate} perlu diaktifkan kembali",
        "legend": "Legenda ▾", "atlas": "Atlas", "contents": "Daftar isi",
        "every_unit": "{level}, dari {metric} terendah",
        "download_sheet": "Lembar rapat (PDF)",
        "download_atlas": "Atlas per kecamatan (PDF)",
        "wrote_print": "ditulis {file}: {region}, {pages} halaman ({size} MB)",
        "login": "Masuk", "logout": "Keluar", "user_name": "Nama pengguna", "password": "Kata sandi",
        "login_intro": "Peta di server ini hanya untuk akun yang terdaftar. Minta akun kepada admin.",
        "login_wrong": "Nama pengguna atau kata sandi salah.",
        "login_wait": "Terlalu banyak percobaan gagal. Tunggu {seconds} detik lalu coba lagi.",
        "download_map": "Unduh peta (HTML offline)", "download_csv": "Unduh CSV", "trend": "Perkembangan per periode",
        "lowest": "{level}: {metric} terendah", "highest": "{level}: {metric} terbanyak", "none": "tidak ada",
        "farthest": "{level}: terjauh ({metric})",
        "fell_most": "{level}: {metric} turun terbanyak", "rose_most": "{level}: {metric} naik terbanyak",
        "segments": "Segmen", "by_segment": "menurut segmen", "compared_with": "Dibandingkan dengan",
        "names": "Nama wilayah", "below_tiers": "Di bawah semua tingkat", "tier": "Tingkat",
        "mean": "rata-rata menurut penduduk", "per_10k": "per 10.000 penduduk",
        "participants_per_fktp": "peserta per FKTP", "access": "Akses FKTP (garis lurus)",
        "access_far": "{n} desa/kel. lebih dari {km} km dari FKTP terdekat ({people} penduduk{share})",
        "access_mean": "rata-rata {km}", "residents": "penduduk",
        "access_method": "Jarak garis lurus dari satu titik di dalam tiap desa/kel. ke FKTP terdekat di seluruh data, "
                         "bukan waktu tempuh (jalan, sungai dan laut tidak dihitung).",
        # choices
        "period": "Periode", "level": "Tingkat", "metric": "Indikator", "classes": "Klasifikasi",
        "basemap": "Peta dasar", "target": "Target cakupan",
        "classes_policy": "Kelas kebijakan", "classes_quantiles": "Kuantil", "classes_natural_breaks": "Jeda alami",
        "basemap_none": "tidak ada", "basemap_osm": "OpenStreetMap",
        # figures
        "population": "Penduduk", "registered": "Peserta terdaftar", "active": "Peserta aktif",
        "of_population": "penduduk", "registered_population": "Terdaftar / penduduk", "people": "orang",
        "participants": "peserta", "points": "poin", "no_period": "belum ada data kepesertaan",
        "no_figures": "Belum ada data kepesertaan untuk wilayah ini.", "no_data": "tanpa data",
        "registered_sentence": "{coverage} penduduk terdaftar, {active} aktif",
        "desa_at_target": "{n} desa/kel. mencapai target di {k} kecamatan",
        "with_figures": "{n} dari {total} desa/kel. memiliki data", "change_since": "Perubahan sejak {period}",
        "facilities": "Fasilitas kesehatan", "code": "Kode", "name": "Nama", "rank": "No", "total": "Jumlah",
        "units": "unit", "no_match": "Tidak ada unit yang memenuhi kriteria.",
        "partial": "sebagian", "partial_mark": "*", "partial_legend": "sebagian: tidak semua desa/kel. punya data",
        "partial_note": "Angka ini sebagian: hanya {n} dari {total} desa/kel. yang memiliki data; cakupan dihitung "
                        "pada desa/kel. tersebut, dan tidak dibandingkan dengan target seolah lengkap.",
        "desa_data": "Desa/kel. dengan data", "desa_of": "{n} dari {total}",
        "compared": "{n} {level} dibandingkan", "left_out": "{n} tanpa data di salah satu periode tidak dihitung",
        "rank_total": "{total}: {n} {units}{partial}; {gap} {gap_sum}, {reactivate} {reactivate_sum}",
        "rank_total_partial": " ({n} sebagian)",
        "implausible": "tidak wajar", "implausible_mark": "!",
        "implausible_map": "tidak wajar: terdaftar > penduduk atau aktif > terdaftar (tidak diberi kelas)",
        "implausible_legend": "! tidak wajar: terdaftar melebihi penduduk, aktif melebihi terdaftar, atau ada peserta "
                              "tanpa penduduk; angka ditampilkan seperti di berkas, tanpa tingkat dan tanpa status "
                              "Desa JKN.",
        "implausible_note": "Angka wilayah ini tidak wajar (terdaftar melebihi penduduk atau aktif melebihi "
                            "terdaftar): tidak dibandingkan dengan target.",
        "implausible_desa": "{n} desa/kel. dengan angka tidak wajar (terdaftar melebihi penduduk atau aktif melebihi "
                            "terdaftar): ditampilkan seperti di berkas, tanpa tingkat dan tanpa status Desa JKN",
        "active_partial_note": "Peserta aktif hanya ada untuk {n} dari {total} desa/kel.: cakupan aktif dan keaktifan "
                               "dihitung pada desa/kel. tersebut (sebagian), tidak dibandingkan dengan target aktif.",
        "active_partial": "aktif sebagian: {n} dari {total} desa/kel.",
        "cells_partial": "* sebagian: angka ini hanya mencakup sebagian desa/kel. unit (cakupan dan belum terdaftar: "
                         "penduduk dan terdaftar; cakupan aktif, keaktifan dan perlu diaktifkan kembali: peserta "
                         "aktif; perubahan: desa/kel. yang dibandingkan).",
        "data_break": "putus data", "data_break_mark": "#",
        "data_break_legend": "# putus data: penduduk desa/kel. berubah lebih dari {share} antara kedua bulan "
                             "(pemekaran, penggabungan, atau sumber penduduk lain); tidak dihitung dalam perubahan.",
        "breaks": "{n} desa/kel. putus data (penduduk berubah lebih dari {share}) tidak dihitung",
        "compared_of": "{n} dari {total} desa/kel. dibandingkan", "active_partial_short": "aktif sebagian",
        "notes": "Catatan",
        "prepared": "disiapkan {n} halaman (dasbor dan peta) dalam {seconds} detik, untuk setiap proses server",
        "prepared_already": "halaman data ini sudah disiapkan (atau sedang disiapkan oleh proses server)",
        "copied": "disalin {source} -> {target}: {units} unit, {months} bulan angka, {facilities} fasilitas, "
                  "{changes} perubahan ({restorable} dapat dipulihkan), {accounts} akun, dalam {seconds} detik",
        "store_created": "penyimpanan {store} siap (skema {schema}, versi {version})",
        "store_made_by_import": "penyimpanan GeoPackage {store} dibuat oleh impor pertamanya (import-boundaries)",
        "preparing": "Berkas sedang disiapkan",
        "preparing_text": "geojkn sedang menyiapkan {what} {region}. Halaman ini mengunduhnya begitu siap; Anda boleh "
                          "menunggu di sini atau kembali nanti: berkas yang sudah jadi disimpan.",
        "steps_done": "{done} dari {total} halaman", "back_to_region": "Kembali ke dasbor wilayah",
        "preparing_lost": "Berkas ini tidak lagi disiapkan: muat ulang halaman untuk memintanya lagi.",
        "document_sheet": "lembar rapat", "document_atlas": "atlas", "document_export": "peta mandiri",
        "document_worklist": "daftar kerja",
        "sum_of_units": "{value} (jumlah tiap unit; unit yang sudah mencapai target dihitung 0)",
        "sum_plain": "{value} (jumlah tiap unit)",
        # maps
        "source": "Sumber", "below_target": "di bawah target {target}", "main_area": "Daratan utama",
        "whole_region": "Seluruh wilayah", "zoom_to": "Perbesar ke", "outline": "Batas kecamatan",
        "source_figures": "{sources} ({period})",
        # command output
        "wrote": "ditulis {file}: {region}, {level}, {metric}, {period} ({size} MB)",
        "serving": "geojkn: dasbor di {url}  (data: {store}; Ctrl+C untuk berhenti)",
        "info_store": "data: {store}", "info_demo": " (contoh bawaan, hanya-baca)", "info_units": "unit: {units}",
        "info_periods": "periode: {periods}", "info_facilities": "fasilitas: {n}",
        "info_import": "  {when}  {kind:<10} {file}  baris {rows}  {detail}",
        # import reports
        "imported_units": "diimpor {n} unit dari {file}: {levels}",
        "replaced_units": "{n} unit yang sudah ada diganti dengan versi file ini",
        "derived": "batas {n} kecamatan/kabupaten tanpa poligon sendiri dibuat dari unit di dalamnya: {codes}{more}; "
                   "impor poligonnya untuk menggantinya",
        "map_prepared": "peta disiapkan untuk {areas}: {desa} desa/kel. dijadikan liputan tanpa celah dan "
                        "tumpang tindih ({changed} bentuknya bergeser; {overlaps} km² tumpang tindih diberikan ke "
                        "satu desa, {gaps} km² celah ditutup), batas di atasnya dibentuk dari desa, {bands} "
                        "tingkat perbesaran; batas asli tetap disimpan untuk analisis",
        "map_kept": "{n} desa/kel. akan hilang karena pembersihan dan digambar dengan poligon aslinya: {codes}",
        "map_progress": "menyiapkan peta {area}: {step}",
        "map_step_clean": "membersihkan batas desa", "map_step_bands": "menyederhanakan per tingkat perbesaran",
        "layers_read": "layer dibaca: {layers}", "layer_skipped": "layer {layer} dilewati: tidak berisi poligon",
        "no_crs": "{where}: file tanpa CRS; koordinatnya berada di Indonesia, jadi dibaca sebagai lon/lat (EPSG:4326)",
        "repaired": "poligon tidak valid diperbaiki: {unit}: {reason}",
        "imported_figures": "diimpor data kepesertaan {periods} dari {file}",
        "replaced": "{period}, {region}: data {before} {level} diganti dengan {after} {level} dari file ini",
        "first_figures": "{period}, {region}: data pertama, {after} {level}",
        "lost": "; {n} yang sebelumnya punya data kini tanpa data: {codes}{more}",
        "merged": "digabungkan (--merge): baris lain periode ini tetap",
        "total_row": "baris {row} ({code}) adalah baris jumlah: tidak disimpan. Penduduknya {population}; "
                     "jumlah unit di bawahnya {units}",
        "disagrees": "baris {row} ({code}): {count} menurut baris ini {own}, menurut unit di bawahnya {units} "
                     "(selisih lebih dari 1 %); yang dipakai jumlah unit di bawahnya",
        "needs_population": "{n} desa/kel. punya peserta terdaftar tetapi tanpa penduduk: cakupannya baru tampil di "
                            "kecamatan ke atas (di mana penduduk ada); impor penduduk per desa/kel. untuk cakupan "
                            "desa/kel.",
        "removed": "dihapus {n} baris data periode {period}{where}",
        "rows_read": "{n} baris dibaca: {matched} cocok, {unmatched} tidak cocok.",
        "unmatched_row": "  baris {row} '{name}': {reason}.", "closest": " Paling mirip: {names}.",
        "and_more": "  ... dan {n} lagi.", "and_more_inline": " dan {n} lagi",
        "without_figures": "{n} unit {level} tanpa data: {codes}{more}.",
        "over": "{n} baris dengan {what}:", "over_row": "  baris {row} {code} {name}: {value} > {limit}",
        "registered_over_population": "terdaftar > penduduk", "active_over_registered": "aktif > terdaftar",
        "imported_facilities": "diimpor {n} fasilitas dari {file}",
        "skipped_facilities": " ({n} sudah ada di penyimpanan, dilewati)", "by_type": "menurut jenis: {types}",
        "approximate_facilities": "{n} fasilitas tanpa koordinat ditempatkan di titik dalam wilayah yang kodenya "
                                  "disebut (lokasi perkiraan; ditandai di peta dan dalam hitungan)",
        "unplaced_facilities": "{n} fasilitas tanpa koordinat tidak ditempatkan karena kodenya bukan wilayah yang "
                               "tersimpan (kode BPS/Kemenkes tidak dipetakan satu-satu): {rows}",
        "approximate_place": "lokasi perkiraan: di {unit}",
        "approximate_legend": "lokasi perkiraan (dari kode wilayah)",
        "outside_facilities": "{n} fasilitas berada di luar semua batas wilayah (disimpan, tampil di peta, tidak "
                              "dihitung di wilayah mana pun): {names}",
        # why a figures row matched no unit
        "reason_not_code": "'{value}' bukan kode wilayah",
        "reason_unknown_code": "kode {code} tidak ada di batas wilayah",
        "reason_no_kecamatan": "tidak ada kecamatan bernama '{kecamatan}'",
        "reason_name_disagrees": "kode {code} adalah {name}, bukan nama di baris ini: tidak disimpan (perbaiki kode "
                                 "atau namanya)",
        "reason_kecamatan_disagrees": "kode {code} ada di kecamatan {kecamatan}, bukan kecamatan di baris ini: tidak "
                                      "disimpan (perbaiki kode atau kecamatannya)",
        "reason_outside_area": "nama ini hanya cocok dengan {code}, di luar wilayah berkas ini ({where}): tidak "
                               "disimpan (beri kode atau kecamatannya jika memang benar)",
        "row_label": "baris {row} ({label})", "reason_total": "baris jumlah, bukan unit",
        "skipped_totals": "{n} baris jumlah dilewati, tidak disimpan sebagai unit: {rows}{more}.",
        "spelled": "{n} nama dicocokkan dengan ejaan lain di kecamatannya: {rows}{more}.",
        "reason_not_in_kecamatan": "tidak ada desa/kelurahan dengan nama itu di kecamatan {kecamatan}",
        "reason_several_in_kecamatan": "{n} unit dengan nama itu di kecamatan {kecamatan}: tambahkan kolom kode",
        "reason_no_name": "tanpa kode dan tanpa nama", "reason_unknown_name": "tidak ada {level} dengan nama itu",
        "reason_several_named": "{n} unit {level} bernama sama: beri kecamatannya (atau kode) untuk membedakan",
    },
    EN: {
        "app": "JKN-KIS Coverage Map", "regions": "Choose a region", "region": "Region",
        "search": "Search", "search_hint": "Find a desa, kecamatan, code…",
        "has_figures": "Has figures", "yes": "yes", "no": "no",
        "period_before": "the period before", "no_figures_short": "no figures",
        "worklist_title": "Work list {region}, {period}: by {by}",
        "worklist_columns": "Columns: registered coverage, still to enrol, to reactivate, distance to the nearest FKTP "
                            "(straight line), change in coverage since {since} (points).",
        "worklist_sheet": "Work list", "worklist_heading": "JKN-KIS work list", "ordered_by": "Ordered by",
        "made_on": "Made on", "download_worklist": "Download work list",
        "wrote_worklist": "wrote {file}: {n} units",
        "active_target": "Active target", "status_met": "{what} {share}: reached",
        "status_short": "{what} {share}: not reached, {n} more {people} needed",
        "desa_jkn_head": "Desa JKN {region}, {period} (registered coverage ≥ {target}): {n} desa/kel. in {k} "
                         "kecamatan",
        "desa_jkn": "Desa JKN (≥ {target}): {n} desa/kel. in {k} kecamatan",
        "place": "Rank {rank} of {n} desa/kel. in {where} by {metric} (lowest first)",
        "nearest_fktp": "Nearest FKTP", "km": "{km} km", "straight_line": "Straight-line distance, not travel time; "
        "FKTP in the same kabupaten.", "approximate_mark": "approximate location",
        "nothing_found": "No region matches.",
        "store": "Data", "demo": "the bundled fictional demo; import your own data with geojkn --store FILE.gpkg",
        "no_regions": "No boundaries in the store yet.", "error": "Something is wrong",
        "no_store": "The store file {store} does not exist yet. Create it by importing boundaries: "
                    "geojkn --store {store} import-boundaries FILE",
        "back": "Back to the regions", "map": "Map", "show": "Show",
        "key_kept": "the key signing login sessions is kept in {path} (readable by you alone)",
        "no_accounts": "No accounts yet: nobody can log in. Add one: geojkn --store {store} user add NAME --role "
                       "admin (or set GEOJKN_PUBLIC_READ=1 to open the maps to everyone).",
        "history_not_kept": "* the state before this change is no longer kept (only the last 30 are).",
        "restored": "{region} {period}: back to the state before change {number} ({n} rows).",
        "upload": "Upload data", "upload_kind": "The file holds", "kind_figures": "enrollment figures",
        "kind_boundaries": "boundaries", "kind_restore": "restore", "kind_removal": "removal",
        "kind_facilities": "health facilities", "upload_file": "File",
        "upload_period": "Month (when the file has no period column)", "upload_source": "Source",
        "upload_merge": "The file's rows add to or correct that month; other desa/kel. keep theirs",
        "upload_month": "Enrolment figures: what does this file mean for its month?",
        "upload_month_file": "The file is that month for the kabupaten it covers (refused when it covers only part "
                             "of a kabupaten that already has figures for the month)",
        "upload_whole_month": "The file is the whole month: desa/kel. it leaves out lose their figures for that "
                              "month",
        "upload_replace": "Replace every facility", "preview": "Preview: what would change",
        "commit": "Save the changes", "discard": "Discard", "committed": "The changes are saved.",
        "touched": "Codes that change",
        "reshaped": "Map shapes that move with it (shared borders cleaned again)",
        "before": "Before", "after": "After", "history": "History of changes",
        "units_added": "new units", "units_changed": "changed units", "facilities_added": "new facilities",
        "facilities_removed": "removed facilities", "restore": "Restore", "change_no": "No.",
        "upload_choose_file": "Choose a file to upload.",
        "upload_choose_kind": "Choose what the file holds: enrollment figures, boundaries or health facilities.",
        "restore_explain": "The figures of {period} in the region you write go back to what they were before change "
                           "{n}; other regions and months stay, and the restore is logged.",
        "restore_region": "Region (code or name)", "restore_month": "Month",
        "when": "When", "who": "By", "file": "File", "rows": "Rows",
        "sheet_sentence": "{coverage} of residents registered, {active} active",
        "sheet_counts": "{registered} participants of {population} residents; {gap} not yet registered, "
                        "{reactivate} to reactivate",
        "sheet_subtitle": "{metric}, {period} · target {target} · source: {source} · made {made} with geojkn",
        "title_source": "Source: {source} · made {made} with geojkn",
        "gap_line": "{gap} not yet registered · {reactivate} to reactivate",
        "legend": "Legend ▾", "atlas": "Atlas", "contents": "Contents",
        "every_unit": "{level}, lowest {metric} first",
        "download_sheet": "Meeting sheet (PDF)",
        "download_atlas": "Atlas by kecamatan (PDF)",
        "wrote_print": "wrote {file}: {region}, {pages} page(s) ({size} MB)",
        "login": "Log in", "logout": "Log out", "user_name": "User name", "password": "Password",
        "login_intro": "The maps on this server are for its accounts only. Ask the admin for an account.",
        "login_wrong": "The user name or the password is not right.",
        "login_wait": "Too many failed attempts. Wait {seconds} seconds and try again.",
        "download_map": "Download map (offline HTML)", "download_csv": "Download CSV", "trend": "By period",
        "lowest": "{level}: lowest {metric}", "highest": "{level}: most {metric}", "none": "none",
        "farthest": "{level}: farthest ({metric})",
        "fell_most": "{level}: {metric}, largest falls", "rose_most": "{level}: {metric}, largest rises",
        "segments": "Segments", "by_segment": "by segment", "compared_with": "Compared with",
        "names": "Unit names", "below_tiers": "Below every tier", "tier": "Tier",
        "mean": "mean weighted by population", "per_10k": "per 10,000 residents",
        "participants_per_fktp": "participants per FKTP", "access": "Access to FKTP (straight line)",
        "access_far": "{n} desa/kel. more than {km} km from the nearest FKTP ({people} residents{share})",
        "access_mean": "mean {km}", "residents": "residents",
        "access_method": "Straight-line distance from one point inside each desa/kel. to the nearest FKTP in the "
                         "whole store, not a travel time (roads, rivers and the sea are not taken into account).",
        "period": "Period", "level": "Level", "metric": "Metric", "classes": "Classes",
        "basemap": "Base map", "target": "Coverage target",
        "classes_policy": "Policy bands", "classes_quantiles": "Quantiles", "classes_natural_breaks": "Natural breaks",
        "basemap_none": "none", "basemap_osm": "OpenStreetMap",
        "population": "Population", "registered": "Registered", "active": "Active",
        "of_population": "of population", "registered_population": "Registered / population", "people": "people",
        "participants": "participants", "points": "points", "no_period": "no enrollment figures yet",
        "no_figures": "No enrollment figures for this region yet.", "no_data": "no data",
        "registered_sentence": "{coverage} of residents registered, {active} active",
        "desa_at_target": "{n} desa/kel. at target in {k} kecamatan",
        "with_figures": "{n} of {total} desa/kel. have figures", "change_since": "Change since {period}",
        "facilities": "Health facilities", "code": "Code", "name": "Name", "rank": "No", "total": "Total",
        "units": "units", "no_match": "No unit matches.",
        "partial": "partial", "partial_mark": "*", "partial_legend": "partial: not every desa/kel. has figures",
        "partial_note": "These figures are partial: only {n} of {total} desa/kel. have figures; coverage is computed "
                        "over those desa/kel. and is not compared with the target as if whole.",
        "desa_data": "Desa/kel. with figures", "desa_of": "{n} of {total}",
        "compared": "{n} {level} compared", "left_out": "{n} with figures in only one of the periods left out",
        "rank_total": "{total}: {n} {units}{partial}; {gap} {gap_sum}, {reactivate} {reactivate_sum}",
        "rank_total_partial": " ({n} partial)",
        "implausible": "implausible", "implausible_mark": "!",
        "implausible_map": "implausible: registered > population or active > registered (no class given)",
        "implausible_legend": "! implausible: registered above population, active above registered, or participants "
                              "without residents; shown as the file gives them, with no tier and no Desa JKN status.",
        "implausible_note": "This region's figures are implausible (registered above population or active above "
                            "registered): not compared with the target.",
        "implausible_desa": "{n} desa/kel. with implausible figures (registered above population or active above "
                            "registered): shown as the file gives them, with no tier and no Desa JKN status",
        "active_partial_note": "Active participants are given for only {n} of {total} desa/kel.: active coverage and "
                               "the activity rate are computed over those desa/kel. (partial) and not compared with "
                               "the active target.",
        "active_partial": "active partial: {n} of {total} desa/kel.",
        "cells_partial": "* partial: this figure covers only part of the unit's desa/kel. (coverage and gap: "
                         "population and registered; active coverage, activity rate and to reactivate: active "
                         "participants; change: the desa/kel. compared).",
        "data_break": "data break", "data_break_mark": "#",
        "data_break_legend": "# data break: the desa/kel.'s population moved by more than {share} between the two "
                             "months (split, merged, or another population source); left out of the change.",
        "breaks": "{n} desa/kel. with a data break (population moved by more than {share}) left out",
        "compared_of": "{n} of {total} desa/kel. compared", "active_partial_short": "active partial",
        "notes": "Notes",
        "prepared": "prepared {n} pages (dashboards and maps) in {seconds} s, for every server process",
        "prepared_already": "the pages of this data are prepared already (or being prepared by a server process)",
        "copied": "copied {source} -> {target}: {units} units, {months} months of figures, {facilities} facilities, "
                  "{changes} changes ({restorable} restorable), {accounts} accounts, in {seconds} s",
        "store_created": "the store {store} is ready (schema {schema}, version {version})",
        "store_made_by_import": "a GeoPackage store {store} is made by its first import (import-boundaries)",
        "preparing": "The file is being prepared",
        "preparing_text": "geojkn is preparing the {what} of {region}. This page downloads it as soon as it is ready; "
                          "wait here or come back later: a finished file is kept.",
        "steps_done": "{done} of {total} pages", "back_to_region": "Back to the region's dashboard",
        "preparing_lost": "This file is no longer being prepared: reload the page to ask for it again.",
        "document_sheet": "meeting sheet", "document_atlas": "atlas", "document_export": "standalone map",
        "document_worklist": "work list",
        "sum_of_units": "{value} (the sum over the units; a unit at the target counts 0)",
        "sum_plain": "{value} (the sum over the units)",
        "source": "Source", "below_target": "below the {target} target", "main_area": "Main area",
        "whole_region": "Whole region", "zoom_to": "Zoom to", "outline": "Kecamatan boundaries",
        "source_figures": "{sources} ({period})",
        "wrote": "wrote {file}: {region}, {level}, {metric}, {period} ({size} MB)",
        "serving": "geojkn: dashboard on {url}  (store: {store}; Ctrl+C to stop)",
        "info_store": "store: {store}", "info_demo": " (bundled demo, read-only)", "info_units": "units: {units}",
        "info_periods": "periods: {periods}", "info_facilities": "facilities: {n}",
        "info_import": "  {when}  {kind:<10} {file}  rows {rows}  {detail}",
        "imported_units": "imported {n} units from {file}: {levels}",
        "imported_units_one": "imported {n} unit from {file}: {levels}",
        "replaced_units": "{n} units already in the store were replaced by this file's version",
        "derived": "{n} kecamatan/kabupaten without a polygon of their own got one made from the units inside "
                   "them: {codes}{more}; import their polygons to replace these",
        "map_prepared": "maps prepared for {areas}: {desa} desa/kel. made into a coverage without gaps or overlaps "
                        "({changed} of them moved; {overlaps} km² of overlap given to one desa, {gaps} km² of gaps "
                        "closed), the levels above made from the desa, {bands} zoom bands; the original boundaries "
                        "stay for analysis",
        "map_kept": "{n} desa/kel. would vanish in cleaning and are drawn with their own polygon: {codes}",
        "map_progress": "preparing the map of {area}: {step}",
        "map_step_clean": "cleaning the desa borders", "map_step_bands": "simplifying per zoom band",
        "layers_read": "layers read: {layers}", "layer_skipped": "layer {layer} skipped: it holds no polygons",
        "no_crs": "{where}: no CRS in the file; the coordinates lie over Indonesia, so they were read as lon/lat "
                  "(EPSG:4326)",
        "repaired": "repaired invalid polygon {unit}: {reason}",
        "imported_figures": "imported figures for {periods} from {file}",
        "replaced": "{period}, {region}: the figures of {before} {level} replaced by the {after} of this file",
        "first_figures": "{period}, {region}: first figures, {after} {level}",
        "lost": "; {n} that had figures have none now: {codes}{more}",
        "merged": "merged (--merge): the other rows of the period stay",
        "total_row": "row {row} ({code}) is a total row: not stored. It gives a population of {population}; "
                     "its units add up to {units}",
        "disagrees": "row {row} ({code}): {count} {own} by this row, {units} by its units below (more than 1 % "
                     "apart); the sum of the units below is used",
        "needs_population": "{n} desa/kel. have registered participants but no population: their coverage shows "
                            "from kecamatan up (where the population is given); import population per desa/kel. "
                            "for desa/kel. coverage",
        "removed": "removed {n} rows of figures for {period}{where}",
        "rows_read": "{n} rows read: {matched} matched, {unmatched} unmatched.",
        "rows_read_one": "{n} row read: {matched} matched, {unmatched} unmatched.",
        "unmatched_row": "  row {row} '{name}': {reason}.", "closest": " Closest: {names}.",
        "and_more": "  ... and {n} more.", "and_more_inline": " and {n} more",
        "without_figures": "{n} {level} units without figures: {codes}{more}.",
        "without_figures_one": "{n} {level} unit without figures: {codes}{more}.",
        "over": "{n} rows with {what}:", "over_one": "{n} row with {what}:",
        "over_row": "  row {row} {code} {name}: {value} > {limit}",
        "registered_over_population": "registered > population", "active_over_registered": "active > registered",
        "imported_facilities": "imported {n} facilities from {file}",
        "imported_facilities_one": "imported {n} facility from {file}",
        "skipped_facilities": " ({n} already in the store were skipped)", "by_type": "by type: {types}",
        "approximate_facilities": "{n} facilities without coordinates placed at a point inside the unit their code "
                                  "names (approximate; marked on the map and in counts)",
        "unplaced_facilities": "{n} facilities without coordinates not placed: their code names no stored unit "
                               "(BPS and Kemenkes codes are not mapped one to one): {rows}",
        "approximate_place": "approximate location: in {unit}",
        "approximate_legend": "approximate location (from the area code)",
        "outside_facilities": "{n} facilities lie outside every boundary in the store (kept, shown on maps, counted "
                              "in no region): {names}",
        "reason_not_code": "'{value}' is not an area code", "reason_unknown_code": "code {code} is not among the "
                                                                                   "boundaries",
        "reason_no_kecamatan": "no kecamatan named '{kecamatan}'",
        "reason_name_disagrees": "code {code} is {name}, not the name on this row: not stored (correct the code or "
                                 "the name)",
        "reason_kecamatan_disagrees": "code {code} lies in kecamatan {kecamatan}, not the one on this row: not stored "
                                      "(correct the code or the kecamatan)",
        "reason_outside_area": "this name fits only {code}, outside the area of this file ({where}): not stored "
                               "(give its code or kecamatan if it is right)",
        "row_label": "row {row} ({label})", "reason_total": "a total row, not a unit",
        "skipped_totals": "{n} total rows skipped, not stored as units: {rows}{more}.",
        "skipped_totals_one": "{n} total row skipped, not stored as a unit: {rows}{more}.",
        "spelled": "{n} names matched to another spelling in their kecamatan: {rows}{more}.",
        "spelled_one": "{n} name matched to another spelling in its kecamatan: {rows}{more}.",
        "reason_not_in_kecamatan": "no desa or kelurahan of that name in kecamatan {kecamatan}",
        "reason_several_in_kecamatan": "{n} units of that name in kecamatan {kecamatan}: add a code column",
        "reason_no_name": "no code and no name", "reason_unknown_name": "no {level} of that name",
        "reason_several_named": "{n} {level} units have this name: give its kecamatan (or a code) to tell them "
                                "apart",
    },
}

# The JKN membership segments, named as BPJS Kesehatan names them (the same in both languages).
SEGMENT_NAMES = {"pbi_jk": "PBI JK", "pbpu_pemda": "PBPU Pemda", "ppu": "PPU", "pbpu": "PBPU", "bp": "BP"}

# Each metric's short name (tables, tooltips, choices) and its full name with the definition (legends).
METRIC_NAMES: dict[Lang, dict[Metric, tuple[str, str]]] = {
    ID: {
        Metric.COVERAGE: ("Cakupan terdaftar", "Cakupan terdaftar (terdaftar / penduduk)"),
        Metric.ACTIVE_COVERAGE: ("Cakupan aktif", "Cakupan aktif (aktif / penduduk)"),
        Metric.ACTIVITY_RATE: ("Keaktifan", "Keaktifan (aktif / terdaftar)"),
        Metric.GAP: ("Belum terdaftar", "Belum terdaftar (menuju target {target})"),
        Metric.TO_REACTIVATE: ("Perlu diaktifkan kembali", "Perlu diaktifkan kembali (terdaftar − aktif)"),
        Metric.CHANGE: ("Perubahan cakupan", "Perubahan cakupan terdaftar sejak {since} (poin persentase)"),
        Metric.ACTIVE_CHANGE: ("Perubahan cakupan aktif", "Perubahan cakupan aktif sejak {since} (poin persentase)"),
        Metric.NEAREST_FKTP_KM: ("Jarak ke FKTP terdekat", "Jarak ke FKTP terdekat (km, garis lurus)"),
        Metric.NEAREST_PUSKESMAS_KM: ("Jarak ke puskesmas terdekat", "Jarak ke puskesmas terdekat (km, garis lurus)"),
        Metric.NEAREST_HOSPITAL_KM: ("Jarak ke rumah sakit terdekat", "Jarak ke rumah sakit terdekat (km, garis "
                                     "lurus)"),
        Metric.POPULATION_BEYOND: ("Penduduk jauh dari FKTP", "Penduduk di desa/kel. lebih dari {km} km dari FKTP "
                                   "terdekat (garis lurus)"),
        Metric.FKTP_PER_10K: ("FKTP per 10.000 penduduk", "FKTP per 10.000 penduduk (FKTP di dalam wilayah)"),
        Metric.REGISTERED_PER_FKTP: ("Peserta per FKTP", "Peserta terdaftar per FKTP (FKTP di dalam wilayah)"),
        Metric.TIER: ("Tingkat penghargaan", "Tingkat yang dicapai (cakupan terdaftar dan aktif; pengaturan TIERS)"),
    },
    EN: {
        Metric.COVERAGE: ("Registered coverage", "Registered coverage (registered / population)"),
        Metric.ACTIVE_COVERAGE: ("Active coverage", "Active coverage (active / population)"),
        Metric.ACTIVITY_RATE: ("Activity rate", "Activity rate (active / registered)"),
        Metric.GAP: ("Still to enrol", "Still to enrol (to the {target} target)"),
        Metric.TO_REACTIVATE: ("To reactivate", "To reactivate (registered − active)"),
        Metric.CHANGE: ("Change in coverage", "Change in registered coverage since {since} (percentage points)"),
        Metric.ACTIVE_CHANGE: ("Change in active coverage", "Change in active coverage since {since} (percentage "
                               "points)"),
        Metric.NEAREST_FKTP_KM: ("Distance to the nearest FKTP", "Distance to the nearest FKTP (km, straight line)"),
        Metric.NEAREST_PUSKESMAS_KM: ("Distance to the nearest puskesmas", "Distance to the nearest puskesmas (km, "
                                      "straight line)"),
        Metric.NEAREST_HOSPITAL_KM: ("Distance to the nearest hospital", "Distance to the nearest hospital (km, "
                                     "straight line)"),
        Metric.POPULATION_BEYOND: ("Residents far from an FKTP", "Residents of desa/kel. more than {km} km from the "
                                   "nearest FKTP (straight line)"),
        Metric.FKTP_PER_10K: ("FKTP per 10,000 residents", "FKTP per 10,000 residents (FKTP inside the unit)"),
        Metric.REGISTERED_PER_FKTP: ("Participants per FKTP", "Registered participants per FKTP (FKTP inside the "
                                     "unit)"),
        Metric.TIER: ("Award tier", "Tier reached (registered and active coverage; the TIERS setting)"),
    },
}

LEVEL_NAMES: dict[Lang, dict[Level, str]] = {
    ID: {Level.PROVINSI: "Provinsi", Level.KABUPATEN: "Kabupaten/kota", Level.KECAMATAN: "Kecamatan",
         Level.DESA: "Desa/kel."},
    EN: {Level.PROVINSI: "Province", Level.KABUPATEN: "Kabupaten/kota", Level.KECAMATAN: "Kecamatan",
         Level.DESA: "Desa/kel."},
}

FACILITY_GROUP_NAMES: dict[Lang, dict[str, str]] = {
    ID: {"fktp": "FKTP (puskesmas, klinik, dokter)", "rumah_sakit": "Rumah sakit", "lab": "Laboratorium",
         "optik": "Optik", "apotek": "Apotek", "non_jkn": "Bukan mitra JKN (pustu, poskesdes, bidan, rumah bersalin)"},
    EN: {"fktp": "FKTP (puskesmas, clinic, doctor)", "rumah_sakit": "Hospital", "lab": "Laboratory",
         "optik": "Optician", "apotek": "Pharmacy",
         "non_jkn": "Not JKN-contracted (pustu, poskesdes, midwife, maternity home)"},
}

FACILITY_TYPE_NAMES: dict[Lang, dict[str, str]] = {
    ID: {"puskesmas": "Puskesmas", "klinik": "Klinik", "dokter": "Dokter praktik", "rumah_sakit": "Rumah sakit",
         "lab": "Laboratorium", "optik": "Optik", "apotek": "Apotek", "pustu": "Puskesmas pembantu",
         "poskesdes": "Poskesdes/polindes", "rumah_bersalin": "Rumah bersalin", "bidan": "Praktik bidan"},
    EN: {"puskesmas": "Puskesmas (health centre)", "klinik": "Clinic", "dokter": "Doctor's practice",
         "rumah_sakit": "Hospital", "lab": "Laboratory", "optik": "Optician", "apotek": "Pharmacy",
         "pustu": "Auxiliary health centre (pustu)", "poskesdes": "Village health post (poskesdes/polindes)",
         "rumah_bersalin": "Maternity home", "bidan": "Midwife's practice"},
}

MONTHS: dict[Lang, tuple[str, ...]] = {
    ID: ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"),
    EN: ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"),
}

PLACEHOLDER = re.compile(r"{(\w+)[^}]*}")


def word(key: str, lang: Lang, count: int | None = None, /, **values: object) -> str:
    """One word or sentence in the language, with its {placeholders} filled in (the singular form where the
    language has one and `count` is 1)."""
    words = WORDS[Lang(lang)]
    text = words.get(f"{key}_one", words[key]) if count == 1 else words[key]
    return text.format(**values) if values else text


def metric_label(metric: Metric, lang: Lang) -> str:
    """A metric's short name: 'Cakupan terdaftar'."""
    return METRIC_NAMES[Lang(lang)][Metric(metric)][0]


def metric_title(metric: Metric, lang: Lang, target: str, since: Period | None = None,
                 access_km: float | None = None) -> str:
    """A metric's full name with its definition, for legends; the gap names its target, a change its start,
    the residents far from an FKTP their distance."""
    start = period_text(since, lang) or word("period_before", lang)
    km = "–" if access_km is None else format_plain(access_km, lang)
    return METRIC_NAMES[Lang(lang)][Metric(metric)][1].format(target=target, since=start, km=km)


def level_label(level: Level, lang: Lang) -> str:
    """A level's name: 'Kecamatan', 'Desa/kel.'."""
    return LEVEL_NAMES[Lang(lang)][Level(level)]


def unit_title(name: str, level: Level, lang: Lang) -> str:
    """A unit's name with its level, once: 'Kecamatan Kedung', 'Desa/kel. Kedungmalang', 'Kabupaten Jepara'."""
    if Level(level) in (Level.PROVINSI, Level.KABUPATEN) and str(name).split(" ")[0].lower() in (
            "provinsi", "kabupaten", "kota", "kab.", "province"):
        return str(name)
    return f"{level_label(level, lang)} {name}"


def period_text(period: Period | str | None, lang: Lang) -> str | None:
    """'2022-01' as 'Januari 2022' / 'January 2022'; text that is not a month unchanged; None stays None."""
    if period is None:
        return None
    try:
        month = Period.parse(period)
    except ValueError:
        return str(period)
    return f"{MONTHS[Lang(lang)][month.month - 1]} {month.year}"
