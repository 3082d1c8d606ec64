"""`kiosk alerts publish` writes a signed feed the daemon accepts; `kiosk alerts show`."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk import keys
from kiosk.alerts import AlertFeed, HttpFetcher, build_document, parse_alerts
from kiosk.cli import Environment, main
from kiosk.clock import FakeClock
from kiosk.manifest import verify_detached

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=TZ)

SOURCE = """\
alerts:
  - id: 2026-117
    level: orange
    title: 明日上午停水通知
    body: 因管网维修，11月30日8:00—12:00镇区停水，请提前储水。
    expires: 2026-11-30 12:00
    disclosure: 主动公开
"""


def kiosk(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, environ={}, clock=lambda tz: FakeClock(NOW, tz))
    code = main(list(argv), env)
    return code, out.getvalue(), err.getvalue()


def test_build_reads_local_times_in_the_configured_zone_and_counts_versions_up() -> None:
    body, diags = build_document(SOURCE.encode(), "alerts.yaml", NOW, None)
    assert diags == [] and body is not None
    doc = parse_alerts(body)
    assert doc.version == 1
    assert doc.alerts[0].expires == datetime(2026, 11, 30, 12, 0, tzinfo=TZ)
    assert doc.alerts[0].issued == NOW
    again, _ = build_document(b"alerts: []\n", "alerts.yaml", NOW, doc)
    assert again is not None and parse_alerts(again).version == 2


def test_mistakes_in_the_source_are_reported_with_line_and_column() -> None:
    bad = SOURCE.replace("level: orange", "level: purple").replace(
        "expires: 2026-11-30 12:00", "expires: tomorrow\n    colour: red"
    )
    body, diags = build_document(bad.encode(), "alerts.yaml", NOW, None)
    assert body is None
    lines = [d.format("zh") for d in diags]
    assert any(line.startswith("alerts.yaml:6:14: 错误: 时间格式") for line in lines), lines
    assert any(line.startswith("alerts.yaml:7:5: 错误: 未知的键 colour") for line in lines), lines


def test_the_published_document_marks_every_alert_public() -> None:
    body, _ = build_document(SOURCE.encode(), "alerts.yaml", NOW, None)
    assert body is not None
    assert [a["disclosure"] for a in json.loads(body)["alerts"]] == ["主动公开"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda s: s.replace("    disclosure: 主动公开\n", ""),
            "alerts.yaml:2:5: 错误: 缺少 disclosure（公开属性）；只有标为“主动公开”的通知可以发布",
        ),
        (
            lambda s: s.replace("disclosure: 主动公开", "disclosure: 依申请公开"),
            "alerts.yaml:7:17: 错误: 公开属性是“依申请公开”，不是“主动公开”：此通知不能发布",
        ),
        (
            lambda s: s.replace("disclosure: 主动公开", "disclosure:"),
            "alerts.yaml:7:5: 错误: 缺少 disclosure",
        ),
    ],
    ids=["missing", "other-value", "empty"],
)
def test_an_alert_not_marked_public_is_refused_with_its_position(
    edit: Callable[[str], str], expected: str
) -> None:
    body, diags = build_document(edit(SOURCE).encode(), "alerts.yaml", NOW, None)
    assert body is None
    lines = [d.format("zh") for d in diags]
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_publish_refuses_a_non_public_alert_and_writes_nothing(tmp_path: Path) -> None:
    keys.write_keypair(tmp_path / "portal.key", keys.generate())
    site = tmp_path / "site"
    site.mkdir()
    src = tmp_path / "alerts.yaml"
    src.write_text(
        SOURCE
        + SOURCE.split("\n", 1)[1]
        .replace("2026-117", "2026-118")
        .replace("    disclosure: 主动公开\n", "")
    )
    code, out, err = kiosk(
        "alerts", "publish", str(src), "--key", str(tmp_path / "portal.key"), "--out", str(site)
    )
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{src}:8:5: 错误: 缺少 disclosure（公开属性）；只有标为“主动公开”的通知可以发布"
        " [alerts.missing_disclosure]"
    ]
    assert list(site.iterdir()) == []


def test_a_level_outside_the_four_colours_is_refused() -> None:
    body, diags = build_document(SOURCE.replace("orange", "purple").encode(), "a.yaml", NOW, None)
    assert body is None and "level" in diags[0].format("zh")


def test_publish_writes_a_feed_the_daemon_verifies(tmp_path: Path) -> None:
    key = keys.generate()
    keys.write_keypair(tmp_path / "portal.key", key)
    site = tmp_path / "site"
    site.mkdir()
    src = tmp_path / "alerts.yaml"
    src.write_text(SOURCE)
    code, out, err = kiosk(
        "alerts", "publish", str(src), "--key", str(tmp_path / "portal.key"), "--out", str(site)
    )
    assert code == 0, err
    assert "第 1 版" in out
    trusted = keys.load_trusted_keys([tmp_path / "portal.key.pub"])
    feed = AlertFeed(
        tmp_path / "state",
        HttpFetcher(str(site / "alerts.json")),
        lambda raw, sig: verify_detached(raw, sig, trusted) and None,
    )
    assert feed.poll()
    shown = feed.publish(datetime(2026, 11, 30, 11, 0, tzinfo=TZ))
    assert [a.id for a in shown] == ["2026-117"]
    # withdrawing: an empty list, one version up
    src.write_text("alerts: []\n")
    code, out, _ = kiosk(
        "alerts", "publish", str(src), "--key", str(tmp_path / "portal.key"), "--out", str(site)
    )
    assert code == 0 and "第 2 版" in out
    assert feed.poll()
    assert feed.publish(datetime(2026, 11, 30, 11, 1, tzinfo=TZ)) == []


def test_show_lists_the_alerts_on_screen_in_chinese(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    expires = (NOW + timedelta(hours=3)).isoformat()
    (state / "alerts.json").write_text(
        json.dumps(
            {
                "alerts": [
                    {
                        "id": "a1",
                        "level": "red",
                        "title": "暴雨红色预警",
                        "body": "",
                        "issued": NOW.isoformat(),
                        "expires": expires,
                    }
                ],
                "updated": NOW.isoformat(),
            },
            ensure_ascii=False,
        )
    )
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"state_dir: {state}\n")
    code, out, _ = kiosk("alerts", "show", "--config", str(config))
    assert code == 0
    assert out.strip() == "[红色] 暴雨红色预警（a1，至 11月29日 12:00）"
