"""Fetching publication files over HTTP(S) or from a local directory, defensively.

requests' timeouts bound each socket operation, not a download, so this module enforces
itself, while streaming: a total deadline per file and per run (from the injected clock's
monotonic time), a byte cap equal to the declared length (a longer body is an error), and
at the end, always, the length and SHA-256. Other rules:

* ``Session.trust_env = False``: no proxy, CA bundle or .netrc from the environment.
* ``Accept-Encoding: identity``; a response with a content coding is refused.
* Redirects are followed by hand, at most ``max_redirects``, only to the same host and
  never from https to http (:func:`redirect_allowed`).
* TLS is verified (the system store, or a pinned CA file when configured).
* 5xx/429 responses are retried a bounded number of times, honouring ``Retry-After`` up to
  ``retry_after_max`` seconds and never past the deadline.
* An interrupted object download keeps its ``.part`` file and the response's strong ETag;
  the next attempt resumes with ``Range`` + ``If-Range``.

Local directory sources (a USB stick) go through the same caps and checks, open every
path component without following symlinks and read only regular files.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from kiosk.clock import Clock
from kiosk.errors import KioskError

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "kiosk-sync/1"


class FetchError(KioskError):
    """A transfer that failed; nothing fetched is used. ``key`` says why."""

    def __init__(self, message: str, *, key: str = "fetch.failed") -> None:
        super().__init__(message, key=key)


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    file_deadline: float = 600.0
    run_deadline: float = 3600.0
    max_redirects: int = 3
    ca_file: str | None = None
    max_retries: int = 2
    retry_after_max: float = 60.0
    max_manifest_bytes: int = 4 * 1024 * 1024
    max_signature_bytes: int = 512


class Deadline:
    """A point in monotonic time; :meth:`child` gives a sooner one for a single file."""

    def __init__(self, clock: Clock, seconds: float, *, what: str = "run") -> None:
        self.clock = clock
        self.at = clock.monotonic() + seconds
        self.what = what

    def child(self, seconds: float, what: str) -> Deadline:
        d = Deadline(self.clock, seconds, what=what)
        d.at = min(d.at, self.at)
        d.what = what if d.at < self.at else self.what
        return d

    def remaining(self) -> float:
        return self.at - self.clock.monotonic()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise FetchError(
                f"超过总时限：{self.what} (deadline exceeded: {self.what})", key="fetch.deadline"
            )


@dataclass(frozen=True)
class ManifestFetch:
    """``raw``/``signature`` are None when the server said 304 Not Modified."""

    raw: bytes | None
    signature: bytes | None
    etag: str | None
    url: str


class Source(Protocol):
    description: str

    def manifest(self, etag: str | None, deadline: Deadline) -> ManifestFetch: ...

    def fetch_object(
        self, sha256: str, length: int, dest: Path, partial_dir: Path, deadline: Deadline
    ) -> int:
        """Write the verified object to ``dest`` (atomically). Returns bytes transferred."""
        ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- policy


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def redirect_allowed(from_url: str, to_url: str) -> bool:
    """Same host only; https never downgrades to http; http may upgrade to https on the
    same host; the port may change only with such an upgrade."""
    fs, fh, fp = _origin(from_url)
    ts, th, tp = _origin(to_url)
    if ts not in ("http", "https") or not th or th != fh:
        return False
    if fs == "https" and ts == "http":
        return False
    return fs != ts or fp == tp


def parse_retry_after(value: str | None, now_epoch: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now_epoch)


def is_strong_etag(etag: str | None) -> bool:
    return bool(etag) and not etag.startswith("W/") and etag.startswith('"')  # type: ignore[union-attr]


def parse_content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``bytes START-END/TOTAL`` → (start, end, total or None)."""
    if not value or not value.startswith("bytes "):
        return None
    try:
        span, total = value[6:].split("/", 1)
        start, end = span.split("-", 1)
        return int(start), int(end), None if total.strip() == "*" else int(total)
    except ValueError:
        return None


# ----------------------------------------------------------------------------- writing


