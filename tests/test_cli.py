from __future__ import annotations

import io

import pytest

from kiosk.cli import Environment, main


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
