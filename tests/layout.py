"""What a reader would see wrong on a laid-out page: text or images that leave the page's
content area, and text that overlaps other text or an image.

It reads the boxes WeasyPrint computed for the bulletin (``render.laid_out``), the very
layout that becomes the PDF: positions are exact, and two words printed over each other
("ErroWarnings") are two boxes, where a PDF text extractor would see one word.
"""

from __future__ import annotations

from dataclasses import dataclass

import weasyprint
from weasyprint.formatting_structure import boxes

TOLERANCE = 0.75  # CSS px (0.2 mm): rounding, kerning and hairlines are not defects


@dataclass(frozen=True)
class Mark:
    """A run of text or an image on a page, in CSS px from the page's top-left corner."""

    page: int
    what: str  # the text, or "[image]"
    x0: float
    y0: float
    x1: float
    y1: float
    in_margin: bool  # in a page-margin box (running header, footer, page number)

    def __str__(self) -> str:
        return f"page {self.page}: {self.what!r} at x {self.x0:.1f}-{self.x1:.1f}, y {self.y0:.1f}"


def marks(document: weasyprint.Document) -> list[Mark]:
    """Every text run and image of every page."""
    found: list[Mark] = []
    for number, page in enumerate(document.pages, start=1):
        for child in page._page_box.children:
            in_margin = isinstance(child, boxes.MarginBox)
            for box in child.descendants():
                if isinstance(box, boxes.TextBox) and box.text.strip():
                    what = box.text
                elif isinstance(box, boxes.ReplacedBox):
                    what = "[image]"
                else:
                    continue
                x, y = box.content_box_x(), box.content_box_y()
                found.append(Mark(number, what, x, y, x + box.width, y + box.height, in_margin))
    return found


def defects(document: weasyprint.Document) -> list[str]:
    """Marks outside the content area (margin boxes: outside the paper) and overlaps."""
    problems: list[str] = []
    all_marks = marks(document)
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        left, top = box.margin_left, box.margin_top
        right = box.margin_width() - box.margin_right
        bottom = box.margin_height() - box.margin_bottom
        on_page = [m for m in all_marks if m.page == number]
        for mark in on_page:
            if mark.in_margin:
                area = (0.0, 0.0, box.margin_width(), box.margin_height())
            else:
                area = (left, top, right, bottom)
            if (
                mark.x0 < area[0] - TOLERANCE
                or mark.y0 < area[1] - TOLERANCE
                or mark.x1 > area[2] + TOLERANCE
                or mark.y1 > area[3] + TOLERANCE
            ):
                problems.append(f"outside the content area: {mark}")
        problems += [f"overlap: {a} and {b}" for a, b in _overlaps(on_page)]
    return problems


def _overlaps(on_page: list[Mark]) -> list[tuple[Mark, Mark]]:
    """Pairs of marks whose rectangles intersect (a sweep down the page)."""
    found: list[tuple[Mark, Mark]] = []
    active: list[Mark] = []
    for mark in sorted(on_page, key=lambda m: (m.y0, m.x0)):
        active = [a for a in active if a.y1 - TOLERANCE > mark.y0]
        for other in active:
            if min(other.x1, mark.x1) - max(other.x0, mark.x0) > TOLERANCE:
                if other.what == "[image]" and mark.what == "[image]":
                    continue
                found.append((other, mark))
        active.append(mark)
    return found
