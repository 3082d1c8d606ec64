"""``kiosk publish``: turn a source directory into a signed portal publication.

Source directory (documented for staff in ``docs/portal-protocol.md``)::

    SRC_DIR/
      publication.yaml     optional settings: publisher, expires_days, timezone
      items/*.yaml         one item per file (sub-directories are not read)
      playlist.yaml        optional: published with the content (see below)
      …                    any files the items refer to, e.g. files/*.png, files/*.pdf

An item file holds the item keys ``id`` (default: the file name without ``.yaml``),
``kind``, ``disclosure`` (must be ``主动公开``), ``date``, ``valid_from``, ``valid_to`` and,
beside them, the content keys of its kind exactly as in an inline playlist entry (``title``,
``body``, ``doc_number``, … — validated by :func:`kiosk.playlist.parse_content`). File
references (``file:``) are relative to the item file and must stay inside ``SRC_DIR``.

Output (``PORTAL_DIR``) is what any static web server or a USB stick can carry:
``manifest.json``, ``manifest.json.sig`` and ``objects/<sha256>``; the publisher's own
bookkeeping lives in ``PORTAL_DIR/.kiosk/`` (never served: dot-files are refused by
``kiosk portal serve`` and the documented nginx set-up).

Guarantees
----------
* All or nothing: any invalid item (bad field, not 主动公开, unreadable or refused image,
  bad PDF, unsafe file reference) stops the run before anything is written, with one
  ``FILE:LINE:COL: 错误: …`` line per problem. ``skip_invalid`` publishes the valid items
  and reports the rest as warnings.
* Write order: new objects first (each written to a temporary name, fsynced and renamed),
  then ``manifest.json``, then ``manifest.json.sig`` (each atomically renamed), then the
  bookkeeping. A client never sees a manifest whose objects are missing. Between the two
  renames a client can fetch a new manifest with the old signature (or the reverse); the
  signature check fails, the device keeps what it shows and retries at the next sync.
* Versions strictly increase: the next version is one more than the highest of the
  existing manifest's and the one recorded in ``.kiosk/state.json``.
* Incremental: the same sources give the same objects (images and PDF pages are rendered
  deterministically and cached by source hash in ``.kiosk/cache.json``). When the items,
  the playlist, the publisher and the key are unchanged and the current manifest is not
  close to expiry, nothing is written ("无变化"). A manifest with less than ``renew_days``
  left is re-signed as a new version with a new expiry (a nightly publish keeps devices
  fresh).
* Old objects are removed ``grace_days`` after they were last referenced (devices in the
  middle of a sync can still fetch them), or at once with ``prune``.

The planning steps (:func:`parse_item`, :func:`plan_manifest`, :func:`content_meta`) are
pure; :func:`publish` is the shell that reads sources, renders media and writes files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import DISCLOSURE_PUBLIC
from kiosk import manifest as mf
from kiosk.atomic import fsync_dir, write_atomic
from kiosk.diagnostics import Diagnostic, InputError, SourcePos, error, has_errors, warning
from kiosk.errors import KioskError
from kiosk.media import (
    MediaError,
    MediaLimits,
    normalise_image,
    pdf_box,
    pdf_page_sizes,
    rasterize_pdf,
    sniff,
)
from kiosk.model import KINDS, Content, Image, Kind, Pdf

SOURCE_SETTINGS = "publication.yaml"
ITEMS_DIR = "items"
PLAYLIST_SOURCE = "playlist.yaml"
STATE_DIR = ".kiosk"
CACHE_FILE = "cache.json"
STATE_FILE = "state.json"
LOCK_FILE = "lock"

ITEM_KEYS = ("id", "kind", "disclosure", "date", "valid_from", "valid_to")
MAX_ITEM_FILES = 5000
MAX_SOURCE_BYTES = 100 * 1024 * 1024
MEDIA_VERSION = "1"
"""Bumped whenever the media pipeline's output changes; part of every cache key."""

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_NAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\]")


# ----------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Settings:
    """``publication.yaml``: what the source says about its publication."""

    publisher: str | None = None
    expires_days: float = 14.0
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class Options:
    """Command-line choices; ``None`` means "use publication.yaml, then the default"."""

    expires_days: float | None = None
    renew_days: float = 7.0
    grace_days: float = 3.0
    prune: bool = False
    skip_invalid: bool = False
    force: bool = False  # a new version even when nothing changed
    allow_empty: bool = False  # publish a publication without items (clears the screens)
    dry_run: bool = False  # validate and render everything, write nothing
    font_check: Callable[[str], list[str]] | None = None  # characters the board font lacks
    limits: MediaLimits = field(default_factory=MediaLimits)


