"""Where the commands print: rich on a terminal, plain unwrapped lines elsewhere."""

from __future__ import annotations

import io
import sys

from rich.console import Console

# Wide enough that no line of a table is ever wrapped in a CI log, a pipe or a mail.
UNWRAPPED_WIDTH = 1000


class _TrimmedStdout(io.TextIOBase):
    """stdout without the trailing blanks that pad table cells (looked up at each write)."""

    def __init__(self) -> None:
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        sys.stdout.write("".join(line.rstrip() + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        sys.stdout.flush()


def console() -> Console:
    """A console for stdout: fitted to the window with colour on a terminal; elsewhere (CI
    logs, pipes, cron mail) plain text, never wrapped, without trailing blanks."""
    probe = Console(highlight=False)
    if probe.is_terminal:
        return probe
    return Console(
        file=_TrimmedStdout(),
        highlight=False,
        width=UNWRAPPED_WIDTH,
        no_color=True,
        emoji=False,
        force_terminal=False,
    )
