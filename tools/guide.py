"""The relations section of ``docs/analysts.md``, written from the warehouse's COMMENTs.

``python -m tools.guide`` rewrites the part of the guide between its two markers from
``data/out/warehouse.duckdb`` (run ``make report`` first), so the guide says what the
database says. ``tests/test_guide.py`` fails when the two differ.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

QUERY = Path(__file__).parent / "guide.sql"
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "analysts.md"
START = "<!-- relations: written by `python -m tools.guide` from the COMMENTs; edit those -->"
END = "<!-- end of relations -->"
# The order of the product contract (SPEC §5); any other public relation comes after.
ORDER = (
    "communes",
    "targets",
    "referral_targets",
    "submissions",
    "problems",
    "cells",
    "meetings",
    "admissions",
    "admissions_vs_target",
    "referrals_vs_target",
    "cell_meetings",
    "stale_cells",
    "new_member_profile",
    "submission_status",
    "province_summary",
)


def relations_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """One section per relation: its comment, then a table of its columns."""
    rows = con.execute(QUERY.read_text(encoding="utf-8")).fetchall()
    relations: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    for relation, relation_comment, column, data_type, column_comment in rows:
        relations.setdefault(relation, (relation_comment or "", []))[1].append(
            (column, data_type, column_comment or "")
        )
    ranked = sorted(relations, key=lambda r: (ORDER.index(r) if r in ORDER else len(ORDER), r))
    parts: list[str] = []
    for relation in ranked:
        comment, columns = relations[relation]
        lines = [f"### `{relation}`", "", _cell(comment), "", "| column | type | meaning |"]
        lines.append("|---|---|---|")
        lines += [f"| `{c}` | {t} | {_cell(m)} |" for c, t, m in columns]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def section(text: str) -> str:
    """The generated part of a guide (between the markers, excluded)."""
    _head, start, rest = text.partition(START)
    body, end, _tail = rest.partition(END)
    if not (start and end):
        raise ValueError(f"the guide lacks the markers {START!r} and {END!r}")
    return body.strip("\n") + "\n"


def rewrite(text: str, generated: str) -> str:
    head, _start, rest = text.partition(START)
    _body, _end, tail = rest.partition(END)
    return f"{head}{START}\n\n{generated}\n{END}{tail}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("data/out/warehouse.duckdb"))
    parser.add_argument("--guide", type=Path, default=GUIDE)
    args = parser.parse_args()
    with duckdb.connect(args.warehouse, read_only=True) as con:
        generated = relations_markdown(con)
    text = args.guide.read_text(encoding="utf-8")
    section(text)  # the markers must be there
    args.guide.write_text(rewrite(text, generated), encoding="utf-8")
    print(f"{args.guide}: relations written from {args.warehouse}")


if __name__ == "__main__":
    main()
