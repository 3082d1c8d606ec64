"""Getting frames onto the physical screen, including rotation done in the app (KMS ignores the
firmware's rotation settings). The player draws on an upright logical canvas; the presenter
copies the changed rectangles to the screen, rotated when the config asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Rect = tuple[int, int, int, int]
ROTATIONS = (0, 90, 180, 270)


def logical_size(physical: tuple[int, int], rotation: int) -> tuple[int, int]:
    w, h = physical
    return (h, w) if rotation in (90, 270) else (w, h)


def map_rect(rect: Rect, logical: tuple[int, int], rotation: int) -> Rect:
    """Where a logical rectangle lands on the screen when the picture is turned ``rotation``
    degrees clockwise."""
    x, y, w, h = rect
    lw, lh = logical
    if rotation == 90:
        return (lh - y - h, x, h, w)
    if rotation == 180:
        return (lw - x - w, lh - y - h, w, h)
    if rotation == 270:
        return (y, lw - x - w, h, w)
    return rect


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = text.lower().replace("×", "x").split("x")
        size = (int(w), int(h))
    except ValueError:
        raise ValueError(f"尺寸应为 宽x高，例如 1920x1080 (size must be WxH): {text}") from None
    if not (64 <= size[0] <= 16384 and 64 <= size[1] <= 16384):
        raise ValueError(f"尺寸超出范围 (size out of range): {text}")
    return size


class Presenter:
    """``present(rects)``: push changed logical rectangles to the display."""

    def __init__(self, screen: Any, canvas: Any, rotation: int) -> None:
        self.screen = screen
        self.canvas = canvas
        self.rotation = rotation

    def __call__(self, rects: Sequence[Rect] | None) -> None:
        import pygame

        if self.rotation == 0:
            if rects is None:
                pygame.display.flip()
            else:
                pygame.display.update([pygame.Rect(r) for r in rects])
            return
        size = self.canvas.get_size()
        todo = [(0, 0, *size)] if rects is None else list(rects)
        out = []
        for r in todo:
            piece = pygame.transform.rotate(self.canvas.subsurface(r), -self.rotation)
            dest = map_rect(r, size, self.rotation)
            self.screen.blit(piece, dest[:2])
            out.append(pygame.Rect(dest))
        pygame.display.update(out)
