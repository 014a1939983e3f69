"""Rebuild pipeline/locale/vi/LC_MESSAGES/messages.po from the templates and keep translations.

Run after adding a ``_("...")`` string: ``python scripts/update_catalog.py``; then
fill in the new ``msgstr`` entries (the test suite fails while one is empty).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "pipeline" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"
POT = ROOT / "build" / "messages.pot"


def main() -> None:
    POT.parent.mkdir(exist_ok=True)
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "extract",
            "-F",
            ROOT / "babel.cfg",
            "-k",
            "_",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            POT,
            ROOT,
        ],
        check=True,
        capture_output=True,
    )
    with POT.open("rb") as handle:
        template = read_po(handle)
    old = {}
    if PO.exists():
        with PO.open("rb") as handle:
            old = {m.id: m.string for m in read_po(handle) if m.id}
    template.locale = "vi"
    for message in template:
        if message.id:
            message.string = old.get(message.id, "")
    with PO.open("wb") as handle:
        write_po(handle, template, omit_header=True, sort_output=True, width=100)


if __name__ == "__main__":
    main()
