from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.text.paginate import page_seconds, paginate
from kiosk.text.paragraphs import HEADING_ROLES, Block, LaidLine, TextStyle, layout_blocks
from tests.textutil import synthetic

STYLES = {
    "h1": TextStyle("h1", 12, 1.5, 0.0, True, 6.0),
    "h2": TextStyle("h2", 11, 1.5, 2.0, True, 4.0),
    "body": TextStyle("body", 10, 1.5, 2.0, False, 3.0),
}

# Documents as official ones are built: sections of an optional h1, an optional h2 and
# one to three body paragraphs.  Headings fit on one line (up to 7 characters); body
# paragraphs run to 7 lines.
_heading = st.integers(min_value=1, max_value=7)
_section = st.tuples(
    st.one_of(st.none(), _heading),
    st.one_of(st.none(), _heading),
    st.lists(st.integers(min_value=1, max_value=66), min_size=1, max_size=3),
)


def _flatten(sections: list[tuple[int | None, int | None, list[int]]]) -> list[tuple[str, int]]:
    spec: list[tuple[str, int]] = []
    for h1, h2, bodies in sections:
        if h1:
            spec.append(("h1", h1))
        if h2:
            spec.append(("h2", h2))
        spec += [("body", n) for n in bodies]
    return spec


blocks_st = st.lists(_section, min_size=1, max_size=6).map(_flatten)


def _lay(spec: list[tuple[str, int]], width: float = 100.0) -> list[LaidLine]:
    blocks = [Block(role, "政" * n) for role, n in spec]  # type: ignore[arg-type]
    return layout_blocks(blocks, width, STYLES, lambda s: synthetic)


def _identity(ln: LaidLine) -> tuple[str, int, bool, bool]:
    return (ln.text, ln.block, ln.first, ln.last)


@settings(max_examples=200, deadline=None)
@given(blocks_st, st.floats(min_value=16.0, max_value=200.0))
def test_every_line_appears_once_in_order_and_no_page_overflows(
    spec: list[tuple[str, int]], height: float
) -> None:
    lines = _lay(spec)
    pages = paginate(lines, height)
    assert [_identity(ln) for p in pages for ln in p.lines] == [_identity(ln) for ln in lines]
    for p in pages:
        assert p.lines
        assert p.lines[0].y == 0.0
        bottom = max(ln.y + ln.height for ln in p.lines)
        assert bottom <= height + 1e-6 or len(p.lines) == 1
        assert p.chars == sum(len(ln.text) for ln in p.lines)


@settings(max_examples=200, deadline=None)
@given(blocks_st, st.floats(min_value=80.0, max_value=200.0))
def test_heading_is_never_last_on_a_page_when_a_line_follows(
    spec: list[tuple[str, int]], height: float
) -> None:
    # A page holds h1 + h2 + two body lines (77.5 px), so a good break always exists.
    pages = paginate(_lay(spec), height)
    for p in pages[:-1]:
        assert p.lines[-1].role not in HEADING_ROLES


@settings(max_examples=200, deadline=None)
@given(blocks_st, st.floats(min_value=90.0, max_value=200.0))
def test_no_single_orphan_or_widow_line_when_pages_hold_several_lines(
    spec: list[tuple[str, int]], height: float
) -> None:
    # A page holds h1 + h2 + a three-line paragraph (86.5 px): the break can always move.
    pages = paginate(_lay(spec), height)
    for p, nxt in itertools.pairwise(pages):
        last, first = p.lines[-1], nxt.lines[0]
        if last.block == first.block:
            assert not last.first, "orphan"
            assert not first.last, "widow"


def test_heading_moves_to_the_next_page_with_its_first_line() -> None:
    lines = _lay([("body", 28), ("h1", 3), ("body", 30)])
    # body: 3 lines of 15 px; h1 at 45+6 .. 69; the next body line at 72 .. 87.
    pages = paginate(lines, 75.0)
    assert [ln.role for ln in pages[0].lines] == ["body", "body", "body"]
    assert pages[1].lines[0].role == "h1"
    assert pages[1].lines[1].block == 2


def test_widow_pulls_a_line_from_the_previous_page() -> None:
    lines = _lay([("body", 58)])  # 6 lines: 8 on the first (indent 2), then 10 each
    assert len(lines) == 6
    pages = paginate(lines, 75.0)  # 5 lines fit; the 6th would be a widow
    assert [len(p.lines) for p in pages] == [4, 2]


def test_orphan_first_line_moves_to_the_next_page() -> None:
    lines = _lay([("body", 38), ("body", 28)])  # 4 lines, then 3 lines
    pages = paginate(lines, 80.0)  # 5 lines fit: the 5th would be a lone first line
    assert [len(p.lines) for p in pages] == [4, 3]


def test_a_line_taller_than_the_page_gets_its_own_page() -> None:
    lines = _lay([("body", 30)])
    pages = paginate(lines, 5.0)
    assert len(lines) == 4
    assert [len(p.lines) for p in pages] == [1, 1, 1, 1]


def test_page_seconds_follow_reading_speed_within_limits() -> None:
    assert page_seconds(100, 5.0, 8.0, 60.0) == 20.0
    assert page_seconds(10, 5.0, 8.0, 60.0) == 8.0
    assert page_seconds(1000, 5.0, 8.0, 60.0) == 60.0
    assert page_seconds(101, 5.0, 8.0, 60.0) == 20.2
    assert page_seconds(100, 0.0, 8.0, 60.0) == 60.0
