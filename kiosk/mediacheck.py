"""Does a playlist's image or PDF open? The check ``kiosk validate`` (and ``kiosk doctor``)
injects into the playlist loader (:data:`kiosk.fields.MediaCheck`), so staff learn about a
corrupt file when they validate, not when the screen skips the entry.

Cheap by design — the example playlists validate in well under a second:

* Images: the format is sniffed from the first bytes and must be one the player shows:
  what the publishing side accepts (:data:`kiosk.media.IMAGE_FORMATS`: PNG, JPEG, WebP) and,
  for a board's local files, GIF and BMP; Pillow opens the header
  and the pixel count it declares must stay within :data:`MAX_PIXELS` (the stricter of the
  publish side's decompression-bomb limit and the player's). PNG: ``verify()`` walks every
  chunk and its checksum without decompressing (a truncated or damaged file fails). WebP:
  opening it already parses the whole container. JPEG: a file that ends with the end-of-image
  marker is taken as whole; otherwise (truncated, or trailing data after the image) it is
  decoded at one eighth of its size to find out.
* PDFs: PDFium opens the document and it must have at least one page.

This is the imperative shell: it reads files. Messages are one line, Chinese and English,
with the stable keys ``file.bad_image`` and ``file.bad_pdf``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import PurePath
from typing import Final

from kiosk.images import MAX_PIXELS as PLAYER_MAX_PIXELS
from kiosk.media import DEFAULT_LIMITS, IMAGE_FORMATS, sniff

MAX_PIXELS: Final = min(DEFAULT_LIMITS.max_pixels, PLAYER_MAX_PIXELS)
"""Declared width × height above which an image is refused (decompression bombs)."""

PLAYABLE_FORMATS: Final = (*IMAGE_FORMATS, "GIF", "BMP")
"""What a playlist's own image may be: what publishing accepts, plus GIF and BMP, which the
player shows (the first frame) from a board's local files."""

_JPEG_TAIL = 64  # bytes at the end of a JPEG searched for the end-of-image marker

Problem = tuple[str, str, str]


def check_media_file(path: str, name: str) -> Problem | None:
    """``None`` when the file at ``path`` opens as what its name says (``.pdf``: a PDF,
    anything else: an image), else ``(key, zh, en)`` naming it ``name``. Never raises."""
    if PurePath(path).suffix.lower() == ".pdf":
        return check_pdf_file(path, name)
    return check_image_file(path, name)


def _bad_image(name: str, detail: str = "") -> Problem:
    more = f"（{detail}）" if detail else ""
    more_en = f" ({detail})" if detail else ""
    return (
        "file.bad_image",
        f"图片文件无法打开（已损坏或不是图片）：{name}{more}；请重新导出或换一个文件",
        f"cannot open the image file (corrupt or not an image): {name}{more_en}; "
        "export it again or use another file",
    )


def check_image_file(path: str, name: str, max_pixels: int = MAX_PIXELS) -> Problem | None:
    """See :func:`check_media_file`; ``max_pixels`` caps the declared pixel count."""
    from PIL import Image, UnidentifiedImageError

    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        return _bad_image(name, exc.strerror or type(exc).__name__)
    fmt = sniff(head)
    if fmt is None:
        return _bad_image(name)
    if fmt not in PLAYABLE_FORMATS:
        allowed = "、".join("WebP" if f == "WEBP" else f for f in PLAYABLE_FORMATS)
        allowed_en = ", ".join("WebP" if f == "WEBP" else f for f in PLAYABLE_FORMATS)
        return (
            "file.bad_image",
            f"图片格式 {fmt} 不能用（只接受 {allowed}）：{name}；请另存为 PNG 或 JPEG",
            f"image format {fmt} cannot be used (only {allowed_en}): {name}; "
            "save it as PNG or JPEG",
        )
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning (above its default limit): the size check below
            # refuses such a file with a clearer message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=[fmt]) as im:
                width, height = im.size
                if width <= 0 or height <= 0:
                    return _bad_image(name, "zero size")
                if width * height > max_pixels:
                    return _too_many_pixels(name, f"{width}×{height}", max_pixels)
                if fmt == "PNG":
                    im.verify()
                elif fmt == "JPEG" and not _ends_with_eoi(path):
                    im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    im.load()
                elif fmt in ("GIF", "BMP"):
                    im.load()  # no cheaper integrity check; within the pixel limit
    except Image.DecompressionBombError:
        return _too_many_pixels(name, "", max_pixels)
    except UnidentifiedImageError:
        return _bad_image(name)
    except Exception as exc:  # Pillow raises many kinds on damaged data; none may escape
        return _bad_image(name, str(exc) or type(exc).__name__)
    return None


def _too_many_pixels(name: str, size: str, limit: int) -> Problem:
    size_zh = f"{size}，" if size else ""
    size_en = f"{size}, " if size else ""
    return (
        "file.bad_image",
        f"图片像素过多（{size_zh}上限 {limit:,} 像素），屏幕不会显示：{name}；请缩小后再用",
        f"image has too many pixels ({size_en}limit {limit:,}); the screen would not show it: "
        f"{name}; scale it down",
    )


def _ends_with_eoi(path: str) -> bool:
    """Whether the JPEG at ``path`` ends with its end-of-image marker (FF D9), allowing for
    padding after it."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - _JPEG_TAIL))
            tail = fh.read()
    except OSError:
        return False
    return tail.rstrip(b"\x00\r\n\t ").endswith(b"\xff\xd9")


def _bad_pdf(name: str, detail: str = "") -> Problem:
    more = f"（{detail}）" if detail else ""
    more_en = f" ({detail})" if detail else ""
    return (
        "file.bad_pdf",
        f"PDF 文件无法打开（已损坏、不完整或不是 PDF）：{name}{more}；"
        "请重新导出，如有密码请去掉密码",
        f"cannot open the PDF file (corrupt, truncated or not a PDF): {name}{more_en}; "
        "export it again and remove any password",
    )


def check_pdf_file(path: str, name: str) -> Problem | None:
    """See :func:`check_media_file`."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        detail = str(exc).removeprefix("Failed to load document ").strip("() .")
        return _bad_pdf(name, detail)
    except Exception as exc:
        return _bad_pdf(name, str(exc) or type(exc).__name__)
    try:
        pages = len(doc)
    finally:
        doc.close()
    if pages < 1:
        return ("file.bad_pdf", f"PDF 文件没有页面：{name}", f"the PDF file has no pages: {name}")
    return None
