from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import keys
from kiosk.cli import main
from kiosk.manifest import (
    MAX_MANIFEST_BYTES,
    FileRef,
    ManifestError,
    check_items,
    dump_manifest,
    parse_manifest,
    sign,
    verify_and_parse,
    verify_detached,
    verify_header,
)
from kiosk.model import Image, Notice
from tests.pubkit import T0, Publisher, image_item, notice, sha


@pytest.fixture
def pub(tmp_path: Path) -> Publisher:
    return Publisher(tmp_path / "portal")


def _raw(pub: Publisher, **over: object) -> bytes:
    item, _ = image_item("img-1", b"x" * 10)
    data = json.loads(dump_manifest(pub.manifest(3, [item, notice("n-1")])))
    data.update(over)
    return json.dumps(data, ensure_ascii=False).encode()


def test_dump_then_parse_round_trips(pub: Publisher) -> None:
    item, _ = image_item("img-1", b"abc")
    m = pub.manifest(7, [item, notice("n-1", date=T0.date())])
    assert parse_manifest(dump_manifest(m)) == m


def test_signature_verifies_and_names_the_signing_key(pub: Publisher) -> None:
    raw = dump_manifest(pub.manifest(1, [notice("n-1")]))
    assert verify_detached(raw, sign(raw, pub.key), pub.trusted) == pub.key_id
    assert verify_and_parse(raw, sign(raw, pub.key), pub.trusted).version == 1


def test_verify_header_checks_the_signature_and_reads_only_the_header(pub: Publisher) -> None:
    m = pub.manifest(5, [notice("n-1")])
    raw = dump_manifest(m)
    header = verify_header(raw, sign(raw, pub.key), pub.trusted)
    assert (header.version, header.issued, header.expires) == (5, m.issued, m.expires)
    tampered = raw.replace(b'"version": 5', b'"version": 6')
    with pytest.raises(ManifestError) as exc:
        verify_header(tampered, sign(raw, pub.key), pub.trusted)
    assert exc.value.key == "manifest.bad_signature"
    other = json.loads(raw)
    other["key_id"] = "0" * 16
    wrong = json.dumps(other).encode()
    with pytest.raises(ManifestError) as exc:
        verify_header(wrong, sign(wrong, pub.key), pub.trusted)
    assert exc.value.key == "manifest.unknown_key"


def test_a_flipped_byte_fails_the_signature(pub: Publisher) -> None:
    raw = dump_manifest(pub.manifest(1, [notice("n-1")]))
    sig = sign(raw, pub.key)
    tampered = raw.replace(b'"version": 1', b'"version": 9')
    with pytest.raises(ManifestError) as exc:
        verify_detached(tampered, sig, pub.trusted)
    assert exc.value.key == "manifest.bad_signature"


def test_a_key_that_is_not_trusted_is_rejected(pub: Publisher) -> None:
    raw = dump_manifest(pub.manifest(1, []))
    other = keys.generate()
    with pytest.raises(ManifestError, match="unknown key"):
        verify_detached(raw, sign(raw, other), pub.trusted)


def test_key_id_in_manifest_must_match_the_verifying_key(pub: Publisher) -> None:
    m = pub.manifest(1, [])
    from dataclasses import replace

    raw = dump_manifest(replace(m, key_id="0" * 16))
    with pytest.raises(ManifestError) as exc:
        verify_and_parse(raw, sign(raw, pub.key), pub.trusted)
    assert exc.value.key == "manifest.unknown_key"


def test_size_cap_is_checked_before_the_signature(pub: Publisher) -> None:
    with pytest.raises(ManifestError) as exc:
        verify_detached(b" " * (MAX_MANIFEST_BYTES + 1), "garbage", pub.trusted)
    assert exc.value.key == "manifest.too_large"


