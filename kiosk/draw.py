"""The renderer: executes a display list onto any ``pygame.Surface`` (imperative shell).

Text is drawn with ``pygame.freetype`` straight onto the target surface (antialiased,
baseline-positioned), using the configured font files and the Simplified Chinese face.
FreeType keeps each glyph it has rendered in a cache per font and size, so drawing a page
whose characters were seen before only composites cached glyph bitmaps; measured, this is
faster than blitting pre-rendered line surfaces. Images come from an :class:`ImageCache`
(decoded and scaled once); QR codes are drawn with whole-pixel modules.

Nothing here imports or initialises the display: it works on off-screen surfaces, which
is how tests, ``kiosk render`` and the player's page pre-rendering use it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame
import pygame.freetype

from kiosk.config import FontConfig
from kiosk.displaylist import BASELINE, BoxOp, DisplayList, FontRole, ImageOp, Op, TextOp
from kiosk.fonts import drawing_face
from kiosk.images import ImageCache, MediaError, fit_rect
from kiosk.measure import FontMetrics, font_file
from kiosk.qr import QR_PREFIX, qr_geometry, qr_matrix
from kiosk.themes import Color, Theme

log = logging.getLogger(__name__)

QR_DARK: Color = (0, 0, 0)
QR_LIGHT: Color = (255, 255, 255)
PLACEHOLDER: Color = (128, 128, 128)


class Renderer:
    """Draws display lists. One instance per process; it owns the font faces, the image
    cache and a cache of QR surfaces."""

    def __init__(
        self,
        fonts: FontConfig | None = None,
        *,
        images: ImageCache | None = None,
        metrics: FontMetrics | None = None,
    ) -> None:
        self.fonts = fonts or FontConfig()
        self.metrics = metrics or FontMetrics(self.fonts)
        self.images = images or ImageCache()
        self._faces: dict[FontRole, Any] = {}
        self._qr: dict[tuple[str, int, int], Any] = {}
        self._failed: set[str] = set()

    # ------------------------------------------------------------------ fonts

    def face(self, role: FontRole) -> Any:
        f = self._faces.get(role)
        if f is None:
            # Shared per font file and face with the drawing settings (see drawing_face),
            # so making renderers never opens the font files again.
            path, index = font_file(self.fonts, role)
            f = drawing_face(path, index)
            self._faces[role] = f
        return f

    # ------------------------------------------------------------------ drawing

    def draw(self, surface: Any, ops: Iterable[Op], offset: tuple[int, int] = (0, 0)) -> None:
        """Execute ``ops`` onto ``surface``, shifted by ``offset`` (e.g. ``(-x, -y)`` to draw
        a region's operations onto a surface the size of that region)."""
        dx, dy = offset
        for op in ops:
            if isinstance(op, TextOp):
                if op.text:
                    face = self.face(op.font)
                    face.render_to(
                        surface,
                        (round(op.x + dx), round(op.y + dy + BASELINE * op.size)),
                        op.text,
                        op.color,
                        size=op.size,
                    )
            elif isinstance(op, BoxOp):
                x, y, w, h = op.rect
                pygame.draw.rect(
                    surface,
                    op.color,
                    pygame.Rect(x + dx, y + dy, w, h),
                    width=op.width,
                    border_radius=op.radius,
                )
            else:
                self._draw_image(surface, op, dx, dy)

    def _draw_image(self, surface: Any, op: ImageOp, dx: int, dy: int) -> None:
        x, y, w, h = op.rect
        if w <= 0 or h <= 0:
            return
        if op.source.startswith(QR_PREFIX):
            img = self._qr_surface(op.source[len(QR_PREFIX) :], w, h)
            gx, gy = x + (w - img.get_width()) // 2, y + (h - img.get_height()) // 2
            surface.blit(img, (gx + dx, gy + dy))
            return
        if op.background is not None:
            surface.fill(op.background, pygame.Rect(x + dx, y + dy, w, h))
        try:
            img, dest = self.images.get(op)
        except MediaError as exc:
            if op.source not in self._failed:
                self._failed.add(op.source)
                log.warning("render.image_failed %s", exc)
            pygame.draw.rect(surface, PLACEHOLDER, pygame.Rect(x + dx, y + dy, w, h), width=4)
            return
        surface.blit(img, (dest[0] + dx, dest[1] + dy))

    def _qr_surface(self, data: str, w: int, h: int) -> Any:
        key = (data, w, h)
        img = self._qr.get(key)
        if img is None:
            matrix = qr_matrix(data)
            geo = qr_geometry(matrix.modules, (0, 0, w, h))
            img = pygame.Surface((geo.size, geo.size))
            img.fill(QR_LIGHT)
            m = geo.module_px
            for r, row in enumerate(matrix.rows):
                c = 0
                n = len(row)
                while c < n:  # one rectangle per horizontal run of dark modules
                    if row[c]:
                        start = c
                        while c < n and row[c]:
                            c += 1
                        img.fill(QR_DARK, pygame.Rect(start * m, r * m, (c - start) * m, m))
                    else:
                        c += 1
            if len(self._qr) > 32:
                self._qr.clear()
            self._qr[key] = img
        return img

    def prepare(self, ops: DisplayList) -> None:
        """Decode/rasterise the images of a page now, ahead of its turn."""
        self.images.prepare(ops)

    # ------------------------------------------------------------------ conveniences

    def render(self, size: tuple[int, int], background: Color, *lists: Iterable[Op]) -> Any:
        """A new surface of ``size`` filled with ``background`` with each list drawn in turn."""
        surf = pygame.Surface(size)
        surf.fill(background)
        for ops in lists:
            self.draw(surf, ops)
        return surf

    def ticker_strip(self, text: str, height: int, theme: Theme, size: int | None = None) -> Any:
        """The ticker text rendered once onto a band-coloured strip ``height`` px tall.

        The strip holds the text followed by its own trailing gap, so the player scrolls it
        by blitting at ``-offset`` and again at ``strip_width - offset`` for a seamless loop.
        ``size`` defaults to the theme's ticker size for a screen of this band height.
        """
        px = size or max(8, round(height / 1.9))
        face = self.face("regular")
        measure = self.metrics.measure("regular", px)
        gap = px * 4
        width = max(1, round(measure(text)) + gap) if text else 1
        strip = pygame.Surface((width, height))
        strip.fill(theme.ticker_bg)
        if text:
            y = (height - px) / 2 + BASELINE * px
            face.render_to(strip, (0, round(y)), text, theme.ticker_text, size=px)
        return strip


def rotate_surface(surface: Any, degrees: int) -> Any:
    """The finished logical-size surface turned for a screen mounted at ``degrees``
    (clockwise, 0/90/180/270)."""
    deg = degrees % 360
    if deg == 0:
        return surface
    if deg not in (90, 180, 270):
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {degrees}")
    # pygame rotates counter-clockwise for positive angles.
    return pygame.transform.rotate(surface, -deg)


def fitted_image_rect(src: tuple[int, int], op: ImageOp) -> tuple[int, int, int, int]:
    """Where an image of ``src`` size lands for ``op`` (exposed for tests)."""
    return fit_rect(src, op.rect, op.fit)[0]
