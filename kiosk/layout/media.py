"""``image`` and ``pdf`` slides: a picture or PDF pages fitted into the content area, with a
caption or title, PDF pages numbered."""

from __future__ import annotations

import os

from kiosk.displaylist import ImageOp, Op, TextOp
from kiosk.errors import KioskError
from kiosk.images import MediaError, pdf_source
from kiosk.layout.common import SlidePage, background, fit_line, make_page, page_marker, seconds_for
from kiosk.layout.context import LayoutContext
from kiosk.layout.textblock import fitted_title
from kiosk.model import Entry, Image, Pdf

PDF_PAGE_SECONDS = 20.0  # default per PDF page when no duration is given


class LayoutError(KioskError):
    """An entry that cannot be shown (its image or PDF is missing or unreadable)."""

    def __init__(self, message: str, entry_id: str) -> None:
        super().__init__(message, key="layout.media_unavailable")
        self.entry_id = entry_id


def resolve_path(ctx: LayoutContext, path: str) -> str:
    if os.path.isabs(path) or ctx.base_dir is None:
        return path
    return os.path.normpath(os.path.join(ctx.base_dir, path))


def layout_image(entry: Entry, img: Image, ctx: LayoutContext) -> list[SlidePage]:
    t = ctx.theme
    sz = ctx.sizes
    path = resolve_path(ctx, img.file)
    if ctx.media is None:
        raise LayoutError(f"{entry.id}: 无法检查图片 (no media probe)", entry.id)
    try:
        img_w, img_h = ctx.media.image_size(path)
    except MediaError as exc:
        raise LayoutError(f"{entry.id}: {exc}", entry.id) from exc
    cx, cy, cw, ch = ctx.regions.content
    ops: list[Op] = [background(ctx.regions.content, t.background)]
    caption_ops: list[Op] = []
    cap_h = 0
    if img.caption:
        m = sz.margin
        cap_ops, bottom = fitted_title(
            ctx,
            img.caption,
            cx + m,
            0,
            cw - 2 * m,
            max_size=sz.h1,
            min_size=sz.body,
            max_lines=2,
            color=t.text,
            font="bold",
            role="caption",
            line_height=1.35,
        )
        cap_h = round(bottom + sz.gap)
        cap_top = cy + ch - cap_h
        caption_ops = [
            TextOp(
                o.text, o.x, o.y + cap_top + sz.gap * 0.5, o.size, o.color, o.font, o.role, o.width
            )
            for o in cap_ops
            if isinstance(o, TextOp)
        ]
    if img.fit == "cover":
        box = (cx, cy, cw, ch - cap_h)
    else:
        pad = sz.gap
        box = (cx + sz.margin, cy + pad, cw - 2 * sz.margin, ch - cap_h - pad * (1 if cap_h else 2))
        # The picture at its fitted size with the caption right under it, the two centred
        # together (a wide picture on an upright screen would otherwise float in the middle
        # with its caption far below).
        bx, by, bw, bh = box
        scale = min(bw / max(1, img_w), bh / max(1, img_h))
        fw, fh = round(img_w * scale), round(img_h * scale)
        spare = bh - fh
        box = (bx + (bw - fw) // 2, by + spare // 2, fw, fh)
        if caption_ops:
            dy = -(spare // 2)
            caption_ops = [
                TextOp(o.text, o.x, o.y + dy, o.size, o.color, o.font, o.role, o.width)
                for o in caption_ops
                if isinstance(o, TextOp)
            ]
    ops.append(ImageOp(box, path, img.fit))
    ops += caption_ops
    chars = len(img.caption or "")
    seconds = seconds_for(ctx, entry, chars)
    return [
        make_page(
            ctx,
            entry_id=entry.id,
            kind="image",
            page=1,
            pages=1,
            seconds=seconds,
            ops=ops,
            title=img.caption or "",
        )
    ]


def layout_pdf(entry: Entry, pdf: Pdf, ctx: LayoutContext) -> list[SlidePage]:
    t = ctx.theme
    sz = ctx.sizes
    path = resolve_path(ctx, pdf.file)
    if ctx.media is None:
        raise LayoutError(f"{entry.id}: 无法检查 PDF (no media probe)", entry.id)
    # Published PDFs arrive as page images rendered by ``kiosk publish`` (the board does no
    # PDF work); inline PDFs are rasterised here, at the size shown.
    page_images = [resolve_path(ctx, p) for p in pdf.pages]
    try:
        if page_images:
            for p in page_images:
                ctx.media.image_size(p)
            n = len(page_images)
        else:
            n = ctx.media.pdf_pages(path)
    except MediaError as exc:
        raise LayoutError(f"{entry.id}: {exc}", entry.id) from exc
    cx, cy, cw, ch = ctx.regions.content
    m = sz.margin
    row_h = round(max(sz.meta, sz.small) * 1.6)
    top_y = cy + sz.gap * 0.5
    title = pdf.title or ""
    out: list[SlidePage] = []
    for i in range(n):
        ops: list[Op] = [background(ctx.regions.content, t.background)]
        marker_w = 0.0
        if n > 1:
            pm = page_marker(ctx, i + 1, n, cx + cw - m, top_y + (row_h + sz.small) / 2)
            marker_w = pm.width + sz.gap
        if title:
            avail = cw - 2 * m - marker_w
            size, text = fit_line(ctx, title, "bold", sz.meta, avail, round(sz.meta * 0.8))
            w = ctx.metrics.measure("bold", size)(text)
            ops.append(
                TextOp(text, cx + m, top_y + (row_h - size) / 2, size, t.text, "bold", "title", w)
            )
        if n > 1:
            ops.append(pm)
        has_row = bool(title) or n > 1
        img_top = round(top_y + row_h) if has_row else cy + sz.gap
        box = (cx + m, img_top, cw - 2 * m, cy + ch - sz.gap - img_top)
        source = page_images[i] if page_images else pdf_source(path, i)
        ops.append(ImageOp(box, source, "contain"))
        if entry.duration is not None:
            seconds = float(entry.duration)
        elif ctx.defaults.duration is not None:
            seconds = float(ctx.defaults.duration)
        else:
            seconds = min(max(PDF_PAGE_SECONDS, ctx.defaults.min_seconds), ctx.defaults.max_seconds)
        out.append(
            make_page(
                ctx,
                entry_id=entry.id,
                kind="pdf",
                page=i + 1,
                pages=n,
                seconds=seconds,
                ops=ops,
                title=title,
            )
        )
    return out