# ----------------------------------------------------------------------------- source model


@dataclass(frozen=True)
class SourceFile:
    """A file an item refers to: its real path (checked to lie inside the source)."""

    path: str
    field: str
    pos: SourcePos


@dataclass(frozen=True)
class SourceItem:
    id: str
    kind: Kind
    disclosure: str
    content: Content
    pos: SourcePos
    date: date | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    file: SourceFile | None = None


@dataclass(frozen=True)
class PreparedItem:
    """An item with its objects: ``meta`` is ready for the manifest."""

    item: mf.ManifestItem
    objects: Mapping[str, bytes]  # sha256 -> bytes, only for freshly rendered objects


class Outcome(Enum):
    PUBLISHED = "published"
    RENEWED = "renewed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    version: int
    items: int
    objects_written: int
    bytes_written: int
    objects_total: int
    objects_pruned: int
    manifest_bytes: int
    expires: datetime | None
    dry_run: bool = False  # nothing was written; *_written count what would have been
    warnings: tuple[Diagnostic, ...] = ()  # with skip_invalid, also the skipped items' errors
    skipped: tuple[str, ...] = ()  # items skipped because their media was refused


# ----------------------------------------------------------------------------- pure parsing


def _scalar_text(node: Any) -> str | None:
    from kiosk.yamlsrc import Scalar

    if isinstance(node, Scalar) and not node.is_null:
        return node.text.strip()
    return None


