"""Paragraphs and headings of official documents, laid out into positioned lines — pure.

Headings (GB/T 9704 numbering): ``一、`` → ``h1``; ``（一）`` / ``(一)`` → ``h2``
(and the chapters and sections of regulations, ``第一章 总则`` → ``h1``, ``第一节`` → ``h2``);
``1.`` / ``1、`` / ``1．`` / ``（1）`` → ``h3``; ``①`` … and bullets (``•``, ``●``, ``■``,
``- ``) → ``list``; the closing signature and date of a document (``红花尔基镇人民政府`` /
``2018年12月6日`` as its last lines) → ``sign``, set flush right; everything else →
``body``.  Official documents often run a short
heading into its paragraph (``（一）及时主动公开工作信息。2018年我镇……``): when the
labelled sentence is short it becomes the heading and the rest a body paragraph; a long
numbered paragraph without such a sentence stays a body paragraph, and so does a numbered
item that is one whole sentence with clauses (``（二）加强应急值守，……群众。``, ``1. 对……，
当场告知并督促整改。``): it is an item of text, not a title, even when short.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from kiosk.text.linebreak import Measure, break_lines_measured, line_runs

Role = Literal["h1", "h2", "h3", "body", "list", "sign"]
HEADING_ROLES = frozenset({"h1", "h2", "h3"})

#: A heading (or run-in heading sentence) longer than this many characters is body text.
HEADING_MAX_CHARS = 40

_CN_NUM = "一二三四五六七八九十百零〇两"
_H1 = re.compile(f"[{_CN_NUM}]+、|第[{_CN_NUM}0-9]+章(?:\\s|$)")
_H2 = re.compile(f"[（(][{_CN_NUM}]+[）)]|第[{_CN_NUM}0-9]+节(?:\\s|$)")
_H3 = re.compile(r"(?:[0-9０-９]+(?:[、．]|\.(?![0-9]))|[（(][0-9０-９]+[）)])")
_LIST = re.compile(r"(?:[\u2460-\u2473\u2776-\u277f•●▪■◆◇○]|[-–*](?=\s))")
_DATE = re.compile(
    r"(?:[0-9０-９]{4}|[〇○零一二三四五六七八九]{4})\s*年\s*"
    r"(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
    r"(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
_SIGN_MAX_CHARS = 30
_PUNCT = frozenset("。，、；：！？,;:!?")
# Where a run-in heading sentence ends.
_SENTENCE_END = re.compile(r"[。！？!?]|[：:](?=.)")
# Clause punctuation: a labelled line that is one whole sentence with clauses is an item.
_CLAUSE = frozenset("，；,;")
_STRIP = " \t\u3000\u00a0\ufeff"


@dataclass(frozen=True)
class Block:
    role: Role
    text: str


def _classify(line: str) -> Role:
    if _H1.match(line):
        return "h1"
    if _H2.match(line):
        return "h2"
    if _H3.match(line):
        return "h3"
    if _LIST.match(line):
        return "list"
    return "body"


def parse_blocks(text: str) -> list[Block]:
    """Split a document into blocks: one per non-blank line (leading/trailing spaces,
    including full-width spaces used for indentation, are removed).  See module doc."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip(_STRIP)
        if not line:
            continue
        role = _classify(line)
        if role not in HEADING_ROLES:
            blocks.append(Block(role, line))
            continue
        if len(line) <= HEADING_MAX_CHARS and not _SENTENCE_END.search(line[:-1]):
            if line[-1] in "。！？!?" and any(c in _CLAUSE for c in line):
                blocks.append(Block("body", line))  # a sentence item, not a title
            else:
                blocks.append(Block(role, line))
            continue
        m = _SENTENCE_END.search(line)
        if m is not None and m.end() <= HEADING_MAX_CHARS:
            head, rest = line[: m.end()], line[m.end() :].strip(_STRIP)
            blocks.append(Block(role, head))
            if rest:
                blocks.append(Block("body", rest))
        else:
            blocks.append(Block("body", line))
    return _mark_signature(blocks)


def _mark_signature(blocks: list[Block]) -> list[Block]:
    """A document ending in a date line (optionally after the issuing body's name) is
    signed: those last lines become ``sign`` blocks."""
    if len(blocks) < 2 or blocks[-1].role != "body" or not _DATE.fullmatch(blocks[-1].text):
        return blocks
    n = 1
    prev = blocks[-2]
    if (
        prev.role == "body"
        and len(prev.text) <= _SIGN_MAX_CHARS
        and not any(c in _PUNCT for c in prev.text)
        and len(blocks) >= 3
    ):
        n = 2
    return [*blocks[:-n], *(Block("sign", b.text) for b in blocks[-n:])]


