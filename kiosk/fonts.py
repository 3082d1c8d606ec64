"""Loading CJK fonts by explicit path and face, and checking glyph coverage.

Debian's ``fonts-noto-cjk`` ships .ttc collections whose face 0 is the Japanese design;
the Simplified Chinese face is index 2. ``pygame.font.Font`` always opens face 0, so we
use ``pygame.freetype.Font(path, size, font_index=...)`` and check the face name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

# Characters that never need a glyph (layout handles them).
_IGNORED = frozenset("\n\r\t\u200b\ufeff")


class FontError(Exception):
    pass


def _freetype() -> Any:
    import pygame.freetype

    if not pygame.freetype.get_init():
        pygame.freetype.init()
    return pygame.freetype


def open_face(path: str, face_index: int, size: int = 32) -> Any:
    """The shared ``pygame.freetype.Font`` for one face of a font file.

    One object per (path, face), whatever the size: FreeType renders and measures at any
    size given per call (``size=``), and every ``Font`` object keeps its file open, so one
    per size would leak a file descriptor for each size autofit tries. ``size`` is accepted
    for callers' convenience and ignored: the shared face's default size stays 32, so every
    caller passes the size it measures at.
    """
    del size
    return _shared_face(path, face_index)


@lru_cache(maxsize=16)
def _shared_face(path: str, face_index: int) -> Any:
    return _open(path, face_index, 32)


def _open(path: str, face_index: int, size: int) -> Any:
    if not os.path.isfile(path):
        raise FontError(f"字体文件不存在 (font file not found): {path}")
    try:
        return _freetype().Font(path, size, font_index=face_index)
    except (OSError, ValueError) as exc:  # pygame raises OSError for bad files / indices
        raise FontError(f"无法打开字体 (cannot open font) {path} face {face_index}: {exc}") from exc


@lru_cache(maxsize=16)
def drawing_face(path: str, face_index: int) -> Any:
    """A second shared ``Font`` per (path, face) with the renderer's drawing settings
    (baseline origin, antialiasing, no kerning, no padding), kept apart from
    :func:`open_face` so those settings never change what measuring code sees."""
    f = _open(path, face_index, 32)
    f.origin = True
    f.antialiased = True
    f.kerning = False  # layout measures plain advances; draw the same
    f.pad = False
    return f


def face_name(path: str, face_index: int) -> str:
    """The face's full name, e.g. ``Noto Sans CJK SC Regular``."""
    f = open_face(path, face_index)
    return f"{f.name} {f.style_name}".strip() if getattr(f, "style_name", "") else str(f.name)


def missing_glyphs(text: str | Iterable[str], path: str, face_index: int) -> list[str]:
    """Characters of ``text`` the face cannot draw, each once, in order of first use."""
    font = open_face(path, face_index)
    chars = "".join(text) if not isinstance(text, str) else text
    seen: dict[str, None] = {}
    unique = [c for c in dict.fromkeys(chars) if c not in _IGNORED and not c.isspace()]
    if not unique:
        return []
    metrics = font.get_metrics("".join(unique))
    for ch, m in zip(unique, metrics, strict=True):
        if m is None:
            seen[ch] = None
    return list(seen)
