"""Images and PDF pages for slides: fitting geometry (pure), probing, loading, scaling once
and caching (shell).

* :func:`fit_rect` — where an image of a given size lands in a box for ``contain`` /
  ``cover`` / ``stretch`` (pure).
* :class:`FileProbe` — image sizes and PDF page counts for layout, read lazily from the
  file headers (no full decode) and cached by path and modification time.
* :class:`ImageCache` — decoded, scaled surfaces ready to blit, keyed by source, target
  size and fit. Large photos are decoded once (JPEG draft mode), EXIF-rotated, cropped and
  resampled once with Lanczos, never per frame. PDF pages are rasterised with pypdfium2 at
  exactly the size they are shown (crisp text), optionally also kept on disk.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from kiosk.displaylist import ImageFit, ImageOp, Rect

log = logging.getLogger(__name__)

PDF_PREFIX = "pdf:"
MAX_PIXELS = 50_000_000  # refuse to decode images larger than this (decompression bombs)
MAX_PDF_PAGES = 200


class MediaError(Exception):
    """An image or PDF that cannot be shown (missing, unreadable, too large)."""


# ----------------------------------------------------------------------------- pure


def fit_rect(src: tuple[int, int], box: Rect, fit: ImageFit) -> tuple[Rect, Rect]:
    """``(dest, crop)``: the screen rectangle the image occupies inside ``box`` and the
    part of the source (in source pixels) shown there.

    ``contain`` shows the whole image centred with letterboxing; ``cover`` fills the box
    and crops the overflow symmetrically; ``stretch`` fills the box ignoring proportions;
    ``pixel`` scales by a whole factor (at least 1) and centres, for pixel-exact images.
    """
    sw, sh = src
    bx, by, bw, bh = box
    if sw <= 0 or sh <= 0 or bw <= 0 or bh <= 0:
        return (bx, by, 0, 0), (0, 0, max(sw, 0), max(sh, 0))
    full: Rect = (0, 0, sw, sh)
    if fit == "stretch":
        return box, full
    if fit == "pixel":
        k = max(1, min(bw // sw, bh // sh))
        dw, dh = sw * k, sh * k
        return (bx + (bw - dw) // 2, by + (bh - dh) // 2, dw, dh), full
    if fit == "cover":
        scale = max(bw / sw, bh / sh)
        cw = min(sw, max(1, round(bw / scale)))
        ch = min(sh, max(1, round(bh / scale)))
        return box, ((sw - cw) // 2, (sh - ch) // 2, cw, ch)
    scale = min(bw / sw, bh / sh)
    dw = max(1, min(bw, round(sw * scale)))
    dh = max(1, min(bh, round(sh * scale)))
    return (bx + (bw - dw) // 2, by + (bh - dh) // 2, dw, dh), full


def pdf_source(path: str, page: int) -> str:
    return f"{PDF_PREFIX}{path}#{page}"


def parse_pdf_source(source: str) -> tuple[str, int]:
    """``"pdf:/a/b.pdf#3"`` → ``("/a/b.pdf", 3)``."""
    body = source[len(PDF_PREFIX) :]
    path, _, page = body.rpartition("#")
    if not path or not page.isdigit():
        raise ValueError(f"bad pdf source: {source!r}")
    return path, int(page)


# ----------------------------------------------------------------------------- probing


class MediaProbe(Protocol):
    def image_size(self, path: str) -> tuple[int, int]:
        """Displayed size (after EXIF rotation); raises :class:`MediaError`."""
        ...

    def pdf_pages(self, path: str) -> int:
        """Number of pages; raises :class:`MediaError`."""
        ...


def _pil() -> Any:
    from PIL import Image

    return Image


def _mtime_key(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError as exc:
        raise MediaError(f"文件不存在或不可读 (missing or unreadable): {path}") from exc
    return (path, st.st_mtime_ns, st.st_size)


class FileProbe:
    """Reads image dimensions and PDF page counts from files (cached)."""

    def __init__(self) -> None:
        self._sizes: dict[tuple[str, int, int], tuple[int, int]] = {}
        self._pages: dict[tuple[str, int, int], int] = {}

    def image_size(self, path: str) -> tuple[int, int]:
        key = _mtime_key(path)
        if key not in self._sizes:
            Image = _pil()
            try:
                with Image.open(path) as im:
                    w, h = im.size
                    orientation = im.getexif().get(274, 1)
            except (OSError, ValueError, Image.DecompressionBombError) as exc:
                raise MediaError(f"无法读取图片 (cannot read image) {path}: {exc}") from exc
            if w * h > MAX_PIXELS:
                raise MediaError(f"图片过大 (image too large) {path}: {w}×{h}")
            self._sizes[key] = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
        return self._sizes[key]

    def pdf_pages(self, path: str) -> int:
        key = _mtime_key(path)
        if key not in self._pages:
            import pypdfium2

            try:
                doc = pypdfium2.PdfDocument(path)
                try:
                    n = len(doc)
                finally:
                    doc.close()
            except (pypdfium2.PdfiumError, OSError) as exc:
                raise MediaError(f"无法读取 PDF (cannot read PDF) {path}: {exc}") from exc
            if n < 1:
                raise MediaError(f"PDF 没有页面 (no pages): {path}")
            self._pages[key] = min(n, MAX_PDF_PAGES)
        return self._pages[key]


# ----------------------------------------------------------------------------- loading


def load_image_scaled(path: str, box_size: tuple[int, int], fit: ImageFit) -> Any:
    """A Pillow image of ``path`` cropped and resampled for ``box_size`` under ``fit``."""
    Image = _pil()
    from PIL import ImageOps

    try:
        with Image.open(path) as im:
            if im.size[0] * im.size[1] > MAX_PIXELS:
                raise MediaError(f"图片过大 (image too large) {path}: {im.size[0]}×{im.size[1]}")
            bw, bh = box_size
            # Let the JPEG decoder downscale by a power of two when the box is much smaller.
            im.draft("RGB", (max(1, bw), max(1, bh)))
            im = ImageOps.exif_transpose(im)
            im.load()
    except MediaError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MediaError(f"无法读取图片 (cannot read image) {path}: {exc}") from exc
    mode = "RGBA" if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info else "RGB"
    im = im.convert(mode)
    dest, crop = fit_rect(im.size, (0, 0, *box_size), fit)
    cx, cy, cw, ch = crop
    if (cx, cy, cw, ch) != (0, 0, *im.size):
        im = im.crop((cx, cy, cx + cw, cy + ch))
    if im.size != (dest[2], dest[3]):
        im = im.resize((dest[2], dest[3]), Image.Resampling.LANCZOS)
    return im


def rasterise_pdf_page(path: str, page: int, box_size: tuple[int, int]) -> Any:
    """Page ``page`` (from 0) of a PDF as a Pillow RGB image fitted inside ``box_size``."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(path)
    except (pypdfium2.PdfiumError, OSError) as exc:
        raise MediaError(f"无法读取 PDF (cannot read PDF) {path}: {exc}") from exc
    try:
        if not 0 <= page < len(doc):
            raise MediaError(f"PDF 没有第 {page + 1} 页 (no such page): {path}")
        pg = doc[page]
        try:
            pw, ph = pg.get_size()
            scale = min(box_size[0] / pw, box_size[1] / ph)
            bitmap = pg.render(scale=scale, fill_color=(255, 255, 255, 255), may_draw_forms=True)
            im = bitmap.to_pil().convert("RGB")
        finally:
            pg.close()
    except pypdfium2.PdfiumError as exc:
        raise MediaError(f"PDF 页面无法渲染 (cannot render page) {path}#{page}: {exc}") from exc
    finally:
        doc.close()
    return im


