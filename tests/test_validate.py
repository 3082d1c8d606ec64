"""`kiosk validate`: every bad input of issue 2 gives a FILE:LINE:COL line and exit 1.

Each case writes a small broken file (based on a valid playlist) and checks the exact
line and column of the report, the stable key, and that no traceback escapes.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from textwrap import dedent

import pytest

from kiosk.cli import Environment, main

ROOT = Path(__file__).resolve().parent.parent

VALID = dedent(
    """\
    version: 1
    frame:
      office: 红花尔基镇人民政府
    entries:
      - id: n1
        kind: notice
        title: 关于召开会议的通知
        body: 正文
        schedule:
          days: workdays
          times: 08:00-18:00
    """
)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, environ={}))
    return code, out.getvalue(), err.getvalue()


def validate(tmp_path: Path, content: str | bytes, *extra: str) -> tuple[int, str]:
    f = tmp_path / "p.yaml"
    f.write_bytes(content.encode() if isinstance(content, str) else content)
    code, out, err = run("validate", "--no-font-check", "--today", "2026-11-29", *extra, str(f))
    assert "Traceback" not in out + err
    return code, out


def assert_reported(out: str, line: int, col: int, key: str) -> None:
    pattern = rf"^\S*p\.yaml:{line}:{col}: 错误: .+ \[{re.escape(key)}\]$"
    assert re.search(pattern, out, re.M), out


def test_valid_playlist_exits_zero_with_a_summary(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID)
    assert code == 0
    assert "有效，1 个条目" in out


def test_yaml_syntax_error_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("title: 关于", "title: [关于"))
    assert code == 1
    assert_reported(out, 8, 9, "yaml.syntax")
    assert "方括号 [ ] 没有闭合" in out


def test_colon_inside_an_unquoted_value_gets_a_hint(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("body: 正文", "body: 时间: 上午"))
    assert code == 1
    assert_reported(out, 8, 13, "yaml.syntax")
    assert "加引号" in out


def test_tab_indentation_is_named_as_such(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("    title:", "\ttitle:"))
    assert code == 1
    assert_reported(out, 7, 1, "yaml.tab")


def test_duplicate_keys_are_detected(tmp_path: Path) -> None:
    code, out = validate(
        tmp_path, VALID.replace("    body: 正文\n", "    body: 正文\n    title: 又一个\n")
    )
    assert code == 1
    assert_reported(out, 9, 5, "yaml.duplicate_key")
    assert "第 7 行" in out


def test_unknown_key_suggests_the_closest_known_one(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("    title:", "    titel:"))
    assert code == 1
    assert_reported(out, 7, 5, "key.unknown")
    assert "是不是“title”" in out
    assert "缺少必填的键“title”" not in out  # the misspelling is the one problem


def test_unknown_key_in_english(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("  office:", "  ofice:"), "--lang", "en")
    assert code == 1
    assert re.search(r"p\.yaml:3:3: error: unknown key 'ofice'; did you mean 'office'\?", out)


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("body: 正文", "body: [正文]"))
    assert code == 1
    assert_reported(out, 8, 11, "value.wrong_type")


def test_bad_date_is_reported(tmp_path: Path) -> None:
    code, out = validate(
        tmp_path, VALID.replace("      days:", "      from: 2026-02-30\n      days:")
    )
    assert code == 1
    assert_reported(out, 10, 13, "value.bad_date")
    assert "没有这一天" in out


def test_bad_time_25_00_is_reported(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("08:00-18:00", "08:00-25:00"))
    assert code == 1
    assert_reported(out, 11, 14, "value.bad_time")


def test_ambiguous_time_8_3_asks_for_two_digit_minutes(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("08:00-18:00", "8:3-18:00"))
    assert code == 1
    assert_reported(out, 11, 14, "value.bad_time")
    assert "08:03 或 08:30" in out


def test_days_no_is_called_ambiguous(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("days: workdays", "days: no"))
    assert code == 1
    assert_reported(out, 10, 13, "schedule.days_ambiguous")
    assert "enabled: false" in out


def test_bad_duration_is_reported(tmp_path: Path) -> None:
    code, out = validate(
        tmp_path, VALID.replace("    body: 正文\n", "    body: 正文\n    duration: 1:30\n")
    )
    assert code == 1
    assert_reported(out, 9, 15, "value.bad_duration")


def test_empty_file_is_reported(tmp_path: Path) -> None:
    code, out = validate(tmp_path, b"")
    assert code == 1
    assert_reported(out, 1, 1, "yaml.empty")


def test_comment_only_file_counts_as_empty(tmp_path: Path) -> None:
    code, out = validate(tmp_path, "# 只有注释\n\n")
    assert code == 1
    assert_reported(out, 1, 1, "yaml.empty")


def test_gbk_file_is_recognised_and_named(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.encode("gbk"))
    assert code == 1
    assert_reported(out, 3, 11, "yaml.not_utf8")
    assert "GBK" in out


def test_non_utf8_non_gbk_bytes_say_not_utf8(tmp_path: Path) -> None:
    code, out = validate(tmp_path, b"version: 1\nname: \xff\xfe\xff\n")
    assert code == 1
    assert_reported(out, 2, 7, "yaml.not_utf8")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    code, _ = validate(tmp_path, b"\xef\xbb\xbf" + VALID.encode())
    assert code == 0


def test_nul_bytes_are_reported(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.encode().replace("正文".encode(), b"\x00\x00"))
    assert code == 1
    assert_reported(out, 8, 11, "yaml.nul")


def test_binary_junk_is_reported(tmp_path: Path) -> None:
    code, out = validate(tmp_path, b"version: 1\nentries: \x1b\x07\x02junk\n")
    assert code == 1
    assert_reported(out, 2, 10, "yaml.binary")


def test_an_image_passed_by_mistake_is_named(tmp_path: Path) -> None:
    code, out = validate(tmp_path, b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert code == 1
    assert_reported(out, 1, 1, "yaml.binary")
    assert "PNG" in out


def test_alias_bomb_is_stopped(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    code, out = validate(tmp_path, "\n".join(lines) + "\n")
    assert code == 1
    assert_reported(out, 1, 1, "yaml.too_many_nodes")


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID + "# " + "x" * (1024 * 1024) + "\n")
    assert code == 1
    assert_reported(out, 1, 1, "yaml.too_large")
    assert "文件太大" in out


def test_oversized_text_is_refused_by_the_loader_before_parsing() -> None:
    from kiosk.playlist import load_playlist

    # 2 MB of nesting would exhaust the parser: the size alone refuses it, at 1:1
    pl, diags = load_playlist("[" * (2 * 1024 * 1024), "big.yaml")
    assert pl is None
    assert [(d.pos.line, d.pos.col, d.key) for d in diags] == [(1, 1, "yaml.too_large")]


def test_missing_referenced_file_is_reported(tmp_path: Path) -> None:
    text = VALID + "  - id: img\n    kind: image\n    file: assets/没有.png\n"
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 14, 11, "file.missing")


def test_existing_referenced_file_is_found_relative_to_the_playlist(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "x.png").write_bytes(png_bytes())
    text = VALID + "  - id: img\n    kind: image\n    file: assets/x.png\n"
    code, _ = validate(tmp_path, text)
    assert code == 0


def test_duplicate_ids_are_reported_at_the_second(tmp_path: Path) -> None:
    text = VALID + "  - id: n1\n    kind: notice\n    title: t\n    body: b\n"
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 12, 9, "entry.duplicate_id")


def test_date_range_ending_before_it_starts_can_never_be_active(tmp_path: Path) -> None:
    text = VALID.replace("      days:", "      from: 2026-12-10\n      to: 2026-12-01\n      days:")
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 11, 11, "schedule.never")


def test_time_range_starting_where_it_ends_can_never_be_active(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("08:00-18:00", "08:00-08:00"))
    assert code == 1
    assert_reported(out, 11, 14, "schedule.never")


def test_empty_weekday_list_can_never_be_active(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.replace("days: workdays", "days: []"))
    assert code == 1
    assert_reported(out, 10, 13, "schedule.never")


def test_date_range_without_any_selected_weekday_can_never_be_active(tmp_path: Path) -> None:
    text = VALID.replace(
        "days: workdays", "from: 2026-11-30\n      to: 2026-12-04\n      days: [周六, 周日]"
    )
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 12, 13, "schedule.never")


def test_publicity_period_that_cannot_fit_the_date_window(tmp_path: Path) -> None:
    text = VALID.replace(
        "      days:",
        "      from: 2026-12-01\n      to: 2026-12-03\n"
        "      publicity: {start: 2026-12-01, working_days: 5}\n      days:",
    )
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 12, 18, "schedule.publicity_no_fit")


def test_publicity_period_starting_after_the_window_can_never_be_active(tmp_path: Path) -> None:
    text = VALID.replace(
        "      days:",
        "      to: 2026-12-03\n      publicity: {start: 2026-12-10, end: 2026-12-16}\n      days:",
    )
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 11, 18, "schedule.publicity_outside")


def test_non_public_disclosure_on_inline_content_is_an_error(tmp_path: Path) -> None:
    text = VALID.replace("    body: 正文\n", "    body: 正文\n    disclosure: 依申请公开\n")
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 9, 17, "entry.not_public")


def test_characters_the_font_cannot_draw_are_a_warning_not_an_error(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    # U+E000 is in the private use area: no CJK font draws it.
    f.write_text(VALID.replace("body: 正文", "body: 正文\ue000"), encoding="utf-8")
    code, out, err = run("validate", "--today", "2026-11-29", str(f))
    assert code == 0, out + err
    assert re.search(r"p\.yaml:8:11: 警告: 字体无法显示 .*U\+E000.*\[font\.missing_glyphs\]", out)


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    text = VALID.replace("    title:", "    titel:").replace("08:00-18:00", "08:00-25:00")
    text = text.replace("  office:", "  ofice:")
    code, out = validate(tmp_path, text)
    assert code == 1
    assert len([ln for ln in out.splitlines() if ": 错误: " in ln]) == 3


def test_several_files_exit_one_if_any_is_invalid(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(VALID, encoding="utf-8")
    bad.write_text(VALID.replace("kind: notice", "kind: notise"), encoding="utf-8")
    code, out, _ = run("validate", "--no-font-check", str(good), str(bad))
    assert code == 1
    assert "good.yaml: 有效" in out
    assert re.search(r"bad\.yaml:6:11: 错误: .*是不是“notice”", out)


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    code, out, _ = run("validate", "--no-font-check", str(tmp_path / "none.yaml"))
    assert code == 1
    assert "none.yaml: 错误: 文件不存在 [file.not_found]" in out


def test_no_files_is_a_usage_error() -> None:
    code, _, err = run("validate")
    assert code == 2
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("kind_flag", [(), ("--kind", "config")])
def test_config_files_are_validated_too(tmp_path: Path, kind_flag: tuple[str, ...]) -> None:
    f = tmp_path / "kiosk.yaml"
    f.write_text("timezone: Asia/Shanghai\ndisplay:\n  rotaton: 90\n", encoding="utf-8")
    code, out, _ = run("validate", "--no-font-check", *kind_flag, str(f))
    assert code == 1
    assert re.search(r"kiosk\.yaml:3:3: 错误: 不认识的键“rotaton”；是不是“rotation”", out)


def test_workdays_inside_a_holiday_only_range_can_never_be_active(tmp_path: Path) -> None:
    # 2026-10-01..03 are National Day holidays by the Chinese working calendar
    text = VALID.replace("      days:", "      from: 2026-10-01\n      to: 2026-10-03\n      days:")
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 5, 5, "schedule.never")
    assert "没有工作日" in out


def test_publicity_by_working_days_ending_after_the_window_is_reported(tmp_path: Path) -> None:
    # 5 working days from Thu 2026-10-08 (after the holiday; Sat 10-10 is a 调休 working
    # day) end on Tue 2026-10-13, one day after the window
    text = VALID.replace(
        "      days:",
        "      to: 2026-10-12\n      publicity: {start: 2026-10-08, working_days: 5}\n      days:",
    )
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 5, 5, "schedule.publicity_no_fit")
    assert "2026-10-13" in out


def test_a_window_that_already_ended_is_a_warning(tmp_path: Path) -> None:
    text = VALID.replace("      days:", "      to: 2026-11-01\n      days:")
    code, out = validate(tmp_path, text)
    assert code == 0
    assert re.search(r"p\.yaml:5:5: 警告: .*2026-11-01 结束.*\[schedule\.ended\]", out)


def test_wrong_type_for_a_list_is_reported(tmp_path: Path) -> None:
    code, out = validate(
        tmp_path, VALID.replace("entries:\n", "entries: 全部\n").split("  - id")[0]
    )
    assert code == 1
    assert_reported(out, 4, 10, "value.wrong_type")


def test_bad_date_in_english_says_the_day_does_not_exist(tmp_path: Path) -> None:
    text = VALID.replace("      days:", "      from: 2026-02-30\n      days:")
    code, out = validate(tmp_path, text, "--lang", "en")
    assert code == 1
    assert re.search(r"p\.yaml:10:13: error: .+ \[value\.bad_date\]$", out, re.M), out


@pytest.mark.parametrize(
    ("broken", "where", "hint"),
    [
        (("body: 正文", "body: 时间: 上午"), "8:13", "quote a value that contains a colon"),
        (("title: 关于", "title: [关于"), "8:9", "quote a value that starts with '['"),
        (("    title:", "\ttitle:"), "7:1", "YAML indents with spaces only"),
        (("    title:", "    titel:"), "7:5", "did you mean 'title'?"),
        (("08:00-18:00", "8:3-18:00"), "11:14", "e.g. 08:03 or 08:30"),
        (("days: workdays", "days: no"), "10:13", "enabled: false"),
    ],
    ids=["colon", "bracket", "tab", "misspelt-key", "ambiguous-time", "days-no"],
)
def test_english_messages_carry_the_same_hints(
    tmp_path: Path, broken: tuple[str, str], where: str, hint: str
) -> None:
    code, out = validate(tmp_path, VALID.replace(*broken), "--lang", "en")
    assert code == 1
    line = next(ln for ln in out.splitlines() if f"p.yaml:{where}: error: " in ln)
    assert hint in line
    assert not re.search(r"[\u4e00-\u9fff]", line.split("[")[0].replace("正文", "")), line


def test_gbk_in_english_names_the_encoding(tmp_path: Path) -> None:
    code, out = validate(tmp_path, VALID.encode("gbk"), "--lang", "en")
    assert code == 1
    assert re.search(r"p\.yaml:3:11: error: the file is not UTF-8; it looks like GBK", out)


def test_utf8_bom_keeps_line_and_column_numbers(tmp_path: Path) -> None:
    code, out = validate(
        tmp_path, b"\xef\xbb\xbf" + VALID.replace("    title:", "    titel:").encode()
    )
    assert code == 1
    assert_reported(out, 7, 5, "key.unknown")


def test_every_kind_of_problem_in_one_file_is_reported_in_one_run(tmp_path: Path) -> None:
    text = (
        VALID.replace("    title:", "    titel:")
        .replace("08:00-18:00", "08:00-25:00")
        .replace("  office:", "  ofice:")
        .replace("days: workdays", "days: []")
    )
    text += "  - id: n1\n    kind: notice\n    title: t\n    body: b\n    duration: 1:30\n"
    text += "  - id: img\n    kind: image\n    file: 没有.png\n"
    code, out = validate(tmp_path, text)
    assert code == 1
    keys = re.findall(r"^\S+:\d+:\d+: 错误: .+ \[([a-z_.]+)\]$", out, re.M)
    assert sorted(keys) == sorted(
        [
            "key.unknown",
            "key.unknown",
            "value.bad_time",
            "schedule.never",
            "entry.duplicate_id",
            "value.bad_duration",
            "file.missing",
        ]
    ), out
    assert "p.yaml: 7 个错误" in out


def test_unknown_theme_in_the_playlist_frame_suggests_the_closest(tmp_path: Path) -> None:
    text = VALID.replace(
        "  office: 红花尔基镇人民政府\n", "  office: 红花尔基镇人民政府\n  theme: contast\n"
    )
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 4, 10, "value.bad_choice")
    assert "是不是“contrast”" in out


# ----------------------------------------------------------------------------- media files


def png_bytes(size: tuple[int, int] = (320, 200)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(size: tuple[int, int] = (640, 480)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue()


def plain_png(width: int, height: int) -> bytes:
    """A well-formed 1-bit greyscale PNG of ``width`` × ``height`` (all black), written
    chunk by chunk: a huge image that is small on disk, as a decompression bomb is."""
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def with_media(tmp_path: Path, name: str, data: bytes, kind: str = "image") -> tuple[int, str]:
    """Validate VALID plus one entry whose file (line 14, column 11) holds ``data``."""
    (tmp_path / name).write_bytes(data)
    text = VALID + f"  - id: m\n    kind: {kind}\n    file: {name}\n"
    return validate(tmp_path, text)


def test_a_real_png_jpeg_webp_and_pdf_are_valid(tmp_path: Path) -> None:
    from PIL import Image

    webp = io.BytesIO()
    Image.effect_noise((300, 200), 40).convert("RGB").save(webp, "WEBP")
    (tmp_path / "a.png").write_bytes(png_bytes())
    (tmp_path / "b.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "c.webp").write_bytes(webp.getvalue())
    (tmp_path / "d.pdf").write_bytes((ROOT / "assets/documents/application-form.pdf").read_bytes())
    text = VALID
    for i, name in enumerate(["a.png", "b.jpg", "c.webp"]):
        text += f"  - id: i{i}\n    kind: image\n    file: {name}\n"
    text += "  - id: doc\n    kind: pdf\n    file: d.pdf\n"
    code, out = validate(tmp_path, text)
    assert code == 0, out
    assert "有效，5 个条目" in out


def test_random_bytes_named_png_are_reported_at_the_file_value(tmp_path: Path) -> None:
    import random

    data = random.Random(7).randbytes(500)
    assert not data.startswith((b"\x89PNG", b"\xff\xd8"))
    code, out = with_media(tmp_path, "broken.png", data)
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_image")
    assert "p.yaml:14:11: 错误: 图片文件无法打开（已损坏或不是图片）：broken.png" in out


def test_a_truncated_png_is_reported(tmp_path: Path) -> None:
    data = png_bytes()
    code, out = with_media(tmp_path, "cut.png", data[: len(data) // 2])
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_image")
    assert "cut.png" in out


def test_a_truncated_jpeg_is_reported(tmp_path: Path) -> None:
    data = jpeg_bytes()
    code, out = with_media(tmp_path, "cut.jpg", data[: len(data) * 2 // 3])
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_image")


def test_a_jpeg_with_data_after_its_end_marker_is_still_valid(tmp_path: Path) -> None:
    # some cameras and phones append a trailer; the player shows such files
    code, out = with_media(tmp_path, "photo.jpg", jpeg_bytes() + b"MOTION-PHOTO-TRAILER" * 50)
    assert code == 0, out


def test_a_text_file_renamed_jpg_is_reported(tmp_path: Path) -> None:
    code, out = with_media(tmp_path, "通知.jpg", "这是一份通知的文字稿。\n".encode() * 20)
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_image")
    assert "通知.jpg" in out


def test_an_image_format_the_player_cannot_show_is_reported(tmp_path: Path) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buf, "TIFF")
    code, out = with_media(tmp_path, "scan.png", buf.getvalue())  # a TIFF saved as .png
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_image")
    assert "图片格式 TIFF 不能用（只接受 PNG、JPEG、WebP、GIF、BMP）：scan.png" in out


def test_a_local_gif_or_bmp_is_valid_since_the_player_shows_it_but_a_broken_one_is_not(
    tmp_path: Path,
) -> None:
    from PIL import Image

    for name, fmt in (("anim.gif", "GIF"), ("map.bmp", "BMP")):
        buf = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, fmt)
        code, out = with_media(tmp_path, name, buf.getvalue())
        assert code == 0, out
        code, out = with_media(tmp_path, name, buf.getvalue()[: len(buf.getvalue()) // 2])
        assert code == 1, out
        assert_reported(out, 14, 11, "file.bad_image")


def test_an_image_over_the_pixel_limit_is_reported(tmp_path: Path) -> None:
    import math

    from kiosk.images import MAX_PIXELS as PLAYER_LIMIT
    from kiosk.media import DEFAULT_LIMITS
    from kiosk.mediacheck import MAX_PIXELS

    # no looser than the publisher's bomb limit, nor than what the player will decode
    assert min(DEFAULT_LIMITS.max_pixels, PLAYER_LIMIT) == MAX_PIXELS
    side = math.isqrt(MAX_PIXELS) + 1
    code, out = with_media(tmp_path, "huge.png", plain_png(side, side))
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_image")
    assert f"图片像素过多（{side}×{side}，上限 {MAX_PIXELS:,} 像素）" in out


def test_an_image_just_within_the_pixel_limit_is_valid(tmp_path: Path) -> None:
    from kiosk.mediacheck import MAX_PIXELS

    width = MAX_PIXELS // 1000
    code, out = with_media(tmp_path, "wide.png", plain_png(width, 1000))
    assert code == 0, out


@pytest.mark.parametrize("cut", [2, 10])
def test_a_truncated_pdf_is_reported(tmp_path: Path, cut: int) -> None:
    data = (ROOT / "assets/documents/application-form.pdf").read_bytes()
    code, out = with_media(tmp_path, "form.pdf", data[: len(data) // cut], kind="pdf")
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_pdf")
    assert "PDF 文件无法打开（已损坏、不完整或不是 PDF）：form.pdf" in out


def test_a_text_file_renamed_pdf_is_reported_in_english_too(tmp_path: Path) -> None:
    (tmp_path / "form.pdf").write_text("not a pdf\n", encoding="utf-8")
    text = VALID + "  - id: m\n    kind: pdf\n    file: form.pdf\n"
    code, out = validate(tmp_path, text, "--lang", "en")
    assert code == 1
    assert re.search(
        r"p\.yaml:14:11: error: cannot open the PDF file \(corrupt, truncated or not a PDF\): "
        r"form\.pdf.* \[file\.bad_pdf\]$",
        out,
        re.M,
    ), out


def test_every_broken_file_is_reported_in_one_run(tmp_path: Path) -> None:
    data = png_bytes()
    files = {"a.png": data[:100], "b.jpg": b"text", "c.pdf": b"%PDF-1.7\n"}
    text = VALID
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        kind = "pdf" if name.endswith(".pdf") else "image"
        text += f"  - id: {name[0]}\n    kind: {kind}\n    file: {name}\n"
    code, out = validate(tmp_path, text)
    assert code == 1
    assert_reported(out, 14, 11, "file.bad_image")
    assert_reported(out, 17, 11, "file.bad_image")
    assert_reported(out, 20, 11, "file.bad_pdf")
    assert "p.yaml: 3 个错误" in out