class _Sink:
    """Appends to a .part file with a byte cap and a running hash."""

    def __init__(self, part: Path, cap: int, resume: bool) -> None:
        self.part = part
        self.cap = cap
        self.hash = hashlib.sha256()
        self.size = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        if resume:
            with open(part, "rb") as fh:  # the part file is ours; rehash what we have
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    self.hash.update(chunk)
                    self.size += len(chunk)
            self.fd = os.open(part, flags | os.O_APPEND, 0o644)
        else:
            self.fd = os.open(part, flags | os.O_TRUNC, 0o644)

    def write(self, data: bytes) -> None:
        if self.size + len(data) > self.cap:
            raise FetchError(
                f"内容超过声明的长度 {self.cap} 字节 "
                f"(body longer than the declared {self.cap} bytes)",
                key="fetch.too_long",
            )
        self.hash.update(data)
        self.size += len(data)
        view = memoryview(data)
        try:
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
        except OSError as exc:
            raise _disk_full_or(exc, self.part) from None

    def finish(self) -> None:
        try:
            os.fsync(self.fd)
        except OSError as exc:
            raise _disk_full_or(exc, self.part) from None
        os.close(self.fd)
        self.fd = -1

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def _disk_full_or(exc: OSError, part: Path) -> OSError | FetchError:
    """The disk filled up while downloading (something else used the space after the
    free-space check): a clear failure whose partial file is removed, giving the space
    back. Any other OS error is passed on as it is."""
    if exc.errno not in DISK_FULL_ERRNOS:
        return exc
    return FetchError(
        f"下载时磁盘已满，已放弃 {part.name} (disk filled up while downloading; partial file "
        "removed)",
        key="sync.disk_full",
    )


