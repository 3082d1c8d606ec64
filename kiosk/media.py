"""Image normalisation and PDF rasterisation, done once on the publishing machine so the
boards only ever decode small, well-formed PNG and JPEG files.

Everything here is a function from bytes (or a file path) to bytes; nothing touches the
display, the network or the clock. Failures raise :class:`MediaError`, which carries a stable
English key and a one-line message in Chinese and English.

Images
------
* Accepted formats: PNG, JPEG and WebP, recognised by their magic bytes (never by the file
  name). GIF, TIFF, BMP, SVG, HEIC and everything else are refused with a message naming the
  format; animated PNG/WebP are refused too (a lobby screen shows still images).
* The pixel count declared in the header is checked against ``MediaLimits.max_pixels``
  *before* any pixel is decoded. While Pillow opens the file its own ``MAX_IMAGE_PIXELS`` is
  set to the same limit and its ``DecompressionBombWarning`` is raised as an error, so a
  second line of defence holds even if a format plugin reports sizes differently.
* The EXIF orientation is applied, colour profiles are converted to sRGB, and all metadata
  (EXIF, GPS, ICC, text chunks) is dropped.
* The result fits a box of ``max_long`` × ``max_short`` pixels in either orientation (so a
  portrait photo fits a portrait screen as well as a landscape one); smaller images are never
  enlarged.
* Encoding: images with transparency and graphics (at most ``graphic_colors`` distinct
  colours: charts, posters, screenshots) become PNG; photographs become JPEG at
  ``jpeg_quality``. The same input and limits always give the same bytes (with the same
  Pillow build), so republishing unchanged sources writes nothing new.

PDF
---
:func:`rasterize_pdf` renders pages with PDFium (``pypdfium2``) onto white, fitted into a
``max_w`` × ``max_h`` box, and returns PNG bytes per page; :func:`rasterize_pdf_images`
returns Pillow images for callers that draw them directly. Page count and page size are
capped. PDFium is not thread-safe: call these from one thread at a time.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from struct import error as struct_error  # Pillow raises it on some malformed headers
from typing import Any, Final

from PIL import Image, ImageCms, ImageOps

MiB: Final = 1024 * 1024


class MediaError(Exception):
    """A source image or PDF that cannot be published, with a one-line reason."""

    def __init__(self, key: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.key = key
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class MediaLimits:
    max_pixels: int = 64_000_000  # declared width × height; 8000 × 8000
    max_long: int = 3840  # longer side of the output box
    max_short: int = 2160  # shorter side of the output box
    max_bytes: int = 100 * MiB  # source file size
    jpeg_quality: int = 88
    graphic_colors: int = 4096  # at most this many colours → PNG, else JPEG
    pdf_max_pages: int = 50
    pdf_min_page_pt: float = 36.0  # half an inch
    pdf_max_page_pt: float = 14400.0  # 200 inches, the PDF user-space limit


DEFAULT_LIMITS: Final = MediaLimits()

IMAGE_FORMATS: Final = ("PNG", "JPEG", "WEBP")
"""Pillow format names accepted as image sources."""

MEDIA_TYPES: Final = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSIONS: Final = {"PNG": ".png", "JPEG": ".jpg"}


# ----------------------------------------------------------------------------- sniffing


def sniff(head: bytes) -> str | None:
    """Name the format of a file from its first bytes: ``PNG``, ``JPEG``, ``WEBP``, ``PDF``,
    or a descriptive name of a refused format (``GIF``, ``TIFF``, ``BMP``, ``SVG``, ``HEIC``,
    ``AVIF``, ``ICO``, ``PSD``); ``None`` when unknown."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith(b"8BPS"):
        return "PSD"
    if head[:4] == b"\x00\x00\x01\x00":
        return "ICO"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"heim", b"heis"):
            return "HEIC"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!doctype svg")):
        return "SVG"
    return None


# ----------------------------------------------------------------------------- images


@dataclass(frozen=True)
class NormalisedImage:
    data: bytes
    format: str  # "PNG" or "JPEG"
    width: int
    height: int
    source_format: str
    source_width: int
    source_height: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def fit_box(width: int, height: int, max_long: int, max_short: int) -> tuple[int, int]:
    """The size of a ``width`` × ``height`` image scaled down (never up) to fit a
    ``max_long`` × ``max_short`` box in whichever orientation matches the image."""
    if width <= 0 or height <= 0:
        raise ValueError("image size must be positive")
    box_w, box_h = (max_long, max_short) if width >= height else (max_short, max_long)
    scale = min(box_w / width, box_h / height, 1.0)
    if scale >= 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


