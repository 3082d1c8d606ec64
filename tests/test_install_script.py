"""scripts/install-pi.sh: shellcheck-clean, a dry run that changes nothing, idempotent
installs into a fake root (KIOSK_ROOT) with systemctl/systemd-sysusers working offline."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "install-pi.sh"

needs_systemd = pytest.mark.skipif(
    not (shutil.which("systemctl") and shutil.which("systemd-sysusers")),
    reason="systemctl / systemd-sysusers not installed",
)


def install(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_ROOT": str(root)}
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def fake_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc" / "group").write_text("root:x:0:\nvideo:x:44:\n")
    (root / "boot" / "firmware").mkdir(parents=True)
    (root / "boot" / "firmware" / "cmdline.txt").write_text(
        "console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 "
        "fsck.repair=yes rootwait\n"
    )
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_the_install_script_is_shellcheck_clean() -> None:
    proc = subprocess.run(
        ["shellcheck", "--severity=style", str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout


def test_dry_run_prints_every_action_and_changes_nothing(tmp_path: Path) -> None:
    root = fake_root(tmp_path)
    before = snapshot(root)
    proc = install(root, "--dry-run", "--configure-boot")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert snapshot(root) == before
    for expected in (
        "apt-get install -y -q --no-install-recommends fonts-noto-cjk v4l-utils python3-venv",
        "python3 -m venv",
        "pip install -q --upgrade " + str(REPO),
        "/usr/lib/sysusers.d/kiosk.conf",
        "/etc/kiosk/kiosk.yaml",
        "/etc/systemd/system/kiosk-player.service",
        "/etc/systemd/system/kiosk-daemon.service",
        "disable getty@tty1.service",
        "enable kiosk-daemon.service kiosk-player.service",
        "video=HDMI-A-1:1920x1080@60D consoleblank=0",
    ):
        assert expected in out, expected
    changes = [line for line in out.splitlines() if line.startswith("+ ")]
    assert changes == [], "a dry run executed something"


@needs_systemd
def test_install_into_a_root_then_again_changes_nothing_and_keeps_local_config(
    tmp_path: Path,
) -> None:
    root = fake_root(tmp_path)
    first = install(root, "--no-apt", "--no-venv")
    assert first.returncode == 0, first.stdout + first.stderr
    assert (root / "etc/systemd/system/multi-user.target.wants/kiosk-player.service").is_symlink()
    assert (root / "etc/systemd/system/multi-user.target.wants/kiosk-daemon.service").is_symlink()
    passwd = (root / "etc" / "passwd").read_text()
    assert any(line.startswith("kiosk:") for line in passwd.splitlines())
    groups = (root / "etc" / "group").read_text()
    assert "video:x:44:kiosk" in groups
    config = root / "etc" / "kiosk" / "kiosk.yaml"
    assert config.read_text() == (REPO / "systemd" / "kiosk.example.yaml").read_text()

    config.write_text(config.read_text().replace("example.gov.cn", "wlzq.gov.cn"))
    edited = snapshot(root)
    second = install(root, "--no-apt", "--no-venv")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "wlzq.gov.cn" in config.read_text()
    assert "kept local edits: /etc/kiosk/kiosk.yaml" in second.stdout
    after = snapshot(root)
    added = set(after) - set(edited)
    assert added <= {"etc/kiosk/kiosk.yaml.example", "etc/.pwd.lock"}
    assert (root / "etc" / "passwd").read_text() == passwd  # user not created twice
    unit_lines = [line for line in second.stdout.splitlines() if "kiosk-player.service" in line]
    assert any(line.startswith("==> unchanged:") for line in unit_lines)


@needs_systemd
def test_configure_boot_adds_the_forced_mode_once_and_keeps_a_backup(tmp_path: Path) -> None:
    root = fake_root(tmp_path)
    cmdline = root / "boot" / "firmware" / "cmdline.txt"
    original = cmdline.read_text()
    args = ("--no-apt", "--no-venv", "--configure-boot", "--mode", "1280x720@60")
    assert install(root, *args).returncode == 0
    line = cmdline.read_text()
    assert line.count("\n") == 1
    assert line.strip().endswith("video=HDMI-A-1:1280x720@60D consoleblank=0")
    assert (cmdline.parent / "cmdline.txt.kiosk-backup").read_text() == original
    again = install(root, *args)
    assert again.returncode == 0
    assert cmdline.read_text() == line
    assert "unchanged: /boot/firmware/cmdline.txt" in again.stdout


def test_unknown_options_are_refused() -> None:
    proc = subprocess.run(
        ["bash", str(SCRIPT), "--frobnicate"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and "--frobnicate" in proc.stderr
