"""What a rerun can reuse: validated returns by file, rendered files by content.

Everything lives in ``<out>/.cache/`` and is only ever an optimisation: a missing,
stale or unreadable entry means the work is done again, never a different result.
Entries are written to a temporary name and renamed, so a killed run leaves either
the old entry or the new one. Keys hash everything the result depends on: the
bytes of the input, the code and templates that made it, and the run's settings
(language, date, province), so a change anywhere misses the cache.

Two stores:

- ``IngestCache``: the validated outcome of the last run, per file. A file whose
  name, modification time and sha256 are unchanged is neither read nor validated
  again.
- ``OutputCache``: the warehouse, bulletins and feedback workbooks by key; a hit
  is copied into the folder being built.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
CACHE = ".cache"


def digest(*parts: Any) -> str:
    """A stable hash of ``parts``: bytes as they are, anything else by its pickle.

    The pickle is made without its memo, so equal values give equal bytes however their
    objects are shared (a value read from the cache and the same value made afresh).
    Keys must hold no sets: their order changes from one process to the next.
    """
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else _pickled(part)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _pickled(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: the bytes depend on the values only
    pickler.dump(value)
    return buffer.getvalue()


# The packages whose versions can change a result: readers, validation, rendering.
PACKAGES = (
    *("python-calamine", "pandas", "pandera", "duckdb", "xlsxwriter", "openpyxl"),
    *("weasyprint", "pydyf", "jinja2", "babel", "matplotlib", "tinycss2", "cssselect2"),
)


@cache
def code_digest() -> str:
    """A hash of the project's code, SQL, schemas and templates and of package versions.

    Part of every key: any change to what makes a result misses the cache.
    """
    files = sorted(
        p
        for folder in ("pipeline", "schemas", "templates")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    )
    return digest(
        *(p.relative_to(ROOT).as_posix().encode() + b"\x00" + p.read_bytes() for p in files),
        *(f"{name}=={version(name)}" for name in PACKAGES),
    )


# The system libraries that lay out and draw text; an upgrade of any changes the PDFs.
_DRAWING_LIBRARIES = re.compile(r"/lib(pango|harfbuzz|fontconfig|freetype|fribidi|thai|png)[^/]*$")


@cache
def drawing_digest() -> str:
    """A hash of what draws the bulletins outside Python: the text-layout libraries loaded
    (Pango, HarfBuzz, fontconfig, FreeType…) and every font file fontconfig knows, by path,
    size and modification time. Part of the bulletins' keys: after a system upgrade they
    are drawn again rather than copied from the cache.
    """
    from weasyprint.text.ffi import ffi, fontconfig, pango  # loads the libraries

    maps = Path("/proc/self/maps")
    mapped = maps.read_text().split() if maps.exists() else []
    libraries = sorted({p for p in mapped if p.startswith("/") and _DRAWING_LIBRARIES.search(p)})
    config = fontconfig.FcInitLoadConfigAndFonts()
    fonts: list[str] = []
    try:
        fontset = fontconfig.FcConfigGetFonts(config, 0)  # FcSetSystem
        found = ffi.new("FcChar8 **")
        for i in range(fontset.nfont if fontset != ffi.NULL else 0):
            if fontconfig.FcPatternGetString(fontset.fonts[i], b"file", 0, found) == 0:
                fonts.append(ffi.string(found[0]).decode(errors="replace"))
    finally:
        fontconfig.FcConfigDestroy(config)
    return digest(pango.pango_version(), *(_identity(p) for p in libraries + sorted(set(fonts))))


def _identity(path: str) -> str:
    try:
        stat = Path(path).stat()
    except OSError:
        return f"{path} missing"
    return f"{path} {stat.st_size} {stat.st_mtime_ns}"


def folder_digest(folder: Path) -> str:
    """A hash of the names and bytes of the files directly in ``folder``."""
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return digest(*(p.name.encode() + b"\x00" + p.read_bytes() for p in files))


def _write_atomically(target: Path, write: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class IngestCache:
    """The last run's validated files, reused file by file."""

    def __init__(self, out: Path, fingerprint: str) -> None:
        self.path = out / CACHE / "ingest.pickle"
        self.fingerprint = fingerprint

    def load(self) -> Any | None:
        """The stored value when it was made with the same fingerprint, else None."""
        try:
            with self.path.open("rb") as stream:
                stored = pickle.load(stream)  # written only by this module, in our out folder
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        if not isinstance(stored, dict) or stored.get("fingerprint") != self.fingerprint:
            return None
        return stored.get("value")

    def store(self, value: Any) -> None:
        stored = {"fingerprint": self.fingerprint, "value": value}
        _write_atomically(
            self.path, lambda stream: pickle.dump(stored, stream, pickle.HIGHEST_PROTOCOL)
        )
        for leftover in self.path.parent.glob(".tmp-*"):  # from a run killed while writing
            leftover.unlink(missing_ok=True)


class OutputCache:
    """Files by key: a key names everything the file was made from."""

    def __init__(self, out: Path, kind: str) -> None:
        self.folder = out / CACHE / kind
        self.used: set[str] = set()

    @staticmethod
    def key(*parts: Any) -> str:
        """The one way keys are made: the project's code and package versions, then
        ``parts`` (the inputs and settings of one output)."""
        return digest(code_digest(), *parts)

    def fetch(self, key: str, target: Path) -> bool:
        """Copy the file stored under ``key`` to ``target``; False when there is none."""
        try:
            shutil.copyfile(self.folder / key, target)
        except OSError:
            return False
        self.used.add(key)
        return True

    def keep(self, key: str, source: Path) -> None:
        with source.open("rb") as original:
            _write_atomically(self.folder / key, partial(shutil.copyfileobj, original))
        self.used.add(key)

    def prune(self) -> None:
        """Forget entries this run did not use: the cache holds one run's outputs."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in self.used:
                entry.unlink(missing_ok=True)


def reuse_or_make(
    cache: OutputCache | None,
    items: Sequence[T],
    key: Callable[[T], str],
    paths: Callable[[T], Sequence[Path]],
    make: Callable[[list[T]], object],
) -> list[T]:
    """Give every item its files: copied from ``cache`` when all of them are stored under
    the item's key (one entry per file suffix), else made by ``make`` (called once, with
    every item to make, so they can share a worker pool) and then stored. Returns the
    items that were made.
    """
    keys = {id(item): key(item) for item in items} if cache is not None else {}

    def reused(item: T) -> bool:
        return cache is not None and all(
            cache.fetch(keys[id(item)] + path.suffix, path) for path in paths(item)
        )

    missing = [item for item in items if not reused(item)]
    if missing:
        make(missing)
    if cache is not None:
        for item in missing:
            for path in paths(item):
                cache.keep(keys[id(item)] + path.suffix, path)
    return missing
