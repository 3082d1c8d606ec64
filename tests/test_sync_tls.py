"""HTTPS: TLS is verified (system store or a pinned CA file) and https never redirects
to http."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.fetch import FetchSettings, redirect_allowed
from kiosk.sync import SyncSettings, run_sync
from tests.httpportal import Portal, start_portal, stop_portal
from tests.pubkit import T0, Publisher, simple_publication
from tests.storekit import TestClock, snapshot


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "portal.crt", tmp / "portal.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[tuple[Portal, Publisher, Path]]:
    pub = Publisher(tmp_path / "portal")
    simple_publication(pub, 1)
    cert, key = _self_signed(tmp_path)
    portal = start_portal(pub.root)
    assert portal.server is not None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    portal.server.socket = ctx.wrap_socket(portal.server.socket, server_side=True)
    yield portal, pub, cert
    stop_portal(portal)


def _settings(ca: Path | None) -> SyncSettings:
    return SyncSettings(
        fetch=FetchSettings(
            connect_timeout=2,
            read_timeout=2,
            file_deadline=5,
            run_deadline=10,
            ca_file=str(ca) if ca else None,
        ),
        free_space=lambda _: 10**12,
    )


def _https(portal: Portal) -> str:
    return portal.url.replace("http://", "https://")


def test_tls_with_the_pinned_ca_file_syncs(
    tls: tuple[Portal, Publisher, Path], tmp_path: Path
) -> None:
    portal, pub, cert = tls
    result = run_sync(_https(portal), tmp_path / "s", pub.trusted, TestClock(T0), _settings(cert))
    assert result.status == "updated", result.line()


def test_tls_certificate_not_trusted_is_refused(
    tls: tuple[Portal, Publisher, Path], tmp_path: Path
) -> None:
    portal, pub, _ = tls
    result = run_sync(_https(portal), tmp_path / "s", pub.trusted, TestClock(T0), _settings(None))
    assert result.status == "failed" and result.key == "fetch.tls"


def test_https_redirect_to_http_is_refused(
    tls: tuple[Portal, Publisher, Path], tmp_path: Path
) -> None:
    portal, pub, cert = tls
    state = tmp_path / "s"
    assert run_sync(_https(portal), state, pub.trusted, TestClock(T0), _settings(cert)).ok
    before = snapshot(state)
    plain = start_portal(pub.root)
    try:
        simple_publication(pub, 2, salt="v2")
        target = f"{plain.url}manifest.json"  # plain http on another port
        portal.scripts["/manifest.json"] = lambda h: (
            h.reply(302, headers={"Location": target}) or True
        )  # type: ignore[func-returns-value]
        result = run_sync(_https(portal), state, pub.trusted, TestClock(T0), _settings(cert))
        assert result.key == "fetch.redirect", result.line()
        assert plain.requests() == []
        assert snapshot(state) == before
    finally:
        stop_portal(plain)


@pytest.mark.parametrize(
    ("src", "dst", "ok"),
    [
        (
            "https://portal.gov.cn/pub/manifest.json",
            "https://portal.gov.cn/mirror/manifest.json",
            True,
        ),
        ("https://portal.gov.cn/m", "http://portal.gov.cn/m", False),
        ("https://portal.gov.cn/m", "https://cdn.example.com/m", False),
        ("https://portal.gov.cn/m", "https://portal.gov.cn.evil.com/m", False),
        ("http://portal.gov.cn/m", "https://portal.gov.cn/m", True),
        ("http://portal.gov.cn/m", "http://portal.gov.cn:8080/m", False),
        ("https://portal.gov.cn/m", "ftp://portal.gov.cn/m", False),
        ("http://127.0.0.1:8000/m", "http://127.0.0.2:8000/m", False),
        ("https://PORTAL.gov.cn/m", "https://portal.gov.cn/x", True),
    ],
)
def test_redirect_policy(src: str, dst: str, ok: bool) -> None:
    assert redirect_allowed(src, dst) is ok