def _to_surface(im: Any) -> Any:
    import pygame

    return pygame.image.frombytes(im.tobytes(), im.size, im.mode).copy()


class ImageCache:
    """Scaled surfaces for :class:`ImageOp` sources, least-recently-used first out.

    ``get(op)`` returns ``(surface, dest_rect)`` with the surface already at its final size.
    PDF rasterisations are also written to ``disk_dir`` (PNG, keyed by file hash, page and
    size) when given, so a restart does not rasterise again.
    """

    def __init__(self, max_items: int = 48, disk_dir: str | None = None) -> None:
        self._items: OrderedDict[tuple[Any, ...], tuple[Any, Rect]] = OrderedDict()
        self._max = max_items
        self._disk = Path(disk_dir) if disk_dir else None
        self._lock = threading.Lock()
        self.loads = 0  # number of decodes/rasterisations (tests check "scaled once")

    def get(self, op: ImageOp) -> tuple[Any, Rect]:
        bx, by, bw, bh = op.rect
        key = (op.source, _stat_key(op.source), bw, bh, op.fit)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                surf, rel = hit
                return surf, (bx + rel[0], by + rel[1], rel[2], rel[3])
        surf, rel = self._load(op)
        with self._lock:
            self._items[key] = (surf, rel)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return surf, (bx + rel[0], by + rel[1], rel[2], rel[3])

    def prepare(self, ops: Iterable[object]) -> None:
        """Load every image of a display list now (ahead of display)."""
        for op in ops:
            if isinstance(op, ImageOp) and not op.source.startswith("qr:"):
                try:
                    self.get(op)
                except MediaError as exc:
                    log.warning("render.image_failed %s", exc)

    def _load(self, op: ImageOp) -> tuple[Any, Rect]:
        _, _, bw, bh = op.rect
        self.loads += 1
        if op.source.startswith(PDF_PREFIX):
            path, page = parse_pdf_source(op.source)
            im = self._pdf_from_disk(path, page, (bw, bh))
        else:
            im = load_image_scaled(op.source, (bw, bh), op.fit)
        w, h = im.size
        rel = ((bw - w) // 2, (bh - h) // 2, w, h)
        return _to_surface(im), rel

    def _pdf_from_disk(self, path: str, page: int, box: tuple[int, int]) -> Any:
        if self._disk is None:
            return rasterise_pdf_page(path, page, box)
        digest = _file_digest(path)
        cached = self._disk / f"{digest}-{page}-{box[0]}x{box[1]}.png"
        Image = _pil()
        if cached.is_file():
            try:
                with Image.open(cached) as im:
                    return im.convert("RGB")
            except OSError:
                pass
        im = rasterise_pdf_page(path, page, box)
        try:
            self._disk.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            im.save(tmp, "PNG")
            os.replace(tmp, cached)
        except OSError as exc:
            log.warning("render.pdf_cache_failed %s", exc)
        return im


def _stat_key(source: str) -> tuple[int, int] | None:
    path = source
    if source.startswith(PDF_PREFIX):
        path = parse_pdf_source(source)[0]
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:24]
