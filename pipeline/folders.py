"""The paths a command is given, checked before any work: each problem one ``Failure``.

A folder to read must exist, be a folder and be readable; a folder to write into must
exist or be creatable, and be writable; a file to read must be readable. The checks
try the operation itself (list, create, open) rather than ask ``os.access``, which says
yes to root even on a read-only file system or a FUSE mount that refuses.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from pipeline.failure import Failure, Phrase
from pipeline.labels import N_

_REASONS = {
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EROFS: N_("read-only file system"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.ENOENT: N_("it does not exist"),
    errno.ENOTDIR: N_("a file stands where a folder should be"),
    errno.EISDIR: N_("it is a folder"),
}


def reason(error: OSError, *, creating: bool = False) -> Phrase | str:
    """Why the system refused, in words the catalog translates (else the system's own)."""
    if creating and error.errno == errno.ENOENT:  # /proc, /sys: places that take no folder
        return Phrase(N_("no folder can be made there"))
    known = _REASONS.get(error.errno or 0)
    return Phrase(known) if known else (error.strerror or str(error))


def folder_to_read(path: Path, option: str) -> Path:
    """``path`` if it is a folder this user can list."""
    if not path.exists():
        raise Failure(
            N_("%(path)s does not exist: give %(option)s an existing folder."),
            path=path,
            option=option,
        )
    if not path.is_dir():
        raise Failure(
            N_("%(path)s is a file, not a folder: give %(option)s a folder."),
            path=path,
            option=option,
        )
    try:
        with os.scandir(path) as entries:
            next(entries, None)
    except OSError as exc:
        raise Failure(
            N_(
                "The folder %(path)s cannot be read (%(reason)s): let this user read it, "
                "or give %(option)s another folder."
            ),
            path=path,
            reason=reason(exc),
            option=option,
        ) from None
    return path


def no_file_in_the_way(path: Path, option: str) -> Path:
    """``path`` if no file stands where it or one of its parent folders should be."""
    blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
    if blocker == path:
        raise Failure(
            N_("%(path)s is a file, not a folder: give %(option)s a folder."),
            path=path,
            option=option,
        )
    if blocker is not None:
        raise Failure(
            N_("%(path)s cannot be a folder: %(file)s is a file. Give %(option)s another folder."),
            path=path,
            file=blocker,
            option=option,
        )
    return path


def folder_to_write(path: Path, option: str) -> Path:
    """``path``, created if need be, once a file could be written in it."""
    no_file_in_the_way(path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Failure(
            N_(
                "The folder %(path)s cannot be created (%(reason)s): give %(option)s a "
                "folder this user can write in."
            ),
            path=path,
            reason=reason(exc, creating=True),
            option=option,
        ) from None
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".probe-"):
            pass
    except OSError as exc:
        raise Failure(
            N_(
                "Nothing can be written in the folder %(path)s (%(reason)s): give %(option)s "
                "a folder this user can write in."
            ),
            path=path,
            reason=reason(exc),
            option=option,
        ) from None
    return path


def file_to_read(path: Path) -> Path:
    """``path`` if this user can open it for reading."""
    try:
        os.close(os.open(path, os.O_RDONLY))
    except OSError as exc:
        raise Failure(
            N_("%(path)s cannot be read (%(reason)s): let this user read it, then run again."),
            path=path,
            reason=reason(exc),
        ) from None
    return path
