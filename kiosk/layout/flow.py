"""A column of headings and marked items (numbered steps, checklists, bullets) with a
hanging indent, laid out as :class:`kiosk.text.LaidLine` so the text engine's pagination
rules (no stranded heading, no orphan or widow line) apply, plus the markers to draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from kiosk.displaylist import BoxOp, Op, TextOp
from kiosk.layout.context import LayoutContext
from kiosk.layout.textblock import body_styles, font_of, line_ops
from kiosk.text import LaidLine, TextStyle, break_lines, layout_blocks, parse_blocks
from kiosk.themes import Color

MarkerKind = Literal["number", "check", "bullet", "heading"]


@dataclass(frozen=True)
class Marker:
    kind: MarkerKind
    label: str = ""


@dataclass
class Flow:
    """Builds lines top to bottom in a column ``width`` px wide."""

    ctx: LayoutContext
    width: float
    body: int
    lines: list[LaidLine] = field(default_factory=list)
    markers: dict[int, Marker] = field(default_factory=dict)
    _block: int = 0
    _y: float = 0.0

    @property
    def marker_w(self) -> float:
        return round(self.body * 1.75)

    def _style(self, role: str) -> TextStyle:
        return body_styles(self.ctx, self.body)[role]

    def heading(self, text: str) -> None:
        st = self._style("h1")
        pad = round(st.size * 0.55)  # room for the accent bar at the left
        self._add(text, st, pad, pad, Marker("heading"), "h1")

    def paragraphs(self, text: str) -> None:
        """Free text (official-document paragraphs and headings)."""
        styles = body_styles(self.ctx, self.body)
        laid = layout_blocks(
            parse_blocks(text),
            self.width,
            styles,
            lambda st: self.ctx.metrics.measure(font_of(st), st.size),
        )
        if not laid:
            return
        blocks = {ln.block for ln in laid}
        offset = self._y + (self._space(laid[0].style) if self.lines else 0.0)
        base = self._block
        for ln in laid:
            self.lines.append(
                LaidLine(
                    ln.text,
                    ln.x,
                    ln.y + offset,
                    ln.width,
                    ln.height,
                    ln.role,
                    ln.style,
                    base + ln.block,
                    ln.first,
                    ln.last,
                )
            )
        self._y = self.lines[-1].y + self.lines[-1].height
        self._block = base + max(blocks) + 1

    def item(self, text: str, marker: Marker) -> None:
        st = self._style("list")
        self._add(text, st, self.marker_w, self.marker_w, marker, "list")

    def _space(self, st: TextStyle) -> float:
        return st.space_before

    def _add(
        self, text: str, st: TextStyle, first_x: float, x: float, marker: Marker, role: str
    ) -> None:
        measure = self.ctx.metrics.measure(font_of(st), st.size)
        texts = break_lines(text, self.width - x, measure, first_width=self.width - first_x)
        if not texts:
            return
        if self.lines:
            self._y += st.space_before
        h = st.size * st.line_height
        for i, t in enumerate(texts):
            self.lines.append(
                LaidLine(
                    t,
                    first_x if i == 0 else x,
                    self._y,
                    measure(t),
                    h,
                    role,
                    st,
                    self._block,
                    i == 0,
                    i == len(texts) - 1,
                )
            )
            self._y += h
        self.markers[self._block] = marker
        self._block += 1


def flow_ops(
    ctx: LayoutContext,
    lines: Sequence[LaidLine],
    markers: dict[int, Marker],
    x0: float,
    y0: float,
    *,
    text: Color,
    heading: Color,
    accent: Color,
    on_accent: Color,
) -> list[Op]:
    """Operations for one page of a flow, line by line in reading order: a line's marker
    (step number, check box, bullet, heading bar) just before its text, so the page's
    text runs read ``1`` ``提交申请……`` ``2`` ……"""
    ops: list[Op] = []
    texts = line_ops(lines, x0, y0, text, heading_color=heading)
    for ln, text_op in zip(lines, texts, strict=True):
        mk = markers.get(ln.block)
        if mk is None or not ln.first:
            ops.append(text_op)
            continue
        size = ln.style.size
        cy = y0 + ln.y + ln.height / 2
        if mk.kind == "heading":
            bar_w = max(3, round(size * 0.18))
            ops.append(BoxOp((round(x0), round(cy - size * 0.5), bar_w, size), accent))
        elif mk.kind == "number":
            d = round(size * 1.2)
            top = round(cy - d / 2)
            ops.append(BoxOp((round(x0), top, d, d), accent, radius=d // 2))
            ns = round(size * 0.78)
            nw = ctx.metrics.measure("bold", ns)(mk.label)
            ops.append(
                TextOp(
                    mk.label,
                    x0 + (d - nw) / 2,
                    top + (d - ns) / 2,
                    ns,
                    on_accent,
                    "bold",
                    "marker",
                    nw,
                )
            )
        elif mk.kind == "check":
            s = round(size * 0.82)
            w = max(2, round(size * 0.09))
            ops.append(
                BoxOp(
                    (round(x0 + size * 0.1), round(cy - s / 2), s, s),
                    accent,
                    radius=round(s * 0.12),
                    width=w,
                )
            )
        else:
            s = round(size * 0.34)
            ops.append(
                BoxOp((round(x0 + size * 0.35), round(cy - s / 2), s, s), accent, radius=s // 2)
            )
        ops.append(text_op)
    return ops
