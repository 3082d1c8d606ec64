"""The signed alert feed: format, verification, rollback, expiry, withdrawal."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.alerts import (
    FORMAT,
    AlertFeed,
    AlertFeedError,
    HttpFetcher,
    active_alerts,
    feed_url,
    next_expiry,
    parse_alerts,
)
from tests.portal_fixture import serve

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def alert(aid: str = "2026-117", level: str = "red", hours: float = 3, **kw: Any) -> dict[str, Any]:
    """An alert as the portal writes it; ``disclosure=None`` leaves the field out."""
    issued = kw.pop("issued", T0)
    disclosure = kw.pop("disclosure", "主动公开")
    return {
        "id": aid,
        "level": level,
        "title": kw.pop("title", "大风蓝色预警：今日下午停止户外作业"),
        "body": kw.pop("body", "请居民减少外出。"),
        "issued": iso(issued),
        "expires": iso(kw.pop("expires", issued + timedelta(hours=hours))),
        **({} if disclosure is None else {"disclosure": disclosure}),
        **kw,
    }


def document(version: int, *alerts: dict[str, Any]) -> bytes:
    doc = {"format": FORMAT, "version": version, "issued": iso(T0), "alerts": list(alerts)}
    return json.dumps(doc, ensure_ascii=False).encode()


class Signer:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    def verify(self, data: bytes, sig: bytes) -> None:
        self.key.public_key().verify(sig, data)

    def publish(self, root: Path, data: bytes, sig: bytes | None = None) -> None:
        (root / "alerts.json").write_bytes(data)
        (root / "alerts.json.sig").write_bytes(self.sign(data) if sig is None else sig)


def test_parse_reads_levels_times_and_defaults_issued_to_the_document() -> None:
    a = alert()
    del a["issued"]
    doc = parse_alerts(document(3, a))
    assert doc.version == 3
    assert doc.alerts[0].issued == T0 and doc.alerts[0].expires == T0 + timedelta(hours=3)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.update(format="other/1"), "format"),
        (lambda d: d.update(version="7"), "version"),
        (lambda d: d["alerts"][0].update(level="purple"), "level"),
        (lambda d: d["alerts"][0].pop("expires"), "expires"),
        (lambda d: d["alerts"][0].update(expires="2026-11-27 12:00"), "时区"),
        (lambda d: d["alerts"][0].update(expires=iso(T0 - timedelta(hours=1))), "expires"),
        (lambda d: d["alerts"][0].update(expires=iso(T0 + timedelta(days=30))), "expires"),
        (lambda d: d["alerts"].append(dict(d["alerts"][0])), "重复"),
        (lambda d: d["alerts"][0].update(title=""), "title"),
        (lambda d: d["alerts"][0].update(title="长" * 61), "title"),
    ],
)
def test_a_defective_document_is_rejected_with_a_clear_reason(mutate: Any, needle: str) -> None:
    doc = json.loads(document(1, alert()))
    mutate(doc)
    with pytest.raises(AlertFeedError, match=needle):
        parse_alerts(json.dumps(doc, ensure_ascii=False).encode())


def test_only_public_issued_unexpired_alerts_are_active_most_severe_first() -> None:
    doc = parse_alerts(
        document(
            1,
            alert("a", "blue"),
            alert("b", "red"),
            alert("c", "orange", disclosure="依申请公开"),
            alert("d", "yellow", issued=T0 + timedelta(hours=1)),
            alert("e", "yellow", hours=0.5),
        )
    )
    assert [a.id for a in active_alerts(doc, T0 + timedelta(minutes=10))] == ["b", "e", "a"]
    assert [a.id for a in active_alerts(doc, T0 + timedelta(minutes=61))] == ["b", "d", "a"]
    assert next_expiry(doc, T0 + timedelta(minutes=10)) == T0 + timedelta(minutes=30)


def test_an_alert_not_marked_public_is_dropped_and_the_rest_apply() -> None:
    doc = parse_alerts(
        document(
            1,
            alert("public", "blue"),
            alert("unmarked", "red", disclosure=None),
            alert("on-request", "red", disclosure="依申请公开"),
            alert("spaced", "red", disclosure="主动 公开"),
            alert("not-text", "red", disclosure=1),
            # its content is never looked at: it cannot reach the screen, nor spoil the others
            alert("secret", "purple", disclosure="不予公开", title=""),
        )
    )
    assert [a.id for a in doc.alerts] == ["public"]
    assert doc.dropped == (
        ("unmarked", None),
        ("on-request", "依申请公开"),
        ("spaced", "主动 公开"),
        ("not-text", "1"),
        ("secret", "不予公开"),
    )
    assert [a.id for a in active_alerts(doc, T0)] == ["public"]


def test_a_dropped_alert_still_counts_for_duplicate_ids() -> None:
    with pytest.raises(AlertFeedError, match="重复"):
        parse_alerts(document(1, alert("a", disclosure=None), alert("a")))


def test_feed_url_defaults_to_alerts_json_beside_the_manifest() -> None:
    assert (
        feed_url("https://portal.example/kiosk", None) == "https://portal.example/kiosk/alerts.json"
    )
    assert feed_url("/media/usb/kiosk", None) == "/media/usb/kiosk/alerts.json"
    assert feed_url("https://p/x/", "https://q/a.json") == "https://q/a.json"
    assert feed_url(None, None) is None


@pytest.fixture
def signer() -> Signer:
    return Signer()


def test_a_new_alert_is_published_for_the_player_and_gone_at_expiry(
    tmp_path: Path, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.alerts")
    site = tmp_path / "site"
    site.mkdir()
    state = tmp_path / "state"
    signer.publish(site, document(1, alert(hours=1)))
    with serve(site) as portal:
        feed = AlertFeed(state, HttpFetcher(portal.url + "/alerts.json"), signer.verify)
        assert feed.poll()
        feed.publish(T0 + timedelta(minutes=1))
        shown = json.loads((state / "alerts.json").read_text())
        assert [a["id"] for a in shown["alerts"]] == ["2026-117"]
        assert set(shown["alerts"][0]) == {"id", "level", "title", "body", "expires", "issued"}
        # a minute later the portal answers 304 to the conditional GET
        assert not feed.poll()
        assert portal.requests[-1] == ("/alerts.json", feed.etag, 304)
        feed.publish(T0 + timedelta(hours=1))
    shown = json.loads((state / "alerts.json").read_text())
    assert shown["alerts"] == []
    events = [r.getMessage().split()[0] for r in caplog.records]
    assert events == ["alert.new", "alert.expired"]


def test_a_withdrawn_alert_disappears_with_the_next_version(
    tmp_path: Path, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.alerts")
    site = tmp_path / "site"
    site.mkdir()
    signer.publish(site, document(1, alert("a"), alert("b", "blue")))
    with serve(site) as portal:
        feed = AlertFeed(
            tmp_path / "state", HttpFetcher(portal.url + "/alerts.json"), signer.verify
        )
        feed.poll()
        feed.publish(T0)
        signer.publish(site, document(2, alert("b", "blue")))
        assert feed.poll()
        assert [a.id for a in feed.publish(T0 + timedelta(minutes=1))] == ["b"]
    assert "alert.withdrawn id=a" in [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize(
    "case", ["bad-signature", "rollback", "same-version-other-bytes", "http-500"]
)
def test_a_bad_feed_keeps_the_last_verified_alerts(
    tmp_path: Path, signer: Signer, case: str
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    state = tmp_path / "state"
    signer.publish(site, document(5, alert("a")))
    with serve(site) as portal:
        feed = AlertFeed(state, HttpFetcher(portal.url + "/alerts.json"), signer.verify)
        feed.poll()
        feed.publish(T0)
        before = (state / "alerts.json").read_bytes()
        if case == "bad-signature":
            signer.publish(site, document(6), sig=b"\0" * 64)
        elif case == "rollback":
            signer.publish(site, document(4))
        elif case == "same-version-other-bytes":
            signer.publish(site, document(5))
        else:
            portal.fail_with = 500
        with pytest.raises(AlertFeedError):
            feed.poll()
        feed.publish(T0 + timedelta(minutes=1))
    assert (state / "alerts.json").read_bytes() == before
    assert feed.doc is not None and feed.doc.version == 5


def test_after_a_restart_the_last_verified_feed_still_expires_alerts_offline(
    tmp_path: Path, signer: Signer
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    state = tmp_path / "state"
    signer.publish(site, document(1, alert(hours=2)))
    with serve(site) as portal:
        feed = AlertFeed(state, HttpFetcher(portal.url + "/alerts.json"), signer.verify)
        feed.poll()
        feed.publish(T0)
    # portal gone, daemon restarted
    again = AlertFeed(state, HttpFetcher("http://127.0.0.1:9/alerts.json"), signer.verify)
    with pytest.raises(AlertFeedError, match=r"alerts\.json"):
        again.poll()
    assert [a.id for a in again.publish(T0 + timedelta(hours=1))] == ["2026-117"]
    assert again.publish(T0 + timedelta(hours=2)) == []


def test_a_tampered_stored_feed_is_not_trusted_after_a_restart(
    tmp_path: Path, signer: Signer
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    state = tmp_path / "state"
    signer.publish(site, document(1, alert()))
    with serve(site) as portal:
        AlertFeed(state, HttpFetcher(portal.url + "/alerts.json"), signer.verify).poll()
    stored = state / "alerts-feed" / "alerts.json"
    stored.write_bytes(stored.read_bytes().replace("大风".encode(), "暴雨".encode()))
    assert AlertFeed(state, None, signer.verify).doc is None


def test_a_local_directory_feed_works_like_the_portal(tmp_path: Path, signer: Signer) -> None:
    signer.publish(tmp_path, document(1, alert()))
    feed = AlertFeed(tmp_path / "state", HttpFetcher(str(tmp_path / "alerts.json")), signer.verify)
    assert feed.poll()
    assert not feed.poll()  # unchanged bytes


def test_a_non_public_alert_is_logged_once_and_never_reaches_the_player(
    tmp_path: Path, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.alerts")
    signer.publish(
        tmp_path,
        document(
            1, alert("a", "blue"), alert("b", disclosure=None), alert("c", disclosure="不予公开")
        ),
    )
    state = tmp_path / "state"
    feed = AlertFeed(state, HttpFetcher(str(tmp_path / "alerts.json")), signer.verify)
    assert feed.poll()
    assert [a.id for a in feed.publish(T0)] == ["a"]
    assert not feed.poll()  # the same document again: no new log lines
    feed.publish(T0 + timedelta(minutes=1))
    shown = json.loads((state / "alerts.json").read_text())
    assert [a["id"] for a in shown["alerts"]] == ["a"]
    messages = [r.getMessage() for r in caplog.records]
    assert [m.split()[0] for m in messages] == ["alert.not_public", "alert.not_public", "alert.new"]
    assert messages[0].startswith("alert.not_public id=b disclosure=(missing):")
    assert messages[1].startswith("alert.not_public id=c disclosure=不予公开:")


def test_a_feed_of_only_non_public_alerts_shows_nothing_and_is_not_an_error(
    tmp_path: Path, signer: Signer
) -> None:
    signer.publish(tmp_path, document(1, alert("a")))
    state = tmp_path / "state"
    feed = AlertFeed(state, HttpFetcher(str(tmp_path / "alerts.json")), signer.verify)
    feed.poll()
    assert [a.id for a in feed.publish(T0)] == ["a"]
    signer.publish(tmp_path, document(2, alert("a", disclosure=None), alert("b", disclosure="")))
    assert feed.poll()
    assert feed.doc is not None and feed.doc.version == 2
    assert feed.publish(T0 + timedelta(minutes=1)) == []
    assert json.loads((state / "alerts.json").read_text())["alerts"] == []
    assert next_expiry(feed.doc, T0) is None
    # and it is the trusted document after a restart too
    assert AlertFeed(state, None, signer.verify).publish(T0 + timedelta(minutes=2)) == []
