"""Text measurement with real fonts (the shell around the pure layout).

``measure_for(font_path, face_index, size)`` returns a :class:`FaceMeasure`: a callable
``measure(text) -> px`` that is also an :class:`~kiosk.text.linebreak.AdditiveMeasure`
(``advances(text)``), so :func:`~kiosk.text.linebreak.break_lines` never re-measures a line.

Widths are the fonts' horizontal advances as pygame.freetype lays them out (hinted, whole
pixels, kerning off — the renderer's settings), so a line measured here is exactly as wide
as it is drawn.  Each character's advance is measured once per face and size and kept in a
dict; Latin/digit runs are measured as whole strings when the font kerns.  pygame is
imported only when a font is first opened.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from kiosk.text.linebreak import LATIN_RUN_RE

Opener = Callable[[str, int, int], Any]


def _default_opener(path: str, face_index: int, size: int) -> Any:
    from kiosk.fonts import open_face

    return open_face(path, face_index, size)


def fresh_opener(path: str, face_index: int, size: int) -> Any:
    """Open a new ``pygame.freetype.Font`` (no shared glyph cache) — for cold benchmarks."""
    from kiosk.fonts import _freetype

    return _freetype().Font(path, size, font_index=face_index)


class FaceMeasure:
    """Advance widths of one face at one size, cached per character (and per Latin run
    when the font kerns)."""

    def __init__(self, font: Any, size: int) -> None:
        self.font = font
        self.size = size
        self._adv: dict[str, float] = {}
        self._runs: dict[str, float] = {}
        self.kerning = bool(getattr(font, "kerning", False))

    def _fill(self, chars: str) -> None:
        missing = "".join(c for c in dict.fromkeys(chars) if c not in self._adv)
        if not missing:
            return
        metrics = self.font.get_metrics(missing, size=self.size)
        for c, m in zip(missing, metrics, strict=True):
            # A glyph the face lacks (reported elsewhere as missing) is reserved a full em.
            self._adv[c] = float(m[4]) if m is not None else float(self.size)

    def _run_delta(self, run: str, plain: float) -> float:
        """Kerning correction of a Latin run: its kerned width minus the plain sum."""
        w = self._runs.get(run)
        if w is None:
            f = self.font
            kerned = f.get_rect(run, size=self.size).width
            f.kerning = False
            try:
                unkerned = f.get_rect(run, size=self.size).width
            finally:
                f.kerning = True
            w = self._runs[run] = plain + (kerned - unkerned)
        return w - plain

    def advances(self, text: str) -> Sequence[float]:
        adv = self._adv
        try:
            out = [adv[c] for c in text]
        except KeyError:
            self._fill(text)
            out = [adv[c] for c in text]
        if self.kerning:
            for m in LATIN_RUN_RE.finditer(text):
                s, e = m.span()
                out[e - 1] += self._run_delta(m.group(), sum(out[s:e]))
        return out

    def __call__(self, text: str) -> float:
        return float(sum(self.advances(text)))

    def clear(self) -> None:
        self._adv.clear()
        self._runs.clear()

    def __len__(self) -> int:
        return len(self._adv)


class MeasureCache:
    """One :class:`FaceMeasure` per (font path, face, size), the most recently used
    ``limit`` of them; ``clear()`` makes the next layout cold again.  ``opener`` opens a
    font (default: :func:`kiosk.fonts.open_face`, one shared font object per file and face,
    so the number of sizes measured never grows the number of open files)."""

    def __init__(self, opener: Opener | None = None, limit: int = 256) -> None:
        self._opener = opener or _default_opener
        self._measures: OrderedDict[tuple[str, int, int], FaceMeasure] = OrderedDict()
        self.limit = limit

    def measure_for(self, font_path: str, face_index: int, size: int) -> FaceMeasure:
        key = (font_path, face_index, size)
        m = self._measures.get(key)
        if m is None:
            m = self._measures[key] = FaceMeasure(self._opener(font_path, face_index, size), size)
            while len(self._measures) > self.limit:
                self._measures.popitem(last=False)
        else:
            self._measures.move_to_end(key)
        return m

    def clear(self) -> None:
        self._measures.clear()

    def __len__(self) -> int:
        return len(self._measures)


_shared = MeasureCache()


def measure_for(font_path: str, face_index: int, size: int) -> FaceMeasure:
    """The process-wide cached measure for a face at a size."""
    return _shared.measure_for(font_path, face_index, size)


def clear_caches() -> None:
    """Forget every cached width in the process-wide cache."""
    _shared.clear()
