"""`kiosk power` for staff: Chinese output, overrides with --until, back to auto."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kiosk.cli import Environment, main


def kiosk(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, environ={}))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    import kiosk.config

    if not hasattr(kiosk.config, "load_config"):
        pytest.skip("kiosk.config.load_config has not landed on this branch yet")
    state = tmp_path / "state"
    path = tmp_path / "kiosk.yaml"
    path.write_text(f"state_dir: {state}\npower:\n  backend: blank\n")
    return path


def test_status_prints_the_state_reason_and_next_change_in_chinese(config: Path) -> None:
    code, out, _ = kiosk("power", "status", "--config", str(config))
    assert code == 0
    assert out.startswith("屏幕: ")
    assert "下次变化: " in out


def test_off_until_a_time_overrides_and_auto_restores(config: Path, tmp_path: Path) -> None:
    code, out, _ = kiosk("power", "off", "--until", "3h", "--config", str(config))
    assert code == 0
    assert "屏幕: 关（手动关闭）" in out and "恢复自动: kiosk power auto" in out
    state = tmp_path / "state"
    assert json.loads((state / "power.json").read_text())["state"] == "off"
    assert json.loads((state / "power-override.json").read_text())["state"] == "off"
    code, out, _ = kiosk("power", "auto", "--config", str(config))
    assert code == 0
    assert not (state / "power-override.json").exists()
    assert "手动设置" not in out


def test_an_unreadable_until_is_one_chinese_line(config: Path) -> None:
    code, _, err = kiosk("power", "on", "--until", "soon", "--config", str(config))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "无法识别的时间" in err


def test_a_state_directory_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    path = tmp_path / "kiosk.yaml"
    path.write_text(f"state_dir: {blocker / 'state'}\npower:\n  backend: blank\n")
    code, out, err = kiosk("power", "off", "--config", str(path))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "无法写入状态目录" in err
