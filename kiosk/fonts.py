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


@lru_cache(maxsize=64)
def open_face(path: str, face_index: int, size: int = 32) -> Any:
    """A ``pygame.freetype.Font`` for one face of a font file (cached per path/face/size)."""
    if not os.path.isfile(path):
        raise FontError(f"字体文件不存在 (font file not found): {path}")
    try:
        return _freetype().Font(path, size, font_index=face_index)
    except (OSError, ValueError) as exc:  # pygame raises OSError for bad files / indices
        raise FontError(f"无法打开字体 (cannot open font) {path} face {face_index}: {exc}") from exc


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
