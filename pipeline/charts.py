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
    """The new members, one small bar chart per dimension, two side by side."""
    figure = profile_figure(dimensions, label)
    return None if figure is None else _svg(figure)


def profile_figure(dimensions: dict[str, list[Row]], label: Label) -> plt.Figure | None:
    """The figure of :func:`profile`.

    Panels are placed by hand: each row of panels is as tall as its longer panel's bars, so
    two-bar panels (sex, age) are short rather than mostly empty, every bar has the same
    thickness, and each value stands clear of its bar's end.
    """
    if not dimensions:
        return None
    names = list(dimensions)
    pairs = [names[i : i + 2] for i in range(0, len(names), 2)]
    rows_of_bars = [max(len(dimensions[name]) for name in pair) for pair in pairs]
    bar, title, gap = 0.17, 0.22, 0.12  # inches: one bar's band, a panel title, between rows
    width = 6.6
    height = sum(bar * n + title + gap for n in rows_of_bars)
    figure = plt.figure(figsize=(width, height))
    panels: list[tuple[plt.Axes, int, int]] = []  # axes, row, column
    for r, pair in enumerate(pairs):
        for c, name in enumerate(pair):
            axes = figure.add_axes((0, 0, 1, 1))
            rows = sorted(
                dimensions[name], key=lambda row: (row["members"], label(row["category"]))
            )
            counts = [row["members"] for row in rows]
            bars = axes.barh(
                [label(row["category"]) for row in rows], counts, color=NEUTRAL, height=0.6
            )
            axes.bar_label(bars, padding=3, fontsize=6.5)
            axes.set_ylim(-0.5, rows_of_bars[r] - 0.5)
            axes.set_xlim(0, max(counts) * 1.18)  # room for the value after the longest bar
            axes.set_title(label(name), loc="left")
            axes.tick_params(axis="y", length=0)
            axes.xaxis.set_visible(False)
            axes.spines["bottom"].set_visible(False)
            panels.append((axes, r, c))
    # Each column leaves room on the left for its widest category label.
    renderer = figure.canvas.get_renderer()
    labels = [0.0, 0.0]
    for axes, _, c in panels:
        for tick in axes.get_yticklabels():
            labels[c] = max(labels[c], tick.get_window_extent(renderer).width / figure.dpi)
    column = width / 2
    top = height
    for r, n in enumerate(rows_of_bars):
        top -= title
        for axes, row, c in panels:
            if row == r:
                left = c * column + labels[c] + 0.08
                axes.set_position(
                    (
                        left / width,
                        (top - bar * n) / height,
                        (column - 0.12 - left + c * column) / width,
                        bar * n / height,
                    )
                )
        top -= bar * n + gap
    return figure


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
