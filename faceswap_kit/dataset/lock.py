"""One writer per face set: an extraction holds an exclusive lock on ``OUT_DIR/.lock`` while it
runs, so a second extraction into the same folder stops at once with a clear message instead of
writing faces under the same names (which lost one of the two clips).

The lock is an operating-system file lock (``fcntl.flock``; ``msvcrt.locking`` on Windows): it is
released when the process ends, however it ends, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import DatasetError
from .format import LOCK


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""


@contextlib.contextmanager
def faceset_lock(folder: Path) -> Iterator[None]:
    """Hold the face set ``folder`` (created when missing) for one writer.

    On exit the lock file is removed, and so is ``folder`` itself when this call created it and
    nothing else was written into it.

    Raises:
        DatasetError: another extraction is writing into ``folder``.
    """
    if folder.exists() and not folder.is_dir():
        raise DatasetError(f"output {str(folder)!r} is a file; give a folder for the face set")
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    for _ in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:  # a run that just finished removed the (empty) folder
            folder.mkdir(parents=True, exist_ok=True)
            continue
        if not _try_lock(fd):
            os.close(fd)
            raise DatasetError(
                f"face set {str(folder)!r} is being written by another extraction{_holder(path)}; "
                "wait for it to finish and run again (it resumes), or extract into another folder"
            )
        try:  # the lock file may have been removed by a run that just finished: lock the live one
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    else:  # pragma: no cover - twenty finished runs in a row between two system calls
        raise DatasetError(f"could not lock face set {str(folder)!r}; run again")
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still holding the lock: no one else can have taken this file
        os.close(fd)
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