@dataclass(frozen=True)
class TextStyle:
    """How one role is set.  ``size`` in px; ``line_height`` a multiple of ``size`` (the
    line box height); ``indent_chars`` the first-line indent in full-width characters (for
    ``align="right"`` the space kept free at the right, on every line); ``space_before``
    px of extra space above the block (not above the first block); ``align`` left, right
    or center within the column; ``squeeze`` compresses adjacent full-width punctuation
    (``》（`` → half an em less) — only for renderers that draw :attr:`LaidLine.runs`."""

    role: str
    size: int
    line_height: float = 1.5
    indent_chars: float = 0.0
    bold: bool = False
    space_before: float = 0.0
    align: Literal["left", "right", "center"] = "left"
    squeeze: bool = False


@dataclass(frozen=True)
class LaidLine:
    """One line as drawn: ``x``/``y`` are the top-left of its line box relative to the text
    area (y from 0 at the top), ``width`` the advance width of ``text`` in px, ``height``
    the line box height (``size × line_height``).  ``block`` indexes the source block;
    ``first``/``last`` mark the block's first and last line.  ``runs`` says how to draw it:
    ``(x offset from x, text)`` pieces — a single ``(0.0, text)`` unless the style
    squeezes punctuation."""

    text: str
    x: float
    y: float
    width: float
    height: float
    role: str
    style: TextStyle
    block: int
    first: bool
    last: bool
    runs: tuple[tuple[float, str], ...] = ()


FULL_WIDTH_CHAR = "\u3000"  # ideographic space: the advance of one full-width character


def default_styles(
    body_size: int, *, line_height: float = 1.5, squeeze: bool = False
) -> dict[str, TextStyle]:
    """A reasonable style table derived from a body size (headings bold and larger,
    body indented two characters, half a line between paragraphs).  ``squeeze`` turns on
    punctuation compression for every role (draw :attr:`LaidLine.runs` then)."""
    gap = round(body_size * 0.5, 2)
    table = {
        "h1": TextStyle("h1", round(body_size * 1.2), 1.4, 0.0, True, round(body_size * 0.8, 2)),
        "h2": TextStyle("h2", round(body_size * 1.08), 1.4, 2.0, True, gap),
        "h3": TextStyle("h3", body_size, line_height, 2.0, True, gap),
        "body": TextStyle("body", body_size, line_height, 2.0, False, gap),
        "list": TextStyle("list", body_size, line_height, 2.0, False, gap),
        "sign": TextStyle("sign", body_size, line_height, 2.0, False, gap, "right"),
    }
    if squeeze:
        table = {k: replace(v, squeeze=True) for k, v in table.items()}
    return table


def _fallback_style(role: str, styles: Mapping[str, TextStyle]) -> TextStyle:
    body = styles["body"]
    if role == "sign":
        return replace(body, role="sign", align="right")
    return body


def layout_blocks(
    blocks: Iterable[Block],
    width: float,
    styles: Mapping[str, TextStyle],
    measure_for: Callable[[TextStyle], Measure],
) -> list[LaidLine]:
    """Lay blocks out top to bottom in a column ``width`` px wide.  A role missing from
    ``styles`` uses the ``body`` style (set flush right for ``sign``).  The first-line
    indent is ``indent_chars`` × the width of a full-width character in that style;
    ``space_before`` separates blocks.  Right-aligned and centred lines get their ``x``
    from their measured width."""
    out: list[LaidLine] = []
    y = 0.0
    measures: dict[TextStyle, Measure] = {}
    indents: dict[TextStyle, float] = {}
    for index, block in enumerate(blocks):
        style = styles.get(block.role) or _fallback_style(block.role, styles)
        measure = measures.get(style)
        if measure is None:
            measure = measures[style] = measure_for(style)
            indents[style] = style.indent_chars * measure(FULL_WIDTH_CHAR)
        indent = min(indents[style], max(width - measure(FULL_WIDTH_CHAR), 0.0))
        sq = style.squeeze
        if style.align == "left":
            first_w = width - indent
            rest_w = width
        elif style.align == "right":
            first_w = rest_w = width - indent
        else:
            first_w = rest_w = width
        laid = break_lines_measured(block.text, rest_w, measure, first_width=first_w, squeeze=sq)
        if not laid:
            continue
        if out:
            y += style.space_before
        height = style.size * style.line_height
        last = len(laid) - 1
        for i, (t, w) in enumerate(laid):
            if style.align == "left":
                x = indent if i == 0 else 0.0
            elif style.align == "right":
                x = max(width - indent - w, 0.0)
            else:
                x = max((width - w) / 2, 0.0)
            runs = line_runs(t, measure, True, first_w if i == 0 else rest_w) if sq else ((0.0, t),)
            out.append(
                LaidLine(t, x, y, w, height, block.role, style, index, i == 0, i == last, runs)
            )
            y += height
    return out