@pytest.mark.parametrize(
    "sig",
    [b"", b"not base64!!", base64.b64encode(b"x" * 63), b"A" * 600, "签名".encode()],
)
def test_malformed_signature_files_are_rejected(pub: Publisher, sig: bytes) -> None:
    raw = dump_manifest(pub.manifest(1, []))
    with pytest.raises(ManifestError) as exc:
        verify_detached(raw, sig, pub.trusted)
    assert exc.value.key == "manifest.bad_signature"


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"version": True}, "integer"),
        ({"version": 0}, "within"),
        ({"version": "3"}, "integer"),
        ({"format": 2}, "unsupported format"),
        ({"expires": "2026-11-30T00:00:00"}, "UTC offset"),
        ({"expires": "2020-01-01T00:00:00+08:00"}, "after issued"),
        ({"key_id": "XYZ"}, "16 lowercase hex"),
        ({"extra": 1}, "unknown key"),
        ({"items": {}}, "array"),
    ],
)
def test_malformed_top_level_fields_are_rejected(
    pub: Publisher, over: dict[str, object], message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(_raw(pub, **over))


def _item_raw(pub: Publisher, **over: object) -> bytes:
    item, _ = image_item("img-1", b"x" * 10)
    data = json.loads(dump_manifest(pub.manifest(3, [item])))
    data["items"][0].update(over)
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"id": "../etc/passwd"}, "must match"),
        ({"id": "Upper"}, "must match"),
        ({"id": ""}, "must match"),
        ({"kind": "video"}, "unknown kind"),
        (
            {"files": [{"name": "a", "sha256": "0" * 63, "length": 1, "media_type": "image/png"}]},
            "64 lowercase hex",
        ),
        (
            {"files": [{"name": "a", "sha256": "A" * 64, "length": 1, "media_type": "image/png"}]},
            "64 lowercase hex",
        ),
        (
            {"files": [{"name": "a", "sha256": "0" * 64, "length": -1, "media_type": "image/png"}]},
            "within",
        ),
        (
            {"files": [{"name": "a", "sha256": "0" * 64, "length": 1, "media_type": "text/html"}]},
            "media type not allowed",
        ),
        (
            {
                "files": [
                    {"name": "a\x00", "sha256": "0" * 64, "length": 1, "media_type": "image/png"}
                ]
            },
            "control characters",
        ),
        ({"meta": {"file": "missing.png"}}, "not in files"),
        (
            {"valid_from": "2026-12-01T00:00:00+08:00", "valid_to": "2026-11-01T00:00:00+08:00"},
            "after valid_from",
        ),
        ({"date": "2026-13-01"}, "invalid date"),
    ],
)
def test_malformed_items_are_rejected(
    pub: Publisher, over: dict[str, object], message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(_item_raw(pub, **over))


def test_duplicate_ids_and_duplicate_json_keys_are_rejected(pub: Publisher) -> None:
    raw = dump_manifest(pub.manifest(1, [notice("n-1"), notice("n-1")]))
    with pytest.raises(ManifestError, match="duplicate id"):
        parse_manifest(raw)
    with pytest.raises(ManifestError, match="duplicate key"):
        parse_manifest(b'{"format": 1, "format": 1}')


def test_nan_bom_and_bad_utf8_are_rejected() -> None:
    for raw in (b'{"x": NaN}', b"\xef\xbb\xbf{}", b'{"x": "\xff"}', b"[" * 100000):
        with pytest.raises(ManifestError):
            parse_manifest(raw)


def test_odd_file_names_are_only_labels(pub: Publisher) -> None:
    data = b"png"
    ref = FileRef("../../etc/passwd", sha(data), 3, "image/png")
    from kiosk.manifest import ManifestItem

    item = ManifestItem("img-1", "image", "主动公开", {"file": "../../etc/passwd"}, (ref,))
    m = parse_manifest(dump_manifest(pub.manifest(1, [item])))
    assert m.items[0].files[0].name == "../../etc/passwd"
    assert m.objects() == {sha(data): 3}


def test_check_items_drops_non_public_and_builds_content(pub: Publisher) -> None:
    item, _ = image_item("img-1", b"abc")
    m = pub.manifest(1, [item, notice("n-1"), notice("n-2", disclosure="依申请公开")])
    checked = check_items(m)
    assert [i.id for i in checked.public] == ["img-1", "n-1"]
    assert checked.dropped == (("n-2", "依申请公开"),)
    assert isinstance(checked.contents["n-1"], Notice)
    assert isinstance(checked.contents["img-1"], Image)


def test_content_the_player_cannot_show_rejects_the_manifest(pub: Publisher) -> None:
    from kiosk.manifest import ManifestItem

    bad = ManifestItem("n-1", "notice", "主动公开", {"title": ["x"], "body": "x"})
    with pytest.raises(ManifestError, match="wrong_type"):
        check_items(pub.manifest(1, [bad]))
    missing = ManifestItem("n-2", "notice", "主动公开", {"title": "x"})
    with pytest.raises(ManifestError, match="body"):
        check_items(pub.manifest(1, [missing]))


@given(st.binary(max_size=300))
def test_parse_never_raises_anything_but_manifest_error(raw: bytes) -> None:
    with contextlib.suppress(ManifestError):
        parse_manifest(raw)


def test_expiry_is_kept_with_its_offset(pub: Publisher) -> None:
    m = pub.manifest(1, [], expires=T0 + timedelta(hours=5))
    assert parse_manifest(dump_manifest(m)).expires == T0 + timedelta(hours=5)


def test_keygen_writes_private_key_0600_and_public_key(tmp_path: Path) -> None:
    out = tmp_path / "demo.key"
    assert main(["keygen", "--out", str(out)]) == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    priv = keys.load_private_key(out)
    pub = keys.load_public_key(f"{out}.pub")
    assert pub.key_id == keys.key_id_of(priv.public_key())
    assert len(pub.key_id) == 16
    assert out.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert Path(f"{out}.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_keygen_refuses_to_overwrite_a_private_key(tmp_path: Path) -> None:
    out = tmp_path / "demo.key"
    assert main(["keygen", "--out", str(out)]) == 0
    before = out.read_bytes()
    assert main(["keygen", "--out", str(out)]) == 1
    assert out.read_bytes() == before


def test_a_public_key_file_that_is_not_a_key_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "k.pub"
    bad.write_text("hello")
    with pytest.raises(keys.KioskError, match="PEM"):
        keys.load_public_key(bad)
