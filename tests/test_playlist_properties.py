"""Property-based tests: the loader never raises, and valid playlists round-trip."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.model import Notice, TimeRange
from kiosk.playlist import load_playlist
from kiosk.yamlsrc import parse_yaml

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = b"""\
version: 1
defaults:
  schedule: {days: workdays, times: 08:00-18:00}
entries:
  - id: n1
    kind: notice
    title: \xe5\x85\xac\xe5\x91\x8a
    body: |
      \xe4\xb8\x80\xe3\x80\x81x
    publicity: {start: 2026-12-01, working_days: 5}
  - id: a
    kind: alert
    level: red
    title: t
    expires: 2026-12-01 18:00
"""

YAMLISH = st.lists(
    st.sampled_from(
        [
            *"abcdefxyz0123456789 :-_\n\t#&*!|>'\"[]{},.?%@`~",
            *("公告", "一、", "：", "－"),
            "\ufeff",
            "\x00",
            "\u2028",
            "\ud7ff",
            "\n  ",
            "\n- ",
            ": ",
            "&a ",
            "*a",
        ]
    ),
    max_size=120,
).map("".join)


def check_never_raises(data: bytes | str) -> None:
    pl, diags = load_playlist(data, "fuzz.yaml")
    assert pl is not None or any(d.is_error for d in diags)
    for d in diags:
        d.format("zh")
        d.format("en")


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    check_never_raises(data)


@SETTINGS
@given(YAMLISH)
def test_random_yaml_like_text_never_raises(text: str) -> None:
    check_never_raises(text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.data())
def test_mutations_of_a_valid_playlist_never_raise(data: st.DataObject) -> None:
    raw = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        ch = data.draw(st.sampled_from(list(b" :-\n\t#&*![]{}x0'\"|")))
        if op == "insert":
            raw.insert(i, ch)
        elif i < len(raw):
            if op == "delete":
                del raw[i]
            else:
                raw[i] = ch
    check_never_raises(bytes(raw))


@SETTINGS
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda kids: (
            st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_any_yaml_document_never_raises(value: Any) -> None:
    check_never_raises(yaml.safe_dump({"version": 1, "entries": value}, allow_unicode=True))


# ----------------------------------------------------------------------------- round trip

TEXT = (
    st.text(
        alphabet=st.sampled_from(list("政务公开公告通知第一二三年月日0123456789abcXYZ，。：（）")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
DAY = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
MINUTE = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@st.composite
def time_ranges(draw: st.DrawFn) -> TimeRange:
    start = draw(MINUTE)
    end = draw(MINUTE.filter(lambda t: t != start))
    return TimeRange(start, end)


@st.composite
def entries(draw: st.DrawFn, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(yaml mapping, expected values)"""
    title, body = draw(TEXT), draw(TEXT)
    d_from = draw(DAY)
    d_to = d_from + timedelta(days=draw(st.integers(7, 400)))
    days = draw(st.sampled_from(["workdays", "holidays", "all", [1, 3, 5], ["周六", "周日"]]))
    ranges = draw(st.lists(time_ranges(), min_size=1, max_size=3))
    duration = draw(st.one_of(st.just("auto"), st.integers(5, 600)))
    node = {
        "id": f"e{index}",
        "kind": "notice",
        "title": title,
        "body": body,
        "duration": duration,
        "enabled": draw(st.sampled_from(["yes", "no", "true", "false"])),
        "schedule": {
            "from": d_from.isoformat(),
            "to": d_to.isoformat(),
            "days": days,
            "times": [f"{r.start:%H:%M}-{r.end:%H:%M}" for r in ranges],
        },
    }
    expected = {
        "title": title,
        "body": body,
        "from": d_from,
        "to": d_to,
        "times": tuple(ranges),
        "duration": None if duration == "auto" else float(duration),
        "enabled": node["enabled"] in ("yes", "true"),
    }
    return node, expected


