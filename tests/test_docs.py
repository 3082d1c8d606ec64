"""The staff documentation covers every key and every problem the validator can report."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.config import SECTIONS
from kiosk.playlist import CONTENT_TABLES, ENTRY_TABLE, PLAYLIST_TABLE
from kiosk.schema import config_reference, playlist_reference, with_reference

ROOT = Path(__file__).resolve().parent.parent
PLAYLIST_DOC = (ROOT / "docs" / "playlist.md").read_text("utf-8")
CONFIG_DOC = (ROOT / "docs" / "config.md").read_text("utf-8")
SOURCES = ["yamlsrc.py", "fields.py", "playlist.py", "config.py", "resolve.py", "mediacheck.py"]
KEY = re.compile(
    r'"((?:yaml|key|value|schedule|entry|file|font|publicity|chart|playlist|defaults|config'
    r'|resolve|alert)\.[a-z_0-9]+)"'
)


def test_generated_key_references_are_up_to_date() -> None:
    # regenerate: kiosk schema --update-doc docs/playlist.md
    #             kiosk schema --kind config --update-doc docs/config.md
    assert with_reference(PLAYLIST_DOC, playlist_reference()) == PLAYLIST_DOC
    assert with_reference(CONFIG_DOC, config_reference()) == CONFIG_DOC


def test_every_diagnostic_key_is_explained_for_staff() -> None:
    keys: set[str] = set()
    for name in SOURCES:
        keys |= set(KEY.findall((ROOT / "kiosk" / name).read_text("utf-8")))
    keys |= set(KEY.findall((ROOT / "kiosk" / "commands" / "validate.py").read_text("utf-8")))
    assert len(keys) > 50
    undocumented = sorted(k for k in keys if f"`{k}`" not in PLAYLIST_DOC + CONFIG_DOC)
    assert undocumented == []


def test_every_playlist_key_appears_in_the_reference() -> None:
    for table in [PLAYLIST_TABLE, ENTRY_TABLE, *CONTENT_TABLES.values()]:
        for key in table.names():
            assert f"| `{key}` |" in PLAYLIST_DOC


def test_every_config_key_is_described_in_chinese() -> None:
    chinese_part = CONFIG_DOC.split("## 七、")[0]
    for _, (table, _) in SECTIONS.items():
        for key in table.names():
            assert f"`{key}`" in chinese_part, key


def test_every_log_event_of_the_daemon_and_power_is_listed_in_deploy_md() -> None:
    # journalctl greps and fleet alerts rely on these keys: each one is explained
    deploy = (ROOT / "docs" / "deploy.md").read_text("utf-8")
    event = re.compile(r'log\.(?:info|warning|error)\(\s*"([a-z_]+\.[a-z_]+)')
    keys: set[str] = set()
    for name in ("daemon.py", "power.py", "alerts.py", "commands/daemon.py"):
        keys |= set(event.findall((ROOT / "kiosk" / name).read_text("utf-8")))
    assert {"sync.fail", "sync.retry_scheduled", "calendar.uncovered_year"} <= keys
    assert sorted(k for k in keys if f"`{k}`" not in deploy) == []
