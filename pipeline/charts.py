"""Charts of the province bulletin, drawn by matplotlib as SVG (vector, text kept as text).

Each function takes plain rows and translated labels and returns SVG text; the
template embeds it as an image with its alt text.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

mpl.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: selectable, read aloud, same font as the page
        "svg.hashsalt": "bulletin",  # stable ids: the same data gives the same bytes
        "font.family": "DejaVu Sans",
        "font.size": 7,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 7.5,
        "axes.titleweight": "bold",
    }
)

GOOD, BAD, NEUTRAL, TARGET = "#2e7d32", "#c62828", "#8b1a1a", "#9e9e9e"
Row = dict
Label = Callable[[str], str]


def _svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def achievement_by_commune(
    communes: list[Row], expected_pct: float, axis_label: str, pace_label: str
) -> str | None:
    """Each commune's achievement of its annual target, against the expected pace."""
    rows = sorted(
        (c for c in communes if c["achievement_pct"] is not None),
        key=lambda c: (c["achievement_pct"], c["commune_name"]),
    )
    if not rows:
        return None
    figure, axes = plt.subplots(figsize=(6.6, 0.5 + 0.17 * len(rows)))
    values = [r["achievement_pct"] for r in rows]
    colours = [GOOD if v >= expected_pct else BAD for v in values]
    axes.barh([r["commune_name"] for r in rows], values, color=colours, height=0.7)
    axes.axvline(expected_pct, color="#333", linestyle="--", linewidth=0.8)
    axes.text(expected_pct, len(rows) - 0.3, f" {pace_label}", fontsize=6.5, va="bottom")
    axes.set_xlabel(axis_label)
    axes.margins(y=0.01)
    axes.tick_params(axis="y", length=0)
    return _svg(figure)


BAR_PER_COMMUNE_LIMIT = 40  # above, one bar per commune no longer fits a page


def achievement_histogram(
    communes: list[Row], expected_pct: float, axis_label: str, count_label: str
) -> str | None:
    """How many communes reached each band of 10 points of their target (many communes)."""
    values = [c["achievement_pct"] for c in communes if c["achievement_pct"] is not None]
    if not values:
        return None
    top = 150  # the last band gathers everything from 150 % up
    bands = list(range(0, top + 1, 10))
    counts = [0] * len(bands)
    for value in values:
        counts[min(int(value // 10), len(bands) - 1)] += 1
    figure, axes = plt.subplots(figsize=(6.6, 2.2))
    colours = [GOOD if band >= expected_pct else BAD for band in bands]
    axes.bar([b + 5 for b in bands], counts, width=9, color=colours)
    axes.axvline(expected_pct, color="#333", linestyle="--", linewidth=0.8)
    axes.set_xticks(bands, [f"{b}" if b < top else f"≥{top}" for b in bands])
    axes.set_xlabel(axis_label)
    axes.set_ylabel(count_label)
    return _svg(figure)


def profile(dimensions: dict[str, list[Row]], label: Label) -> str | None:
    """The new members, one small bar chart per dimension."""
    if not dimensions:
        return None
    names = list(dimensions)
    columns = 2
    lines = -(-len(names) // columns)
    figure, grid = plt.subplots(lines, columns, figsize=(6.6, 1.15 * lines), squeeze=False)
    for axes, name in zip(grid.flat, names, strict=False):
        rows = sorted(dimensions[name], key=lambda r: (r["members"], label(r["category"])))
        axes.barh(
            [label(r["category"]) for r in rows],
            [r["members"] for r in rows],
            color=NEUTRAL,
            height=0.6,
        )
        for y, row in enumerate(rows):
            axes.text(row["members"], y, f" {row['members']}", va="center", fontsize=6.5)
        axes.set_ylim(-0.6, max(len(rows), 4) - 0.4)  # the same bar thickness in every panel
        axes.set_title(label(name), loc="left")
        axes.tick_params(axis="y", length=0)
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
    for axes in list(grid.flat)[len(names) :]:
        axes.set_visible(False)
    figure.tight_layout(h_pad=0.6, w_pad=2)
    return _svg(figure)


def referrals(rows: list[Row], label: Label, referred: str, target: str) -> str | None:
    """Candidates referred by each mass organisation against its target, year to date."""
    if not rows:
        return None
    figure, axes = plt.subplots(figsize=(6.6, 0.45 + 0.32 * len(rows)))
    names = [label(r["referred_by"]) for r in rows]
    positions = range(len(rows))
    axes.barh(
        [p + 0.2 for p in positions],
        [r["referrals_target"] for r in rows],
        height=0.38,
        color=TARGET,
        label=target,
    )
    axes.barh(
        [p - 0.2 for p in positions],
        [r["referrals_ytd"] for r in rows],
        height=0.38,
        color=NEUTRAL,
        label=referred,
    )
    axes.set_yticks(list(positions), names)
    axes.tick_params(axis="y", length=0)
    axes.legend(loc="lower right", frameon=False, fontsize=6.5)
    return _svg(figure)