def _discard(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def install_object(part: Path, dest: Path) -> None:
    """Rename a verified, fsynced part file into place (objects are immutable)."""
    os.chmod(part, 0o444)
    os.replace(part, dest)


def _verify(sink: _Sink, sha256: str, length: int, name: str) -> None:
    if sink.size != length:
        raise FetchError(
            f"{name}: 长度 {sink.size}，应为 {length} (length {sink.size}, expected {length})",
            key="fetch.length_mismatch",
        )
    got = sink.hash.hexdigest()
    if got != sha256:
        raise FetchError(
            f"{name}: sha256 不符 (hash mismatch: got {got[:16]}…)", key="fetch.hash_mismatch"
        )


# ----------------------------------------------------------------------------- HTTP


class HttpSource:
    """A publication at an http(s) URL (the directory holding manifest.json)."""

    def __init__(
        self,
        base_url: str,
        settings: FetchSettings,
        clock: Clock,
        *,
        session: requests.Session | None = None,
        wall_epoch: Callable[[], float] | None = None,
    ) -> None:
        if not base_url.endswith("/"):
            base_url += "/"
        self.base = base_url
        self.description = base_url
        self.settings = settings
        self.clock = clock
        self.wall_epoch = wall_epoch or (lambda: clock.now().timestamp())
        s = session or requests.Session()
        s.trust_env = False
        s.max_redirects = settings.max_redirects
        s.headers.clear()
        s.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Accept": "*/*"})
        adapter = HTTPAdapter(max_retries=0, pool_connections=2, pool_maxsize=4)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        self.session = s
        self.verify: bool | str = settings.ca_file or True

    def close(self) -> None:
        self.session.close()

    # one GET, redirects and retries handled here
    def _get(self, url: str, headers: dict[str, str], deadline: Deadline) -> requests.Response:
        attempt = 0
        redirects = 0
        current = url
        while True:
            deadline.check()
            timeout = (
                max(0.05, min(self.settings.connect_timeout, deadline.remaining())),
                max(0.05, min(self.settings.read_timeout, deadline.remaining())),
            )
            try:
                resp = self.session.get(
                    current,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=timeout,
                    verify=self.verify,
                )
            except requests.exceptions.SSLError as exc:
                raise FetchError(
                    f"{current}: TLS 证书验证失败 (TLS verification failed): {_short(exc)}",
                    key="fetch.tls",
                ) from None
            except requests.exceptions.Timeout:
                raise FetchError(f"{current}: 连接超时 (timed out)", key="fetch.timeout") from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(
                    f"{current}: 无法连接 (cannot connect): {_short(exc)}", key="fetch.connect"
                ) from None
            if resp.status_code in (301, 302, 303, 307, 308):
                location = resp.headers.get("Location", "")
                resp.close()
                target = urljoin(current, location)
                redirects += 1
                if redirects > self.settings.max_redirects:
                    raise FetchError(
                        f"{url}: 重定向过多 (too many redirects)", key="fetch.redirect"
                    )
                if not redirect_allowed(current, target):
                    raise FetchError(
                        f"{current}: 拒绝重定向到 {target} (redirect refused: other host or "
                        "https→http)",
                        key="fetch.redirect",
                    )
                current = target
                continue
            if resp.status_code in RETRY_STATUSES and attempt < self.settings.max_retries:
                wait = parse_retry_after(resp.headers.get("Retry-After"), self.wall_epoch())
                resp.close()
                if wait is None:
                    wait = min(2.0**attempt, self.settings.retry_after_max)
                if wait > self.settings.retry_after_max or wait >= deadline.remaining():
                    raise FetchError(
                        f"{current}: HTTP {resp.status_code}，服务器繁忙，要求等待 {wait:.0f} 秒，"
                        f"超出时限 (server busy; waiting {wait:.0f}s would exceed the limit)",
                        key=f"fetch.http_{resp.status_code}",
                    )
                attempt += 1
                log.info("sync.retry url=%s status=%s wait_s=%.1f", current, resp.status_code, wait)
                self.clock.sleep(wait)
                continue
            enc = resp.headers.get("Content-Encoding", "identity").strip().lower()
            if enc not in ("", "identity"):
                resp.close()
                raise FetchError(
                    f"{current}: 服务器使用了压缩编码 {enc} (content coding {enc} refused)",
                    key="fetch.encoding",
                )
            return resp

    def _stream(self, resp: requests.Response, deadline: Deadline) -> Iterator[bytes]:
        """Yield the body as it arrives (``read1``: whatever one socket read gives, so the
        deadline is checked even while a server drips a byte at a time)."""
        try:
            while True:
                deadline.check()
                chunk = resp.raw.read1(CHUNK, decode_content=False)
                if not chunk:
                    return
                yield chunk
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise FetchError(
                f"{resp.url}: 传输中断 (transfer interrupted): {_short(exc)}",
                key="fetch.interrupted",
            ) from None
        finally:
            resp.close()

    def _small(
        self, name: str, cap: int, deadline: Deadline, headers: dict[str, str]
    ) -> tuple[requests.Response, bytes | None]:
        resp = self._get(self.base + name, headers, deadline)
        if resp.status_code == 304:
            resp.close()
            return resp, None
        if resp.status_code != 200:
            resp.close()
            raise FetchError(
                f"{resp.url}: HTTP {resp.status_code}", key=f"fetch.http_{resp.status_code}"
            )
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            resp.close()
            raise FetchError(
                f"{name} 过大：{declared} 字节，上限 {cap} ({name} too large: {declared} bytes, "
                f"limit {cap})",
                key="manifest.too_large",
            )
        buf = bytearray()
        for chunk in self._stream(resp, deadline):
            buf += chunk
            if len(buf) > cap:
                resp.close()
                raise FetchError(
                    f"{name} 过大，超过 {cap} 字节 ({name} larger than the {cap}-byte limit)",
                    key="manifest.too_large",
                )
        return resp, bytes(buf)

    def manifest(self, etag: str | None, deadline: Deadline) -> ManifestFetch:
        d = deadline.child(self.settings.file_deadline, "manifest.json")
        headers = {"If-None-Match": etag} if etag else {}
        resp, raw = self._small("manifest.json", self.settings.max_manifest_bytes, d, headers)
        if raw is None:
            return ManifestFetch(None, None, etag, resp.url)
        _, sig = self._small("manifest.json.sig", self.settings.max_signature_bytes, d, {})
        return ManifestFetch(raw, sig, resp.headers.get("ETag"), resp.url)

    def fetch_object(
        self, sha256: str, length: int, dest: Path, partial_dir: Path, deadline: Deadline
    ) -> int:
        d = deadline.child(self.settings.file_deadline, f"objects/{sha256[:12]}")
        part = partial_dir / f"{sha256}.part"
        etag_file = partial_dir / f"{sha256}.etag"
        headers: dict[str, str] = {}
        have = 0
        old_etag: str | None = None
        with contextlib.suppress(OSError):
            st = os.lstat(part)
            if stat.S_ISREG(st.st_mode) and 0 < st.st_size < length:
                old_etag = etag_file.read_text("ascii").strip()
                if is_strong_etag(old_etag):
                    have = st.st_size
                    headers = {"Range": f"bytes={have}-", "If-Range": old_etag}
        resp = self._get(f"{self.base}objects/{sha256}", headers, d)
        resume = False
        if resp.status_code == 206 and have:
            cr = parse_content_range(resp.headers.get("Content-Range"))
            if cr is None or cr[0] != have or (cr[2] is not None and cr[2] != length):
                resp.close()
                _discard(part, etag_file)
                raise FetchError(
                    f"objects/{sha256}: 续传范围不符 (bad Content-Range on resume)",
                    key="fetch.bad_range",
                )
            resume = True
            log.info("sync.resume object=%s from_byte=%d", sha256[:12], have)
        elif resp.status_code == 416 and have:
            resp.close()
            _discard(part, etag_file)
            raise FetchError(f"objects/{sha256}: 续传被拒 (range refused)", key="fetch.bad_range")
        elif resp.status_code != 200:
            resp.close()
            raise FetchError(
                f"objects/{sha256}: HTTP {resp.status_code}", key=f"fetch.http_{resp.status_code}"
            )
        declared = resp.headers.get("Content-Length")
        expected_now = length - (have if resume else 0)
        if declared and declared.isdigit() and int(declared) > expected_now:
            resp.close()
            _discard(part, etag_file)
            raise FetchError(
                f"objects/{sha256}: 服务器声明 {declared} 字节，多于清单的 {length} "
                f"(Content-Length {declared} exceeds the manifest's {length})",
                key="fetch.too_long",
            )
        partial_dir.mkdir(exist_ok=True)
        new_etag = resp.headers.get("ETag")
        if not resume:
            if is_strong_etag(new_etag):
                etag_file.write_text(new_etag or "", "ascii")
            else:
                _discard(etag_file)
        sink = _Sink(part, length, resume)
        transferred = 0
        try:
            for chunk in self._stream(resp, d):
                sink.write(chunk)
                transferred += len(chunk)
            sink.finish()
        except FetchError as exc:
            sink.close()
            if exc.key in ("fetch.too_long", "sync.disk_full"):
                _discard(part, etag_file)
            raise
        except BaseException:
            sink.close()
            raise
        if sink.size < length:  # ended early: keep the part file to resume next time
            raise FetchError(
                f"objects/{sha256}: 内容不完整，收到 {sink.size}/{length} 字节 "
                f"(truncated: {sink.size} of {length} bytes)",
                key="fetch.truncated",
            )
        try:
            _verify(sink, sha256, length, f"objects/{sha256}")
        except FetchError:
            _discard(part, etag_file)
            raise
        install_object(part, dest)
        _discard(etag_file)
        return transferred


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


# ----------------------------------------------------------------------------- directory


class DirSource:
    """A publication in a local directory (e.g. a USB stick). Symlinks inside it are never
    followed; only regular files are read."""

    def __init__(self, root: str | os.PathLike[str], settings: FetchSettings, clock: Clock) -> None:
        self.root = Path(root)
        self.description = str(root)
        self.settings = settings
        self.clock = clock

    def close(self) -> None:
        pass

    def _open(self, *parts: str) -> int:
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise FetchError(
                f"{self.root}: 无法打开来源目录 (cannot open source directory): "
                f"{exc.strerror or exc}",
                key="fetch.source_missing",
            ) from None
        try:
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                nfd = os.open(part, flags | (0 if last else os.O_DIRECTORY), dir_fd=fd)
                os.close(fd)
                fd = nfd
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise FetchError(
                    f"{self.root}/{'/'.join(parts)}: 不是普通文件 (not a regular file)",
                    key="fetch.not_regular",
                )
            return fd
        except OSError as exc:
            os.close(fd)
            raise FetchError(
                f"{self.root}/{'/'.join(parts)}: 无法读取（符号链接不被跟随）(cannot read; "
                f"symlinks are not followed): {exc.strerror or exc}",
                key="fetch.not_found",
            ) from None
        except BaseException:
            os.close(fd)
            raise

    def _read_capped(self, name: str, cap: int, deadline: Deadline) -> bytes:
        fd = self._open(name)
        try:
            if os.fstat(fd).st_size > cap:
                raise FetchError(
                    f"{name} 过大，超过 {cap} 字节 ({name} larger than the {cap}-byte limit)",
                    key="manifest.too_large",
                )
            buf = bytearray()
            while chunk := os.read(fd, CHUNK):
                deadline.check()
                buf += chunk
                if len(buf) > cap:
                    raise FetchError(
                        f"{name} 过大 ({name} larger than the {cap}-byte limit)",
                        key="manifest.too_large",
                    )
            return bytes(buf)
        finally:
            os.close(fd)

    def manifest(self, etag: str | None, deadline: Deadline) -> ManifestFetch:
        d = deadline.child(self.settings.file_deadline, "manifest.json")
        raw = self._read_capped("manifest.json", self.settings.max_manifest_bytes, d)
        sig = self._read_capped("manifest.json.sig", self.settings.max_signature_bytes, d)
        return ManifestFetch(raw, sig, None, str(self.root / "manifest.json"))

    def fetch_object(
        self, sha256: str, length: int, dest: Path, partial_dir: Path, deadline: Deadline
    ) -> int:
        d = deadline.child(self.settings.file_deadline, f"objects/{sha256[:12]}")
        fd = self._open("objects", sha256)
        partial_dir.mkdir(exist_ok=True)
        part = partial_dir / f"{sha256}.part"
        sink = _Sink(part, length, resume=False)
        try:
            while chunk := os.read(fd, CHUNK):
                d.check()
                sink.write(chunk)
            sink.finish()
            _verify(sink, sha256, length, f"objects/{sha256}")
        except BaseException:
            sink.close()
            _discard(part)
            raise
        finally:
            os.close(fd)
        install_object(part, dest)
        return sink.size


def open_source(source: str, settings: FetchSettings, clock: Clock) -> Source:
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        return HttpSource(source, settings, clock)
    if scheme == "file":
        return DirSource(urlsplit(source).path, settings, clock)
    if scheme and len(scheme) > 1:
        raise FetchError(
            f"{source}: 不支持的来源 (unsupported source; use https://, http:// or a directory)",
            key="sync.bad_source",
        )
    return DirSource(source, settings, clock)
