"""The shell scripts behind `make demo` and `make test`: shellcheck-clean, and the demo's
whole path (publish → serve on 127.0.0.1 → sync → daemon → play) runs headless."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "scripts").glob("*.sh"))


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_every_script_is_shellcheck_clean(script: Path) -> None:
    done = subprocess.run(
        ["shellcheck", "--severity=style", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "kiosk").exists() or Path(sys.prefix) != ROOT / ".venv",
    reason="the demo runs the repository's own .venv (make test creates it)",
)
def test_the_demo_publishes_syncs_and_plays_headless_with_the_daemon_beside(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "KIOSK_CONFIG")
    }
    env |= {"DEMO_MODE": "headless", "DEMO_SECONDS": "8", "DEMO_DIR": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "screenshot.png").stat().st_size > 10_000
    status = json.loads((tmp_path / "state" / "status.json").read_text(encoding="utf-8"))
    assert status["content_generation"] == 1
    assert "alert:demo-heating" in status["alerts"]
    daemon_log = (tmp_path / "daemon.log").read_text(encoding="utf-8")
    assert "alert.new id=demo-heating" in daemon_log
