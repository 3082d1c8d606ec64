"""Ed25519 signing keys for portal publications.

* ``kiosk keygen --out KEYFILE`` writes the private key to ``KEYFILE`` (PEM, PKCS#8,
  unencrypted, mode 0600) and the public key to ``KEYFILE.pub`` (PEM,
  SubjectPublicKeyInfo). A device's config (``portal.public_key``) points at the ``.pub``.
* A key's id is the first 16 hex characters of the SHA-256 of the raw 32-byte public key.
  Manifests name the key they were signed with (``key_id``) so a device can trust more than
  one key during a rotation, and so another algorithm (e.g. SM2) can be added later
  beside ``alg: "ed25519"``.

Reading and writing key files is the only I/O here; everything else is pure.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk import ALG_ED25519
from kiosk.errors import KioskError

KEY_ID_HEX = 16
MAX_KEY_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class PublicKey:
    """A trusted verification key."""

    key_id: str
    alg: str
    key: Ed25519PublicKey

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


TrustedKeys = Mapping[str, PublicKey]
"""Trusted keys by key id."""


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    """First 16 hex characters of sha256(raw 32-byte public key)."""
    return hashlib.sha256(raw_public_bytes(key)).hexdigest()[:KEY_ID_HEX]


def public_key(key: Ed25519PublicKey) -> PublicKey:
    return PublicKey(key_id_of(key), ALG_ED25519, key)


def trusted(keys: Iterable[PublicKey]) -> dict[str, PublicKey]:
    return {k.key_id: k for k in keys}


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def parse_private_key(data: bytes, where: str = "<key>") -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KioskError(
            f"{where}: 不是可用的 PEM 私钥 (not a usable PEM private key): {exc}",
            key="keys.bad_private_key",
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KioskError(
            f"{where}: 私钥不是 Ed25519 (private key is not Ed25519)", key="keys.bad_private_key"
        )
    return key


def parse_public_key(data: bytes, where: str = "<key>") -> PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KioskError(
            f"{where}: 不是可用的 PEM 公钥 (not a usable PEM public key): {exc}",
            key="keys.bad_public_key",
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise KioskError(
            f"{where}: 公钥不是 Ed25519 (public key is not Ed25519)", key="keys.bad_public_key"
        )
    return public_key(key)


def _read_small(path: str | os.PathLike[str], what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KioskError(
            f"{path}: 无法读取{what} (cannot read {what}): {exc.strerror or exc}",
            key="keys.unreadable",
        ) from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KioskError(f"{path}: 文件过大 (file too large)", key="keys.unreadable")
    return data


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    return parse_private_key(_read_small(path, "私钥"), str(path))


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    return parse_public_key(_read_small(path, "公钥"), str(path))


def load_trusted_keys(paths: Iterable[str | os.PathLike[str]]) -> dict[str, PublicKey]:
    return trusted(load_public_key(p) for p in paths)


def write_keypair(
    out: str | os.PathLike[str], key: Ed25519PrivateKey, *, force: bool = False
) -> str:
    """Write ``out`` (private, 0600, never world-readable even for a moment) and
    ``out.pub``. Refuses to overwrite an existing private key unless ``force``.
    Returns the key id."""
    path = Path(out)
    pub_path = Path(f"{path}.pub")
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KioskError(
            f"{path}: 文件已存在，不覆盖私钥 (file exists; refusing to overwrite a private key; "
            "use --force)",
            key="keys.exists",
        ) from None
    except OSError as exc:
        raise KioskError(
            f"{path}: 无法写入 (cannot write): {exc.strerror or exc}", key="keys.unwritable"
        ) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private_pem(key))
            fh.flush()
            os.fsync(fh.fileno())
        pub_tmp = pub_path.with_name(f".{pub_path.name}.tmp")
        with open(pub_tmp, "wb") as fh:
            fh.write(public_pem(key.public_key()))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(pub_tmp, 0o644)
        os.replace(pub_tmp, pub_path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise KioskError(
            f"{path}: 无法写入 (cannot write): {exc.strerror or exc}", key="keys.unwritable"
        ) from None
    return key_id_of(key.public_key())
