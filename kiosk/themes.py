"""Colour themes and type scale for the lobby screen.

A :class:`Theme` is plain data: colours for every surface and the text drawn on it, the
Chinese warning colours for alerts, and a type scale given as fractions of the screen
height so a page reads the same from 3–5 m at 1280×720 and at 3840×2160.

Two themes ship:

* ``civic`` — the official look: white/cream paper, near-black text, 党政红 (deep red) only
  for the office name, rules, badges and the ticker band.
* ``contrast`` — dark, high contrast for bright lobbies or low vision: white and amber on
  black.

Every foreground/background pair a theme uses is listed by :meth:`Theme.text_pairs` and must
reach WCAG AA (4.5:1, relative-luminance formula); ``tests/test_themes.py`` checks them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Color = tuple[int, int, int]

AA_CONTRAST = 4.5
# Body text is at least this fraction of the logical screen height (readable at 3–5 m).
MIN_BODY_RATIO = 0.035

AlertLevel = Literal["blue", "yellow", "orange", "red"]


def hex_color(value: str) -> Color:
    """``"#B71C1C"`` → ``(183, 28, 28)``."""
    v = value.lstrip("#")
    if len(v) != 6:
        raise ValueError(f"not a #RRGGBB colour: {value!r}")
    return (int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16))


def _channel(c: int) -> float:
    s = c / 255.0
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def relative_luminance(color: Color) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    r, g, b = color
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: Color, b: Color) -> float:
    """WCAG contrast ratio between two colours, 1.0 … 21.0."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class AlertColors:
    background: Color
    text: Color
    label: str  # 蓝色预警 ...


@dataclass(frozen=True)
class TypeScale:
    """Text sizes as fractions of the logical screen height (landscape).

    On portrait screens the same physical reading distance applies to a screen twice as
    tall, so sizes shrink by ``portrait_factor`` but body text never falls below
    :data:`MIN_BODY_RATIO`.
    """

    title: float = 0.062
    h1: float = 0.050
    h2: float = 0.047
    body: float = 0.044
    meta: float = 0.038
    small: float = 0.036  # page numbers, captions of secondary importance, footer info
    badge: float = 0.036
    office: float = 0.052
    date: float = 0.040
    time: float = 0.062
    ticker: float = 0.044
    figure: float = 0.105  # key-figure numbers on report tiles
    alert_title: tuple[float, float] = (0.07, 0.16)  # auto-fit range
    alert_body: tuple[float, float] = (0.045, 0.085)
    line_height: float = 1.55  # body line spacing (multiple of the size)
    portrait_factor: float = 0.80


