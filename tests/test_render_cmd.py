"""``kiosk render``: PNG pages and index.json for playlists, the staff's preview."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pygame
import pytest

from kiosk.cli import Environment, main
from kiosk.text.linebreak import CLOSING, OPENING

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "playlists").glob("*.yaml"))
AT = "2026-11-24T10:30"  # a Tuesday, office hours


# Numbers, Latin words, phone numbers, e-mail addresses and URLs as they occur in the
# examples: a break inside one of them is a fault (none is wider than a line at these sizes).
_TOKEN = r"[0-9A-Za-z][0-9A-Za-z.:/@_%+=&?#~-]*"
_TAIL = re.compile(_TOKEN + "$")
_HEAD = re.compile("^" + _TOKEN)


def clreq_faults(lines: Sequence[str], tokens: set[str]) -> list[str]:
    """The clreq faults among consecutive ``lines`` (as drawn, in reading order): closing
    punctuation at a line start, opening punctuation at a line end, ``——`` or ``……``
    split, a number/word/phone/URL of ``tokens`` split across two lines."""
    bad = []
    for i, line in enumerate(lines):
        if not line:
            bad.append(f"empty line {i}")
            continue
        if line[0] in CLOSING:
            bad.append(f"starts with {line[0]}: {line!r}")
        if line[-1] in OPENING:
            bad.append(f"ends with {line[-1]}: {line!r}")
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt and line[-1] in "—…" and nxt[0] == line[-1]:
            bad.append(f"{line[-1] * 2} split: {line!r} | {nxt!r}")
        a, b = _TAIL.search(line), _HEAD.search(nxt)
        if a and b and not (a.group().isdigit() and len(a.group()) <= 2 and a.group() == line):
            joined = a.group() + b.group()
            if any(joined in t for t in tokens):
                bad.append(f"split {joined!r}: {line!r} | {nxt!r}")
    return bad


def test_the_clreq_check_notices_each_kind_of_fault() -> None:
    tokens = {"0470-8942932", "https://www.ewenke.gov.cn/"}
    assert clreq_faults(["电话", "0470-8942932"], tokens) == []
    assert clreq_faults(["1", "2"], {"12119"}) == []  # step numbers, each a line of its own
    for lines in (
        ["咨询电话0470-894", "2932反映"],
        ["https://www.ewenke.", "gov.cn/"],
        ["他说—", "—不"],
        ["等等…", "…"],
        ["开始", "。结束"],
        ["见《", "条例》"],
    ):
        assert clreq_faults(lines, tokens), lines


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["render", *argv], Environment(stdout=out, stderr=err, environ={}))
    return code, out.getvalue(), err.getvalue()


def index(d: Path) -> list[dict[str, object]]:
    data = json.loads((d / "index.json").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo publication (assets/demo) published and synced into a content store, so
    the examples' ref/select entries (store-select.yaml) are laid out, not skipped."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk import keys
    from kiosk.clock import FakeClock
    from kiosk.publish import publish
    from kiosk.sync import SyncSettings, run_sync

    root = tmp_path_factory.mktemp("demo-store")
    key = keys.generate()
    when = datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    publish(ROOT / "assets" / "demo", root / "portal", key, when)
    trusted = keys.trusted([keys.public_key(key.public_key())])
    settings = SyncSettings(free_space=lambda _: 10**12)
    result = run_sync(str(root / "portal"), root / "state", trusted, FakeClock(when), settings)
    assert result.status == "updated", result.line()
    return root / "state"


DEMO_ITEMS_TEXT = "".join(
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "assets" / "demo" / "items").glob("*"))
)


@pytest.mark.parametrize("size", ["1280x720", "720x1280"])
def test_every_example_renders_pages_and_an_index_that_keeps_the_clreq_rules(
    tmp_path: Path, size: str, demo_store: Path
) -> None:
    for example in EXAMPLES:
        text = example.read_text(encoding="utf-8") + DEMO_ITEMS_TEXT
        tokens = set(re.findall(_TOKEN, text))
        out = tmp_path / example.stem
        code, _, err = run(
            str(example),
            "--out",
            str(out),
            "--size",
            size,
            "--at",
            AT,
            "--all",
            "--state-dir",
            str(demo_store),
        )
        assert code == 0, err
        records = index(out)
        assert records, example.name
        assert all(r["kind"] != "default" for r in records), f"{example.name}: default page"
        w, h = map(int, size.split("x"))
        for r in records:
            png = out / str(r["file"])
            assert pygame.image.load(str(png)).get_size() == (w, h)
            assert set(r) >= {
                "file",
                "entry",
                "kind",
                "page",
                "pages",
                "seconds",
                "lines",
                "missing_glyphs",
                "fonts",
            }
            assert r["missing_glyphs"] == [], (example.name, r["file"])
            assert all("CJK SC" in f for f in r["fonts"])  # type: ignore[union-attr]
            assert 1 <= int(r["page"]) <= int(r["pages"])  # type: ignore[call-overload]
            assert clreq_faults(r["lines"], tokens) == [], (example.name, r["file"])  # type: ignore[arg-type]
        by_entry: dict[object, list[int]] = {}
        for r in records:
            by_entry.setdefault(r["entry"], []).append(int(r["page"]))  # type: ignore[call-overload]
        for pages in by_entry.values():
            assert pages == list(range(1, len(pages) + 1))


def test_index_lines_are_the_page_text_in_reading_order(tmp_path: Path) -> None:
    code, out, _ = run(
        str(ROOT / "playlists" / "demo.yaml"),
        "--out",
        str(tmp_path),
        "--at",
        AT,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 0 and "已写入" in out
    records = index(tmp_path)
    report = [r for r in records if r["entry"] == "report-2018"]
    assert report[0]["lines"][0] == "2018年政府信息公开工作年度报告"  # type: ignore[index]
    assert report[0]["lines"][-1] == f"第 1 / {len(report)} 页"  # type: ignore[index]
    assert all(float(r["seconds"]) > 0 for r in records)  # type: ignore[arg-type]


def test_store_entries_missing_from_the_store_are_reported_and_the_rest_written(
    tmp_path: Path,
) -> None:
    code, _, err = run(
        str(ROOT / "playlists" / "demo.yaml"),
        "--out",
        str(tmp_path),
        "--at",
        AT,
        "--state-dir",
        str(tmp_path / "empty"),
    )
    assert code == 0
    assert "latest-news" in err
    entries = {r["entry"] for r in index(tmp_path)}
    assert "latest-news" not in entries and "report-2018" in entries


def test_only_entries_active_at_the_given_time_are_rendered(tmp_path: Path) -> None:
    night = tmp_path / "night"
    code, out, _ = run(
        str(ROOT / "playlists" / "demo.yaml"),
        "--out",
        str(night),
        "--at",
        "2026-11-24T22:00",
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 0
    records = index(night)
    assert [r["kind"] for r in records] == ["default"]  # nothing scheduled: the calm page
    assert "没有要播放的条目" in out and "1 个条目" not in out
    everything = tmp_path / "all"
    run(
        str(ROOT / "playlists" / "demo.yaml"),
        "--out",
        str(everything),
        "--at",
        "2026-11-24T22:00",
        "--all",
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert len({r["entry"] for r in index(everything)}) > 3


def test_rotation_turns_the_written_pngs(tmp_path: Path) -> None:
    code, _, err = run(
        str(ROOT / "playlists" / "alert-ticker.yaml"),
        "--out",
        str(tmp_path),
        "--size",
        "1080x1920",
        "--rotate",
        "90",
        "--at",
        AT,
        "--all",
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 0, err
    first = index(tmp_path)[0]
    assert pygame.image.load(str(tmp_path / str(first["file"]))).get_size() == (1920, 1080)


def test_contact_sheet_and_a_rerun_replace_the_previous_pages(tmp_path: Path) -> None:
    demo = str(ROOT / "playlists" / "demo.yaml")
    run(demo, "--out", str(tmp_path), "--at", AT, "--all", "--state-dir", str(tmp_path / "s"))
    before = {p.name for p in tmp_path.glob("*.png")}
    (tmp_path / "notes.txt").write_text("staff notes")
    code, _, _ = run(
        str(ROOT / "playlists" / "alert-ticker.yaml"),
        "--out",
        str(tmp_path),
        "--at",
        AT,
        "--all",
        "--contact-sheet",
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 0
    after = {p.name for p in tmp_path.glob("*.png")}
    assert after == {str(r["file"]) for r in index(tmp_path)} | {"contact-sheet.png"}
    # pages of the first run that the second did not write again were deleted
    assert before - after - {"contact-sheet.png"}
    assert (tmp_path / "notes.txt").exists()
    assert len(after) < len(before)


def test_theme_can_be_chosen(tmp_path: Path) -> None:
    code, out, _ = run(
        str(ROOT / "playlists" / "alert-ticker.yaml"),
        "--out",
        str(tmp_path),
        "--theme",
        "contrast",
        "--at",
        AT,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 0 and "contrast" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--size", "big"], "--size"),
        (["--at", "yesterday"], "--at"),
        (["--theme", "neon"], "civic"),
    ],
)
def test_bad_options_are_one_clear_line(tmp_path: Path, args: list[str], needle: str) -> None:
    code, _, err = run(
        str(ROOT / "playlists" / "alert-ticker.yaml"),
        "--out",
        str(tmp_path),
        *args,
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 2
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_an_invalid_playlist_is_reported_by_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nentries:\n  - id: x\n    kind: notice\n    titel: 公告\n", encoding="utf-8"
    )
    code, _, err = run(str(bad), "--out", str(tmp_path / "out"), "--state-dir", str(tmp_path / "s"))
    assert code == 1
    assert f"{bad}:5:" in err
    assert not (tmp_path / "out" / "index.json").exists()


def test_contact_sheet_labels_are_cut_to_their_thumbnail_and_keep_the_page_number() -> None:
    from kiosk.commands.render import fit_label

    def measure(text: str) -> float:
        return 10.0 * len(text)

    assert fit_label("report · 1/2", 480, measure) == "report · 1/2"
    long = "latest-news/gongzuo-2026-gongkai-peixun-and-more-words-here · 12/13"
    cut = fit_label(long, 480, measure)
    assert measure(cut) <= 480 and cut.endswith("… · 12/13") and cut.startswith("latest-news/")


def test_with_nothing_to_show_the_default_page_is_written_and_said_so(tmp_path: Path) -> None:
    night = tmp_path / "night"
    code, out, _ = run(
        str(ROOT / "playlists" / "demo.yaml"),
        "--out",
        str(night),
        "--at",
        "2026-11-24T22:00",
        "--state-dir",
        str(tmp_path / "s"),
    )
    assert code == 0
    records = index(night)
    assert [(r["file"], r["entry"], r["kind"], r["page"], r["pages"]) for r in records] == [
        ("01-default-p1.png", "_default", "default", 1, 1)
    ]
    assert (night / "01-default-p1.png").is_file()
    assert out.startswith("此时（2026-11-24 22:00）没有要播放的条目，已写入默认页面 1 页 → ")
    assert "已写入 1 个条目" not in out

    code, out, _ = run(
        str(ROOT / "playlists" / "demo.yaml"),
        "--out",
        str(night),
        "--at",
        "2026-11-24T22:00",
        "--state-dir",
        str(tmp_path / "s"),
        "--lang",
        "en",
    )
    assert code == 0
    assert out.startswith("nothing to show at 2026-11-24 22:00; wrote the default page")


def test_a_playlist_without_enabled_entries_renders_the_default_page_with_all(
    tmp_path: Path,
) -> None:
    playlist = tmp_path / "off.yaml"
    playlist.write_text(
        "version: 1\nentries:\n  - id: n1\n    kind: notice\n    enabled: false\n"
        "    title: 停水通知\n    body: 明天停水。\n",
        encoding="utf-8",
    )
    code, out, err = run(str(playlist), "--out", str(tmp_path / "o"), "--all", "--at", AT)
    assert code == 0, err
    assert [r["entry"] for r in index(tmp_path / "o")] == ["_default"]
    assert out.startswith("没有启用的条目，已写入默认页面 1 页 → ")


def test_entries_that_were_shown_are_counted_not_the_default_page(tmp_path: Path) -> None:
    code, out, _ = run(
        str(ROOT / "playlists" / "report-2018.yaml"), "--out", str(tmp_path), "--at", AT, "--all"
    )
    assert code == 0
    records = index(tmp_path)
    assert "_default" not in {r["entry"] for r in records}
    ids = {r["entry"] for r in records}
    assert out.startswith(f"已写入 {len(ids)} 个条目共 {len(records)} 页 → ")
