"""Playlist format v1: parsing and validation (pure), plus the thin file reader.

``load_playlist(data, path)`` turns the bytes of a staff-edited YAML file into a validated
:class:`~kiosk.model.Playlist`, or reports every problem it finds as
:class:`~kiosk.diagnostics.Diagnostic` lines (``FILE:LINE:COL: 错误: …``). It never raises
for bad input. The validator (``kiosk validate``) and the player share it.

The format is documented for staff in ``docs/playlist.md``; the key tables below are also
the source of the JSON Schema (:mod:`kiosk.schema`). Content keys (``title``, ``body``, …)
sit directly in the entry; the same keys describe store items from the portal manifest,
parsed by :func:`parse_content`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, time, timedelta, tzinfo
from pathlib import PurePath
from typing import Any, Protocol

from kiosk import DISCLOSURE_PUBLIC
from kiosk.diagnostics import Diagnostic, SourcePos, has_errors
from kiosk.fields import (
    BOOL,
    DATE,
    DATETIME,
    DURATION,
    ID,
    INVALID,
    NAME,
    TEXT,
    THEME,
    URL,
    Ctx,
    Field,
    FileExists,
    FontCheck,
    MediaCheck,
    Table,
    Type,
    _norm,
    choice,
    expect_scalar,
    integer,
    key_pos,
    list_of,
    number,
    obj,
    parse_table,
    parse_time_text,
    seconds,
    text_list,
    unknown_key,
)
from kiosk.model import (
    ALERT_LEVELS,
    FORMAT_VERSION,
    KINDS,
    TRANSITIONS,
    Alert,
    Chart,
    Content,
    Defaults,
    Entry,
    Figure,
    Frame,
    Guide,
    Image,
    Kind,
    Notice,
    Pdf,
    Playlist,
    Publicity,
    Report,
    Schedule,
    Section,
    Selection,
    Series,
    Ticker,
    TimeRange,
)
from kiosk.yamlsrc import Map, Node, Scalar, Seq, from_plain, parse_yaml, read_source

__all__ = [
    "PLAYLIST_TABLE",
    "load_playlist",
    "parse_content",
    "read_playlist",
]


class WorkdayCalendar(Protocol):
    def is_workday(self, d: date) -> bool: ...


# ============================================================================ value types

KIND_ALIASES: dict[str, str] = {
    "公告": "notice",
    "公示": "notice",
    "通知": "notice",
    "办事指南": "guide",
    "指南": "guide",
    "报告": "report",
    "年度报告": "report",
    "图片": "image",
    "文档": "pdf",
    "预警": "alert",
    "紧急通知": "alert",
}
KIND = choice(KINDS, KIND_ALIASES)
TRANSITION = choice(
    TRANSITIONS, {"切换": "cut", "直接切换": "cut", "淡入淡出": "fade", "推移": "push"}
)
ALERT_LEVEL = choice(
    ALERT_LEVELS,
    {
        "蓝色": "blue",
        "黄色": "yellow",
        "橙色": "orange",
        "红色": "red",
        "蓝": "blue",
        "黄": "yellow",
        "橙": "orange",
        "红": "red",
    },
)
FIT = choice(("contain", "cover"), {"完整显示": "contain", "铺满": "cover"})
ORDER = choice(("newest", "oldest"), {"最新": "newest", "最早": "oldest"})

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")

# --- days -------------------------------------------------------------------------

_DAYSET_WORDS: dict[str, str] = {
    "all": "all",
    "every day": "all",
    "everyday": "all",
    "daily": "all",
    "每天": "all",
    "每日": "all",
    "全部": "all",
    "workdays": "workdays",
    "workday": "workdays",
    "working days": "workdays",
    "工作日": "workdays",
    "holidays": "holidays",
    "holiday": "holidays",
    "节假日": "holidays",
    "休息日": "holidays",
    "非工作日": "holidays",
}

_WEEKDAY_WORDS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("mon", "monday", "一", "周一", "星期一", "礼拜一"),
        ("tue", "tues", "tuesday", "二", "周二", "星期二", "礼拜二"),
        ("wed", "wednesday", "三", "周三", "星期三", "礼拜三"),
        ("thu", "thur", "thurs", "thursday", "四", "周四", "星期四", "礼拜四"),
        ("fri", "friday", "五", "周五", "星期五", "礼拜五"),
        ("sat", "saturday", "六", "周六", "星期六", "礼拜六"),
        ("sun", "sunday", "日", "天", "周日", "周天", "星期日", "星期天", "礼拜日", "礼拜天"),
    ),
    start=1,
):
    for _n in _names:
        _WEEKDAY_WORDS[_n] = _i
    _WEEKDAY_WORDS[str(_i)] = _i

_NOT_DAYS = frozenset({"no", "false", "off", "none", "n", "否", "无", "never", "0"})
_RANGE_SEP = re.compile(r"\s*(?:-|–|—|~|至|到)\s*")


def _weekday(text: str) -> int | None:
    t = _norm(text).lower()
    return _WEEKDAY_WORDS.get(t)


def _days_scalar(s: Scalar, ctx: Ctx) -> Any:
    t = _norm(s.text).lower()
    if t in _DAYSET_WORDS:
        return _DAYSET_WORDS[t]
    if t in _NOT_DAYS:
        ctx.error(
            s.pos,
            "schedule.days_ambiguous",
            f"“days: {s.text}”含义不清：它不是星期的写法（老式 YAML 还会把它当成“否”）。"
            "要停用条目请写 enabled: false；要限定星期请写 workdays、holidays、all "
            "或星期列表如 [周一, 周三]",
            f"'days: {s.text}' is ambiguous: it is not a set of days (old YAML reads it as "
            "false). To switch the entry off write 'enabled: false'; otherwise write workdays, "
            "holidays, all, or a list like [mon, wed]",
        )
        return INVALID
    w = _weekday(t)
    if w is not None:
        return frozenset({w})
    parts = _RANGE_SEP.split(t)
    if len(parts) == 2:
        a, b = _weekday(parts[0]), _weekday(parts[1])
        if a is not None and b is not None:
            if a <= b:
                return frozenset(range(a, b + 1))
            return frozenset([*range(a, 8), *range(1, b + 1)])
    pieces = [p for p in re.split(r"[,，、\s]+", t) if p]
    if len(pieces) > 1 and all(_weekday(p) is not None for p in pieces):
        return frozenset(w for p in pieces if (w := _weekday(p)) is not None)
    ctx.error(
        s.pos,
        "schedule.bad_days",
        f"“{s.text}”不是可用的日子写法；可写 workdays（工作日）、holidays（节假日）、all（每天）、"
        "星期范围如 周一至周五，或星期列表如 [周一, 周三]",
        f"'{s.text}' is not a set of days; write workdays, holidays, all, a range like "
        "mon-fri, or a list like [mon, wed]",
    )
    return INVALID


def _days_convert(node: Node, ctx: Ctx) -> Any:
    if isinstance(node, Scalar):
        return _days_scalar(node, ctx)
    if isinstance(node, Map):
        ctx.error(
            node.pos,
            "value.wrong_type",
            "days 应是 workdays / holidays / all，或星期列表，不能是键值表",
            "days must be workdays / holidays / all or a list of weekdays, not a mapping",
        )
        return INVALID
    days: set[int] = set()
    ok = True
    for item in node.items:
        s = expect_scalar(item, ctx, "星期几", "a weekday")
        if s is None:
            ok = False
            continue
        w = _weekday(s.text)
        if w is None:
            t = _norm(s.text).lower()
            extra_zh = (
                "；workdays/holidays/all 要单独写（days: workdays），不能放进列表"
                if t in _DAYSET_WORDS
                else ""
            )
            ctx.error(
                s.pos,
                "schedule.bad_weekday",
                f"“{s.text}”不是星期几；请写 周一…周日、mon…sun 或 1…7{extra_zh}",
                f"'{s.text}' is not a weekday; write mon..sun or 1..7"
                + ("; workdays/holidays/all stand alone, not in a list" if extra_zh else ""),
            )
            ok = False
            continue
        days.add(w)
    return frozenset(days) if ok else INVALID


DAYS = Type(
    "日子（workdays / holidays / all / 星期列表）",
    "days (workdays / holidays / all / list of weekdays)",
    _days_convert,
    lambda: {
        "anyOf": [
            {"enum": sorted(_DAYSET_WORDS)},
            {"type": "string", "pattern": r"^\S+\s*(-|–|—|~|～|至|到)\s*\S+$"},
            {"type": "array", "items": {"enum": sorted(_WEEKDAY_WORDS)}},
            {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}},
        ]
    },
)

# --- times ---------------------------------------------------------------------------

_ALL_DAY_WORDS = frozenset({"all", "all day", "全天", "整天"})
TIME_RANGE_PATTERN = r"^\d{1,2}[:：]\d{2}\s*(-|–|—|~|～|至|到)\s*\d{1,2}[:：]\d{2}$"


def _time_range_text(s: Scalar, ctx: Ctx) -> TimeRange | None:
    t = _norm(s.text)
    parts = _RANGE_SEP.split(t)
    if len(parts) != 2:
        ctx.error(
            s.pos,
            "schedule.bad_times",
            f"“{s.text}”不是时间段；请写成 08:00-12:00 的形式（跨午夜如 22:00-06:00）",
            f"'{s.text}' is not a time range; write it like 08:00-12:00 "
            "(across midnight: 22:00-06:00)",
        )
        return None
    return _time_range(parts[0], parts[1], s.pos, s.pos, ctx)


def _time_range(a: str, b: str, apos: SourcePos, bpos: SourcePos, ctx: Ctx) -> TimeRange | None:
    start, zh, en = parse_time_text(a)
    if start is None:
        ctx.error(apos, "value.bad_time", zh, en)
        return None
    end, zh, en = parse_time_text(b, allow_24=True)
    if end is None:
        ctx.error(bpos, "value.bad_time", zh, en)
        return None
    # 00:00-24:00 is the whole day (24:00 parses as 00:00 at the end of the day)
    whole_day = start == time(0) and parse_time_text(b)[0] is None
    if start == end and not whole_day:
        ctx.error(
            apos,
            "schedule.never",
            f"时间段 {a}-{b} 开始和结束相同，永远不会显示；全天请写 00:00-24:00 或删去 times",
            f"time range {a}-{b} starts where it ends and is never active; for all day "
            "write 00:00-24:00 or leave times out",
        )
        return None
    return TimeRange(start, end)


def _times_convert(node: Node, ctx: Ctx) -> Any:
    if isinstance(node, Scalar):
        if _norm(node.text).lower() in _ALL_DAY_WORDS:
            return ()
        one = _time_range_text(node, ctx)
        return INVALID if one is None else (one,)
    if isinstance(node, Map):
        node = Seq((node,), node.pos)
    out: list[TimeRange] = []
    ok = True
    for item in node.items:
        r: TimeRange | None = None
        if isinstance(item, Scalar):
            r = _time_range_text(item, ctx)
        elif isinstance(item, Map):
            values = parse_table(item, TIME_RANGE_TABLE, ctx)
            if values is not None and "start" in values and "end" in values:
                a, b = values["start"], values["end"]
                r = _time_range(a, b, key_pos(item, "start"), key_pos(item, "end"), ctx)
        else:
            ctx.error(
                item.pos,
                "value.wrong_type",
                "时间段应写成 08:00-12:00",
                "a time range is written like 08:00-12:00",
            )
        if r is None:
            ok = False
        else:
            out.append(r)
    if ok and isinstance(node, Seq) and not node.items:
        ctx.error(
            node.pos,
            "schedule.never",
            "times 是空列表，条目永远不会显示；全天显示请删去 times",
            "times is an empty list, so the entry is never active; leave times out for all day",
        )
        return INVALID
    return tuple(out) if ok else INVALID


_TIME_TEXT = Type(
    "时间（如 08:30；结束可写 24:00）",
    "a time like 08:30 (an end may be 24:00)",
    lambda node, ctx: (
        s.text if (s := expect_scalar(node, ctx, "时间", "a time")) is not None else INVALID
    ),
    lambda: {"type": "string", "pattern": r"^\d{1,2}[:：]\d{2}$"},
)
TIME_RANGE_TABLE = Table(
    "time_range",
    (
        Field("start", _TIME_TEXT, "开始时间（含）", "start time (inclusive)", required=True),
        Field(
            "end",
            _TIME_TEXT,
            "结束时间（不含）；早于开始时间表示跨过午夜",
            "end (exclusive)",
            required=True,
        ),
    ),
    "时间段",
    "a time range",
)

TIMES = Type(
    "时间段（如 08:00-12:00，或它们的列表）",
    "time ranges (08:00-12:00, or a list of them)",
    _times_convert,
    lambda: {
        "anyOf": [
            {"type": "string", "pattern": TIME_RANGE_PATTERN},
            {"enum": sorted(_ALL_DAY_WORDS)},
            {
                "type": "array",
                "items": {
                    "anyOf": [
                        {"type": "string", "pattern": TIME_RANGE_PATTERN},
                        {"$ref": "#/$defs/time_range"},
                    ]
                },
            },
        ]
    },
    (TIME_RANGE_TABLE,),
)

# --- publicity -------------------------------------------------------------------------


def _build_publicity(v: dict[str, Any], node: Map, ctx: Ctx) -> Any:
    if "start" not in v:
        return INVALID
    wd, end = v.get("working_days"), v.get("end")
    if wd is not None and end is not None:
        ctx.error(
            key_pos(node, "end"),
            "publicity.both",
            "公示期只能写 working_days（工作日数）或 end（结束日期）其中一个",
            "give either working_days or end for a publicity period, not both",
        )
        return INVALID
    if wd is None and end is None:
        if node.get("working_days") is None and node.get("end") is None:
            ctx.error(
                node.pos,
                "publicity.length",
                "公示期缺少长度：请写 working_days（如 5 个工作日）或 end（结束日期）",
                "the publicity period needs working_days (e.g. 5) or an end date",
            )
        return INVALID
    if end is not None and end < v["start"]:
        ctx.error(
            key_pos(node, "end"),
            "schedule.never",
            f"公示期结束日期 {end} 早于开始日期 {v['start']}",
            f"the publicity period ends ({end}) before it starts ({v['start']})",
        )
        return INVALID
    return Publicity(start=v["start"], working_days=wd, end=end)


PUBLICITY_TABLE = Table(
    "publicity",
    (
        Field(
            "start",
            DATE,
            "公示开始日期",
            "first day of the publicity period",
            required=True,
            aka=("开始", "开始日期"),
            example="2026-12-01",
        ),
        Field(
            "working_days",
            integer(1, 365),
            "公示天数（按工作日计，含开始日；节假日不计）",
            "length in working days (Chinese calendar, 调休 counted)",
            aka=("工作日",),
        ),
        Field(
            "end",
            DATE,
            "公示结束日期（含当天；与 working_days 二选一）",
            "last day (inclusive); instead of working_days",
            aka=("结束", "结束日期"),
        ),
    ),
    "公示期：开始日期 + N 个工作日，或开始与结束日期",
    "publicity period: start + N working days, or start and end",
)
PUBLICITY = obj(PUBLICITY_TABLE, _build_publicity)

# --- schedule ---------------------------------------------------------------------------

SCHEDULE_TABLE = Table(
    "schedule",
    (
        Field(
            "from",
            DATE,
            "从这一天起显示（含）",
            "first date shown (inclusive)",
            aka=("开始日期", "起始日期"),
            example="2026-12-01",
        ),
        Field(
            "to",
            DATE,
            "显示到这一天为止（含）",
            "last date shown (inclusive)",
            aka=("结束日期", "截止日期"),
            example="2026-12-31",
        ),
        Field(
            "days",
            DAYS,
            "哪些日子显示：workdays（工作日，含调休上班日）、holidays（节假日和周末）、all（每天），"
            "或星期列表如 [周一, 周三]",
            "which days: workdays / holidays (Chinese working calendar), all, or weekdays",
            aka=("日子", "星期"),
            example="workdays",
        ),
        Field(
            "times",
            TIMES,
            "每天的显示时段，如 08:00-12:00；可写多个；跨午夜如 22:00-06:00",
            "times of day, e.g. 08:00-12:00; may wrap midnight",
            aka=("时间", "时段"),
            example="08:00-18:00",
        ),
        Field(
            "publicity",
            PUBLICITY,
            "只在公示期内显示",
            "show only during this publicity period",
            aka=("公示期",),
        ),
    ),
    "显示时间表（各条件同时满足时显示）",
    "when the entry may show (all conditions must hold)",
)


def _schedule_values(node: Node, ctx: Ctx) -> Any:
    """The keys given in a schedule mapping (merged later over the defaults)."""
    values = parse_table(node, SCHEDULE_TABLE, ctx, where_zh="schedule", where_en="schedule")
    if values is None:
        return INVALID
    return values


SCHEDULE = Type(
    SCHEDULE_TABLE.zh,
    SCHEDULE_TABLE.en,
    _schedule_values,
    lambda: {"$ref": "#/$defs/schedule"},
    (SCHEDULE_TABLE,),
)


def _make_schedule(values: Mapping[str, Any]) -> Schedule:
    return Schedule(
        date_from=values.get("from"),
        date_to=values.get("to"),
        days=values.get("days", "all"),
        times=values.get("times", ()),
        publicity=values.get("publicity"),
    )


# ============================================================================ content tables

NOTICE_TABLE = Table(
    "notice",
    (
        Field("title", TEXT, "标题", "title", required=True, aka=("标题",)),
        Field(
            "body",
            TEXT,
            "正文。每段一行；“一、”“（一）”“1.”开头的行是各级小标题",
            "body text; one paragraph per line; lines starting 一、 （一） 1. are headings",
            required=True,
            aka=("正文", "内容"),
        ),
        Field(
            "doc_number",
            TEXT,
            "文号，如 鄂政办字〔2017〕103号",
            "document number (文号)",
            aka=("文号",),
        ),
        Field("issuer", TEXT, "发布机关", "issuing body", aka=("发布机关", "发文机关", "单位")),
        Field("date", DATE, "发布日期", "date of issue", aka=("日期", "发布日期")),
        Field(
            "category",
            TEXT,
            "类别，如 工作动态、人事任命、财政资金、计划总结",
            "category, e.g. 工作动态",
            aka=("类别", "分类"),
        ),
        Field(
            "publicity",
            PUBLICITY,
            "公示期（屏幕显示公示期和剩余工作日；没写 schedule.publicity 时也只在公示期内显示）",
            "publicity period (shown on the slide; also limits the entry unless "
            "schedule.publicity is given)",
            aka=("公示期",),
        ),
        Field(
            "url",
            URL,
            "网址（在屏幕上显示为二维码）",
            "URL, shown as a QR code",
            aka=("网址", "链接"),
        ),
    ),
    "公告/公示",
    "a notice",
)

GUIDE_TABLE = Table(
    "guide",
    (
        Field(
            "service",
            TEXT,
            "事项名称",
            "name of the service",
            required=True,
            aka=("事项", "事项名称"),
        ),
        Field("summary", TEXT, "简介", "short description", aka=("简介",)),
        Field(
            "conditions",
            text_list(),
            "办理条件（列表）",
            "conditions (list)",
            aka=("条件", "办理条件"),
        ),
        Field(
            "materials",
            text_list(),
            "所需材料（列表）",
            "required documents (list)",
            aka=("材料", "所需材料"),
        ),
        Field(
            "steps",
            text_list(),
            "办理流程（按顺序的列表，屏幕上自动编号）",
            "steps, in order (numbered on screen)",
            aka=("流程", "步骤", "办理流程"),
        ),
        Field("location", TEXT, "办理地点（窗口/房间）", "window or room", aka=("地点", "窗口")),
        Field("hours", TEXT, "办公时间", "office hours", aka=("办公时间", "时间")),
        Field("time_limit", TEXT, "承诺时限", "time limit for an answer", aka=("时限", "承诺时限")),
        Field("fee", TEXT, "收费标准", "fee", aka=("收费", "费用")),
        Field("phone", TEXT, "咨询电话", "phone number", aka=("电话", "咨询电话")),
        Field("url", URL, "网址（显示为二维码）", "URL, shown as a QR code", aka=("网址",)),
    ),
    "办事指南",
    "a procedure guide",
)

FIGURE_TABLE = Table(
    "figure",
    (
        Field("label", TEXT, "名称", "label", required=True, aka=("名称",)),
        Field(
            "value",
            TEXT,
            "数值（照写，如 179）",
            "value as shown",
            required=True,
            aka=("数值", "数字"),
        ),
        Field("unit", TEXT, "单位，如 条、期、件", "unit", aka=("单位",)),
        Field("note", TEXT, "说明", "note", aka=("说明", "备注")),
    ),
    "关键数字",
    "a key figure",
)


def _build_figure(v: dict[str, Any], node: Map, ctx: Ctx) -> Any:
    if "label" not in v or "value" not in v:
        return INVALID
    return Figure(v["label"], v["value"], v.get("unit", ""), v.get("note"))


SERIES_TABLE = Table(
    "series",
    (
        Field("name", TEXT, "数据系列名称", "series name", required=True, aka=("名称",)),
        Field(
            "values",
            list_of(number()),
            "数值列表（与 categories 一一对应）",
            "values, one per category",
            required=True,
            aka=("数值",),
        ),
    ),
    "数据系列",
    "a data series",
)


def _build_series(v: dict[str, Any], node: Map, ctx: Ctx) -> Any:
    if "name" not in v or "values" not in v:
        return INVALID
    return Series(v["name"], tuple(v["values"]))


CHART_TABLE = Table(
    "chart",
    (
        Field("title", TEXT, "图表标题", "chart title", required=True, aka=("标题",)),
        Field(
            "type",
            choice(("bar",), {"柱状图": "bar"}),
            "图表类型（目前只有 bar 柱状图）",
            "chart type (bar)",
        ),
        Field("unit", TEXT, "单位", "unit", aka=("单位",)),
        Field(
            "categories",
            text_list(),
            "分类（横轴）",
            "categories (x axis)",
            required=True,
            aka=("分类",),
        ),
        Field(
            "series",
            list_of(obj(SERIES_TABLE, _build_series), min_items=1),
            "数据系列（一个或多个）",
            "one or more data series",
            required=True,
        ),
    ),
    "柱状图",
    "a bar chart",
)


def _build_chart(v: dict[str, Any], node: Map, ctx: Ctx) -> Any:
    if not all(k in v for k in ("title", "categories", "series")):
        return INVALID
    n = len(v["categories"])
    ok = True
    series_node = node.get("series")
    for i, s in enumerate(v["series"]):
        if len(s.values) != n:
            pos = series_node.items[i].pos if isinstance(series_node, Seq) else node.pos
            ctx.error(
                pos,
                "chart.length_mismatch",
                f"数据系列“{s.name}”有 {len(s.values)} 个数值，但有 {n} 个分类；数量要一致",
                f"series '{s.name}' has {len(s.values)} values for {n} categories",
            )
            ok = False
    if not ok:
        return INVALID
    return Chart(v["title"], tuple(v["categories"]), tuple(v["series"]), v.get("unit", ""))


SECTION_TABLE = Table(
    "section",
    (
        Field("heading", TEXT, "小标题", "heading", required=True, aka=("标题", "小标题")),
        Field("text", TEXT, "摘要文字", "summary text", required=True, aka=("内容", "正文")),
    ),
    "报告的一节",
    "a report section",
)


def _build_section(v: dict[str, Any], node: Map, ctx: Ctx) -> Any:
    if "heading" not in v or "text" not in v:
        return INVALID
    return Section(v["heading"], v["text"])


REPORT_TABLE = Table(
    "report",
    (
        Field("title", TEXT, "报告标题", "report title", required=True, aka=("标题",)),
        Field("year", integer(1949, 2100), "年度", "year", aka=("年度", "年份")),
        Field(
            "figures",
            list_of(obj(FIGURE_TABLE, _build_figure)),
            "关键数字（每项有 label、value、unit）",
            "key figures",
            aka=("数字", "关键数字"),
        ),
        Field("chart", obj(CHART_TABLE, _build_chart), "柱状图", "a bar chart", aka=("图表",)),
        Field(
            "sections",
            list_of(obj(SECTION_TABLE, _build_section)),
            "各部分摘要（每项有 heading、text）",
            "section summaries",
            aka=("章节",),
        ),
    ),
    "报告摘要",
    "a report summary",
)

IMAGE_TABLE = Table(
    "image",
    (
        Field(
            "file",
            NAME,
            "图片文件（相对于本播放列表文件所在目录），PNG 或 JPEG",
            "image file, relative to the playlist",
            required=True,
            aka=("文件", "图片"),
        ),
        Field(
            "fit",
            FIT,
            "contain：完整显示（默认）；cover：铺满裁边",
            "contain (whole image, default) or cover (fill, crop)",
            aka=("缩放",),
        ),
        Field("caption", TEXT, "图片说明", "caption", aka=("说明", "标题")),
    ),
    "图片",
    "an image",
)

PDF_TABLE = Table(
    "pdf",
    (
        Field(
            "file",
            NAME,
            "PDF 文件（相对于本播放列表文件所在目录），逐页显示",
            "PDF file, relative to the playlist; shown page by page",
            required=True,
            aka=("文件",),
        ),
        Field("title", TEXT, "标题", "title", aka=("标题",)),
        Field(
            "pages",
            text_list(NAME),
            "各页图片（由发布工具 kiosk publish 生成，播放列表里不用写）",
            "pre-rendered page images (set by kiosk publish; not for playlists)",
        ),
    ),
    "PDF 文档",
    "a PDF document",
)

ALERT_TABLE = Table(
    "alert",
    (
        Field(
            "level",
            ALERT_LEVEL,
            "预警级别：blue 蓝色、yellow 黄色、orange 橙色、red 红色",
            "warning level: blue, yellow, orange, red",
            required=True,
            aka=("级别",),
        ),
        Field("title", TEXT, "标题", "title", required=True, aka=("标题",)),
        Field("body", TEXT, "内容", "text", aka=("内容", "正文")),
        Field(
            "expires",
            DATETIME,
            "失效时间，如 2026-12-01 18:00（只写日期表示到当天结束）",
            "expiry, e.g. 2026-12-01 18:00 (a date alone: end of that day)",
            aka=("失效时间", "截止"),
        ),
        Field("issued", DATETIME, "发布时间", "time of issue", aka=("发布时间",)),
    ),
    "紧急通知/预警",
    "an urgent notice",
)

CONTENT_TABLES: dict[Kind, Table] = {
    "notice": NOTICE_TABLE,
    "guide": GUIDE_TABLE,
    "report": REPORT_TABLE,
    "image": IMAGE_TABLE,
    "pdf": PDF_TABLE,
    "alert": ALERT_TABLE,
}


def _check_file(v: dict[str, Any], node: Map, ctx: Ctx, exts: tuple[str, ...], what: str) -> bool:
    name = v.get("file")
    if not isinstance(name, str):
        return False
    pos = key_pos(node, "file")
    suffix = PurePath(name).suffix.lower()
    if suffix not in exts:
        ctx.error(
            pos,
            "file.bad_type",
            f"“{name}”不是{what}文件（可用：{' '.join(exts)}）",
            f"'{name}' is not a supported {what} file ({' '.join(exts)})",
        )
        return False
    if ctx.file_exists is not None:
        full = name if ctx.base_dir is None else os.path.join(ctx.base_dir, name)
        if not ctx.file_exists(full):
            ctx.error(
                pos,
                "file.missing",
                f"找不到文件“{name}”（查找位置：{full}）；文件名和目录要和实际一致",
                f"file not found: '{name}' (looked for {full})",
            )
            return False
    if ctx.media_check is not None:
        full = name if ctx.base_dir is None else os.path.join(ctx.base_dir, name)
        problem = ctx.media_check(full, name)
        if problem is not None:
            ctx.error(pos, *problem)
            return False
    return True


def _build_content(kind: Kind, v: dict[str, Any], node: Map, ctx: Ctx) -> Content | None:
    table = CONTENT_TABLES[kind]
    if any(f.required and f.key not in v for f in table.fields):
        return None
    if kind == "notice":
        return Notice(
            title=v["title"],
            body=v["body"],
            doc_number=v.get("doc_number"),
            issuer=v.get("issuer"),
            date=v.get("date"),
            category=v.get("category"),
            publicity=v.get("publicity"),
            url=v.get("url"),
        )
    if kind == "guide":
        return Guide(
            service=v["service"],
            summary=v.get("summary"),
            conditions=v.get("conditions", ()),
            materials=v.get("materials", ()),
            steps=v.get("steps", ()),
            location=v.get("location"),
            hours=v.get("hours"),
            time_limit=v.get("time_limit"),
            fee=v.get("fee"),
            phone=v.get("phone"),
            url=v.get("url"),
        )
    if kind == "report":
        return Report(
            title=v["title"],
            year=v.get("year"),
            figures=v.get("figures", ()),
            chart=v.get("chart"),
            sections=v.get("sections", ()),
        )
    if kind == "image":
        if not _check_file(v, node, ctx, IMAGE_EXTENSIONS, "图片"):
            return None
        return Image(file=v["file"], fit=v.get("fit", "contain"), caption=v.get("caption"))
    if kind == "pdf":
        # A published PDF item carries its pages as images (kiosk publish rasterises them;
        # devices never open PDF files from the portal); its `file` names the first page.
        exts = (".pdf", *IMAGE_EXTENSIONS) if v.get("pages") else (".pdf",)
        if not _check_file(v, node, ctx, exts, "PDF"):
            return None
        bad = [p for p in v.get("pages", ()) if PurePath(p).suffix.lower() not in IMAGE_EXTENSIONS]
        if bad:
            ctx.error(
                key_pos(node, "pages"),
                "file.bad_type",
                f"PDF 页面“{bad[0]}”不是图片文件（可用：{' '.join(IMAGE_EXTENSIONS)}）",
                f"PDF page '{bad[0]}' is not an image ({' '.join(IMAGE_EXTENSIONS)})",
            )
            return None
        return Pdf(file=v["file"], title=v.get("title"), pages=v.get("pages", ()))
    return Alert(
        level=v["level"],
        title=v["title"],
        body=v.get("body", ""),
        expires=v.get("expires"),
        issued=v.get("issued"),
    )


def _other_kinds_keys(kind: Kind | None) -> dict[str, str]:
    """Content keys of other kinds, with a message for "this key belongs elsewhere"."""
    own = set(CONTENT_TABLES[kind].names()) if kind else set()
    out: dict[str, str] = {}
    for k, table in CONTENT_TABLES.items():
        for f in table.fields:
            if f.key not in own and f.key not in out:
                out[f.key] = (
                    f"它是 {k}（{table.zh}）类条目的键，不属于 {kind} 类"
                    f"|it is a key of kind {k}, not of kind {kind}"
                )
    return out


def _content(
    kind: Kind,
    node: Map,
    ctx: Ctx,
    *,
    skip: tuple[str, ...] = (),
    also: tuple[Table, ...] = (),
) -> Content | None:
    table = CONTENT_TABLES[kind]
    values = parse_table(node, table, ctx, extra=skip, elsewhere=_other_kinds_keys(kind), also=also)
    if values is None:
        return None
    return _build_content(kind, values, node, ctx)


def parse_content(
    kind: str,
    node: Node | Mapping[str, Any],
    pos: SourcePos | None = None,
    *,
    base_dir: str | None = None,
    file_exists: FileExists | None = None,
    font_check: FontCheck | None = None,
    tz: tzinfo | None = None,
    skip: tuple[str, ...] = (),
) -> tuple[Content | None, list[Diagnostic]]:
    """Parse the content keys of one item (inline playlist content, or a store item's
    metadata from the portal manifest, which may be plain JSON data).

    ``pos`` locates plain data in messages (e.g. ``SourcePos("manifest.json#items[3]")``).
    Keys in ``skip`` (e.g. the manifest's own ``id``/``files``) are ignored. Pure."""
    where = pos or SourcePos("<content>")
    ctx = Ctx(where.file, font_check=font_check, file_exists=file_exists, base_dir=base_dir, tz=tz)
    n: Node = from_plain(node, where) if not isinstance(node, Scalar | Seq | Map) else node
    if kind not in KINDS:
        ctx.error(
            where,
            "entry.bad_kind",
            f"不认识的内容类型“{kind}”（可用：{' / '.join(KINDS)}）",
            f"unknown content kind '{kind}' ({' / '.join(KINDS)})",
        )
        return None, ctx.diags
    if not isinstance(n, Map):
        parse_table(n, CONTENT_TABLES[kind], ctx)  # reports the wrong type
        return None, ctx.diags
    content = _content(kind, n, ctx, skip=skip)
    if has_errors(ctx.diags):
        return None, ctx.diags
    return content, ctx.diags


# ============================================================================ entries

DISCLOSURE_HELP = {
    "依申请公开": "依申请公开的信息只提供给申请人，不能在大厅屏上公开显示",
    "不予公开": "不予公开的信息不能显示",
    "免予公开": "免予公开的信息不能显示",
    "不公开": "不公开的信息不能显示",
}

SELECT_TABLE = Table(
    "select",
    (
        Field(
            "category",
            TEXT,
            "只选这个类别，如 工作动态",
            "only this category",
            aka=("类别", "分类"),
        ),
        Field(
            "limit",
            integer(1, 100),
            "最多几条（默认 10）",
            "at most this many (default 10)",
            aka=("数量", "条数"),
        ),
        Field(
            "order",
            ORDER,
            "newest：最新的在前（默认）；oldest：最早的在前",
            "newest first (default) or oldest first",
            aka=("排序",),
        ),
    ),
    "从同步的内容库里选取：同类（和类别）的现行条目，按日期排序",
    "select current items of this kind (and category) from the synced store",
)

ENTRY_TABLE = Table(
    "entry",
    (
        Field(
            "id",
            ID,
            "条目编号（同一文件内不能重复；出现在播放记录里）",
            "entry id, unique in the file (used in the proof-of-display log)",
            aka=("编号",),
            example="notice-2026-01",
        ),
        Field(
            "kind",
            KIND,
            "类型：notice 公告/公示、guide 办事指南、report 报告摘要、"
            "image 图片、pdf 文档、alert 紧急通知",
            "kind of entry",
            required=True,
            aka=("类型",),
        ),
        Field(
            "ref",
            ID,
            "引用内容库里的一条内容（填它的编号）",
            "id of an item in the synced store",
            aka=("引用",),
        ),
        Field("select", obj(SELECT_TABLE), SELECT_TABLE.zh, SELECT_TABLE.en, aka=("选取",)),
        Field(
            "duration",
            DURATION,
            "每页显示时长：秒数、1m30s，或 auto（按字数自动）",
            "seconds per page, 1m30s, or auto (from text length)",
            aka=("时长",),
            example="30s",
        ),
        Field(
            "transition",
            TRANSITION,
            "切换效果：cut 直接切换、fade 淡入淡出、push 推移",
            "transition: cut, fade or push",
            aka=("切换", "效果"),
        ),
        Field(
            "enabled",
            BOOL,
            "是否启用（false 表示暂停显示）",
            "false switches the entry off",
            aka=("启用",),
        ),
        Field(
            "schedule",
            SCHEDULE,
            "显示时间表；没写的条件沿用 defaults.schedule",
            "when it may show; missing keys come from defaults.schedule",
            aka=("时间表",),
        ),
        Field(
            "disclosure",
            TEXT,
            f"公开属性：只能是“{DISCLOSURE_PUBLIC}”（不写即为主动公开）",
            f"disclosure attribute; only {DISCLOSURE_PUBLIC} may be shown",
            aka=("公开属性",),
            example=DISCLOSURE_PUBLIC,
        ),
    ),
    "播放条目",
    "a playlist entry",
)

DEFAULTS_TABLE = Table(
    "defaults",
    (
        Field(
            "duration",
            DURATION,
            "默认每页时长（auto 表示按字数自动计算）",
            "default seconds per page (auto: from text length)",
            example="auto",
        ),
        Field("transition", TRANSITION, "默认切换效果", "default transition"),
        Field(
            "transition_seconds",
            seconds(0, 5),
            "切换动画时长（秒）",
            "transition length in seconds",
        ),
        Field(
            "reading_speed",
            number(positive=True, hi=50),
            "自动时长按每秒阅读几个汉字计算（默认 5，老年人多时可调小）",
            "characters read per second for automatic durations",
        ),
        Field("min_seconds", seconds(1, 600), "自动时长的下限（秒）", "minimum automatic seconds"),
        Field("max_seconds", seconds(1, 3600), "自动时长的上限（秒）", "maximum automatic seconds"),
        Field("schedule", SCHEDULE, "所有条目的默认显示时间表", "default schedule for all entries"),
    ),
    "全局默认值",
    "playlist-wide defaults",
)

FRAME_TABLE = Table(
    "frame",
    (
        Field(
            "office",
            TEXT,
            "屏幕顶部显示的单位名称",
            "office name in the header",
            aka=("单位", "单位名称"),
        ),
        Field(
            "phone",
            TEXT,
            "咨询电话（显示在底部）",
            "consultation phone (咨询电话)",
            aka=("电话", "咨询电话"),
            example="0470-8942932",
        ),
        Field(
            "theme",
            THEME,
            "配色主题：civic（浅色，默认）或 contrast（深色高对比）；不写则用设备配置里的主题",
            "colour theme (civic / contrast)",
            aka=("主题",),
        ),
    ),
    "画面框架：页眉、页脚",
    "the frame around slides",
)

TICKER_TABLE = Table(
    "ticker",
    (
        Field("texts", text_list(), "底部滚动字幕，每条一行", "ticker texts", aka=("内容", "文字")),
        Field(
            "speed",
            number(positive=True, hi=1000),
            "滚动速度（1080 像素高屏幕上每秒移动的像素数）",
            "pixels per second at 1080 px screen height",
        ),
        Field("separator", TEXT, "各条之间的分隔符", "separator between texts"),
    ),
    "滚动字幕",
    "the ticker",
)

PLAYLIST_TABLE = Table(
    "playlist",
    (
        Field(
            "version",
            integer(),
            f"格式版本，写 {FORMAT_VERSION}",
            "format version",
            required=True,
            aka=("版本",),
            example=str(FORMAT_VERSION),
        ),
        Field("name", TEXT, "播放列表名称", "name of the playlist", aka=("名称",)),
        Field("defaults", obj(DEFAULTS_TABLE), DEFAULTS_TABLE.zh, DEFAULTS_TABLE.en, aka=("默认",)),
        Field("frame", obj(FRAME_TABLE), FRAME_TABLE.zh, FRAME_TABLE.en, aka=("框架",)),
        Field("ticker", obj(TICKER_TABLE), TICKER_TABLE.zh, TICKER_TABLE.en, aka=("字幕",)),
        Field(
            "entries",
            Type(
                "条目列表",
                "list of entries",
                lambda n, c: n,
                lambda: {"type": "array", "items": {"$ref": "#/$defs/entry"}},
            ),
            "播放条目，按顺序轮播",
            "entries, shown in this order",
            required=True,
            aka=("条目",),
        ),
    ),
    "政务公开屏播放列表（格式 1）",
    "kiosk playlist, format 1",
)

_ENTRY_NO_KIND = Table(ENTRY_TABLE.name, tuple(f for f in ENTRY_TABLE.fields if f.key != "kind"))
_ALL_CONTENT_KEYS = frozenset(f.key for t in CONTENT_TABLES.values() for f in t.fields)


def _disclosure(value: str, pos: SourcePos, ctx: Ctx) -> bool:
    if value == DISCLOSURE_PUBLIC:
        return True
    why = DISCLOSURE_HELP.get(value, "大厅屏只显示主动公开的信息")
    ctx.error(
        pos,
        "entry.not_public",
        f"公开属性是“{value}”：{why}。只有“{DISCLOSURE_PUBLIC}”的内容可以上屏",
        f"disclosure is '{value}': only items marked {DISCLOSURE_PUBLIC} (proactively public) "
        "may be shown",
    )
    return False


def _entry(
    node: Node, index: int, ctx: Ctx, defaults: Defaults, default_sched: Mapping[str, Any]
) -> Entry | None:
    if not isinstance(node, Map):
        ctx.error(
            node.pos,
            "entry.wrong_type",
            f"第 {index + 1} 个条目应是键值表（id: …、kind: … 各占一行）",
            f"entry {index + 1} must be a mapping (id: ..., kind: ...)",
        )
        return None
    n_errors = sum(d.is_error for d in ctx.diags)
    kind_node = node.get("kind")
    kind: Kind | None = None
    if kind_node is not None and not (isinstance(kind_node, Scalar) and kind_node.is_null):
        k = KIND.convert(kind_node, ctx)
        kind = None if k is INVALID else k
    entry_keys = ENTRY_TABLE.names()
    values = parse_table(node, _ENTRY_NO_KIND, ctx, extra=tuple(node.keys()))
    if kind_node is None:
        ctx.error(
            node.pos,
            "key.missing",
            f"第 {index + 1} 个条目缺少 kind（类型：{' / '.join(KINDS)}）",
            f"entry {index + 1} has no kind ({' / '.join(KINDS)})",
        )
    elif isinstance(kind_node, Scalar) and kind_node.is_null:
        ctx.error(kind_node.pos, "value.empty", "kind 没有填写", "kind has no value")
    if kind is None:
        # Without a kind we cannot tell content keys apart: report only keys that exist
        # nowhere in the format.
        for k, _ in node:
            if k.text not in entry_keys and k.text not in _ALL_CONTENT_KEYS:
                unknown_key(
                    ctx,
                    k,
                    [ENTRY_TABLE, *CONTENT_TABLES.values()],
                    [*entry_keys, *_ALL_CONTENT_KEYS],
                )
        return None
    if values is None:
        return None

    entry_id = values.get("id") or f"entry-{index + 1}"
    ref, select = values.get("ref"), values.get("select")
    own_content = CONTENT_TABLES[kind].names()
    sources = [name for name, v in (("ref", ref), ("select", select)) if v is not None]
    content: Content | None = None
    if len(sources) == 2:
        ctx.error(
            key_pos(node, "select"),
            "entry.ref_and_select",
            "ref 和 select 只能写一个",
            "give either ref or select, not both",
        )
    if sources:
        for k, _ in node:
            if k.text in entry_keys:
                continue
            if k.text in own_content:
                ctx.error(
                    k.pos,
                    "entry.content_with_ref",
                    f"此条目用 {sources[0]} 从内容库取内容，不能同时写内容键“{k.text}”；"
                    "删掉其中一种",
                    f"this entry takes its content from the store ({sources[0]}); "
                    f"remove the inline key '{k.text}'",
                )
            else:
                unknown_key(ctx, k, [ENTRY_TABLE], entry_keys, _other_kinds_keys(kind))
    else:
        content = _content(kind, node, ctx, skip=entry_keys, also=(ENTRY_TABLE,))

    disclosure = values.get("disclosure", DISCLOSURE_PUBLIC)
    _disclosure(disclosure, key_pos(node, "disclosure"), ctx)

    # schedule: the entry's keys over the defaults' keys
    own_sched: dict[str, Any] = values.get("schedule", {})
    merged = {**default_sched, **own_sched}
    if (
        "publicity" not in own_sched
        and isinstance(content, Notice)
        and content.publicity is not None
    ):
        merged["publicity"] = content.publicity
    schedule = _make_schedule(merged)
    sched_node = node.get("schedule")
    _check_schedule(schedule, sched_node if sched_node is not None else node, ctx)

    duration = values.get("duration", defaults.duration)
    selection = (
        Selection(
            kind=kind,
            category=select.get("category"),
            limit=select.get("limit", 10),
            order=select.get("order", "newest"),
        )
        if select is not None
        else None
    )
    if sum(d.is_error for d in ctx.diags) > n_errors:
        return None
    if content is None and ref is None and selection is None:
        return None
    return Entry(
        id=entry_id,
        kind=kind,
        content=content,
        ref=ref,
        select=selection,
        duration=duration,
        transition=values.get("transition"),
        enabled=values.get("enabled", True),
        schedule=schedule,
        disclosure=disclosure,
        pos=node.pos,
    )


# ============================================================================ static checks

_WEEKDAY_ZH = "一二三四五六日"


def _check_schedule(s: Schedule, node: Node, ctx: Ctx) -> None:
    """Windows that can never be active, and publicity periods that cannot fit."""
    pos_to = key_pos(node, "to")
    if s.date_from and s.date_to and s.date_from > s.date_to:
        ctx.error(
            pos_to,
            "schedule.never",
            f"结束日期 {s.date_to} 早于开始日期 {s.date_from}，条目永远不会显示",
            f"'to' ({s.date_to}) is before 'from' ({s.date_from}): never active",
        )
        return
    if isinstance(s.days, frozenset):
        if not s.days:
            ctx.error(
                key_pos(node, "days"),
                "schedule.never",
                "days 是空的（一天也没有），条目永远不会显示",
                "days is empty, so the entry is never active",
            )
            return
        if s.date_from and s.date_to and (s.date_to - s.date_from).days < 7:
            span = [
                s.date_from + timedelta(days=i) for i in range((s.date_to - s.date_from).days + 1)
            ]
            if not any(d.isoweekday() in s.days for d in span):
                names = "、".join(f"周{_WEEKDAY_ZH[w - 1]}" for w in sorted(s.days))
                ctx.error(
                    key_pos(node, "days"),
                    "schedule.never",
                    f"{s.date_from} 至 {s.date_to} 之间没有{names}，条目永远不会显示",
                    f"no selected weekday falls between {s.date_from} and {s.date_to}: "
                    "never active",
                )
                return
    p = s.publicity
    if p is not None:
        pub_node = node.get("publicity") if isinstance(node, Map) else None
        ppos = pub_node.pos if pub_node is not None else node.pos
        # the earliest possible end: every day from the start a working day
        earliest_end = p.end or p.start + timedelta(days=(p.working_days or 1) - 1)
        if s.date_to and p.start > s.date_to:
            ctx.error(
                ppos,
                "schedule.publicity_outside",
                f"公示期从 {p.start} 开始，晚于显示截止日期 {s.date_to}，条目永远不会显示",
                f"the publicity period starts {p.start}, after 'to' ({s.date_to}): never active",
            )
        elif s.date_from and earliest_end < s.date_from:
            ctx.error(
                ppos,
                "schedule.publicity_outside",
                f"公示期在 {s.date_from}（显示开始日期）之前就结束了，条目永远不会显示",
                f"the publicity period ends before 'from' ({s.date_from}): never active",
            )
        elif (s.date_from and p.start < s.date_from) or (s.date_to and earliest_end > s.date_to):
            ctx.error(
                ppos,
                "schedule.publicity_no_fit",
                f"公示期（{p.start} 起）放不进显示日期范围"
                f"（{s.date_from or '…'} 至 {s.date_to or '…'}）；公示期间必须全程显示，"
                "请调整 from/to 或删去它们",
                f"the publicity period (from {p.start}) does not fit in the date window "
                f"({s.date_from or '...'} to {s.date_to or '...'})",
            )


def _check_calendar(
    entries: tuple[Entry, ...], ctx: Ctx, calendar: WorkdayCalendar | None, today: date | None
) -> None:
    """Checks that need the working calendar or today's date (both optional)."""
    for e in entries:
        s = e.schedule
        pub_end: date | None = None
        if s.publicity is not None:
            pub_end = s.publicity.end
            if pub_end is None and calendar is not None:
                pub_end = _publicity_end(s.publicity, calendar)
        if (
            calendar is not None
            and s.days in ("workdays", "holidays")
            and s.date_from
            and s.date_to
        ):
            span = min((s.date_to - s.date_from).days + 1, 400)
            want = s.days == "workdays"
            try:
                hit = any(
                    calendar.is_workday(s.date_from + timedelta(days=i)) == want
                    for i in range(span)
                )
            except Exception:
                hit = True
            if not hit:
                ctx.error(
                    e.pos,
                    "schedule.never",
                    f"条目“{e.id}”：{s.date_from} 至 {s.date_to} 之间没有"
                    f"{'工作日' if want else '节假日'}，永远不会显示",
                    f"entry '{e.id}': no {'working day' if want else 'holiday'} between "
                    f"{s.date_from} and {s.date_to}: never active",
                )
        if calendar is not None and pub_end is not None and s.date_to and pub_end > s.date_to:
            ctx.error(
                e.pos,
                "schedule.publicity_no_fit",
                f"条目“{e.id}”：公示期到 {pub_end} 才结束，晚于显示截止日期 {s.date_to}",
                f"entry '{e.id}': the publicity period ends {pub_end}, after 'to' ({s.date_to})",
            )
        if today is not None and e.enabled:
            ended = None
            if s.date_to and s.date_to < today:
                ended = s.date_to
            elif pub_end is not None and pub_end < today:
                ended = pub_end
            if ended is not None:
                ctx.warn(
                    e.pos,
                    "schedule.ended",
                    f"条目“{e.id}”的显示期已于 {ended} 结束，不会再显示；"
                    "可以删除或设 enabled: false",
                    f"entry '{e.id}' ended on {ended} and will not show again",
                )
            if (
                isinstance(e.content, Alert)
                and e.content.expires is not None
                and e.content.expires.date() < today
            ):
                ctx.warn(
                    e.pos,
                    "alert.expired",
                    f"紧急通知“{e.id}”已于 {e.content.expires:%Y-%m-%d %H:%M} 失效",
                    f"alert '{e.id}' expired at {e.content.expires:%Y-%m-%d %H:%M}",
                )


def _publicity_end(p: Publicity, calendar: WorkdayCalendar) -> date | None:
    """The 公示期's last day by the schedule engine's rule (one definition for both)."""
    from kiosk.schedule import publicity_end

    try:
        return publicity_end(p, calendar)  # type: ignore[arg-type]
    except Exception:  # a calendar that cannot answer must not stop validation
        return None


# ============================================================================ top level


def _defaults(values: Mapping[str, Any], node: Node, ctx: Ctx) -> Defaults:
    d = Defaults()
    kw: dict[str, Any] = {}
    for k in ("transition", "transition_seconds", "reading_speed", "min_seconds", "max_seconds"):
        if k in values:
            kw[k] = values[k]
    if "duration" in values:
        kw["duration"] = values["duration"]
    out = replace(d, **kw)
    if out.min_seconds > out.max_seconds:
        ctx.error(
            key_pos(node, "max_seconds"),
            "defaults.min_gt_max",
            f"max_seconds（{out.max_seconds:g}）小于 min_seconds（{out.min_seconds:g}）",
            f"max_seconds ({out.max_seconds:g}) is less than min_seconds ({out.min_seconds:g})",
        )
    if "schedule" in values:
        sched = _make_schedule(values["schedule"])
        dnode = node.get("schedule") if isinstance(node, Map) else None
        _check_schedule(sched, dnode or node, ctx)
        out = replace(out, schedule=sched)
    return out


def load_playlist(
    data: bytes | str,
    path: str,
    *,
    base_dir: str | None = None,
    font_check: FontCheck | None = None,
    file_exists: FileExists | None = None,
    media_check: MediaCheck | None = None,
    calendar: WorkdayCalendar | None = None,
    today: date | None = None,
    tz: tzinfo | None = None,
) -> tuple[Playlist | None, list[Diagnostic]]:
    """Parse and validate one playlist. Pure: never raises for bad input.

    ``base_dir`` is where relative file names point (the playlist's directory);
    ``file_exists``, ``media_check`` (does an existing image/PDF open?) and ``font_check``
    are injected checks (skipped when ``None``);
    ``calendar`` (a :class:`kiosk.workcal.WorkCalendar`) enables checks that need working
    days; ``today`` enables warnings about windows that have already ended; ``tz`` is the
    zone of alert times written without an offset (default Asia/Shanghai).

    Returns ``(playlist, diagnostics)``; the playlist is ``None`` when any error was found
    (warnings alone keep it).
    """
    if tz is None:
        from zoneinfo import ZoneInfo

        from kiosk.clock import DEFAULT_TIMEZONE

        tz = ZoneInfo(DEFAULT_TIMEZONE)
    ctx = Ctx(
        path,
        font_check=font_check,
        file_exists=file_exists,
        media_check=media_check,
        base_dir=base_dir,
        tz=tz,
    )
    root, diags = parse_yaml(data, path)
    ctx.diags.extend(diags)
    if root is None:
        return None, ctx.diags
    values = parse_table(
        root, PLAYLIST_TABLE, ctx, where_zh="播放列表文件的最外层", where_en="the top level"
    )
    if values is None:
        return None, ctx.diags
    if not isinstance(root, Map):  # a document that is just `~`
        root = Map((), root.pos)
    version = values.get("version")
    if version is not None and version != FORMAT_VERSION:
        ctx.error(
            key_pos(root, "version"),
            "playlist.version",
            f"不支持格式版本 {version}；本程序读取 version: {FORMAT_VERSION}",
            f"format version {version} is not supported; this kiosk reads version {FORMAT_VERSION}",
        )
    defaults = _defaults(values.get("defaults", {}), root.get("defaults") or root, ctx)
    default_sched: dict[str, Any] = values.get("defaults", {}).get("schedule", {})
    frame_v = values.get("frame", {})
    frame = Frame(
        office=frame_v.get("office", Frame.office),
        phone=frame_v.get("phone"),
        theme=frame_v.get("theme"),
    )
    ticker_v = values.get("ticker", {})
    ticker = Ticker(
        items=ticker_v.get("texts", ()),
        speed=ticker_v.get("speed", Ticker.speed),
        separator=ticker_v.get("separator", Ticker.separator),
    )

    entries: list[Entry] = []
    entries_node = root.get("entries")
    if entries_node is not None and not (isinstance(entries_node, Scalar) and entries_node.is_null):
        if not isinstance(entries_node, Seq):
            ctx.error(
                entries_node.pos,
                "value.wrong_type",
                "entries 应是条目列表（每个条目以“- ”开头）",
                "entries must be a list (each entry starts with '- ')",
            )
        else:
            seen: dict[str, SourcePos] = {}
            for i, item in enumerate(entries_node.items):
                e = _entry(item, i, ctx, defaults, default_sched)
                id_node = item.get("id") if isinstance(item, Map) else None
                eid = (
                    e.id
                    if e is not None
                    else (id_node.text.strip() if isinstance(id_node, Scalar) else None)
                )
                if eid is not None:
                    if eid in seen:
                        first = seen[eid]
                        ctx.error(
                            id_node.pos if id_node is not None else item.pos,
                            "entry.duplicate_id",
                            f"条目编号“{eid}”重复（第一次在第 {first.line} 行）；"
                            "每个条目的 id 要不同",
                            f"duplicate entry id '{eid}' (first at line {first.line})",
                        )
                    else:
                        seen[eid] = id_node.pos if id_node is not None else item.pos
                if e is not None:
                    entries.append(e)
            if not entries_node.items:
                ctx.warn(
                    entries_node.pos,
                    "playlist.no_entries",
                    "播放列表没有条目，屏幕只会显示默认页面",
                    "the playlist has no entries; the screen will show the default page",
                )
    _check_calendar(tuple(entries), ctx, calendar, today)
    ctx.diags.sort(key=lambda d: (d.pos.line, d.pos.col))  # file order; stable otherwise
    if has_errors(ctx.diags):
        return None, ctx.diags
    return (
        Playlist(
            entries=tuple(entries),
            defaults=defaults,
            frame=frame,
            ticker=ticker,
            name=values.get("name"),
            version=FORMAT_VERSION,
            path=path,
        ),
        ctx.diags,
    )


def read_playlist(
    path: str | os.PathLike[str],
    *,
    font_check: FontCheck | None = None,
    calendar: WorkdayCalendar | None = None,
    today: date | None = None,
    tz: tzinfo | None = None,
    check_files: bool = True,
    check_media: bool = False,
) -> tuple[Playlist | None, list[Diagnostic]]:
    """The thin shell around :func:`load_playlist`: reads the file (at most the size cap
    plus one byte) and checks that referenced files exist on disk (``check_files``) and, with
    ``check_media``, that each image and PDF opens (:func:`kiosk.mediacheck.check_media_file`,
    headers and structure only: ``kiosk validate`` and ``kiosk doctor``)."""
    p = os.fspath(path)
    data, diags = read_source(p)
    if data is None:
        return None, diags
    media_check = None
    if check_files and check_media:
        from kiosk.mediacheck import check_media_file

        media_check = check_media_file
    return load_playlist(
        data,
        p,
        base_dir=os.path.dirname(os.path.abspath(p)),
        font_check=font_check,
        file_exists=os.path.isfile if check_files else None,
        media_check=media_check,
        calendar=calendar,
        today=today,
        tz=tz,
    )
