"""Image normalisation and PDF rasterisation at publish time (kiosk.media)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, PngImagePlugin
from PIL.ImageFile import ImageFile

from kiosk.media import (
    MediaError,
    MediaLimits,
    fit_box,
    normalise_image,
    pdf_page_count,
    rasterize_pdf,
    sniff,
)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims a huge image (2.5 gigapixels for the default)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def photo(w: int, h: int) -> Image.Image:
    """A smooth many-coloured image, like a photograph."""
    grad = Image.linear_gradient("L").resize((w, h))
    return Image.merge(
        "RGB", (grad, grad.transpose(Image.Transpose.ROTATE_90).resize((w, h)), grad)
    )


def graphic(w: int, h: int) -> Image.Image:
    im = Image.new("RGB", (w, h), (250, 250, 245))
    d = ImageDraw.Draw(im)
    d.rectangle((10, 10, w // 2, h // 2), fill=(180, 20, 30))
    d.ellipse((w // 2, h // 2, w - 10, h - 10), fill=(20, 60, 150))
    return im


def test_png_header_claiming_50000_square_is_refused_before_any_pixel_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_decoding(self: ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile, "load", no_decoding)
    with pytest.raises(MediaError) as exc:
        normalise_image(bomb_png())
    assert exc.value.key == "media.too_many_pixels"
    assert "解压炸弹" in exc.value.zh


def test_pixel_limit_is_inclusive_and_checked_on_the_declared_size() -> None:
    limits = MediaLimits(max_pixels=100 * 100)
    assert normalise_image(encode(graphic(100, 100), "PNG"), limits).width == 100
    with pytest.raises(MediaError) as exc:
        normalise_image(encode(graphic(101, 100), "PNG"), limits)
    assert exc.value.key == "media.too_many_pixels"


def test_pillow_global_pixel_limit_is_restored_after_use() -> None:
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(MediaError):
        normalise_image(bomb_png())
    assert before == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image_is_refused_as_corrupt(fmt: str) -> None:
    data = encode(photo(400, 300), fmt)
    with pytest.raises(MediaError) as exc:
        normalise_image(data[: len(data) // 2])
    assert exc.value.key == "media.corrupt"


def test_garbage_after_a_valid_signature_is_refused_as_corrupt() -> None:
    with pytest.raises(MediaError) as exc:
        normalise_image(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 10)
    assert exc.value.key == "media.corrupt"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"GIF89a" + b"\x00" * 20, "GIF"),
        (b"II*\x00" + b"\x00" * 20, "TIFF"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"<svg></svg>", "SVG"),
        (b"BM" + b"\x00" * 40, "BMP"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20, "HEIC"),
        (b"just some text", "未知"),
    ],
)
def test_formats_other_than_png_jpeg_webp_are_refused_by_content(data: bytes, name: str) -> None:
    with pytest.raises(MediaError) as exc:
        normalise_image(data)
    assert exc.value.key == "media.format_not_allowed"
    assert name in exc.value.zh


def test_a_gif_renamed_to_png_is_still_refused() -> None:
    data = encode(graphic(50, 50), "GIF")
    assert sniff(data) == "GIF"
    with pytest.raises(MediaError):
        normalise_image(data)


def test_animated_webp_is_refused() -> None:
    frames = [graphic(60, 40), photo(60, 40)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(MediaError) as exc:
        normalise_image(data)
    assert exc.value.key == "media.animated"


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((5000, 3000), (3600, 2160)),
        ((3000, 5000), (2160, 3600)),
        ((8000, 1000), (3840, 480)),
        ((1920, 1080), (1920, 1080)),
        ((10, 10), (10, 10)),
    ],
)
def test_fit_box_scales_down_in_either_orientation_and_never_up(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert fit_box(*size, 3840, 2160) == expected


def test_oversized_photo_is_scaled_into_the_display_box_and_becomes_jpeg() -> None:
    out = normalise_image(encode(photo(5000, 3000), "PNG"))
    assert (out.width, out.height) == (3600, 2160)
    assert out.format == "JPEG"
    assert out.media_type == "image/jpeg"
    with Image.open(io.BytesIO(out.data)) as im:
        assert im.size == (3600, 2160)


def test_big_jpeg_is_scaled_to_exactly_the_box() -> None:
    out = normalise_image(encode(photo(6000, 4000), "JPEG", quality=70))
    assert (out.width, out.height) == (3240, 2160)


def test_graphic_stays_png_and_keeps_exact_colours() -> None:
    out = normalise_image(encode(graphic(640, 480), "WEBP", lossless=True))
    assert out.format == "PNG"
    with Image.open(io.BytesIO(out.data)) as im:
        assert im.getpixel((20, 20)) == (180, 20, 30)


def test_transparency_is_kept_as_png_rgba_but_opaque_alpha_is_dropped() -> None:
    im = graphic(100, 100).convert("RGBA")
    im.putpixel((0, 0), (0, 0, 0, 0))
    with Image.open(io.BytesIO(normalise_image(encode(im, "PNG")).data)) as out:
        assert out.mode == "RGBA"
    opaque = graphic(100, 100).convert("RGBA")
    with Image.open(io.BytesIO(normalise_image(encode(opaque, "PNG")).data)) as out:
        assert out.mode == "RGB"


def test_exif_orientation_is_applied_and_all_metadata_is_stripped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    exif[0x010F] = "PhoneMaker"
    data = encode(photo(400, 200), "JPEG", exif=exif.tobytes())
    out = normalise_image(data)
    assert (out.width, out.height) == (200, 400)
    with Image.open(io.BytesIO(out.data)) as im:
        assert len(im.getexif()) == 0
        assert "exif" not in im.info
        assert "icc_profile" not in im.info
    assert b"PhoneMaker" not in out.data


def test_png_text_chunks_are_not_carried_over() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Person")
    out = normalise_image(encode(graphic(120, 80), "PNG", pnginfo=info))
    assert b"Secret Person" not in out.data


def test_same_input_gives_identical_bytes() -> None:
    data = encode(photo(900, 700), "JPEG")
    assert normalise_image(data).data == normalise_image(data).data


def test_source_larger_than_byte_cap_is_refused() -> None:
    with pytest.raises(MediaError) as exc:
        normalise_image(encode(photo(300, 300), "PNG"), MediaLimits(max_bytes=100))
    assert exc.value.key == "media.too_large"


# ----------------------------------------------------------------------------- PDF


def make_pdf(path: Path, pages: int, size: tuple[int, int] = (595, 842)) -> Path:
    imgs = [graphic(*size) for _ in range(pages)]
    imgs[0].save(path, "PDF", save_all=True, append_images=imgs[1:], resolution=72)
    return path


def test_pdf_is_rasterised_to_one_png_per_page_within_the_box(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    assert pdf_page_count(pdf) == 3
    pages = rasterize_pdf(pdf, 1000, 1000)
    assert len(pages) == 3
    for data in pages:
        assert sniff(data) == "PNG"
        with Image.open(io.BytesIO(data)) as im:
            assert im.height == 1000
            assert im.width == round(1000 * 595 / 842)


def test_pdf_pages_can_be_chosen_by_zero_based_index(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 3)
    assert len(rasterize_pdf(pdf, 200, 200, pages=[2])) == 1
    with pytest.raises(IndexError):
        rasterize_pdf(pdf, 200, 200, pages=[3])


def test_pdf_with_too_many_pages_is_refused(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", 4, (100, 100))
    with pytest.raises(MediaError) as exc:
        rasterize_pdf(pdf, 100, 100, limits=MediaLimits(pdf_max_pages=3))
    assert exc.value.key == "media.pdf_too_many_pages"


def test_file_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(encode(graphic(40, 40), "PNG"))
    with pytest.raises(MediaError) as exc:
        pdf_page_count(fake)
    assert exc.value.key == "media.not_pdf"


def test_truncated_pdf_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "doc.pdf", 1).read_bytes()
    with pytest.raises(MediaError) as exc:
        rasterize_pdf(data[:200], 100, 100)
    assert exc.value.key == "media.pdf_unreadable"


def test_pdf_with_a_page_of_unusable_size_is_refused(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.pdf"
    Image.new("L", (20, 20), 255).save(tiny, "PDF", resolution=72)  # a 20 × 20 pt page
    with pytest.raises(MediaError) as exc:
        rasterize_pdf(tiny, 100, 100)
    assert exc.value.key == "media.pdf_page_size"
