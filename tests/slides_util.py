"""Helpers for slide tests: contexts with the real fonts, background lookup, test media."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

from kiosk.config import FontConfig
from kiosk.displaylist import BoxOp, Op, Rect, TextOp
from kiosk.images import FileProbe
from kiosk.layout import LayoutContext
from kiosk.layout.samples import NOW
from kiosk.measure import FontMetrics
from kiosk.model import Frame, Ticker
from kiosk.themes import Color, Theme, get_theme

SIZES = [(1920, 1080), (1080, 1920), (1280, 720), (3840, 2160)]
UPDATED = date(2026, 11, 23)


@lru_cache(maxsize=1)
def metrics() -> FontMetrics:
    return FontMetrics(FontConfig())


def make_ctx(
    size: tuple[int, int] = (1920, 1080), theme: str | Theme = "civic", **kw: object
) -> LayoutContext:
    th = get_theme(theme) if isinstance(theme, str) else theme
    args: dict[str, object] = {
        "frame": Frame(office="红花尔基镇人民政府", phone="0470-8942932"),
        "ticker": Ticker(
            items=("冬季供暖保障热线：0470-8942932", "11月30日起办理城乡居民医保缴费")
        ),
        "now": NOW,
        "media": FileProbe(),
    }
    args.update(kw)
    return LayoutContext(size=size, theme=th, metrics=metrics(), **args)  # type: ignore[arg-type]


def _inside(rect: Rect, x: float, y: float) -> bool:
    rx, ry, rw, rh = rect
    return rx <= x <= rx + rw and ry <= y <= ry + rh


def background_under(ops: Sequence[Op], index: int, default: Color) -> Color:
    """The colour drawn under the centre of ``ops[index]`` by earlier filled boxes."""
    op = ops[index]
    assert isinstance(op, TextOp)
    cx, cy = op.x + op.width / 2, op.y + op.size / 2
    for prev in reversed(ops[:index]):
        if isinstance(prev, BoxOp) and prev.width == 0 and _inside(prev.rect, cx, cy):
            return prev.color
    return default


def make_photo(path: Path, size: tuple[int, int] = (1600, 900)) -> Path:
    """A deterministic test picture: gradient sky, a 'mountain', a sun."""
    from PIL import Image, ImageDraw

    w, h = size
    grad = Image.new("RGB", (1, 64))
    for y in range(64):
        grad.putpixel((0, y), (40 + 120 * y // 64, 90 + 100 * y // 64, 200 - 60 * y // 64))
    im = grad.resize((w, h), Image.Resampling.BILINEAR)
    d = ImageDraw.Draw(im)
    d.polygon(
        [
            (0, h),
            (w * 0.35, h * 0.35),
            (w * 0.7, h),
        ],
        fill=(50, 110, 60),
    )
    d.polygon([(w * 0.4, h), (w * 0.75, h * 0.45), (w, h * 0.8), (w, h)], fill=(30, 80, 45))
    d.ellipse([w * 0.75, h * 0.1, w * 0.88, h * 0.1 + w * 0.13], fill=(250, 220, 90))
    im.save(path)
    return path


def make_pdf(path: Path, pages: int = 3) -> Path:
    """A small multi-page PDF (A4 portrait pages with a heading bar and lines)."""
    from PIL import Image, ImageDraw

    ims = []
    for i in range(pages):
        im = Image.new("RGB", (595, 842), (255, 255, 255))
        d = ImageDraw.Draw(im)
        d.rectangle([40, 40, 555, 100], fill=(168, 22, 22))
        for k in range(12):
            d.rectangle([60, 140 + k * 48, 535 - (k % 3) * 60, 160 + k * 48], fill=(60, 60, 60))
        d.rectangle([60, 760, 60 + 40 * (i + 1), 790], fill=(0, 0, 0))
        ims.append(im)
    ims[0].save(path, "PDF", save_all=True, append_images=ims[1:], resolution=72.0)
    return path