@SETTINGS
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(*(entries(i) for i in range(n)))))
def test_random_valid_playlists_load_and_round_trip(
    generated: tuple[tuple[dict[str, Any], dict[str, Any]], ...],
) -> None:
    doc = {"version": 1, "entries": [node for node, _ in generated]}
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    pl, diags = load_playlist(text.encode(), "gen.yaml")
    assert [d.format("en") for d in diags] == []
    assert pl is not None
    for entry, (_, want) in zip(pl.entries, generated, strict=True):
        assert isinstance(entry.content, Notice)
        assert (entry.content.title, entry.content.body) == (want["title"], want["body"])
        assert (entry.schedule.date_from, entry.schedule.date_to) == (want["from"], want["to"])
        assert entry.schedule.times == want["times"]
        assert entry.duration == want["duration"]
        assert entry.enabled is want["enabled"]


@SETTINGS
@given(MINUTE, MINUTE)
def test_times_typed_unquoted_read_as_the_clock_time(a: time, b: time) -> None:
    text = f"r: {a:%H:%M}-{b:%H:%M}\nt: {a:%H:%M}\n"
    node, diags = parse_yaml(text, "t.yaml")
    assert diags == []
    assert node is not None and node.get("t").text == f"{a:%H:%M}"  # type: ignore[union-attr]


@SETTINGS
@given(YAMLISH)
def test_random_config_text_never_raises(text: str) -> None:
    from kiosk.config import parse_config

    cfg, diags = parse_config(text.encode("utf-8", "surrogatepass"), "/etc/kiosk/kiosk.yaml")
    assert cfg is not None
    for d in diags:
        d.format("en")


# ----------------------------------------------------------------------------- text mutations

ROOT_DIR = Path(__file__).resolve().parent.parent
DEMO_TEXT = (ROOT_DIR / "playlists" / "demo.yaml").read_text("utf-8")
DEMO_LINES = DEMO_TEXT.splitlines(keepends=True)

SNIPPETS = [
    ": ",
    "- ",
    "  ",
    "\t",
    "#",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "{",
    "}",
    "[",
    "]",
    '"',
    "'",
    "|",
    ">",
    "\u3000",  # full-width space
    "：",  # full-width colon
    "－",
    "\x00",
    "\ufeff",
    "公示",
    "25:00",
    "2026-02-30",
    "8:3-18:00",
    "workdays",
    "no",
    "~",
    "1e999",
    "-1",
    "<<: *a",
    "---\n",
    "...\n",
    "\n",
]


@st.composite
def mutated_demo(draw: st.DrawFn) -> str:
    """The shipped demo playlist with a few edits a hurried person (or a bad copy) makes:
    lines deleted, duplicated, swapped or re-indented, snippets typed in, a value replaced,
    the file cut short."""
    lines = list(DEMO_LINES)
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(
            st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent", "insert", "value"])
        )
        line = lines[i]
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["  ", " ", "\t"])) + line
        elif op == "dedent":
            lines[i] = line[draw(st.integers(1, 4)) :] if line.startswith(" ") else line
        elif op == "insert":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(SNIPPETS)) + line[at:]
        elif ": " in line:
            key = line.split(": ", 1)[0]
            value = draw(st.sampled_from(SNIPPETS) | st.text(max_size=12))
            lines[i] = f"{key}: {value}\n"
    text = "".join(lines)
    if draw(st.booleans()) and text:
        text = text[: draw(st.integers(0, len(text)))]
    return text


@SETTINGS
@given(
    mutated_demo(), st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31))
)
def test_text_mutations_of_the_demo_give_a_model_or_errors_never_an_exception(
    text: str, when: datetime
) -> None:
    from zoneinfo import ZoneInfo

    from kiosk.schedule import active, next_change

    pl, diags = load_playlist(text, str(ROOT_DIR / "playlists" / "demo.yaml"))
    n_lines = text.count("\n") + 1
    for d in diags:
        d.format("zh")
        d.format("en")
        assert 0 <= d.pos.line <= n_lines + 1, d.format("en")  # positions point into the file
    if pl is None:
        assert any(d.is_error for d in diags)
        return
    assert not any(d.is_error for d in diags)
    now = when.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    active(pl, now)
    change = next_change(pl, now)
    assert change is None or change > now
