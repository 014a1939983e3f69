"""Read workbooks in worker processes that a bad file can kill without harm.

Some malformed files make the Rust reader abort the whole process, and others
make a reader expand gigabytes in memory. Every file is therefore read in a
forked worker with an address-space cap and a time limit; a worker that dies or
overruns is that one file's rejection, and a fresh worker takes its place. The
pool is sized to the cores and reused, so a file costs a message, not a process.
"""

from __future__ import annotations

import ctypes
import faulthandler
import gc
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TypeVar

from pipeline.progress import Advance
from pipeline.read import Workbook, read_workbook, workbook_identity

T = TypeVar("T")
R = TypeVar("R")

# A worker with pandas loaded reserves ~1.6 GB of address space while using ~100 MB:
# the cap is a runaway guard, measured to leave ordinary reads alone.
MEMORY_CAP = 3 * 1024**3
SECONDS_PER_FILE = 60.0

# Files in flight per worker: it reads the next while the run unpickles the last one
# (with one, each worker waited for the run between files and two gave no speed-up).
DEPTH = 2


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    jobs: deque[int] = field(default_factory=deque)  # files sent, the one being read first
    started: float = 0.0  # when it began the file being read


def read_all(
    paths: list[Path],
    raw_root: Path,
    lang: str,
    advance: Advance = lambda _n: None,
) -> list[Workbook]:
    """Read ``paths`` in isolated workers; results come back in the order of ``paths``.

    ``advance(1)`` is called as each file is done (for a progress bar).
    """
    if not paths:
        return []
    count = max(1, min(len(os.sched_getaffinity(0)), len(paths)))
    context = multiprocessing.get_context("fork")  # inherits the imported modules: fast start
    results: dict[int, Workbook] = {}
    pending = deque(range(len(paths)))
    pool = [_start(context) for _ in range(count)]
    # What comes back lives until the end of the run: the collector would walk the
    # growing heap again and again (a third of the run's own CPU while reading, measured).
    collecting = gc.isenabled()
    gc.disable()
    try:
        while len(results) < len(paths):
            for i, worker in enumerate(pool):
                if not worker.jobs and pending and not worker.process.is_alive():
                    pool[i] = worker = _start(context)
                while len(worker.jobs) < DEPTH and pending:
                    if not worker.jobs:
                        worker.started = time.monotonic()
                    worker.jobs.append(job := pending.popleft())
                    worker.conn.send((paths[job], raw_root, lang))
            busy = [w for w in pool if w.jobs]
            ready = wait([w.conn for w in busy], timeout=_next_deadline(busy))
            for i, worker in enumerate(pool):
                if not worker.jobs:
                    continue
                if worker.conn in ready:
                    try:
                        results[worker.jobs[0]] = worker.conn.recv()
                        worker.jobs.popleft()
                        worker.started = time.monotonic()  # it goes on with the next one
                        advance(1)
                        continue
                    except (EOFError, OSError):
                        verdict = "crashed"
                elif time.monotonic() - worker.started > SECONDS_PER_FILE:
                    verdict = "timeout"
                else:
                    continue
                # The file being read is the one to blame; the next goes to another worker.
                culprit = worker.jobs.popleft()
                results[culprit] = _lost(paths[culprit], raw_root, lang, verdict)
                advance(1)
                pending.extendleft(reversed(worker.jobs))
                worker.jobs.clear()
                _stop(worker)
                pool[i] = _start(context)
    finally:
        if collecting:
            gc.enable()
        for worker in pool:
            _stop(worker, gently=True)
    return [results[i] for i in range(len(paths))]


def _next_deadline(busy: list[_Worker]) -> float:
    now = time.monotonic()
    return max(0.0, min(w.started + SECONDS_PER_FILE - now for w in busy)) + 0.01


def _start(context: multiprocessing.context.BaseContext) -> _Worker:
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, os.getpid()), daemon=True)
    process.start()
    child.close()
    return _Worker(process, parent)


def _stop(worker: _Worker, gently: bool = False) -> None:
    if gently and worker.process.is_alive():
        try:
            worker.conn.send(None)
            worker.process.join(timeout=2)
        except (BrokenPipeError, OSError):
            pass
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.conn.close()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def fork_map(work: Callable[[T], R], items: list[T], advance: Advance = lambda _n: None) -> list[R]:
    """``[work(item) for item in items]`` over a fork pool sized to the cores, in order.

    For trusted work (rendering, writing workbooks): no caps, but every worker dies
    with the run. ``advance(1)`` is called as each item is done.
    """
    workers = min(len(os.sched_getaffinity(0)), len(items))
    done: list[R] = []
    if workers < 2:
        for item in items:
            done.append(work(item))
            advance(1)
        return done
    context = multiprocessing.get_context("fork")
    # Frozen, the parent's objects are left alone by the workers' garbage collector, so
    # their pages stay shared instead of being copied into every worker.
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            # Items go four at a time (fewer messages), but never so many that a worker
            # is left idle: two halves of a validation are one item each.
            chunk = max(1, min(4, len(items) // (2 * workers)))
            for result in pool.map(work, items, chunksize=chunk):
                done.append(result)
                advance(1)
    finally:
        gc.unfreeze()
    return done


def die_with_parent(parent: int) -> None:
    """Make this worker die when the run that forked it dies (even by kill -9).

    An orphaned worker would go on writing into the building folders and keep the run's
    lock (it shares the lock's file description), refusing the next run.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _serve(conn: Connection, parent: int) -> None:
    """Worker loop: read one file per message until told to stop."""
    die_with_parent(parent)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    # A reader that aborts prints its backtrace here; the clerk gets the file's verdict instead.
    faulthandler.disable()  # it writes to a saved copy of stderr the redirect below misses
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    while (job := conn.recv()) is not None:
        path, raw_root, lang = job
        try:
            book = read_workbook(path, raw_root, lang)
        except MemoryError:
            book = _lost(path, raw_root, lang, "memory")
        conn.send(book)


def _lost(path: Path, raw_root: Path, lang: str, verdict: str) -> Workbook:
    """The rejection of a file whose reading killed, starved or stalled its worker."""
    book = workbook_identity(path, raw_root)
    book.file_problem("damaged-file", lang, verdict)
    return book
