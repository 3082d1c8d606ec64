from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
from pathlib import Path

import pytest

from kiosk.cli import Environment, build_parser, main, wrap_columns
from kiosk.cli import _display_width as display_width


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, environ={}))
    return code, out.getvalue(), err.getvalue()


def test_help_lists_commands_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"], Environment(environ={}))
    assert exc.value.code == 0
    assert "COMMAND" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error_with_one_line() -> None:
    code, _, err = run("no-such-command")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "no-such-command" in err


def test_no_command_prints_help_and_exits_2() -> None:
    code, out, _ = run()
    assert code == 2
    assert "COMMAND" in out


CJK = re.compile(r"[\u4e00-\u9fff]")


def help_text(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exc:
        main([*argv, "--help"], Environment(environ={}))
    assert exc.value.code == 0
    return out.getvalue()


def test_help_headings_are_in_chinese() -> None:
    text = help_text()
    assert text.startswith("用法：kiosk ")
    assert "\n选项:\n" in text and "\n参数:\n" in text
    assert "options:" not in text and "positional arguments:" not in text
    assert "显示本帮助并退出" in text and "显示版本号并退出" in text


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


_PARSER, _ = build_parser()


@pytest.mark.parametrize("command", sorted(_subparsers(_PARSER)))
def test_every_option_of_every_command_is_explained_in_chinese(command: str) -> None:
    """Staff read these: every command, and the subcommands of those that have them."""
    todo = [(command, _subparsers(_PARSER)[command])]
    while todo:
        name, p = todo.pop()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend((f"{name} {n}", sp) for n, sp in action.choices.items())
            elif action.help and action.help != argparse.SUPPRESS:
                assert CJK.search(action.help), (name, action.option_strings, action.help)


def test_help_lines_fit_the_terminal_counting_chinese_as_two_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for command in ("validate", "schedule", "schema"):
        text = help_text(command)
        assert "用法：kiosk " + command in text
        usage_end = text.index("\n\n")
        for line in text[usage_end:].splitlines():
            assert display_width(line) <= 80, line


def test_wrapping_keeps_closing_punctuation_off_the_start_of_a_line() -> None:
    text = "显示多少天，" * 20 + "default one (number of days)"
    lines = wrap_columns(text, 24)
    assert all(display_width(ln) <= 26 for ln in lines)
    assert not any(ln[0] in "，。）" for ln in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_usage_errors_are_one_chinese_line_with_the_english_kept() -> None:
    code, _, err = run("validate")
    assert code == 2
    assert (
        err == "kiosk: kiosk validate: 缺少参数 FILE (the following arguments are required: FILE)\n"
    )
    code, _, err = run("schedule", "p.yaml", "--days", "x")
    assert code == 2
    assert "参数 --days 应为整数" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("option", [["--verbose"], ["--lang", "en"], ["--config", "x.yaml"]])
def test_common_options_are_accepted_after_a_subcommand_too(option: list[str]) -> None:
    """The README: every command accepts --config, --verbose and --lang."""
    parser, _ = build_parser()
    args = parser.parse_args(["portal", "serve", "some-dir", *option])
    assert args.dir == "some-dir"
    assert getattr(args, option[0][2:]) == (option[1] if len(option) > 1 else True)


def test_root_is_refused_in_a_state_directory_the_service_user_owns(tmp_path: Path) -> None:
    # `sudo kiosk sync --once` would leave root-owned files the services cannot replace
    from kiosk import keys

    state = tmp_path / "state"
    state.mkdir()
    if os.geteuid() == 0:
        os.chown(state, 65534, 65534)
    key = keys.generate()
    (tmp_path / "k.pub").write_bytes(keys.public_pem(key.public_key()))
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"state_dir: {state}\n", encoding="utf-8")
    as_root = [
        ["sync", "--once", "--source", str(tmp_path), "--state-dir", str(state),
         "--public-key", str(tmp_path / "k.pub")],
        ["--config", str(config), "daemon", "--once", "power"],
        ["play", "--headless", "--duration", "1", "--state-dir", str(state)],
    ]  # fmt: skip
    for argv in as_root:
        out, err = io.StringIO(), io.StringIO()
        env = Environment(stdout=out, stderr=err, environ={}, euid=lambda: 0)
        code = main(argv, env)
        assert code == 1, (argv, err.getvalue())
        assert err.getvalue().count("\n") == 1 and "sudo -u" in err.getvalue(), argv
        assert list(state.iterdir()) == [], argv  # nothing written
    # the owner itself (or root in a root-owned directory) goes ahead
    code, _, err = run("--config", str(config), "power", "status")
    assert code == 0, err
    # power only renames a small file into place, which the owner can replace: root may
    err_io = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=err_io, environ={}, euid=lambda: 0)
    assert main(["--config", str(config), "power", "off", "--no-apply"], env) == 0, err_io