@dataclass(frozen=True)
class Theme:
    name: str
    label: str  # shown to staff (Chinese)
    background: Color  # content area
    text: Color
    muted: Color  # secondary text (meta line, labels)
    accent: Color  # 党政红: rules, badges, headings; also used as text on background
    on_accent: Color  # text on an accent fill (badges, number discs)
    header_bg: Color
    header_text: Color  # office name
    header_muted: Color  # date
    rule: Color  # red rules under header/title
    footer_bg: Color
    footer_text: Color
    ticker_bg: Color
    ticker_text: Color
    panel_bg: Color  # tiles, info panels
    panel_text: Color
    panel_muted: Color
    notice_bg: Color  # publicity bar
    notice_text: Color
    chart_series: tuple[Color, ...]
    chart_axis: Color
    alerts: dict[str, AlertColors] = field(default_factory=dict)
    scale: TypeScale = field(default_factory=TypeScale)

    def alert(self, level: str) -> AlertColors:
        return self.alerts.get(level) or self.alerts["red"]

    def text_pairs(self) -> Iterator[tuple[str, Color, Color]]:
        """Every (foreground, background) pair the layouts draw text with."""
        yield "text/background", self.text, self.background
        yield "muted/background", self.muted, self.background
        yield "accent/background", self.accent, self.background
        yield "on_accent/accent", self.on_accent, self.accent
        yield "header_text/header_bg", self.header_text, self.header_bg
        yield "header_muted/header_bg", self.header_muted, self.header_bg
        yield "text/header_bg", self.text, self.header_bg
        yield "footer_text/footer_bg", self.footer_text, self.footer_bg
        yield "ticker_text/ticker_bg", self.ticker_text, self.ticker_bg
        yield "panel_text/panel_bg", self.panel_text, self.panel_bg
        yield "panel_muted/panel_bg", self.panel_muted, self.panel_bg
        yield "accent/panel_bg", self.accent, self.panel_bg
        yield "notice_text/notice_bg", self.notice_text, self.notice_bg
        yield "chart_axis/background", self.chart_axis, self.background
        for level, a in self.alerts.items():
            yield f"alert.{level}", a.text, a.background

    def sizes(self, size: tuple[int, int]) -> Sizes:
        return compute_sizes(size, self.scale)


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes for one logical screen size."""

    width: int
    height: int
    portrait: bool
    title: int
    h1: int
    h2: int
    body: int
    meta: int
    small: int
    badge: int
    office: int
    date: int
    time: int
    ticker: int
    figure: int
    alert_title: tuple[int, int]
    alert_body: tuple[int, int]
    line_height: float
    margin: int  # outer horizontal margin of the content area
    gap: int  # standard spacing between blocks
    rule: int  # thickness of rules


def _orientation_factor(width: int, height: int, scale: TypeScale) -> float:
    """1.0 for landscape (w/h ≥ 1.5), ``portrait_factor`` for portrait (w/h ≤ 0.75),
    interpolated in between (square screens)."""
    aspect = width / height
    if aspect >= 1.5:
        return 1.0
    if aspect <= 0.75:
        return scale.portrait_factor
    t = (aspect - 0.75) / 0.75
    return scale.portrait_factor + t * (1.0 - scale.portrait_factor)


def compute_sizes(size: tuple[int, int], scale: TypeScale) -> Sizes:
    w, h = size
    if w <= 0 or h <= 0:
        raise ValueError(f"screen size must be positive: {w}×{h}")
    k = _orientation_factor(w, h, scale)
    min_body = MIN_BODY_RATIO * h

    def px(ratio: float, floor: float = 0.0) -> int:
        return max(1, round(max(ratio * k * h, floor)))

    body = max(px(scale.body), int(min_body + 0.999))
    return Sizes(
        width=w,
        height=h,
        portrait=h > w,
        title=px(scale.title),
        h1=max(px(scale.h1), body),
        h2=max(px(scale.h2), body),
        body=body,
        meta=px(scale.meta),
        small=px(scale.small),
        badge=px(scale.badge),
        office=px(scale.office),
        date=px(scale.date),
        time=px(scale.time),
        ticker=max(px(scale.ticker), body),
        figure=px(scale.figure),
        alert_title=(px(scale.alert_title[0]), px(scale.alert_title[1])),
        alert_body=(max(px(scale.alert_body[0]), body), px(scale.alert_body[1])),
        line_height=scale.line_height,
        margin=max(8, round(min(w, h) * 0.045)),
        gap=max(4, round(0.022 * k * h)),
        rule=max(2, round(0.005 * k * h)),
    )


# Chinese meteorological/emergency warning colours (蓝/黄/橙/红). Text on yellow and
# orange is near-black: white on those colours fails AA.
_ALERTS = {
    "blue": AlertColors(hex_color("#0D47A1"), hex_color("#FFFFFF"), "蓝色预警"),
    "yellow": AlertColors(hex_color("#FFD600"), hex_color("#1A1A1A"), "黄色预警"),
    "orange": AlertColors(hex_color("#F57C00"), hex_color("#141414"), "橙色预警"),
    "red": AlertColors(hex_color("#B71C1C"), hex_color("#FFFFFF"), "红色预警"),
}

CIVIC = Theme(
    name="civic",
    label="政务（浅色）",
    background=hex_color("#FBF8F1"),
    text=hex_color("#1A1A1A"),
    muted=hex_color("#4D4D4D"),
    accent=hex_color("#A81616"),
    on_accent=hex_color("#FFFFFF"),
    header_bg=hex_color("#FFFFFF"),
    header_text=hex_color("#A81616"),
    header_muted=hex_color("#333333"),
    rule=hex_color("#A81616"),
    footer_bg=hex_color("#F0EADF"),
    footer_text=hex_color("#2B2B2B"),
    ticker_bg=hex_color("#8E1212"),
    ticker_text=hex_color("#FFFFFF"),
    panel_bg=hex_color("#F2ECDF"),
    panel_text=hex_color("#1A1A1A"),
    panel_muted=hex_color("#4A4A4A"),
    notice_bg=hex_color("#FCE9E6"),
    notice_text=hex_color("#7A0E0E"),
    chart_series=(hex_color("#A81616"), hex_color("#37474F"), hex_color("#9C6B12")),
    chart_axis=hex_color("#4D4D4D"),
    alerts=_ALERTS,
)

CONTRAST = Theme(
    name="contrast",
    label="高对比度（深色）",
    background=hex_color("#000000"),
    text=hex_color("#FFFFFF"),
    muted=hex_color("#D6D6D6"),
    accent=hex_color("#FFD54F"),
    on_accent=hex_color("#000000"),
    header_bg=hex_color("#141414"),
    header_text=hex_color("#FFD54F"),
    header_muted=hex_color("#E6E6E6"),
    rule=hex_color("#FFD54F"),
    footer_bg=hex_color("#141414"),
    footer_text=hex_color("#F2F2F2"),
    ticker_bg=hex_color("#7F0000"),
    ticker_text=hex_color("#FFFFFF"),
    panel_bg=hex_color("#1E1E1E"),
    panel_text=hex_color("#FFFFFF"),
    panel_muted=hex_color("#D0D0D0"),
    notice_bg=hex_color("#3A2A00"),
    notice_text=hex_color("#FFE082"),
    chart_series=(hex_color("#FFD54F"), hex_color("#4FC3F7"), hex_color("#EF9A9A")),
    chart_axis=hex_color("#D6D6D6"),
    alerts=_ALERTS,
)

THEMES: dict[str, Theme] = {t.name: t for t in (CIVIC, CONTRAST)}

#: Other spellings staff may write for a theme (playlist ``frame.theme``, config
#: ``display.theme``); the validator maps them to the names above.
THEME_ALIASES: dict[str, str] = {
    "default": "civic",
    "默认": "civic",
    "浅色": "civic",
    "深色": "contrast",
    "高对比": "contrast",
}


def get_theme(name: str | None) -> Theme:
    """The theme called ``name`` (default ``civic``); ``KeyError`` names the known ones."""
    if not name:
        return CIVIC
    try:
        return THEMES[name]
    except KeyError:
        known = ", ".join(sorted(THEMES))
        raise KeyError(f"未知主题 (unknown theme) {name!r}; 可用 (known): {known}") from None
