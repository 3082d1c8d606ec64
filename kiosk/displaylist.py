"""Display lists: what a slide draws, as plain immutable data.

Layout (pure) produces a :data:`DisplayList`; the renderer (:mod:`kiosk.draw`) executes it
onto any ``pygame.Surface``. Coordinates are logical screen pixels (before rotation), with
the origin at the top-left of the screen.

Text geometry: a :class:`TextOp` occupies the box ``(x, y, width, size)`` — ``y`` is the top
of the ideographic em box and the baseline lies at ``y + BASELINE * size``, so CJK
characters sit inside ``[y, y + size]``. ``width`` is the advance width measured at layout
time with the same font, so tests can check that nothing overflows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

from kiosk.themes import Color

Rect: TypeAlias = tuple[int, int, int, int]  # x, y, w, h
FontRole = Literal["regular", "bold", "title"]
ImageFit = Literal["contain", "cover", "stretch", "pixel"]

# Baseline position within the em box for Noto CJK (ideographic em box: 0.88 above the
# baseline, 0.12 below).
BASELINE = 0.88


@dataclass(frozen=True)
class TextOp:
    """One run of text on one line, drawn in one font, size and colour."""

    text: str
    x: float
    y: float
    size: int
    color: Color
    font: FontRole = "regular"
    role: str = "body"
    width: float = 0.0

    @property
    def rect(self) -> Rect:
        return (round(self.x), round(self.y), round(self.width), self.size)


@dataclass(frozen=True)
class BoxOp:
    """A filled (``width == 0``) or outlined rectangle, optionally with rounded corners."""

    rect: Rect
    color: Color
    radius: int = 0
    width: int = 0


@dataclass(frozen=True)
class ImageOp:
    """An image fitted into ``rect``.

    ``source`` is a file path, ``"qr:<data>"`` (a QR code drawn crisply with whole-pixel
    modules, dark on light) or ``"pdf:<path>#<page>"`` (page index from 0, rasterised and
    cached by :mod:`kiosk.images`). ``fit``: ``contain`` (whole image, letterboxed),
    ``cover`` (fill, cropped), ``stretch``, or ``pixel`` (QR: largest whole-pixel scale,
    centred).
    """

    rect: Rect
    source: str
    fit: ImageFit = "contain"
    background: Color | None = None  # letterbox fill behind a contained image


Op: TypeAlias = TextOp | BoxOp | ImageOp
DisplayList: TypeAlias = tuple[Op, ...]


def text_ops(ops: Iterable[Op]) -> Iterator[TextOp]:
    return (op for op in ops if isinstance(op, TextOp))


def op_bounds(op: Op) -> Rect:
    """The rectangle an operation draws into (text: its em-box row)."""
    if isinstance(op, TextOp):
        return op.rect
    return op.rect


def contains(outer: Rect, inner: Rect, slack: int = 0) -> bool:
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return (
        ix >= ox - slack
        and iy >= oy - slack
        and ix + iw <= ox + ow + slack
        and iy + ih <= oy + oh + slack
    )


def translate(ops: Iterable[Op], dx: float, dy: float) -> DisplayList:
    """The same operations moved by ``(dx, dy)``."""
    out: list[Op] = []
    for op in ops:
        if isinstance(op, TextOp):
            out.append(
                TextOp(op.text, op.x + dx, op.y + dy, op.size, op.color, op.font, op.role, op.width)
            )
        elif isinstance(op, BoxOp):
            x, y, w, h = op.rect
            out.append(BoxOp((round(x + dx), round(y + dy), w, h), op.color, op.radius, op.width))
        else:
            x, y, w, h = op.rect
            out.append(
                ImageOp((round(x + dx), round(y + dy), w, h), op.source, op.fit, op.background)
            )
    return tuple(out)
