"""Text measurement with the real fonts (shell side of layout).

:class:`FontMetrics` gives layout the ``measure`` functions it needs — advance width in
pixels of a string in one font role and size — plus glyph coverage and face names. It
uses ``pygame.freetype`` (no display needed) with the configured files and face index
(the Simplified Chinese face of Noto CJK), caching each character's advance per
font/size, so measuring a 2,600-character notice costs dictionary look-ups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kiosk.config import FontConfig
from kiosk.displaylist import FontRole
from kiosk.fonts import face_name, missing_glyphs, open_face
from kiosk.text import measure as text_measure

Measure = Callable[[str], float]

ROLES: tuple[FontRole, ...] = ("regular", "bold", "title")


class TextMetrics(Protocol):
    """What layout needs to know about fonts. Implemented by :class:`FontMetrics`;
    tests may substitute a fixed-width fake."""

    def measure(self, font: FontRole, size: int) -> Measure: ...

    def missing(self, text: str, font: FontRole) -> list[str]: ...

    def face_name(self, font: FontRole) -> str: ...


def font_file(fonts: FontConfig, role: FontRole) -> tuple[str, int]:
    """(path, face index) of a font role."""
    if role == "bold":
        return fonts.bold, fonts.face_index
    if role == "title":
        return fonts.title, fonts.title_face_index
    return fonts.regular, fonts.face_index


class FontMetrics:
    """Advance widths from the configured fonts, cached per font role, size and character."""

    def __init__(self, fonts: FontConfig) -> None:
        self.fonts = fonts
        self._faces: dict[FontRole, Any] = {}
        self._measures: dict[tuple[FontRole, int], Measure] = {}
        self._missing: dict[FontRole, dict[str, bool]] = {}

    def face(self, role: FontRole) -> Any:
        f = self._faces.get(role)
        if f is None:
            path, index = font_file(self.fonts, role)
            f = open_face(path, index)
            self._faces[role] = f
        return f

    def measure(self, font: FontRole, size: int) -> Measure:
        """``measure(text) -> px`` for a font role and size: the text engine's cached
        per-character advances (also an additive measure for ``break_lines``)."""
        key = (font, size)
        m = self._measures.get(key)
        if m is None:
            path, index = font_file(self.fonts, font)
            m = self._measures[key] = text_measure.measure_for(path, index, size)
        return m

    def missing(self, text: str, font: FontRole) -> list[str]:
        seen = self._missing.setdefault(font, {})
        new = [c for c in dict.fromkeys(text) if c not in seen]
        if new:
            path, index = font_file(self.fonts, font)
            gone = set(missing_glyphs("".join(new), path, index))
            for c in new:
                seen[c] = c in gone
        return [c for c in dict.fromkeys(text) if seen.get(c)]

    def face_name(self, font: FontRole) -> str:
        path, index = font_file(self.fonts, font)
        return face_name(path, index)
