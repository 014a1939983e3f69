"""How each stage's cost grows: provinces of several sizes, and a warehouse of many quarters.

    python bench/scale.py [--communes 100,300,1000] [--quarters 4] [--work build/scale]

For each number of communes, a synthetic province of one quarter (70-90 cells a commune,
a third in the old forms) goes through `report` in a fresh output folder; its stage times
(from `report --verbose`), the whole run and the peak memory of the process tree are
printed per commune. Then the largest province is run with ``--quarters`` quarters of
returns, to see what grows with history. Public tools only; the figures feed
docs/scale.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench import run_pipeline  # noqa: E402 - after making the project importable
from tools.sample import generate  # noqa: E402


def province(work: Path, communes: int, quarters: tuple[int, ...]) -> Path:
    folder = work / f"province-{communes}-q{len(quarters)}"
    if not (folder / ".generated").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {communes} communes, quarters {quarters} …", flush=True)
        generate(folder, communes=communes, quarters=quarters, cells_range=(70, 90))
        (folder / ".generated").touch()
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", default="100,300,1000")
    parser.add_argument("--quarters", type=int, default=4)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "scale")
    args = parser.parse_args()
    sizes = [int(n) for n in args.communes.split(",")]
    runs = [(n, (3,)) for n in sizes] + [(sizes[-1], tuple(range(1, args.quarters + 1)))]
    header = f"{'communes':>8} {'quarters':>8} {'files':>6} {'seconds':>8} {'ms/commune':>10}"
    stages = ("read", "validate", "load and indicators", "render", "feedback")
    print(header + "".join(f" {s.split()[0]:>9}" for s in stages) + f" {'peak PSS MiB':>13}")
    for communes, quarters in runs:
        folder = province(args.work, communes, quarters)
        out = folder / "out"
        shutil.rmtree(out, ignore_errors=True)
        result = run_pipeline(folder, out)
        files = sum(1 for p in (folder / "raw").rglob("*") if p.is_file())
        per = 1000 * result["seconds"] / communes
        line = f"{communes:>8} {len(quarters):>8} {files:>6} {result['seconds']:>8.1f} {per:>10.0f}"
        line += "".join(f" {result['stages'].get(s, 0):>9.1f}" for s in stages)
        print(line + f" {result['peak_pss_mib']:>13.0f}", flush=True)


if __name__ == "__main__":
    main()
