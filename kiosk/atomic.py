"""Crash-safe file replacement: readers see the old file or the new one, never a mix."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def fsync_dir(path: str | os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(
    path: str | os.PathLike[str], data: bytes, mode: int = 0o644, *, durable: bool = True
) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, rename it over ``path``
    and fsync the directory. ``durable=False`` skips both fsyncs: readers still see the old
    file or the new one, but a power cut may lose the update (for frequently rewritten,
    advisory files such as the player's status, to spare the SD card)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(target.parent)


def write_json_atomic(
    path: str | os.PathLike[str], obj: Any, mode: int = 0o644, *, durable: bool = True
) -> None:
    data = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"
    write_atomic(path, data, mode, durable=durable)
