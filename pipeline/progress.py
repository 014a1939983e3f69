"""Progress of the long steps, for whoever shows it: a bar on a terminal, nothing elsewhere.

The job knows nothing of terminals: it calls ``progress(stage, total)`` when a step
starts and the returned ``advance(n)`` as items are done. The command line passes
:func:`bars` on a terminal; CI logs and cron mail stay quiet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import (
    Progress as RichProgress,
)

Advance = Callable[[int], None]
Progress = Callable[[str, int], Advance]  # (stage, number of items) -> advance(n)


def quiet(_stage: str, _total: int) -> Advance:
    return _nothing


def _nothing(_n: int) -> None:
    return None


@contextlib.contextmanager
def bars(console: Console | None = None) -> Iterator[Progress]:
    """A rich progress bar per stage, on stderr, left on screen when done."""
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=console or Console(stderr=True)) as shown:

        def stage(name: str, total: int) -> Advance:
            task = shown.add_task(name, total=total)
            return lambda n: shown.advance(task, n)

        yield stage
