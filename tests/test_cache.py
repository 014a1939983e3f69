"""Incremental reruns (issue 6): what the cache skips, and that it never changes a result.

The sample province is run twice in one out folder, with one return edited, one
removed and one added in between; a third run starts from an empty out folder on the
same files. The warehouse, bulletins and feedback of the warm run must equal those
of the cold one, byte for byte, while the warm run reads only the changed file and
renders only the bulletins whose data changed.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import time
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from pipeline import cache, feedback, run
from pipeline.run import Options, report
from pipeline.workers import fork_map

ROOT = Path(__file__).resolve().parent.parent
RELATIONS = [
    *("communes", "targets", "submissions", "problems", "cells", "meetings", "admissions"),
    *("admissions_vs_target", "referrals_vs_target", "cell_meetings", "stale_cells"),
    *("new_member_profile", "submission_status", "province_summary"),
]
EDITED = "2026-Q3/bao cao quy 3 - phuong hoang son.xlsx"  # commune 07344, English headers
REMOVED = "2026-Q3/XaTanLam_ChiBo_Q3-2026 (1).xlsx"


class Calls:
    """Counts what the pipeline really reads and renders."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        self.rendered: list[str] = []
        self.feedback: list[str] = []
        self.built = 0
        read_all, render_all, fork_map = run.read_all, run.render_bulletins, feedback.fork_map
        build = run.build_warehouse

        def counting_build(*args: object) -> object:
            self.built += 1
            return build(*args)

        def counting_read(paths: list[Path], *args: object, **kwargs: object) -> list:
            self.read += [p.name for p in paths]
            return read_all(paths, *args, **kwargs)

        def counting_render(jobs: list, *args: object) -> list:
            self.rendered += [pdf.name for _, _, pdf in jobs]
            return render_all(jobs, *args)

        def counting_write(work: object, jobs: list, *args: object) -> list:
            self.feedback += [job[0].name for job in jobs]  # (path, book, ...)
            return fork_map(work, jobs, *args)

        monkeypatch.setattr(run, "read_all", counting_read)
        monkeypatch.setattr(run, "render_bulletins", counting_render)
        monkeypatch.setattr(feedback, "fork_map", counting_write)
        monkeypatch.setattr(run, "build_warehouse", counting_build)


def rows(out: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(out / "warehouse.duckdb", read_only=True) as con:
        return {r: con.sql(f"select * from {r} order by all").fetchall() for r in RELATIONS}


def same_files(a: Path, b: Path) -> None:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert names
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def edit_info(path: Path, key: str, value: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Info"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == key)
    sheet.cell(row, 2).value = value
    book.save(path)


def edit_attendees(path: Path) -> None:
    """Lower the attendees of the first meeting row: the commune's figures change."""
    book = openpyxl.load_workbook(path)
    sheet = next(s for s in book.worksheets if s.title in ("Sinh hoạt", "Meetings"))
    header = next(r for r in range(1, 16) if sheet.cell(r, 1).value)
    for column in range(1, sheet.max_column + 1):
        if str(sheet.cell(header, column).value).lower().startswith(("số đảng viên dự", "atten")):
            sheet.cell(header + 1, column).value = 1
            break
    else:
        raise AssertionError("no attendees column")
    book.save(path)


@pytest.fixture
def province(tmp_path: Path) -> Options:
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "raw")
    return Options(
        raw=tmp_path / "raw", reference=ROOT / "data" / "reference", out=tmp_path / "out"
    )


def test_a_warm_rerun_equals_a_cold_run_and_skips_the_unchanged(province, monkeypatch, tmp_path):
    report(province)
    files = len([p for p in province.raw.rglob("*") if p.is_file() and p.name[:2] != "~$"])

    # A new preparer's name: the file is read again, but no bulletin changes.
    edit_info(province.raw / EDITED, "prepared_by", "Trần Văn Bình")
    calls = Calls(monkeypatch)
    warm = report(province)
    assert calls.read == [Path(EDITED).name]
    assert calls.rendered == []
    # Its feedback workbook copies the sheets as sent, the new name included.
    assert calls.feedback == ["07344-bao-cao-quy-3-phuong-hoang-son.xlsx"]
    assert warm.files + warm.other_quarters + warm.no_period == files  # every file counted
    cold_out = tmp_path / "cold"
    report(Options(province.raw, province.reference, cold_out))
    assert rows(province.out) == rows(cold_out)
    same_files(province.out / "bulletins", cold_out / "bulletins")
    same_files(province.out / "feedback", cold_out / "feedback")

    # Figures change: every bulletin shows the province's, so every one is rendered.
    edit_attendees(province.raw / EDITED)
    (province.raw / REMOVED).unlink()
    calls = Calls(monkeypatch)
    warm = report(province)
    assert calls.read == [Path(EDITED).name]  # the removed file is simply gone
    assert warm.files + warm.other_quarters + warm.no_period == files - 1
    assert len(calls.rendered) == len(warm.bulletins) == 24  # 14079 now has no return
    cold_out = tmp_path / "cold-2"
    cold = report(Options(province.raw, province.reference, cold_out))
    assert (warm.files, warm.accepted, warm.rejected) == (cold.files, cold.accepted, cold.rejected)
    assert rows(province.out) == rows(cold_out)
    assert rows(province.out) != rows(tmp_path / "cold")
    same_files(province.out / "bulletins", cold_out / "bulletins")
    same_files(province.out / "feedback", cold_out / "feedback")


def test_an_unchanged_rerun_reads_and_renders_nothing(province, monkeypatch):
    first = report(province)
    calls = Calls(monkeypatch)
    again = report(province)
    assert (calls.read, calls.rendered, calls.feedback, calls.built) == ([], [], [], 0)
    assert again.bulletins == first.bulletins and again.feedback == first.feedback
    assert len(again.bulletins) == 25 and len(again.feedback) > 5


def test_a_damaged_cache_is_ignored(province, monkeypatch, tmp_path):
    report(province)
    cache = province.out / ".cache"
    (cache / "ingest.pickle").write_bytes(b"\x80\x05not a pickle")
    victim = next((cache / "bulletins").iterdir())
    victim.unlink()  # one PDF (or HTML) of a bulletin lost
    calls = Calls(monkeypatch)
    report(province)
    assert len(calls.read) == len([p for p in province.raw.rglob("*") if p.is_file()]) - 1
    assert len(calls.rendered) == 1
    cold_out = tmp_path / "cold"
    report(Options(province.raw, province.reference, cold_out))
    assert rows(province.out) == rows(cold_out)
    same_files(province.out / "bulletins", cold_out / "bulletins")


def test_a_new_day_or_language_does_not_reuse_bulletins(province, monkeypatch):
    report(province)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795392000 + 86400))  # the next day
    calls = Calls(monkeypatch)
    report(province)
    assert len(calls.rendered) == 25  # the generation date is printed on every bulletin
    calls.rendered.clear()
    report(Options(province.raw, province.reference, province.out, lang="en"))
    assert len(calls.rendered) == 25


