"""Warehouse -> bulletin contexts -> HTML (Jinja2) -> PDF (WeasyPrint)."""

from __future__ import annotations

from pathlib import Path

from pipeline.reference import Reference


def render_bulletins(
    warehouse: Path, out: Path, period: tuple[int, int], lang: str, reference: Reference
) -> list[Path]:
    return []
