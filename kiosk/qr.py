"""QR codes for notice and guide URLs (pure: data in, module matrix and geometry out).

Uses segno (a well-kept, pure-Python QR encoder). The renderer turns the matrix into a
surface with whole-pixel modules so phone cameras read it from a metre or two away.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

QR_PREFIX = "qr:"
QUIET_ZONE = 2  # modules of light border drawn around the symbol (spec asks 4; we add a
# white panel around it in the layout, so 2 inside the image keeps the code larger)


@dataclass(frozen=True)
class QrMatrix:
    """Rows of booleans (True = dark module), quiet zone included."""

    rows: tuple[tuple[bool, ...], ...]

    @property
    def modules(self) -> int:
        return len(self.rows)


@lru_cache(maxsize=64)
def qr_matrix(data: str, border: int = QUIET_ZONE) -> QrMatrix:
    """The QR symbol for ``data`` (error correction at least M, boosted when it costs no size)."""
    if not data:
        raise ValueError("QR data must not be empty")
    import segno  # imported on first use: it brings urllib and xml, not needed before a QR

    code = segno.make(data, error="m", micro=False)
    rows = tuple(tuple(bool(v) for v in row) for row in code.matrix_iter(scale=1, border=border))
    return QrMatrix(rows)


@dataclass(frozen=True)
class QrGeometry:
    module_px: int
    x: int
    y: int
    size: int  # side in px of the whole symbol (modules × module_px)


def qr_geometry(modules: int, box: tuple[int, int, int, int]) -> QrGeometry:
    """Largest whole-pixel module size that fits ``box``, centred in it."""
    bx, by, bw, bh = box
    module_px = max(1, min(bw, bh) // modules)
    side = module_px * modules
    return QrGeometry(module_px, bx + (bw - side) // 2, by + (bh - side) // 2, side)


def qr_source(data: str) -> str:
    """The :class:`kiosk.displaylist.ImageOp` source string for a QR code of ``data``."""
    return QR_PREFIX + data