@contextlib.contextmanager
def _pixel_guard(limit: int) -> Iterator[None]:
    """Pillow's own decompression-bomb check at ``limit``, its warning raised as an error.
    Pillow keeps the limit in a module global; publishing is single-threaded."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _bomb(declared: int | None, limit: int) -> MediaError:
    size = f"{declared:,}" if declared else "?"
    return MediaError(
        "media.too_many_pixels",
        f"图片声明的像素数（{size}）超过上限 {limit:,}，已拒绝（可能是“解压炸弹”）；请缩小后再发布",
        f"image declares {size} pixels, over the limit of {limit:,} (possible decompression "
        "bomb); scale it down before publishing",
    )


def _declared_pixels(data: bytes, fmt: str) -> int | None:
    """The pixel count a header declares, read without decoding (for the error message
    only, after Pillow's own guard has refused the file)."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                return int(im.size[0]) * int(im.size[1])
    except Exception:
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _refused_format(fmt: str | None) -> MediaError:
    name = fmt or "未知"
    return MediaError(
        "media.format_not_allowed",
        f"不支持的图片格式：{name}；只接受 PNG、JPEG、WebP",
        f"image format not allowed: {fmt or 'unknown'}; only PNG, JPEG and WebP are accepted",
    )


def _corrupt(detail: str) -> MediaError:
    return MediaError(
        "media.corrupt",
        f"图片文件已损坏或不完整（{detail}）",
        f"image file is corrupt or truncated ({detail})",
    )


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert an embedded colour profile to sRGB; an unreadable profile is ignored."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return im
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(im, src, dst, outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im
    return converted if converted is not None else im


def _to_rgb_or_rgba(im: Image.Image) -> Image.Image:
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        im = im.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    elif im.mode == "F":
        im = im.convert("L")
    has_alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        im.mode == "P" and "transparency" in im.info
    )
    if im.mode == "L" and "transparency" in im.info:
        has_alpha = True
    im = im.convert("RGBA" if has_alpha else "RGB")
    if has_alpha:
        low, _high = im.getchannel("A").getextrema()
        if low == 255:  # fully opaque: the alpha channel carries nothing
            im = im.convert("RGB")
    return im


def _png_bytes(im: Image.Image) -> bytes:
    """PNG bytes, stored as greyscale when the image has no colour (PDF text pages, scans):
    a third of the size, the same pixels."""
    if im.mode == "RGB":
        r, g, b = im.split()
        if r.tobytes() == g.tobytes() == b.tobytes():
            im = r
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=9)
    return buf.getvalue()


def normalise_image(data: bytes, limits: MediaLimits = DEFAULT_LIMITS) -> NormalisedImage:
    """Check, decode, orient, strip, scale and re-encode one image (see the module docs)."""
    if len(data) > limits.max_bytes:
        raise MediaError(
            "media.too_large",
            f"图片文件过大（{len(data) // MiB} MiB，上限 {limits.max_bytes // MiB} MiB）",
            f"image file too large ({len(data) // MiB} MiB, limit {limits.max_bytes // MiB} MiB)",
        )
    fmt = sniff(data[:64])
    if fmt not in IMAGE_FORMATS:
        raise _refused_format(fmt)
    try:
        with _pixel_guard(limits.max_pixels):
            im = Image.open(io.BytesIO(data), formats=[fmt])
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _bomb(_declared_pixels(data, fmt), limits.max_pixels) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _corrupt(str(exc) or type(exc).__name__) from None
    with im:
        src_w, src_h = im.size
        declared = src_w * src_h
        if src_w <= 0 or src_h <= 0:
            raise _corrupt("zero size")
        if declared > limits.max_pixels:
            raise _bomb(declared, limits.max_pixels)
        if getattr(im, "n_frames", 1) > 1:
            raise MediaError(
                "media.animated",
                "不支持动画图片；请另存为静态 PNG 或 JPEG",
                "animated images are not supported; save a still PNG or JPEG",
            )
        target = fit_box(src_w, src_h, limits.max_long, limits.max_short)
        if fmt == "JPEG" and target != (src_w, src_h):
            # Decode big JPEGs at a reduced DCT scale (never below the target size).
            im.draft("RGB", target)
        try:
            with _pixel_guard(limits.max_pixels):
                im.load()
                oriented = ImageOps.exif_transpose(im)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _bomb(declared, limits.max_pixels) from None
        except (OSError, ValueError, SyntaxError, EOFError, struct_error) as exc:
            raise _corrupt(str(exc) or type(exc).__name__) from None
        info_icc = im.info.get("icc_profile")

    if info_icc and "icc_profile" not in oriented.info:
        oriented.info["icc_profile"] = info_icc
    rgb = _to_rgb_or_rgba(_to_srgb(oriented))
    alpha = rgb.mode == "RGBA"
    graphic = alpha or (
        fmt != "JPEG" and rgb.getcolors(maxcolors=limits.graphic_colors) is not None
    )
    w, h = rgb.size
    final = fit_box(w, h, limits.max_long, limits.max_short)
    if final != (w, h):
        if alpha:
            rgb = rgb.convert("RGBa").resize(final, Image.Resampling.LANCZOS).convert("RGBA")
        else:
            rgb = rgb.resize(final, Image.Resampling.LANCZOS)
    out_fmt = "PNG" if graphic else "JPEG"
    # A fresh image carries no metadata: nothing from the source's info dict is saved.
    clean = Image.new(rgb.mode, rgb.size)
    clean.paste(rgb)
    if out_fmt == "PNG":
        encoded = _png_bytes(clean)
    else:
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=limits.jpeg_quality, optimize=True, subsampling="4:2:0")
        encoded = out.getvalue()
    return NormalisedImage(
        data=encoded,
        format=out_fmt,
        width=clean.width,
        height=clean.height,
        source_format=fmt,
        source_width=src_w,
        source_height=src_h,
    )