def parse_when(text: str, tz: tzinfo, *, end_of_day: bool) -> datetime | None:
    """A ``valid_from``/``valid_to`` value: a date (the start, or for ``valid_to`` the last
    second, of that day in ``tz``), or a date-time with or without an offset."""
    from kiosk.fields import parse_date_text

    text = text.strip()
    day, _zh, _en = parse_date_text(text)
    if day is not None and re.fullmatch(r"[\d\s\-/.年月日]+", text):
        clock = time(23, 59, 59) if end_of_day else time(0, 0)
        return datetime.combine(day, clock, tzinfo=tz)
    try:
        when = datetime.fromisoformat(text.replace("T", " ", 1) if " " in text else text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


def safe_reference(
    name: str, item_dir: str, src_root: str
) -> tuple[str | None, tuple[str, str] | None]:
    """Resolve a file reference from an item file. Returns ``(real path, None)`` or
    ``(None, (zh, en))`` saying why it is refused: absolute paths, backslashes, control
    characters, references (also through symlinks) that leave the source directory,
    missing files and anything that is not a regular file."""
    if not name or name != name.strip():
        return None, ("文件名为空或首尾有空格", "file name is empty or has surrounding spaces")
    if "\x00" in name or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return None, ("文件名含控制字符", "file name contains control characters")
    if "\\" in name:
        return None, ("文件路径请用“/”分隔，不要用“\\”", "use '/' in file paths, not '\\'")
    if os.path.isabs(name) or re.match(r"^[A-Za-z]:", name):
        return None, (
            "不能使用绝对路径；请写相对于条目文件的路径",
            "absolute paths are not allowed; give a path relative to the item file",
        )
    root = os.path.realpath(src_root)
    joined = os.path.join(item_dir, name)
    real = os.path.realpath(joined)
    if os.path.commonpath([root, real]) != root:
        return None, (
            "引用的文件在发布源目录之外，已拒绝",
            "the file lies outside the source directory; refused",
        )
    try:
        st = os.stat(real)
    except OSError:
        return None, (f"找不到文件（查找位置：{joined}）", f"file not found (looked for {joined})")
    if not stat.S_ISREG(st.st_mode):
        return None, ("不是普通文件", "not a regular file")
    return real, None


def parse_item(
    data: bytes,
    path: str,
    *,
    src_root: str,
    tz: tzinfo,
    font_check: Callable[[str], list[str]] | None = None,
) -> tuple[SourceItem | None, list[Diagnostic]]:
    """Parse and validate one item file (``path`` is used for messages and to resolve
    file references). Pure apart from checking that referenced files exist."""
    from kiosk.playlist import parse_content
    from kiosk.yamlsrc import Map, parse_yaml

    node, diags = parse_yaml(data, path)
    if node is None:
        return None, diags
    file_pos = SourcePos(path, 1, 1)
    if not isinstance(node, Map):
        diags.append(
            error(
                node.pos,
                "publish.item_not_mapping",
                "条目文件应为“键: 值”的表",
                "an item file must be a mapping of keys to values",
            )
        )
        return None, diags

    def pos_of(key: str) -> SourcePos:
        value = node.get(key)
        return value.pos if value is not None else file_pos

    # id
    stem = os.path.splitext(os.path.basename(path))[0]
    item_id = _scalar_text(node.get("id")) or stem
    if not ID_RE.match(item_id):
        diags.append(
            error(
                pos_of("id"),
                "publish.bad_id",
                f"编号“{item_id}”无效：只能用小写字母、数字和 . _ -，以字母或数字开头，"
                "最长 64 个字符",
                f"invalid id '{item_id}': lowercase letters, digits and . _ - only, starting "
                "with a letter or digit, at most 64 characters",
            )
        )
    # kind
    kind = _scalar_text(node.get("kind"))
    if kind is None:
        diags.append(
            error(
                file_pos,
                "publish.missing_kind",
                f"缺少 kind（内容类型：{' / '.join(KINDS)}）",
                f"missing kind ({' / '.join(KINDS)})",
            )
        )
    elif kind not in KINDS:
        diags.append(
            error(
                pos_of("kind"),
                "publish.bad_kind",
                f"不认识的内容类型“{kind}”（可用：{' / '.join(KINDS)}）",
                f"unknown kind '{kind}' ({' / '.join(KINDS)})",
            )
        )
    # disclosure: explicit, and only 主动公开
    disclosure = _scalar_text(node.get("disclosure"))
    if disclosure is None:
        diags.append(
            error(
                file_pos,
                "publish.missing_disclosure",
                f"缺少 disclosure（公开属性）；只有标为“{DISCLOSURE_PUBLIC}”的条目可以发布",
                f"missing disclosure; only items marked {DISCLOSURE_PUBLIC} may be published",
            )
        )
    elif disclosure != DISCLOSURE_PUBLIC:
        diags.append(
            error(
                pos_of("disclosure"),
                "publish.not_public",
                f"公开属性是“{disclosure}”，不是“{DISCLOSURE_PUBLIC}”：此条目不能发布到大厅屏",
                f"disclosure is '{disclosure}', not {DISCLOSURE_PUBLIC}: this item may not be "
                "published to the lobby screen",
            )
        )
    # validity window
    when: dict[str, datetime | None] = {}
    for key in ("valid_from", "valid_to"):
        text = _scalar_text(node.get(key))
        when[key] = None
        if text is None:
            continue
        parsed = parse_when(text, tz, end_of_day=key == "valid_to")
        if parsed is None:
            diags.append(
                error(
                    pos_of(key),
                    "publish.bad_time",
                    f"{key} 应为日期（如 2026-12-31）或日期时间（如 2026-12-31 18:00）：“{text}”",
                    f"{key} must be a date (2026-12-31) or a date and time "
                    f"(2026-12-31 18:00): '{text}'",
                )
            )
        when[key] = parsed
    vf, vt = when["valid_from"], when["valid_to"]
    if vf is not None and vt is not None and vt <= vf:
        diags.append(
            error(
                pos_of("valid_to"),
                "publish.bad_window",
                "valid_to 应晚于 valid_from",
                "valid_to must be after valid_from",
            )
        )
    if kind not in KINDS:
        return None, diags

    # content: the same keys as an inline playlist entry; `date` belongs to the content
    # for kinds that have one (notice), to the item otherwise.
    from kiosk.playlist import CONTENT_TABLES

    content_keys = {f.key for f in CONTENT_TABLES[kind].fields}
    skip = tuple(k for k in ITEM_KEYS if k not in content_keys)
    item_dir = os.path.dirname(os.path.abspath(path))
    content, cdiags = parse_content(
        kind,
        node,
        SourcePos(path),
        base_dir=item_dir,
        file_exists=None,
        font_check=font_check,
        tz=tz,
        skip=skip,
    )
    diags.extend(cdiags)
    item_date: date | None = None
    date_text = _scalar_text(node.get("date"))
    if "date" in skip and date_text is not None:
        from kiosk.fields import parse_date_text

        item_date, zh, en = parse_date_text(date_text)
        if item_date is None:
            diags.append(error(pos_of("date"), "publish.bad_date", zh, en))
    elif content is not None:
        item_date = getattr(content, "date", None)
    if content is None or has_errors(diags):
        return None, diags

    src_file: SourceFile | None = None
    if isinstance(content, Image | Pdf):
        ref_pos = pos_of("file")
        real, why = safe_reference(content.file, item_dir, src_root)
        if real is None:
            assert why is not None
            diags.append(
                error(
                    ref_pos,
                    "publish.bad_file_reference",
                    f"文件“{content.file}”：{why[0]}",
                    f"file '{content.file}': {why[1]}",
                )
            )
            return None, diags
        src_file = SourceFile(real, "file", ref_pos)
    return (
        SourceItem(
            id=item_id,
            kind=kind,
            disclosure=disclosure or "",
            content=content,
            pos=file_pos,
            date=item_date,
            valid_from=vf,
            valid_to=vt,
            file=src_file,
        ),
        diags,
    )


def parse_settings(data: bytes, path: str) -> tuple[Settings | None, list[Diagnostic]]:
    from kiosk.yamlsrc import Map, parse_yaml

    node, diags = parse_yaml(data, path)
    if node is None:
        return None, diags
    if not isinstance(node, Map):
        return None, [error(node.pos, "publish.settings", "应为“键: 值”的表", "expected a mapping")]
    values: dict[str, Any] = {}
    for key_node, value in node:
        key = key_node.text
        text = _scalar_text(value)
        if key == "publisher":
            values["publisher"] = text
        elif key == "expires_days":
            try:
                days = float(text or "")
            except ValueError:
                days = -1.0
            if not 1 <= days <= 366:
                diags.append(
                    error(
                        value.pos,
                        "publish.bad_expiry",
                        "expires_days 应为 1 到 366 之间的天数",
                        "expires_days must be a number of days between 1 and 366",
                    )
                )
            values["expires_days"] = days
        elif key == "timezone":
            try:
                ZoneInfo(text or "")
            except (ZoneInfoNotFoundError, ValueError):
                diags.append(
                    error(
                        value.pos,
                        "publish.bad_timezone",
                        f"不认识的时区“{text}”（例如 Asia/Shanghai）",
                        f"unknown time zone '{text}' (e.g. Asia/Shanghai)",
                    )
                )
            values["timezone"] = text
        else:
            diags.append(
                error(
                    key_node.pos,
                    "publish.unknown_setting",
                    f"未知设置“{key}”（可用：publisher、expires_days、timezone）",
                    f"unknown setting '{key}' (publisher, expires_days, timezone)",
                )
            )
    if has_errors(diags):
        return None, diags
    return Settings(**values), diags


# ----------------------------------------------------------------------------- pure planning


def _json_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_meta(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(_json_value(v) for v in value)
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    return value


def _dataclass_meta(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name == "pos":
            continue
        value = getattr(obj, f.name)
        default = (
            f.default
            if f.default is not dataclasses.MISSING
            else (f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        )
        if value is None or (f.default is not dataclasses.MISSING and value == default):
            continue
        if f.default_factory is not dataclasses.MISSING and value == default:
            continue
        out[f.name] = _json_value(value)
    return out


def content_meta(content: Content, files: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The manifest ``meta`` of a content object: its fields by model name (defaults and
    empty values left out, dates as ISO text), with ``files`` overriding fields (e.g. the
    logical file name of an image)."""
    meta = _dataclass_meta(content)
    meta.update(files or {})
    return meta


def logical_name(source_path: str, extension: str, suffix: str = "") -> str:
    """A manifest file name from a source file name: the base name with the extension of
    the normalised output (``照片.JPG`` → ``照片.jpg``, ``notice.pdf`` page 2 →
    ``notice-p02.png``). Never a path."""
    stem = os.path.splitext(os.path.basename(source_path))[0]
    stem = _NAME_BAD.sub("_", stem).strip(" .") or "file"
    return f"{stem[:150]}{suffix}{extension}"


def comparable(manifest: mf.Manifest) -> str:
    """What decides whether a publication changed: everything but the version and times."""
    data = mf.manifest_json(manifest)
    for key in ("version", "issued", "expires"):
        data.pop(key, None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def plan_manifest(
    items: Sequence[mf.ManifestItem],
    *,
    previous: mf.Manifest | None,
    last_version: int,
    now: datetime,
    expires_days: float,
    renew_days: float,
    key_id: str,
    publisher: str | None,
    playlist: mf.FileRef | None,
    force: bool = False,
) -> tuple[Outcome, mf.Manifest | None]:
    """Decide what to publish. Pure: returns the outcome and the new manifest (``None``
    when unchanged)."""
    issued = now.replace(microsecond=0)
    candidate = mf.Manifest(
        version=max(last_version, previous.version if previous else 0) + 1,
        issued=issued,
        expires=issued + timedelta(days=expires_days),
        key_id=key_id,
        items=tuple(sorted(items, key=lambda i: i.id)),
        playlist=playlist,
        publisher=publisher,
    )
    if previous is None or force:
        return Outcome.PUBLISHED, candidate
    if comparable(previous) != comparable(candidate):
        return Outcome.PUBLISHED, candidate
    # never re-sign on every run: at most once per half validity period
    if previous.expires - now < timedelta(days=min(renew_days, expires_days / 2)):
        return Outcome.RENEWED, candidate
    return Outcome.UNCHANGED, None


# ----------------------------------------------------------------------------- the shell


class _Portal:
    """The output directory: objects, manifest, signature and the publisher's state."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / mf.OBJECTS_DIR
        self.state_dir = root / STATE_DIR

    def prepare(self) -> None:
        for d in (self.root, self.objects, self.state_dir):
            d.mkdir(parents=True, exist_ok=True)
            if d.is_symlink() or not d.is_dir():
                raise KioskError(f"{d}: 不是目录 (not a directory)", key="publish.bad_out")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        fd = os.open(self.state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise KioskError(
                    f"{self.root}: 另一个发布正在进行，请稍后再试 "
                    "(another publish is running in this directory)",
                    key="publish.locked",
                ) from None
            yield
        finally:
            os.close(fd)

    def read_json(self, name: str) -> dict[str, Any]:
        try:
            data = json.loads((self.state_dir / name).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_json(self, name: str, data: Mapping[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_atomic(self.state_dir / name, text.encode())

    def previous_manifest(self) -> mf.Manifest | None:
        path = self.root / mf.MANIFEST_NAME
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KioskError(
                f"{path}: 无法读取现有清单 (cannot read the existing manifest): {exc.strerror}",
                key="publish.bad_previous",
            ) from None
        try:
            return mf.parse_manifest(raw)
        except mf.ManifestError as exc:
            raise KioskError(
                f"{path}: 现有清单无法解析，无法确定下一个版本号；请检查该目录 "
                f"(the existing manifest cannot be parsed, so the next version is unknown): {exc}",
                key="publish.bad_previous",
            ) from None

    def has_object(self, sha: str, length: int) -> bool:
        try:
            st = os.lstat(self.objects / sha)
        except FileNotFoundError:
            return False
        return stat.S_ISREG(st.st_mode) and st.st_size == length

    def write_object(self, sha: str, data: bytes) -> bool:
        """Store an object unless an identical one is there. True when written."""
        target = self.objects / sha
        if self.has_object(sha, len(data)):
            with open(target, "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() == sha:
                    return False
        tmp = self.objects / f".tmp-{sha}-{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return True

    def clean_temporaries(self) -> None:
        for entry in os.scandir(self.objects):
            if entry.name.startswith(".tmp-"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)

    def stored_objects(self) -> set[str]:
        return {
            e.name
            for e in os.scandir(self.objects)
            if mf.SHA256_RE.match(e.name) and e.is_file(follow_symlinks=False)
        }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _media_cache_key(kind: str, data_sha: str, limits: MediaLimits) -> str:
    params = json.dumps(dataclasses.asdict(limits), sort_keys=True)
    return _sha(f"{MEDIA_VERSION}|{kind}|{data_sha}|{params}".encode())


def _read_source_file(src: SourceFile, limits: MediaLimits) -> bytes:
    size = os.stat(src.path).st_size
    if size > limits.max_bytes:
        mib, cap = size // (1024 * 1024), limits.max_bytes // (1024 * 1024)
        raise MediaError(
            "media.too_large",
            f"文件过大（{mib} MiB，上限 {cap} MiB）",
            f"file too large ({mib} MiB, limit {cap} MiB)",
        )
    with open(src.path, "rb") as fh:
        return fh.read(limits.max_bytes + 1)


_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg"}


def _render(kind: str, data: bytes, limits: MediaLimits) -> list[tuple[bytes, str]]:
    """The objects for an image (one) or a PDF (one PNG per page), with media types."""
    if kind == "image":
        if sniff(data[:64]) == "PDF":
            raise MediaError(
                "media.pdf_as_image",
                "这是 PDF 文件；请把条目的 kind 写成 pdf",
                "this is a PDF; use kind: pdf for it",
            )
        img = normalise_image(data, limits)
        return [(img.data, img.media_type)]
    sizes = pdf_page_sizes(data)
    if len(sizes) > limits.pdf_max_pages:
        raise MediaError(
            "media.pdf_too_many_pages",
            f"PDF 页数过多（{len(sizes)} 页，上限 {limits.pdf_max_pages} 页）；请拆分后再发布",
            f"PDF has too many pages ({len(sizes)}, limit {limits.pdf_max_pages}); split it",
        )
    pages: list[tuple[bytes, str]] = []
    for index, (w_pt, h_pt) in enumerate(sizes):
        box_w, box_h = pdf_box(w_pt, h_pt, limits)
        (png,) = rasterize_pdf(data, box_w, box_h, pages=[index], limits=limits)
        pages.append((png, "image/png"))
    return pages


def _prepare_item(
    src: SourceItem,
    portal: _Portal,
    cache: dict[str, Any],
    limits: MediaLimits,
) -> PreparedItem:
    """Render an item's media (or take it from the cache) and build its manifest entry.
    Raises :class:`MediaError` for refused media."""
    objects: dict[str, bytes] = {}
    files: list[mf.FileRef] = []
    overrides: dict[str, Any] = {}
    if src.file is not None:
        data = _read_source_file(src.file, limits)
        key = _media_cache_key(src.kind, _sha(data), limits)
        cached = cache.get(key)
        rendered: list[tuple[str, int, str]]  # (sha256, length, media type) per output file
        if isinstance(cached, list) and all(
            isinstance(c, dict)
            and c.get("media_type") in _EXTENSIONS
            and portal.has_object(str(c.get("sha256", "")), int(c.get("length", -1)))
            for c in cached
        ):
            rendered = [(c["sha256"], c["length"], c["media_type"]) for c in cached]
        else:
            rendered = []
            for blob, media_type in _render(src.kind, data, limits):
                rendered.append((_sha(blob), len(blob), media_type))
                objects[_sha(blob)] = blob
            cache[key] = [{"sha256": h, "length": n, "media_type": t} for h, n, t in rendered]
        # Names come from this item's source file, not from the cache: two items may share
        # the same bytes under different names.
        if src.kind == "image":
            ((sha, length, media_type),) = rendered
            name = logical_name(src.file.path, _EXTENSIONS[media_type])
            files = [mf.FileRef(name, sha, length, media_type)]
            overrides["file"] = name
        else:
            files = [
                mf.FileRef(logical_name(src.file.path, ".png", f"-p{i:02d}"), sha, n, t)
                for i, (sha, n, t) in enumerate(rendered, start=1)
            ]
            overrides["file"] = files[0].name
            overrides["pages"] = [f.name for f in files]
    meta = content_meta(src.content, overrides)
    item = mf.ManifestItem(
        id=src.id,
        kind=src.kind,
        disclosure=src.disclosure,
        meta=meta,
        files=tuple(files),
        date=src.date,
        valid_from=src.valid_from,
        valid_to=src.valid_to,
    )
    return PreparedItem(item, objects)


def _media_diag(src: SourceItem, exc: MediaError) -> Diagnostic:
    pos = src.file.pos if src.file is not None else src.pos
    return error(pos, exc.key, exc.zh, exc.en)


def load_source(
    src_dir: Path,
    *,
    tz: tzinfo | None = None,
    font_check: Callable[[str], list[str]] | None = None,
) -> tuple[Settings, list[SourceItem], tuple[bytes, str] | None, list[Diagnostic]]:
    """Read ``publication.yaml``, every ``items/*.yaml`` and ``playlist.yaml``."""
    from kiosk.yamlsrc import read_source

    diags: list[Diagnostic] = []
    if not src_dir.is_dir():
        raise KioskError(f"{src_dir}: 发布源目录不存在 (no such directory)", key="publish.no_src")
    settings = Settings()
    settings_path = src_dir / SOURCE_SETTINGS
    if settings_path.exists():
        data, d = read_source(str(settings_path))
        diags.extend(d)
        if data is not None:
            parsed, d = parse_settings(data, str(settings_path))
            diags.extend(d)
            settings = parsed or settings
    tz = tz or ZoneInfo(settings.timezone)
    items_dir = src_dir / ITEMS_DIR
    if not items_dir.is_dir():
        raise KioskError(
            f"{items_dir}: 没有 items 目录（每个条目一个 .yaml 文件） "
            "(no items directory: one .yaml file per item)",
            key="publish.no_items",
        )
    paths = sorted(
        p
        for p in items_dir.iterdir()
        if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
    )
    if len(paths) > MAX_ITEM_FILES:
        raise KioskError(f"{items_dir}: 条目过多 (too many items)", key="publish.too_many")
    items: list[SourceItem] = []
    seen: dict[str, SourcePos] = {}
    for p in paths:
        data, d = read_source(str(p))
        diags.extend(d)
        if data is None:
            continue
        item, d = parse_item(data, str(p), src_root=str(src_dir), tz=tz, font_check=font_check)
        diags.extend(d)
        if item is None:
            continue
        if item.id in seen:
            diags.append(
                error(
                    item.pos,
                    "publish.duplicate_id",
                    f"编号“{item.id}”与 {seen[item.id]} 重复",
                    f"id '{item.id}' is also used by {seen[item.id]}",
                )
            )
            continue
        seen[item.id] = item.pos
        items.append(item)
    playlist: tuple[bytes, str] | None = None
    pl_path = src_dir / PLAYLIST_SOURCE
    if pl_path.exists():
        playlist, d = _check_playlist(pl_path, {i.id for i in items})
        diags.extend(d)
    return settings, items, playlist, diags


def _check_playlist(
    path: Path, item_ids: set[str]
) -> tuple[tuple[bytes, str] | None, list[Diagnostic]]:
    """Validate a playlist to be published. Inline image/pdf entries are refused: their
    files would not travel with it (publish them as items and ``ref:`` them)."""
    from kiosk.playlist import load_playlist

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [
            error(SourcePos(str(path)), "file.unreadable", f"无法读取：{exc}", f"unreadable: {exc}")
        ]
    playlist, diags = load_playlist(raw, str(path))
    if playlist is None:
        return None, diags
    for entry in playlist.entries:
        if isinstance(entry.content, Image | Pdf):
            diags.append(
                error(
                    entry.pos,
                    "publish.playlist_inline_file",
                    "发布的播放列表不能直接引用图片或 PDF 文件；请把它写成 items 里的条目，"
                    "在播放列表中用 ref 引用",
                    "a published playlist cannot carry inline image or PDF files; publish "
                    "them as items and use ref",
                )
            )
            continue
        if entry.ref is not None and entry.ref not in item_ids:
            diags.append(
                warning(
                    entry.pos,
                    "publish.playlist_unknown_ref",
                    f"ref “{entry.ref}” 不是本次发布的条目",
                    f"ref '{entry.ref}' is not an item of this publication",
                )
            )
    if has_errors(diags):
        return None, diags
    return (raw, path.name), diags


def publish(
    src_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    private_key: Ed25519PrivateKey,
    now: datetime,
    options: Options = Options(),
) -> Result:
    """Publish ``src_dir`` into ``out_dir`` signed with ``private_key`` (an Ed25519
    private key from :mod:`kiosk.keys`). Raises :class:`InputError` listing every problem
    when the sources are invalid (nothing is written), :class:`KioskError` otherwise."""
    from kiosk import keys

    src = Path(src_dir)
    settings, items, playlist_src, diags = load_source(src, font_check=options.font_check)
    limits = options.limits
    portal = _Portal(Path(out_dir))
    skipped: list[str] = []
    if has_errors(diags) and not options.skip_invalid:
        raise InputError([d for d in diags if d.is_error] + [d for d in diags if not d.is_error])

    if options.dry_run:
        guard: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    else:
        portal.prepare()
        guard = portal.lock()
    with guard:
        cache = portal.read_json(CACHE_FILE)
        prepared: list[PreparedItem] = []
        for item in items:
            try:
                prepared.append(_prepare_item(item, portal, cache, limits))
            except MediaError as exc:
                diags.append(_media_diag(item, exc))
                skipped.append(item.id)
        if has_errors(diags) and not options.skip_invalid:
            raise InputError([d for d in diags if d.is_error])

        if not prepared and not options.allow_empty:
            raise KioskError(
                "没有可发布的条目；发布空内容会清空所有大厅屏，如确有此意请加 --allow-empty "
                "(no items to publish; an empty publication clears every screen: --allow-empty)",
                key="publish.empty",
            )
        playlist_ref: mf.FileRef | None = None
        playlist_obj: dict[str, bytes] = {}
        if playlist_src is not None:
            raw, name = playlist_src
            playlist_ref = mf.FileRef(name, _sha(raw), len(raw), "application/yaml")
            playlist_obj[_sha(raw)] = raw

        previous = portal.previous_manifest()
        state = portal.read_json(STATE_FILE)
        last_version = state.get("version", 0)
        if not isinstance(last_version, int):
            last_version = 0
        key_id = keys.key_id_of(private_key.public_key())
        expires_days = options.expires_days or settings.expires_days
        outcome, manifest = plan_manifest(
            [p.item for p in prepared],
            previous=previous,
            last_version=last_version,
            now=now,
            expires_days=expires_days,
            renew_days=options.renew_days,
            key_id=key_id,
            publisher=settings.publisher,
            playlist=playlist_ref,
            force=options.force,
        )
        warnings = tuple(diags)
        if manifest is None:
            assert previous is not None
            if not options.dry_run:
                portal.write_json(CACHE_FILE, cache)
            return Result(
                dry_run=options.dry_run,
                outcome=Outcome.UNCHANGED,
                version=previous.version,
                items=len(previous.items),
                objects_written=0,
                bytes_written=0,
                objects_total=len(previous.objects()),
                objects_pruned=0,
                manifest_bytes=0,
                expires=previous.expires,
                warnings=warnings,
                skipped=tuple(skipped),
            )
        raw_manifest = mf.dump_manifest(manifest)
        if len(raw_manifest) > mf.MAX_MANIFEST_BYTES:
            raise KioskError(
                f"清单过大（{len(raw_manifest)} 字节，设备上限 {mf.MAX_MANIFEST_BYTES}）"
                f"(manifest too large: {len(raw_manifest)} bytes)",
                key="publish.manifest_too_large",
            )
        # Check our own output as a device would, before anything is written.
        mf.check_items(mf.parse_manifest(raw_manifest))

        needed = manifest.objects()
        if options.dry_run:
            missing = {h: n for h, n in needed.items() if not portal.has_object(h, n)}
            return Result(
                outcome=outcome,
                version=manifest.version,
                items=len(manifest.items),
                objects_written=len(missing),
                bytes_written=sum(missing.values()),
                objects_total=len(needed),
                objects_pruned=0,
                manifest_bytes=len(raw_manifest),
                expires=manifest.expires,
                dry_run=True,
                warnings=warnings,
                skipped=tuple(skipped),
            )

        # 1. objects
        portal.clean_temporaries()
        written = written_bytes = 0
        fresh: dict[str, bytes] = dict(playlist_obj)
        for p in prepared:
            fresh.update(p.objects)
        for sha, length in sorted(needed.items()):
            data = fresh.get(sha)
            if data is None:
                if not portal.has_object(sha, length):
                    raise KioskError(
                        f"对象 {sha} 缺失 (object missing; remove .kiosk/cache.json and rerun)",
                        key="publish.object_missing",
                    )
                continue
            if portal.write_object(sha, data):
                written += 1
                written_bytes += len(data)
        fsync_dir(portal.objects)

        # 2. manifest, then signature
        signature = mf.sign(raw_manifest, private_key)
        write_atomic(portal.root / mf.MANIFEST_NAME, raw_manifest)
        write_atomic(portal.root / mf.SIGNATURE_NAME, signature)

        # 3. bookkeeping and pruning
        pruned = _prune(portal, set(needed), state, now, options)
        state["version"] = manifest.version
        state["published"] = manifest.issued.isoformat()
        portal.write_json(STATE_FILE, state)
        referenced_keys = {
            k
            for k, v in cache.items()
            if isinstance(v, list) and all(c.get("sha256") in needed for c in v)
        }
        portal.write_json(CACHE_FILE, {k: cache[k] for k in sorted(referenced_keys)})
        return Result(
            outcome=outcome,
            version=manifest.version,
            items=len(manifest.items),
            objects_written=written,
            bytes_written=written_bytes,
            objects_total=len(needed),
            objects_pruned=pruned,
            manifest_bytes=len(raw_manifest),
            expires=manifest.expires,
            warnings=warnings,
            skipped=tuple(skipped),
        )


def _prune(
    portal: _Portal, needed: set[str], state: dict[str, Any], now: datetime, options: Options
) -> int:
    """Delete objects no longer referenced: at once with ``prune``, otherwise once they
    have been unreferenced for ``grace_days``. Records first-unreferenced times in state."""
    retired_raw = state.get("retired", {})
    retired: dict[str, str] = retired_raw if isinstance(retired_raw, dict) else {}
    removed = 0
    for sha in sorted(portal.stored_objects() - needed):
        since_text = retired.get(sha)
        try:
            since = datetime.fromisoformat(since_text) if since_text else None
        except ValueError:
            since = None
        if since is None or since.tzinfo is None:
            since = now
            retired[sha] = now.isoformat()
        if options.prune or now - since >= timedelta(days=options.grace_days):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(portal.objects / sha)
            retired.pop(sha, None)
            removed += 1
    for sha in list(retired):
        if sha in needed or not (portal.objects / sha).exists():
            retired.pop(sha, None)
    state["retired"] = dict(sorted(retired.items()))
    if removed:
        fsync_dir(portal.objects)
    return removed
