"""Atomic file writes: a temporary file in the same folder, flushed and synced, then renamed into
place. A crash or a full disk at any moment leaves either the old file or the new one under the
name, never half of one."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


def write_bytes_atomic(path: str | os.PathLike, payload: bytes, sync: bool = True) -> Path:
    """Write ``payload`` to ``path`` atomically.

    Args:
        path: the file to (re)place; its folder must exist.
        payload: the bytes.
        sync: fsync before the rename (turn off only when a caller syncs many files at once).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_bytes_atomic(target, b"hi").read_bytes()
    b'hi'
    """
    path = Path(path)
    # The temporary name is unique to this process and thread, so no other writer can hold it;
    # a leftover from a crashed run under a reused id is replaced. (Cheaper than tempfile's
    # random names: this runs twice per face during extraction.)
    tmp = path.parent / f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, 0o644)
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(
    path: str | os.PathLike, data: Any, indent: int | None = 2, sync: bool = True
) -> Path:
    """Write ``data`` as JSON (UTF-8, trailing newline) to ``path`` atomically."""
    separators = (",", ":") if indent is None else None
    text = json.dumps(data, indent=indent, separators=separators, default=str) + "\n"
    return write_bytes_atomic(path, text.encode("utf-8"), sync=sync)
