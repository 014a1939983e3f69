"""Benchmark: a national quarter through our pipeline, against a naive baseline and the floor.

    python bench/bench.py [--communes 3321] [--sample 300] [--work build/bench]

The synthetic country is ``tools.sample``'s: a third of its communes send their returns
in the province's old forms (merged headers, total rows), as clerks do.

Prints, for the same synthetic files: our pipeline end to end (per stage, from its
summary line), an unchanged rerun, the naive baseline on a sample of communes (scaled
per commune), the floor (inflating every zip member), the peak memory of the whole
process tree, and the ratios the targets of issue 6 are stated in. Public tools only:
the standard library and the project's own dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import naive  # noqa: E402 - after making the project importable
from tools.sample import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--sample", type=int, default=300, help="communes for the naive run")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args()

    national = prepare(args.work / f"national-{args.communes}", args.communes)
    sample = prepare(args.work / f"sample-{args.sample}", args.sample)
    files = sorted(p for p in (national / "raw").rglob("*") if p.is_file())
    print(f"machine: {os.cpu_count()} cores; {len(files)} files, {args.communes} communes")

    # The machine's speed drifts within minutes: measured before and after the run, and the
    # figures are stated against the mean of the two (both are printed).
    speed_before = machine_speed(files)
    read_naive = naive_read_ms(files[:: max(1, len(files) // 200)])
    print(f"pandas + openpyxl read: {read_naive:.1f} ms a file", flush=True)
    out = args.work / "out"
    shutil.rmtree(out, ignore_errors=True)
    full = run_pipeline(national, out)
    print(f"ours: {full}", flush=True)  # each figure as soon as it is measured
    rerun = run_pipeline(national, out)
    print(f"rerun: {rerun}", flush=True)
    speed_after = machine_speed(files)
    floor = (speed_before[0] + speed_after[0]) / 2
    empty_page = (speed_before[1] + speed_after[1]) / 2
    naive_out = args.work / "naive-out"
    shutil.rmtree(naive_out, ignore_errors=True)
    baseline = naive.run(sample / "raw", sample / "reference", naive_out)

    per_commune_ours = full["seconds"] / args.communes
    per_commune_naive = baseline["seconds"] / args.sample
    ingest = sum(full["stages"].get(s, 0) for s in ("read", "validate", "load and indicators"))
    render_ms = full["stages"].get("render", 0) / (args.communes + 1) * 1000
    scale = REFERENCE_EMPTY_PAGE_MS / empty_page  # this machine's speed against the reference
    ours_per_file = full["seconds"] / len(files) * 1000
    rows = [
        ("ours, end to end", f"{full['seconds']:.1f} s", "< 180 s"),
        ("  per stage", " · ".join(f"{k} {v:.1f} s" for k, v in full["stages"].items()), ""),
        ("ours per commune", f"{per_commune_ours * 1000:.0f} ms", ""),
        (
            "naive per commune",
            f"{per_commune_naive * 1000:.0f} ms "
            f"({args.sample} communes: {baseline['seconds']:.1f} s; "
            + " · ".join(f"{k} {v:.1f} s" for k, v in baseline["stages"].items())
            + ")",
            "",
        ),
        ("naive / ours per commune", f"{per_commune_naive / per_commune_ours:.1f}×", "≥ 10×"),
        (
            "floor (inflate every member)",
            f"{floor:.2f} s ({floor / len(files) * 1000:.2f} ms/file; {speed_before[0]:.2f} s "
            f"before the run, {speed_after[0]:.2f} s after)",
            "",
        ),
        ("ingest / floor", f"{ingest / floor:.1f}×", "≤ 10×"),
        (
            "render per bulletin",
            f"{render_ms:.0f} ms ({render_ms / empty_page:.1f}× an empty page's CPU, "
            f"{empty_page:.1f} ms on this machine ({speed_before[1]:.1f} before the run, "
            f"{speed_after[1]:.1f} after); {REFERENCE_EMPTY_PAGE_MS} ms on "
            f"MEASUREMENTS.md's machine, where this is {render_ms * scale:.0f} ms)",
            "≤ 40 ms",
        ),
        (
            "ours / naive read, per file",
            f"{ours_per_file / read_naive:.2f}× ({ours_per_file:.1f} ms a file, the whole "
            f"report; pandas + openpyxl reading alone {read_naive:.1f} ms)",
            "≤ 0.5×",
        ),
        ("  rerun stages", " · ".join(f"{k} {v:.1f} s" for k, v in rerun["stages"].items()), ""),
        (
            "unchanged rerun / full run",
            f"{100 * rerun['seconds'] / full['seconds']:.0f} %",
            "≤ 5 %",
        ),
        (
            "peak memory, process tree (PSS)",
            f"{full['peak_pss_mib']:.0f} MiB (summed RSS {full['peak_mib']:.0f} MiB)",
            "≤ 2048 MiB",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value}" + (f"   (target {target})" if target else ""))
    (args.work / "latest.json").write_text(
        json.dumps(
            {
                "full": full,
                "rerun": rerun,
                "naive": baseline,
                "floor": floor,
                "empty_page_ms": empty_page,
                "speed_before": {"floor": speed_before[0], "empty_page_ms": speed_before[1]},
                "speed_after": {"floor": speed_after[0], "empty_page_ms": speed_after[1]},
                "naive_read_ms": read_naive,
                "communes": args.communes,
                "sample": args.sample,
            },
            indent=2,
        )
    )


def prepare(folder: Path, communes: int) -> Path:
    """The synthetic province of ``communes`` communes for 2026-Q3, generated once."""
    marker = folder / ".generated"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {communes} communes into {folder} …", flush=True)
        generate(folder, communes=communes, quarters=(3,), cells_range=(70, 90), messy=True)
        marker.touch()
    return folder


# Machines of the same kind differ by several times from day to day: the CPU of a near-empty
# page, measured beside the run, says how fast this one is (MEASUREMENTS.md: 8.7 ms).
REFERENCE_EMPTY_PAGE_MS = 8.7


def machine_speed(files: list[Path]) -> tuple[float, float]:
    """(the floor: seconds to inflate every zip member, best of three; the CPU of an
    empty page, ms), printed as measured."""
    floor = min(timed(lambda: inflate_all(files)) for _ in range(3))  # the machine is noisy
    empty_page = empty_page_ms()
    print(f"floor: {floor:.2f} s; empty page: {empty_page:.1f} ms of CPU", flush=True)
    return floor, empty_page


def empty_page_ms(pages: int = 30) -> float:
    """Median CPU of a near-empty A4 bulletin page, PDF/UA, with the bulletin stylesheet."""
    from pipeline import render

    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>-</title></head>'
        '<body><header class="running">-</header><footer class="running">-</footer>'
        "<main><h1>-</h1><p>-</p></main></body></html>"
    )
    times = []
    for i in range(pages + 3):
        start = time.process_time()
        render.lay_out(html).write_pdf(os.devnull, **render.PDF_OPTIONS)
        if i >= 3:  # after warming up
            times.append(time.process_time() - start)
    return 1000 * sorted(times)[len(times) // 2]


def naive_read_ms(files: list[Path]) -> float:
    """Mean wall time of merely reading each file with pandas + openpyxl (issue 17's yardstick)."""
    import pandas as pd

    start = time.perf_counter()
    read = 0
    for path in files:
        if path.suffix.lower() != ".xlsx":
            continue
        try:
            pd.read_excel(path, sheet_name=None, engine="openpyxl")
        except Exception:  # a damaged file is part of the province: skipped
            continue
        read += 1
    return 1000 * (time.perf_counter() - start) / max(read, 1)


def inflate_all(files: list[Path]) -> None:
    for path in files:
        try:
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    archive.read(member)
        except zipfile.BadZipFile:
            pass


def timed(work) -> float:  # noqa: ANN001
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run_pipeline(province: Path, out: Path) -> dict:
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "report",
        "--raw",
        str(province / "raw"),
        "--reference",
        str(province / "reference"),
        "--out",
        str(out),
        *("--lang", "en", "--verbose"),  # the stage times, in the words parsed below
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    peak = PeakTree(process.pid)
    peak.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    peak.stop()
    if process.returncode != 0:
        raise SystemExit(f"the pipeline failed:\n{output}")
    stages = {
        k: float(v) for k, v in re.findall(r"([a-z ]+?) ([\d.]+) s", output.split("Time:")[-1])
    }
    return {
        "seconds": seconds,
        "stages": {k.strip(): v for k, v in stages.items()},
        "peak_mib": peak.peak / 1024,
        "peak_pss_mib": peak.peak_pss / 1024,
    }


class PeakTree(threading.Thread):
    """Polls /proc for the memory of a process and all its descendants.

    ``peak``: the summed RSS, which counts a page shared by forked workers once per
    process; ``peak_pss``: the summed PSS (``smaps_rollup``), which shares such a page
    among the processes that map it: the memory the tree really holds.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_pss, self._done = pid, 0, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            rss, tree = self._tree_rss_kib()
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, sum(_pss_kib(pid) for pid in tree))

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree_rss_kib(self) -> tuple[int, set[int]]:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                pid = int(stat.parent.name)
                parents[pid] = int(fields[1])
                rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
            except (OSError, IndexError, ValueError):
                continue
        tree, grew = {self.pid}, True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return sum(rss.get(pid, 0) for pid in tree), tree


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(match[1]) if match else 0


if __name__ == "__main__":
    main()