# ----------------------------------------------------------------------------- PDF

PdfSource = str | os.PathLike[str] | bytes


def _pdf_error(detail: str) -> MediaError:
    return MediaError(
        "media.pdf_unreadable",
        f"PDF 文件无法读取（{detail}）；如有密码请去掉密码后再发布",
        f"PDF cannot be read ({detail}); remove any password before publishing",
    )


def _open_pdf(source: PdfSource) -> Any:
    import pypdfium2 as pdfium

    if isinstance(source, bytes):
        head = source[:8]
    else:
        try:
            with open(source, "rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise _pdf_error(exc.strerror or str(exc)) from None
    if not head.startswith(b"%PDF-"):
        raise MediaError(
            "media.not_pdf",
            "文件不是 PDF（缺少 %PDF- 文件头）",
            "file is not a PDF (no %PDF- header)",
        )
    try:
        return pdfium.PdfDocument(source if isinstance(source, bytes) else os.fspath(source))
    except pdfium.PdfiumError as exc:
        raise _pdf_error(str(exc)) from None


def pdf_page_count(source: PdfSource) -> int:
    """Number of pages of a PDF (a path or the file's bytes)."""
    doc = _open_pdf(source)
    try:
        return len(doc)
    finally:
        doc.close()


def pdf_page_sizes(source: PdfSource) -> list[tuple[float, float]]:
    """Width and height in points (1/72 inch) of every page, as displayed (after /Rotate)."""
    doc = _open_pdf(source)
    try:
        sizes = []
        for index in range(len(doc)):
            page = doc[index]
            try:
                w, h = page.get_size()
            finally:
                page.close()
            sizes.append((float(w), float(h)))
        return sizes
    finally:
        doc.close()


def rasterize_pdf_images(
    source: PdfSource,
    max_w: int,
    max_h: int,
    pages: Sequence[int] | None = None,
    *,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> list[Image.Image]:
    """Render pages (0-based indices; all when ``None``) as RGB images on white, each scaled
    to fit ``max_w`` × ``max_h`` (keeping its aspect ratio; small pages are scaled up)."""
    if max_w <= 0 or max_h <= 0:
        raise ValueError("max_w and max_h must be positive")
    doc = _open_pdf(source)
    try:
        count = len(doc)
        if count == 0:
            raise MediaError("media.pdf_empty", "PDF 没有页面", "PDF has no pages")
        wanted = list(range(count)) if pages is None else list(pages)
        if len(wanted) > limits.pdf_max_pages:
            raise MediaError(
                "media.pdf_too_many_pages",
                f"PDF 页数过多（{len(wanted)} 页，上限 {limits.pdf_max_pages} 页）；请拆分后再发布",
                f"PDF has too many pages ({len(wanted)}, limit {limits.pdf_max_pages}); "
                "split it before publishing",
            )
        images: list[Image.Image] = []
        for index in wanted:
            if not 0 <= index < count:
                raise IndexError(f"page index {index} out of range (0..{count - 1})")
            page = doc[index]
            try:
                w_pt, h_pt = page.get_size()
                lo, hi = limits.pdf_min_page_pt, limits.pdf_max_page_pt
                if not (lo <= w_pt <= hi and lo <= h_pt <= hi):
                    raise MediaError(
                        "media.pdf_page_size",
                        f"PDF 第 {index + 1} 页尺寸异常（{w_pt:.0f}×{h_pt:.0f} pt）",
                        f"PDF page {index + 1} has an unusable size ({w_pt:.0f}×{h_pt:.0f} pt)",
                    )
                scale = min(max_w / w_pt, max_h / h_pt)
                bitmap = page.render(
                    scale=scale,
                    fill_color=(255, 255, 255, 255),
                    draw_annots=True,
                    may_draw_forms=False,
                )
                img = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
            if img.width > max_w or img.height > max_h:  # rounding at the edge of the box
                img = img.resize(
                    (min(img.width, max_w), min(img.height, max_h)), Image.Resampling.LANCZOS
                )
            images.append(img)
        return images
    finally:
        doc.close()


def rasterize_pdf(
    path: PdfSource,
    max_w: int,
    max_h: int,
    pages: Sequence[int] | None = None,
    *,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> list[bytes]:
    """Like :func:`rasterize_pdf_images`, returning one PNG file's bytes per page
    (greyscale PNG for pages without colour)."""
    return [
        _png_bytes(img) for img in rasterize_pdf_images(path, max_w, max_h, pages, limits=limits)
    ]


def pdf_box(page_w: float, page_h: float, limits: MediaLimits = DEFAULT_LIMITS) -> tuple[int, int]:
    """The rendering box for a page of the given size: the image box in the page's
    orientation (``max_long`` × ``max_short`` for landscape pages, transposed for portrait)."""
    if page_w >= page_h:
        return limits.max_long, limits.max_short
    return limits.max_short, limits.max_long
