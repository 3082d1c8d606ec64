"""Signed publication manifests: verify, parse, dump and sign.

A publication is plain static files, served by any web server or carried on a USB stick::

    manifest.json         the manifest (UTF-8 JSON object, below)
    manifest.json.sig     detached signature over the exact bytes of manifest.json
    objects/<sha256>      content objects, addressed by the lowercase hex SHA-256 of their
                          bytes, relative to the manifest's location

manifest.json (format 1)::

    {
      "format": 1,                           integer, exactly 1
      "version": 42,                         integer >= 1, strictly increasing per publication
      "issued": "2026-11-29T02:00:00+08:00", ISO-8601 date-time with a UTC offset
      "expires": "2026-12-13T02:00:00+08:00",ISO-8601 date-time with a UTC offset, after issued
      "alg": "ed25519",                      signature algorithm (only "ed25519" in format 1)
      "key_id": "0123456789abcdef",          16 lowercase hex: sha256(raw 32-byte public key)[:16]
      "publisher": "...",                    optional free text (who published)
      "items": [                             at most MAX_ITEMS items, ids unique
        {
          "id": "notice-2018-07",            ^[a-z0-9][a-z0-9._-]{0,63}$
          "kind": "notice",                  notice | guide | report | image | pdf | alert
          "disclosure": "主动公开",           disclosure attribute; only 主动公开 reaches a screen
          "date": "2018-07-02",              optional YYYY-MM-DD (sorting "newest first")
          "valid_from": "...+08:00",         optional ISO-8601 date-time with offset
          "valid_to": "...+08:00",           optional, after valid_from
          "meta": { ... },                   the content fields, same keys as inline playlist
                                             content of that kind; a field naming a file (image
                                             "file", pdf "file") holds a logical name from "files"
          "files": [                         at most MAX_FILES_PER_ITEM, names unique per item
            {"name": "photo.jpg",            logical name: 1..200 printable characters; never
                                             used as a path
             "sha256": "<64 lowercase hex>",
             "length": 12345,                integer, 0 <= length <= MAX_OBJECT_BYTES
             "media_type": "image/jpeg"}     one of MEDIA_TYPES
          ]
        }
      ],
      "playlist": {"name": "playlist.yaml", "sha256": "...", "length": 123,
                   "media_type": "application/yaml"}        optional published playlist
    }

Unknown keys, wrong types (``true`` is not an integer), duplicate JSON keys, NaN/Infinity,
duplicate item ids and malformed values are all rejected: a device never guesses.

manifest.json.sig is one line: the standard-alphabet base64 of the 64-byte Ed25519
signature over the exact bytes of manifest.json (a trailing newline is allowed).

Order of checks on a device (:func:`verify_detached`, then :func:`parse_manifest`): size cap
on the raw bytes, signature by a trusted key over the raw bytes, and only then JSON parsing;
after parsing, ``alg``/``key_id`` must name the key that verified the signature.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kiosk import ALG_ED25519, DISCLOSURE_PUBLIC
from kiosk.diagnostics import SourcePos
from kiosk.errors import KioskError
from kiosk.model import KINDS, Content, Kind

if TYPE_CHECKING:  # cryptography is loaded by the keys themselves, only where signatures are
    # made or checked: the player reads the store through this module and never needs it.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.keys import TrustedKeys

FORMAT = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.sig"
OBJECTS_DIR = "objects"

MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_SIGNATURE_BYTES = 512
MAX_ITEMS = 10_000
MAX_FILES_PER_ITEM = 256
MAX_OBJECT_BYTES = 256 * 1024 * 1024
MAX_VERSION = 2**53 - 1
MAX_NAME_CHARS = 200
MAX_META_DEPTH = 8

MEDIA_TYPES: frozenset[str] = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/webp",
        "application/pdf",
        "application/yaml",
        "application/json",
        "text/plain",
    }
)

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BASE64_RE = re.compile(rb"^[A-Za-z0-9+/]+={0,2}$")

# content fields that hold a logical file name, per kind
FILE_FIELDS: Mapping[str, tuple[str, ...]] = {"image": ("file",), "pdf": ("file",)}
# content fields that hold a list of logical file names (a published PDF's page images)
FILE_LIST_FIELDS: Mapping[str, tuple[str, ...]] = {"pdf": ("pages",)}


class ManifestError(KioskError):
    """A manifest or signature that must not be applied. ``key`` is the stable event key."""

    def __init__(self, message: str, *, key: str = "manifest.malformed") -> None:
        super().__init__(message, key=key)


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class FileRef:
    name: str
    sha256: str
    length: int
    media_type: str


@dataclass(frozen=True)
class ManifestItem:
    id: str
    kind: Kind
    disclosure: str
    meta: Mapping[str, Any]
    files: tuple[FileRef, ...] = ()
    date: date | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None

    @property
    def public(self) -> bool:
        return self.disclosure == DISCLOSURE_PUBLIC

    def file(self, name: str) -> FileRef | None:
        for f in self.files:
            if f.name == name:
                return f
        return None


@dataclass(frozen=True)
class Manifest:
    version: int
    issued: datetime
    expires: datetime
    key_id: str
    items: tuple[ManifestItem, ...] = ()
    playlist: FileRef | None = None
    alg: str = ALG_ED25519
    publisher: str | None = None
    format: int = FORMAT

    def objects(self) -> dict[str, int]:
        """Every object this manifest references: sha256 -> length."""
        out: dict[str, int] = {}
        for item in self.items:
            for f in item.files:
                out[f.sha256] = f.length
        if self.playlist is not None:
            out[self.playlist.sha256] = self.playlist.length
        return out

    def declared_bytes(self) -> int:
        return sum(self.objects().values())


# ----------------------------------------------------------------------------- signatures


def sign(raw: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """The contents of manifest.json.sig for ``raw``: base64 of the signature plus a newline."""
    return base64.b64encode(private_key.sign(raw)) + b"\n"


def decode_signature(sig_text: bytes | str) -> bytes:
    data = sig_text.encode("ascii", "replace") if isinstance(sig_text, str) else sig_text
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ManifestError("签名文件过大 (signature file too large)", key="manifest.bad_signature")
    line = data[:-1] if data.endswith(b"\n") else data
    line = line[:-1] if line.endswith(b"\r") else line
    if not _BASE64_RE.match(line):
        raise ManifestError(
            "签名文件不是一行 base64 (signature file is not one line of base64)",
            key="manifest.bad_signature",
        )
    try:
        sig = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError):
        raise ManifestError(
            "签名文件不是有效的 base64 (signature is not valid base64)",
            key="manifest.bad_signature",
        ) from None
    if len(sig) != 64:
        raise ManifestError(
            f"签名长度应为 64 字节，实为 {len(sig)} (signature must be 64 bytes, got {len(sig)})",
            key="manifest.bad_signature",
        )
    return sig


def verify_detached(
    raw: bytes,
    sig_text: bytes | str,
    trusted_keys: TrustedKeys,
    *,
    max_bytes: int = MAX_MANIFEST_BYTES,
) -> str:
    """Check the size cap, then the signature over the raw bytes against every trusted key.
    Returns the id of the key that verified. Nothing in ``raw`` is parsed."""
    if len(raw) > max_bytes:
        raise ManifestError(
            f"清单过大：{len(raw)} 字节，上限 {max_bytes} (manifest too large: {len(raw)} bytes, "
            f"limit {max_bytes})",
            key="manifest.too_large",
        )
    if not trusted_keys:
        raise ManifestError("未配置受信任的公钥 (no trusted public key)", key="manifest.no_key")
    sig = decode_signature(sig_text)
    for key_id, key in trusted_keys.items():
        if key.verify(sig, raw):
            return key_id
    raise ManifestError(
        "签名无效或签名密钥不受信任 (bad signature, or signed by an unknown key)",
        key="manifest.bad_signature",
    )


def check_signer(manifest: Manifest, key_id: str) -> None:
    """After parsing: the manifest must name the algorithm and key that verified it."""
    _check_signer(manifest.alg, manifest.key_id, key_id)


def _check_signer(alg: object, declared_key_id: str, key_id: str) -> None:
    if alg != ALG_ED25519:
        raise ManifestError(
            f"不支持的签名算法 {alg!r} (unsupported alg)", key="manifest.unknown_alg"
        )
    if declared_key_id != key_id:
        raise ManifestError(
            f"清单声明的密钥 {declared_key_id} 与签名密钥 {key_id} 不符 "
            f"(key_id {declared_key_id} does not match the signing key {key_id})",
            key="manifest.unknown_key",
        )


def verify_and_parse(
    raw: bytes,
    sig_text: bytes | str,
    trusted_keys: TrustedKeys,
    *,
    max_bytes: int = MAX_MANIFEST_BYTES,
) -> Manifest:
    key_id = verify_detached(raw, sig_text, trusted_keys, max_bytes=max_bytes)
    manifest = parse_manifest(raw)
    check_signer(manifest, key_id)
    return manifest


@dataclass(frozen=True)
class ManifestHeader:
    """The top-level fields of a manifest, without its items."""

    version: int
    issued: datetime
    expires: datetime
    key_id: str


def verify_header(
    raw: bytes,
    sig_text: bytes | str,
    trusted_keys: TrustedKeys,
    *,
    max_bytes: int = MAX_MANIFEST_BYTES,
) -> ManifestHeader:
    """For manifests already applied (a stored generation): the signature over the raw
    bytes, checked in full, then only the header fields read and checked — the items were
    validated when the manifest was applied, and the signature proves the bytes are those.
    Much cheaper than :func:`verify_and_parse` for a large publication."""
    key_id = verify_detached(raw, sig_text, trusted_keys, max_bytes=max_bytes)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ManifestError("manifest.json: 不是有效的 JSON (not valid JSON)") from None
    if not isinstance(data, dict):
        raise _fail("(top level)", "应为对象", "expected an object")
    if _int(data.get("format"), "format", 0, 2**31) != FORMAT:
        raise ManifestError(
            "manifest.json format: 不支持的格式 (unsupported format)",
            key="manifest.unsupported_format",
        )
    header = ManifestHeader(
        version=_int(data.get("version"), "version", 1, MAX_VERSION),
        issued=_instant(data.get("issued"), "issued"),
        expires=_instant(data.get("expires"), "expires"),
        key_id=_str(data.get("key_id"), "key_id", 16),
    )
    _check_signer(data.get("alg"), header.key_id, key_id)
    return header


# ----------------------------------------------------------------------------- parsing


def _fail(where: str, zh: str, en: str) -> ManifestError:
    return ManifestError(f"manifest.json {where}: {zh} ({en})")


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ManifestError(f"manifest.json: 重复的键 {k!r} (duplicate key {k!r})")
        out[k] = v
    return out


def _reject_constant(name: str) -> Any:
    raise ManifestError(f"manifest.json: 不允许 {name} (not allowed: {name})")


def _loads(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"manifest.json: 不是有效的 UTF-8，位置 {exc.start} "
            f"(not valid UTF-8 at byte {exc.start})"
        ) from None
    if text.startswith("\ufeff"):
        raise ManifestError("manifest.json: 不允许 BOM (byte order mark not allowed)")
    try:
        return json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"manifest.json:{exc.lineno}:{exc.colno}: JSON 语法错误 (JSON syntax error): {exc.msg}"
        ) from None
    except RecursionError:
        raise ManifestError("manifest.json: 嵌套过深 (nested too deeply)") from None


def _obj(value: Any, where: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "应为对象", "expected an object")
    missing = sorted(required - value.keys())
    if missing:
        raise _fail(where, f"缺少字段 {', '.join(missing)}", f"missing {', '.join(missing)}")
    unknown = sorted(value.keys() - required - optional)
    if unknown:
        raise _fail(where, f"未知字段 {', '.join(unknown)}", f"unknown key {', '.join(unknown)}")
    return value


def _int(value: Any, where: str, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, "应为整数", "expected an integer")
    if not lo <= value <= hi:
        raise _fail(where, f"应在 {lo}..{hi} 之间", f"must be within {lo}..{hi}")
    return value


def _str(value: Any, where: str, max_chars: int = 10_000) -> str:
    if not isinstance(value, str):
        raise _fail(where, "应为字符串", "expected a string")
    if len(value) > max_chars:
        raise _fail(where, "字符串过长", "string too long")
    return value


def _instant(value: Any, where: str) -> datetime:
    text = _str(value, where, 64)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(
            where, f"不是 ISO-8601 时间：{text!r}", f"not an ISO-8601 time: {text!r}"
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise _fail(where, "时间须带时区偏移", "time must carry a UTC offset")
    return when


def _date(value: Any, where: str) -> date:
    text = _str(value, where, 16)
    if not DATE_RE.match(text):
        raise _fail(
            where, f"日期格式应为 YYYY-MM-DD：{text!r}", f"date must be YYYY-MM-DD: {text!r}"
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(where, f"无效日期 {text!r}", f"invalid date {text!r}") from None


def _name(value: Any, where: str) -> str:
    name = _str(value, where, MAX_NAME_CHARS)
    if not name or any(not ch.isprintable() for ch in name):
        raise _fail(where, "文件名为空或含控制字符", "file name empty or has control characters")
    return name


def _file_ref(value: Any, where: str) -> FileRef:
    obj = _obj(value, where, {"name", "sha256", "length", "media_type"}, set())
    sha = _str(obj["sha256"], f"{where}.sha256", 64)
    if not SHA256_RE.match(sha):
        raise _fail(f"{where}.sha256", "应为 64 位小写十六进制", "must be 64 lowercase hex digits")
    media = _str(obj["media_type"], f"{where}.media_type", 64)
    if media not in MEDIA_TYPES:
        raise _fail(
            f"{where}.media_type",
            f"不允许的媒体类型 {media!r}",
            f"media type not allowed: {media!r}",
        )
    return FileRef(
        name=_name(obj["name"], f"{where}.name"),
        sha256=sha,
        length=_int(obj["length"], f"{where}.length", 0, MAX_OBJECT_BYTES),
        media_type=media,
    )


def _check_meta(value: Any, where: str, depth: int = 0) -> None:
    if depth > MAX_META_DEPTH:
        raise _fail(where, "嵌套过深", "nested too deeply")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_meta(v, f"{where}.{k}", depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_meta(v, f"{where}[{i}]", depth + 1)
    elif isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, "数值无效", "invalid number")


def _item(value: Any, where: str) -> ManifestItem:
    obj = _obj(
        value,
        where,
        {"id", "kind", "disclosure", "meta", "files"},
        {"date", "valid_from", "valid_to"},
    )
    item_id = _str(obj["id"], f"{where}.id", 64)
    if not ID_RE.match(item_id):
        raise _fail(
            f"{where}.id",
            f"编号 {item_id!r} 只能用小写字母、数字和 . _ -",
            f"id {item_id!r} must match {ID_RE.pattern}",
        )
    where = f"items[{item_id}]"
    kind = _str(obj["kind"], f"{where}.kind", 16)
    if kind not in KINDS:
        raise _fail(f"{where}.kind", f"未知类型 {kind!r}", f"unknown kind {kind!r}")
    disclosure = _str(obj["disclosure"], f"{where}.disclosure", 32)
    meta = obj["meta"]
    if not isinstance(meta, dict):
        raise _fail(f"{where}.meta", "应为对象", "expected an object")
    _check_meta(meta, f"{where}.meta")
    files_raw = obj["files"]
    if not isinstance(files_raw, list):
        raise _fail(f"{where}.files", "应为数组", "expected an array")
    if len(files_raw) > MAX_FILES_PER_ITEM:
        raise _fail(f"{where}.files", "文件过多", "too many files")
    files = tuple(_file_ref(f, f"{where}.files[{i}]") for i, f in enumerate(files_raw))
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise _fail(f"{where}.files", "文件名重复", "duplicate file names")
    for fld in FILE_FIELDS.get(kind, ()):
        ref = meta.get(fld)
        if ref is not None and (not isinstance(ref, str) or ref not in names):
            raise _fail(
                f"{where}.meta.{fld}",
                f"引用的文件 {ref!r} 不在 files 中",
                f"names file {ref!r} that is not in files",
            )
    for fld in FILE_LIST_FIELDS.get(kind, ()):
        refs = meta.get(fld)
        if refs is not None and (not isinstance(refs, list) or any(r not in names for r in refs)):
            raise _fail(
                f"{where}.meta.{fld}",
                "列出的文件不都在 files 中",
                "lists files that are not in files",
            )
    valid_from = _instant(obj["valid_from"], f"{where}.valid_from") if "valid_from" in obj else None
    valid_to = _instant(obj["valid_to"], f"{where}.valid_to") if "valid_to" in obj else None
    if valid_from and valid_to and valid_to <= valid_from:
        raise _fail(f"{where}.valid_to", "应晚于 valid_from", "must be after valid_from")
    return ManifestItem(
        id=item_id,
        kind=kind,
        disclosure=disclosure,
        meta=meta,
        files=files,
        date=_date(obj["date"], f"{where}.date") if "date" in obj else None,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def parse_manifest(raw: bytes) -> Manifest:
    """Strictly parse manifest bytes (call only after :func:`verify_detached`)."""
    data = _loads(raw)
    top = _obj(
        data,
        "(top level)",
        {"format", "version", "issued", "expires", "alg", "key_id", "items"},
        {"playlist", "publisher"},
    )
    fmt = _int(top["format"], "format", 0, 2**31)
    if fmt != FORMAT:
        raise ManifestError(
            f"manifest.json format: 不支持的格式 {fmt}，本程序支持 {FORMAT} "
            f"(unsupported format {fmt}; this device reads {FORMAT})",
            key="manifest.unsupported_format",
        )
    issued = _instant(top["issued"], "issued")
    expires = _instant(top["expires"], "expires")
    if expires <= issued:
        raise _fail("expires", "应晚于 issued", "must be after issued")
    key_id = _str(top["key_id"], "key_id", 16)
    if not KEY_ID_RE.match(key_id):
        raise _fail("key_id", "应为 16 位小写十六进制", "must be 16 lowercase hex digits")
    items_raw = top["items"]
    if not isinstance(items_raw, list):
        raise _fail("items", "应为数组", "expected an array")
    if len(items_raw) > MAX_ITEMS:
        raise _fail("items", f"条目超过 {MAX_ITEMS}", f"more than {MAX_ITEMS} items")
    items = tuple(_item(v, f"items[{i}]") for i, v in enumerate(items_raw))
    seen: set[str] = set()
    for it in items:
        if it.id in seen:
            raise _fail(f"items[{it.id}]", "编号重复", "duplicate id")
        seen.add(it.id)
    playlist = _file_ref(top["playlist"], "playlist") if "playlist" in top else None
    if playlist is not None and playlist.media_type != "application/yaml":
        raise _fail("playlist.media_type", "应为 application/yaml", "must be application/yaml")
    publisher = _str(top["publisher"], "publisher", 200) if "publisher" in top else None
    return Manifest(
        version=_int(top["version"], "version", 1, MAX_VERSION),
        issued=issued,
        expires=expires,
        key_id=key_id,
        items=items,
        playlist=playlist,
        alg=_str(top["alg"], "alg", 32),
        publisher=publisher,
        format=fmt,
    )


# ----------------------------------------------------------------------------- dumping


def _file_json(f: FileRef) -> dict[str, Any]:
    return {"name": f.name, "sha256": f.sha256, "length": f.length, "media_type": f.media_type}


def item_json(item: ManifestItem) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.id, "kind": item.kind, "disclosure": item.disclosure}
    if item.date is not None:
        out["date"] = item.date.isoformat()
    if item.valid_from is not None:
        out["valid_from"] = item.valid_from.isoformat()
    if item.valid_to is not None:
        out["valid_to"] = item.valid_to.isoformat()
    out["meta"] = dict(item.meta)
    out["files"] = [_file_json(f) for f in item.files]
    return out


def manifest_json(manifest: Manifest) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": manifest.format,
        "version": manifest.version,
        "issued": manifest.issued.isoformat(),
        "expires": manifest.expires.isoformat(),
        "alg": manifest.alg,
        "key_id": manifest.key_id,
    }
    if manifest.publisher is not None:
        out["publisher"] = manifest.publisher
    out["items"] = [item_json(i) for i in manifest.items]
    if manifest.playlist is not None:
        out["playlist"] = _file_json(manifest.playlist)
    return out


def dump_manifest(manifest: Manifest) -> bytes:
    """Serialise to UTF-8 JSON (2-space indent, keys in documented order, final newline).
    Sign these exact bytes; ``parse_manifest(dump_manifest(m)) == m``."""
    text = json.dumps(manifest_json(manifest), ensure_ascii=False, indent=2, allow_nan=False)
    return text.encode("utf-8") + b"\n"


# ----------------------------------------------------------------------------- content

ContentParser = Callable[[str, Mapping[str, Any], str], Content]
"""(kind, meta, where) -> Content, raising :class:`ManifestError` when the player could not
show it."""


def default_content(kind: str, meta: Mapping[str, Any], where: str) -> Content:
    """Build the content object for a store item from its ``meta`` with the playlist
    validator (:func:`kiosk.playlist.parse_content`: same keys, same checks as inline
    content), so an item the player could not show is refused at sync time."""
    from kiosk.playlist import parse_content

    content, diags = parse_content(kind, meta, SourcePos(f"manifest.json#{where}"))
    errors = [d for d in diags if d.is_error]
    if content is None or errors:
        first = errors[0] if errors else None
        detail = f"{first.zh} ({first.en}) [{first.key}]" if first else "invalid content"
        raise ManifestError(f"manifest.json#{where}.meta: {detail}")
    return content


@dataclass(frozen=True)
class CheckedItems:
    """Result of :func:`check_items`: items to apply and what was dropped, with reasons."""

    public: tuple[ManifestItem, ...]
    contents: Mapping[str, Content] = field(default_factory=dict)
    dropped: tuple[tuple[str, str], ...] = ()  # (item id, disclosure)


def check_items(manifest: Manifest, parse_content: ContentParser = default_content) -> CheckedItems:
    """Drop items not marked 主动公开 (they are listed in ``dropped``) and validate the
    content of the rest; any item the player could not show rejects the manifest."""
    keep: list[ManifestItem] = []
    dropped: list[tuple[str, str]] = []
    contents: dict[str, Content] = {}
    for item in manifest.items:
        if not item.public:
            dropped.append((item.id, item.disclosure))
            continue
        contents[item.id] = parse_content(item.kind, item.meta, f"items[{item.id}]")
        keep.append(item)
    return CheckedItems(tuple(keep), contents, tuple(dropped))


def content_with_paths(kind: str, content: Content, paths: Mapping[str, str]) -> Content:
    """Replace logical file names in file fields with object paths."""
    import dataclasses

    changes: dict[str, Any] = {
        fld: paths[getattr(content, fld)]
        for fld in FILE_FIELDS.get(kind, ())
        if isinstance(getattr(content, fld, None), str) and getattr(content, fld) in paths
    }
    for fld in FILE_LIST_FIELDS.get(kind, ()):
        names = getattr(content, fld, None)
        if isinstance(names, tuple) and names:
            changes[fld] = tuple(paths.get(n, n) for n in names)
    if not changes:
        return content
    new: Content = dataclasses.replace(content, **changes)
    return new


def items_by_id(items: Sequence[ManifestItem]) -> dict[str, ManifestItem]:
    return {i.id: i for i in items}
