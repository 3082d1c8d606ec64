"""Display-list tests: every slide kind laid out at every supported size."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.displaylist import BoxOp, ImageOp, TextOp, contains, text_ops
from kiosk.layout import (
    LayoutError,
    SlidePage,
    clock_ops,
    default_slide,
    format_date,
    frame_ops,
    layout_entry,
    ticker_text,
)
from kiosk.layout.samples import ANNUAL_REPORT, NOW, entries
from kiosk.model import Entry, Image, Pdf, Ticker
from kiosk.text.linebreak import CLOSING, OPENING
from kiosk.themes import AA_CONTRAST, MIN_BODY_RATIO, contrast_ratio
from tests.slides_util import SIZES, UPDATED, background_under, make_ctx, make_pdf, make_photo

_cache: dict[tuple[int, int, str], list[SlidePage]] = {}


def pages_at(size: tuple[int, int], theme: str = "civic") -> list[SlidePage]:
    key = (*size, theme)
    if key not in _cache:
        ctx = make_ctx(size, theme)
        _cache[key] = [p for e in entries() for p in layout_entry(e, ctx)] + [default_slide(ctx)]
    return _cache[key]


@pytest.mark.parametrize("size", SIZES)
def test_every_operation_lies_inside_the_content_region(size: tuple[int, int]) -> None:
    ctx = make_ctx(size)
    content = ctx.regions.content
    screen = (0, 0, *size)
    for page in pages_at(size):
        area = screen if page.fullscreen else content
        for op in page.ops:
            assert contains(area, op.rect, slack=1), (page.entry_id, page.page, op)


@pytest.mark.parametrize("size", SIZES)
def test_no_two_text_runs_overlap(size: tuple[int, int]) -> None:
    for page in pages_at(size):
        runs = [op for op in text_ops(page.ops) if op.text.strip()]
        for i, a in enumerate(runs):
            for b in runs[i + 1 :]:
                ax, ay, aw, ah = a.rect
                bx, by, bw, bh = b.rect
                overlap = (
                    ax < bx + bw - 1 and bx < ax + aw - 1 and ay < by + bh - 1 and by < ay + ah - 1
                )
                assert not overlap, (page.entry_id, page.page, a.text, b.text)


@pytest.mark.parametrize("size", SIZES)
def test_body_text_is_at_least_three_and_a_half_percent_of_the_height(
    size: tuple[int, int],
) -> None:
    for page in pages_at(size):
        for op in text_ops(page.ops):
            if op.role in ("body", "list", "h1", "h2", "h3"):
                assert op.size >= MIN_BODY_RATIO * size[1], (page.entry_id, op.text)


@pytest.mark.parametrize("theme", ["civic", "contrast"])
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_every_drawn_text_has_aa_contrast_with_what_is_under_it(
    size: tuple[int, int], theme: str
) -> None:
    ctx = make_ctx(size, theme)
    frame = list(frame_ops(ctx, NOW, UPDATED)) + list(clock_ops(ctx, NOW))
    for page in pages_at(size, theme):
        ops = list(page.ops) if page.fullscreen else frame + list(page.ops)
        for i, op in enumerate(ops):
            if isinstance(op, TextOp):
                bg = background_under(ops, i, page.background)
                assert contrast_ratio(op.color, bg) >= AA_CONTRAST, (page.entry_id, op.text)


@pytest.mark.parametrize("level", ["blue", "yellow", "orange", "red"])
@pytest.mark.parametrize("theme", ["civic", "contrast"])
def test_every_alert_level_draws_all_its_text_with_aa_contrast(level: str, theme: str) -> None:
    from kiosk.model import Alert

    tz = NOW.tzinfo
    alert = Alert(
        level,  # type: ignore[arg-type]
        "寒潮预警：明日起气温骤降12℃以上",
        "受强冷空气影响，未来两天我镇气温将下降12℃以上，请注意防寒保暖，减少外出。",
        expires=datetime(2026, 11, 26, 18, 0, tzinfo=tz),
        issued=datetime(2026, 11, 24, 9, 0, tzinfo=tz),
    )
    for size in [(1920, 1080), (1080, 1920)]:
        ctx = make_ctx(size, theme)
        page = layout_entry(Entry("a", "alert", alert), ctx)[0]
        ops = list(page.ops)
        texts = [(i, op) for i, op in enumerate(ops) if isinstance(op, TextOp)]
        assert len(texts) >= 4
        for i, op in texts:
            bg = background_under(ops, i, page.background)
            assert contrast_ratio(op.color, bg) >= AA_CONTRAST, (level, op.text)
            if op.role == "alert-body":
                assert op.size >= MIN_BODY_RATIO * size[1]


def test_pages_are_numbered_n_of_total() -> None:
    pages = [p for p in pages_at((1920, 1080)) if p.entry_id == "annual-report"]
    assert len(pages) > 3
    for i, p in enumerate(pages, 1):
        assert (p.page, p.pages) == (i, len(pages))
        assert f"第 {i} / {len(pages)} 页" in p.lines


def test_a_single_page_entry_carries_no_page_number() -> None:
    alert = next(p for p in pages_at((1920, 1080)) if p.kind == "alert")
    assert alert.pages == 1
    assert not any("页" in line and "第" in line for line in alert.lines)


@pytest.mark.parametrize("size", SIZES)
def test_the_whole_body_is_shown_once_in_order_across_pages(size: tuple[int, int]) -> None:
    pages = [p for p in pages_at(size) if p.entry_id == "annual-report"]
    body = "".join(
        op.text
        for p in pages
        for op in text_ops(p.ops)
        if op.role in ("body", "h1", "h2", "h3", "list")
    )
    expected = "".join(ANNUAL_REPORT.body.split())
    assert "".join(body.split()) == expected


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_no_line_breaks_the_punctuation_rules(size: tuple[int, int]) -> None:
    for page in pages_at(size):
        for op in text_ops(page.ops):
            if op.role in ("body", "list", "h1", "h2", "h3", "value"):
                assert op.text[0] not in CLOSING, (page.entry_id, op.text)
                assert op.text[-1] not in OPENING, (page.entry_id, op.text)


def test_lines_are_the_drawn_texts_in_reading_order() -> None:
    for page in pages_at((1920, 1080)):
        assert page.lines == tuple(op.text for op in text_ops(page.ops))


def test_first_page_carries_title_meta_and_badge_continuations_a_running_head() -> None:
    pages = [p for p in pages_at((1920, 1080)) if p.entry_id == "annual-report"]
    first = pages[0]
    assert ANNUAL_REPORT.title in first.lines
    assert "计划总结" in first.lines
    assert any("红政发〔2018〕21号" in line for line in first.lines)
    assert any(ANNUAL_REPORT.title in line for line in pages[1].lines)
    assert not any("红政发" in line for line in pages[1].lines)


def test_publicity_bar_shows_the_period_and_working_days_left() -> None:
    page = next(p for p in pages_at((1920, 1080)) if p.entry_id == "dibao-publicity")
    # 2026-11-20 (Fri) + 6 working days → 11-27; on Tue 11-24: 24, 25, 26, 27 remain.
    assert "公示期：11月20日至11月27日 · 剩余4个工作日" in page.lines


def test_publicity_bar_says_when_the_period_is_over() -> None:
    ctx = make_ctx((1920, 1080), now=datetime(2026, 11, 30, 9, 0, tzinfo=NOW.tzinfo))
    page = layout_entry(entries()[1], ctx)[0]
    assert "公示期：11月20日至11月27日 · 已结束" in page.lines


def test_a_notice_with_a_url_shows_a_qr_code_on_every_page() -> None:
    for size in [(1920, 1080), (1080, 1920)]:
        pages = [p for p in pages_at(size) if p.entry_id == "annual-report"]
        for p in pages:
            qrs = [op for op in p.ops if isinstance(op, ImageOp) and op.source.startswith("qr:")]
            assert [q.source for q in qrs] == ["qr:" + (ANNUAL_REPORT.url or "")]
            assert qrs[0].rect[2] >= 0.15 * min(size)


@pytest.mark.parametrize("size", SIZES)
def test_the_qr_caption_is_shown_whole(size: tuple[int, int]) -> None:
    for p in pages_at(size):
        captions = [op.text for op in text_ops(p.ops) if op.role == "caption"]
        if captions:
            assert "".join(captions) in ("扫码查看全文", "扫码办理"), (p.entry_id, captions)


def test_guide_numbers_its_steps_and_shows_the_service_information() -> None:
    pages = [p for p in pages_at((1920, 1080)) if p.entry_id == "dibao-guide"]
    lines = [line for p in pages for line in p.lines]
    markers = [
        line for p in pages for op in text_ops(p.ops) if op.role == "marker" for line in [op.text]
    ]
    assert markers == ["1", "2", "3", "4", "5"]
    for label in (
        "办理流程",
        "所需材料",
        "办理地点",
        "办公时间",
        "承诺时限",
        "收费标准",
        "咨询电话",
    ):
        assert label in lines
    assert "30个工作日" in lines and "不收费" in lines


def test_a_step_number_is_read_just_before_its_step() -> None:
    for p in pages_at((1920, 1080)):
        ops = list(text_ops(p.ops))
        for i, op in enumerate(ops):
            if op.role == "marker":
                nxt = ops[i + 1]
                assert nxt.role == "list"
                assert abs(nxt.y + nxt.size / 2 - (op.y + op.size / 2)) < op.size


def test_portrait_guide_shows_every_information_row_on_its_first_page() -> None:
    page = next(p for p in pages_at((1080, 1920)) if p.entry_id == "dibao-guide")
    for label in ("办理地点", "办公时间", "承诺时限", "收费标准", "咨询电话"):
        assert label in page.lines
    assert any(isinstance(op, ImageOp) and op.source.startswith("qr:") for op in page.ops)


def test_a_portrait_guide_whose_information_cannot_fit_a_panel_loses_no_row() -> None:
    from kiosk.model import Guide

    long = "不收取费用；申请数量、频次明显超过合理范围的，依法按规定收取信息处理费。" * 2
    g = Guide(
        "政府信息依申请公开",
        steps=("提交申请", "登记受理"),
        location="镇政府办公楼一楼 党政办公室（依申请公开受理）" * 2,
        hours="工作日 上午8:30—12:00，下午14:30—17:30（法定节假日除外）",
        time_limit="能当场答复的当场答复；否则20个工作日内答复",
        fee=long,
        phone="0470-8942932",
    )
    pages = layout_entry(Entry("g", "guide", g), make_ctx((1080, 1920)))
    text = "".join(line for p in pages for line in p.lines)
    for label in ("办理地点", "办公时间", "承诺时限", "收费标准", "咨询电话：0470-8942932"):
        assert label in text
    assert "提交申请" in text


def test_report_shows_key_figures_with_units_and_a_chart() -> None:
    page = next(p for p in pages_at((1920, 1080)) if p.entry_id == "report-2018")
    figures = {op.text for op in text_ops(page.ops) if op.role == "figure"}
    assert figures == {"179", "6", "11", "0"}
    assert {"条", "期", "份", "件"} <= set(page.lines)
    assert "工作动态" in page.lines
    ctx = make_ctx()
    bars = [
        op
        for op in page.ops
        if isinstance(op, BoxOp)
        and op.color == ctx.theme.chart_series[0]
        and op.rect[3] > ctx.sizes.rule
    ]
    assert len(bars) == 5


@pytest.mark.parametrize("size", [(1080, 1920), (720, 1280)])
def test_portrait_key_figures_are_rows_with_one_number_size_and_one_label_size(
    size: tuple[int, int],
) -> None:
    ctx = make_ctx(size)
    page = next(p for p in pages_at(size) if p.entry_id == "report-2018")
    ops = list(text_ops(page.ops))
    figures = [op for op in ops if op.role == "figure"]
    labels = [op for op in ops if op.role == "label"]
    assert [op.text for op in figures] == ["179", "6", "11", "0"]
    assert len({op.size for op in figures}) == 1 and len({op.size for op in labels}) == 1
    assert figures[0].size >= 1.4 * ctx.sizes.body
    assert labels[0].size >= ctx.sizes.meta
    for f in figures:  # each label on its number's row, to its right
        row = [op for op in labels if abs((op.y + op.size / 2) - (f.y + f.size / 2)) < f.size]
        assert row and all(op.x > f.x + f.width for op in row)


def test_alert_fills_the_screen_in_its_level_colour() -> None:
    ctx = make_ctx((1920, 1080))
    page = next(p for p in pages_at((1920, 1080)) if p.kind == "alert")
    assert page.fullscreen
    first = page.ops[0]
    assert isinstance(first, BoxOp) and first.rect == (0, 0, 1920, 1080)
    assert first.color == ctx.theme.alerts["orange"].background
    title = next(op for op in text_ops(page.ops) if op.role == "alert-title")
    assert title.size >= ctx.sizes.alert_title[0]
    assert "橙色预警" in page.lines


def test_a_short_alert_title_is_fitted_larger_than_a_long_one() -> None:
    from kiosk.model import Alert

    ctx = make_ctx((1920, 1080))
    short = layout_entry(Entry("a", "alert", Alert("red", "停电通知")), ctx)[0]
    long = layout_entry(
        Entry(
            "b",
            "alert",
            Alert("red", "关于明日上午镇政府办公楼临时停电及暂停办理业务的紧急通知" * 3),
        ),
        ctx,
    )[0]

    def title_size(p: SlidePage) -> int:
        return next(op.size for op in text_ops(p.ops) if op.role == "alert-title")

    assert title_size(short) > title_size(long)


def test_an_alert_valid_to_a_date_names_that_day_and_a_new_year() -> None:
    from kiosk.layout.alert import alert_footer_parts
    from kiosk.model import Alert

    tz = NOW.tzinfo
    issued = datetime(2026, 11, 20, 9, 0, tzinfo=tz)
    to_date = Alert("blue", "t", expires=datetime(2027, 6, 16, 0, 0, tzinfo=tz), issued=issued)
    to_time = Alert("blue", "t", expires=datetime(2026, 11, 21, 18, 0, tzinfo=tz), issued=issued)
    assert alert_footer_parts(to_date, "镇政府")[2] == "有效至2027年6月15日"
    assert alert_footer_parts(to_time, "镇政府")[2] == "有效至11月21日 18:00"


@pytest.mark.parametrize("size", SIZES)
def test_a_short_alert_title_is_not_broken_inside_a_word_when_one_line_reads_well(
    size: tuple[int, int],
) -> None:
    from kiosk.model import Alert

    ctx = make_ctx(size)
    hinted = Alert("blue", "冬春季森林草原 防火期提示", "林区、草原内严禁一切野外用火。")
    page = layout_entry(Entry("a", "alert", hinted), ctx)[0]
    title = [op.text for op in text_ops(page.ops) if op.role == "alert-title"]
    # One line where it fits at a large size; else broken where the writer marked it.
    assert title in (["冬春季森林草原防火期提示"], ["冬春季森林草原", "防火期提示"])
    if size[0] > size[1]:
        assert len(title) == 1


def test_a_title_breaks_after_punctuation_rather_than_inside_a_phrase() -> None:
    from kiosk.layout.textblock import choose_title_lines

    ctx = make_ctx((1920, 1080))
    size, lines = choose_title_lines(
        "寒潮橙色预警：明日起气温骤降12℃以上",
        1800,
        200 * 1.25 * 3,
        range(60, 201),
        lambda s: ctx.metrics.measure("bold", s),
        line_height=1.25,
        max_lines=3,
        enough=108,
    )
    assert lines == ["寒潮橙色预警：", "明日起气温骤降12℃以上"]
    assert size > 108


def test_display_time_follows_reading_speed_within_bounds() -> None:
    ctx = make_ctx((1920, 1080))
    d = ctx.defaults
    for page in pages_at((1920, 1080)):
        if page.kind != "default":
            assert d.min_seconds <= page.seconds <= d.max_seconds
    fixed = replace(entries()[0], duration=12.0)
    assert {p.seconds for p in layout_entry(fixed, ctx)} == {12.0}


@pytest.mark.parametrize("size", SIZES)
def test_examples_have_no_missing_glyphs_and_use_the_sc_faces(size: tuple[int, int]) -> None:
    for page in pages_at(size):
        assert page.missing_glyphs == ()
        assert page.fonts and all("CJK SC" in f for f in page.fonts)


def test_characters_the_font_cannot_draw_are_reported() -> None:
    from kiosk.model import Notice

    ctx = make_ctx((1920, 1080))
    page = layout_entry(Entry("x", "notice", Notice("测试", "笑脸\U0001f600")), ctx)[0]
    assert page.missing_glyphs == ("\U0001f600",)


def test_image_pages_fit_the_picture_and_caption_in_the_content_area(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "photo.jpg", (800, 450))
    ctx = make_ctx((1920, 1080))
    for fit in ("contain", "cover"):
        page = layout_entry(Entry("p", "image", Image(str(photo), fit, "镇便民服务中心")), ctx)[0]
        img = next(op for op in page.ops if isinstance(op, ImageOp))
        cap = next(op for op in text_ops(page.ops) if op.role == "caption")
        assert img.fit == fit and img.source == str(photo)
        assert img.rect[1] + img.rect[3] <= cap.y
        assert contains(ctx.regions.content, img.rect)


def test_a_wide_picture_on_an_upright_screen_has_its_caption_right_under_it(
    tmp_path: Path,
) -> None:
    photo = make_photo(tmp_path / "photo.jpg", (1600, 900))
    ctx = make_ctx((1080, 1920))
    page = layout_entry(Entry("p", "image", Image(str(photo), "contain", "镇便民服务中心")), ctx)[0]
    img = next(op for op in page.ops if isinstance(op, ImageOp))
    cap = next(op for op in text_ops(page.ops) if op.role == "caption")
    _, y, w, h = img.rect
    assert abs(w / h - 16 / 9) < 0.02  # the rect is the picture itself
    assert 0 <= cap.y - (y + h) <= cap.size  # the caption follows the picture
    _, cy, _, ch = ctx.regions.content
    above, below = y - cy, cy + ch - (cap.y + cap.size)
    assert abs(above - below) < cap.size * 1.5  # the pair is centred


def test_relative_image_paths_resolve_against_the_playlist_directory(tmp_path: Path) -> None:
    make_photo(tmp_path / "p.png", (64, 36))
    ctx = make_ctx((1280, 720), base_dir=str(tmp_path))
    page = layout_entry(Entry("p", "image", Image("p.png")), ctx)[0]
    assert any(isinstance(op, ImageOp) and op.source == str(tmp_path / "p.png") for op in page.ops)


def test_a_missing_image_is_a_layout_error_naming_the_entry(tmp_path: Path) -> None:
    ctx = make_ctx((1920, 1080))
    with pytest.raises(LayoutError, match="gone"):
        layout_entry(Entry("gone", "image", Image(str(tmp_path / "nope.jpg"))), ctx)


def test_pdf_entries_get_one_numbered_page_per_pdf_page(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "doc.pdf", pages=3)
    ctx = make_ctx((1920, 1080))
    pages = layout_entry(Entry("d", "pdf", Pdf(str(pdf), "镇政府工作报告")), ctx)
    assert [p.page for p in pages] == [1, 2, 3]
    for i, p in enumerate(pages):
        img = next(op for op in p.ops if isinstance(op, ImageOp))
        assert img.source == f"pdf:{pdf}#{i}"
        assert f"第 {i + 1} / 3 页" in p.lines and "镇政府工作报告" in p.lines


def test_frame_shows_office_date_clock_phone_and_freshness() -> None:
    for size in [(1920, 1080), (1080, 1920), (1280, 720)]:
        ctx = make_ctx(size)
        texts = [op.text for op in text_ops(frame_ops(ctx, NOW, UPDATED))]
        assert texts == [
            "红花尔基镇人民政府",
            "咨询电话：0470-8942932",
            "内容更新于 2026年11月23日",
        ]
        clock = [op.text for op in text_ops(clock_ops(ctx, NOW))]
        assert clock == ["10:30", "2026年11月24日 星期二"]
        for op in list(frame_ops(ctx, NOW, UPDATED)) + list(clock_ops(ctx, NOW)):
            assert contains((0, 0, *size), op.rect, slack=1)
        for op in clock_ops(ctx, NOW):
            assert contains(ctx.regions.clock, op.rect, slack=1)


def test_freshness_is_left_out_when_the_store_never_updated() -> None:
    ctx = make_ctx((1920, 1080))
    texts = [op.text for op in text_ops(frame_ops(ctx, NOW, None))]
    assert not any("更新" in t for t in texts)


def test_dates_are_written_the_official_way() -> None:
    assert format_date(datetime(2026, 11, 29).date()) == "2026年11月29日 星期日"
    assert format_date(datetime(2026, 1, 5).date()) == "2026年1月5日 星期一"


def test_regions_tile_the_screen_without_overlap() -> None:
    for size in SIZES:
        rg = make_ctx(size).regions
        _w, h = size
        assert rg.header[1] == 0 and rg.footer[1] + rg.footer[3] == h
        assert rg.content[1] == rg.header[3]
        assert rg.content[1] + rg.content[3] == rg.footer[1]
        assert contains(rg.header, rg.clock) and contains(rg.header, rg.office)
        assert contains(rg.footer, rg.ticker) and contains(rg.footer, rg.info)
        assert rg.content[3] > 0.6 * h


def test_without_ticker_items_no_empty_ticker_band_is_drawn() -> None:
    with_items = make_ctx((1920, 1080))
    without = make_ctx((1920, 1080), ticker=Ticker(items=()))
    bands = [
        [
            op
            for op in frame_ops(c, NOW, UPDATED)
            if isinstance(op, BoxOp) and op.rect == c.regions.ticker
        ]
        for c in (with_items, without)
    ]
    assert [op.color for op in bands[0]] == [with_items.theme.ticker_bg]
    assert bands[1] == []


def test_ticker_text_joins_items_with_the_separator() -> None:
    t = Ticker(items=("甲", " ", "乙"), separator=" ◆ ")
    assert ticker_text(t) == "甲 ◆ 乙 ◆ "
    assert ticker_text(Ticker()) == ""


def test_published_pdfs_show_their_prerendered_page_images(tmp_path: Path) -> None:
    pages = [make_photo(tmp_path / f"p{i}.png", (300, 424)) for i in range(2)]
    ctx = make_ctx((1920, 1080))
    pdf = Pdf(str(pages[0]), "宣传单", pages=tuple(str(p) for p in pages))
    out = layout_entry(Entry("d", "pdf", pdf), ctx)
    sources = [op.source for p in out for op in p.ops if isinstance(op, ImageOp)]
    assert sources == [str(p) for p in pages]
    assert [p.lines[-1] for p in out] == ["第 1 / 2 页", "第 2 / 2 页"]
