"""The developer tools run from the repository root as the README and Makefile write them,
outside the runtime package: ``python -m tools.sample`` writes the shipped sample province
byte for byte, ``python -m tools.guide`` rewrites a guide's relations from a warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_sample_generator_writes_the_shipped_sample(tmp_path):
    result = run_tool("tools.sample", "--out", str(tmp_path))
    assert result.stdout.startswith(f"Wrote {tmp_path}/raw and {tmp_path}/reference\n")
    for sub in ("raw", "reference"):
        written, shipped = files(tmp_path / sub), files(ROOT / "data" / sub)
        assert shipped, sub
        assert sorted(written) == sorted(shipped), sub
        assert [name for name in shipped if written[name] != shipped[name]] == [], sub


def test_the_guide_writer_rewrites_the_relations_from_a_warehouse(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(warehouse) as con:
        con.execute("create table communes (commune_code varchar, commune_name varchar)")
        con.execute("comment on table communes is 'The communes | expected to report.'")
        con.execute("comment on column communes.commune_code is '5-digit code.'")
    start = "<!-- relations: written by `python -m tools.guide` from the COMMENTs; edit those -->"
    guide = tmp_path / "guide.md"
    guide.write_text(f"# Guide\n\n{start}\n\nold\n<!-- end of relations -->\ntail\n", "utf-8")
    result = run_tool("tools.guide", "--warehouse", str(warehouse), "--guide", str(guide))
    assert result.stdout == f"{guide}: relations written from {warehouse}\n"
    assert guide.read_text("utf-8") == (
        f"# Guide\n\n{start}\n\n"
        "### `communes`\n\n"
        "The communes \\| expected to report.\n\n"
        "| column | type | meaning |\n"
        "|---|---|---|\n"
        "| `commune_code` | VARCHAR | 5-digit code. |\n"
        "| `commune_name` | VARCHAR |  |\n"
        "\n<!-- end of relations -->\ntail\n"
    )


def test_the_tools_live_outside_the_runtime_package():
    """The code digest hashes pipeline/: editing a tool must not invalidate the cache."""
    assert (ROOT / "tools" / "sample.py").is_file()
    assert (ROOT / "tools" / "guide.py").is_file()
    assert not list((ROOT / "pipeline").rglob("sample.py"))
    assert not list((ROOT / "pipeline").rglob("guide.py"))