def test_a_changed_reference_rebuilds_the_warehouse(province, monkeypatch, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(province.reference, reference)
    province = Options(province.raw, reference, province.out)
    report(province)
    targets = reference / "targets.csv"
    targets.write_text(targets.read_text().replace(",2026,", ",2026,1", 1))  # 12 -> 112…
    calls = Calls(monkeypatch)
    report(province)
    assert calls.built == 1 and calls.read == []
    cold_out = tmp_path / "cold"
    report(Options(province.raw, reference, cold_out))
    assert rows(province.out) == rows(cold_out)
    same_files(province.out / "bulletins", cold_out / "bulletins")


def test_a_system_upgrade_draws_the_bulletins_again(province, monkeypatch, tmp_path):
    """The fonts and text libraries that draw the PDFs are part of the bulletins' keys: after
    an upgrade (here: a font file added where fontconfig looks) they are drawn again."""
    report(province)
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", fonts / "Upgraded.ttf")
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<include>/etc/fonts/fonts.conf</include><dir>{fonts}</dir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    cache.drawing_digest.cache_clear()
    try:
        calls = Calls(monkeypatch)
        report(province)
        assert len(calls.rendered) == 25
        assert calls.read == [] and calls.built == 0  # only drawing depends on the fonts
    finally:
        cache.drawing_digest.cache_clear()


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: one worker")
def test_two_halves_are_worked_on_side_by_side():
    # Grouped in chunks, both halves of a validation once went to one worker: the split
    # then cost a fork and saved nothing.
    assert len(set(fork_map(_pid_after, [0.5, 0.5]))) == 2


def test_validation_in_two_halves_equals_one_process(province, monkeypatch, tmp_path):
    """A large batch is validated by two forked workers and combined: the same outcome."""
    reference = run.load_reference(province.reference)
    monkeypatch.setattr(run, "SPLIT_FROM", 10**9)
    _books, whole = run.ingest(province.raw, reference, "en")
    monkeypatch.setattr(run, "SPLIT_FROM", 2)
    calls = []
    fork_map = run.fork_map
    monkeypatch.setattr(
        run, "fork_map", lambda work, items: calls.append(items) or fork_map(work, items)
    )
    _books, halves = run.ingest(province.raw, reference, "en")
    assert len(calls) == 1 and len(calls[0]) == 2  # it did split
    assert halves.problems == whole.problems
    pd.testing.assert_frame_equal(halves.files, whole.files)
    for name, frame in whole.sheets.items():
        pd.testing.assert_frame_equal(halves.sheets[name], frame)
