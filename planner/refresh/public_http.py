"""Plain-HTTPS downloads of AWS's public Price List files, with a resumable download cache.

AWS publishes its price lists as public files (no account, no signing) under
``https://pricing.us-east-1.amazonaws.com``; :class:`PriceListHttp` fetches them with the standard
library (:mod:`urllib.request`), relative to a base URL that a mirror, a proxy or a test server
may replace (``--price-list-url`` / ``PLANNER_PRICE_LIST_URL``).

Every file is written to a download cache beside the snapshot (``.<data folder>.downloads``)
before it is parsed, so a big file is never held in memory and a refresh that fails part-way can
be retried without downloading again what it already has:

- a file whose path carries a version (``…/AmazonEC2/20250912225308/us-east-1/index.csv``) is
  immutable: once complete in the cache it is used without asking the server again;
- any other complete file (the indexes) is asked for with ``If-None-Match: <ETag>``; a
  ``304 Not Modified`` keeps the cached copy;
- an incomplete file (connection reset, truncated body) keeps its bytes in ``<name>.part`` and the
  next attempt asks only for the rest (``Range: bytes=N-`` with ``If-Range: <ETag>``); a server
  that answers ``200`` instead sends the whole file again.

A download is complete when the bytes received equal ``Content-Length`` (or the total of
``Content-Range``); anything shorter is retried (with back-off) and then reported. The cache is
deleted after a successful refresh (:func:`planner.refresh.run.refresh`).
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.errors import InputError, RefreshError

Sleep = Callable[[float], None]

DEFAULT_PRICE_LIST_URL = "https://pricing.us-east-1.amazonaws.com"
"""Base URL of AWS's public Price List files (AWS Billing docs, "Using the bulk API")."""

PRICE_LIST_URL_ENV = "PLANNER_PRICE_LIST_URL"
"""Environment variable that replaces :data:`DEFAULT_PRICE_LIST_URL` (a mirror, a proxy)."""

TIMEOUT_S = 60
"""Socket timeout of every request [s]: a stalled connection fails instead of hanging."""

ATTEMPTS = 4
"""Tries per file before a dropped connection or a 5xx answer becomes a RefreshError."""

BACKOFF_S = 1.0
"""First pause between tries [s]; doubles per retry (1, 2, 4 s)."""

CHUNK_BYTES = 1 << 20
"""Bytes read and written per step of a download (1 MiB): memory stays flat."""

USER_AGENT = "ml-cost-planner-refresh"

VERSION_SEGMENT = re.compile(r"/\d{14}/")
"""A path segment like ``/20250912225308/``: the file at that path never changes."""

DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})

Progress = Callable[[str], None]


def base_url(option: str | None = None) -> str:
    """The base URL to use: ``option``, else ``$PLANNER_PRICE_LIST_URL``, else AWS's host.

    https is required, except for a server on this machine (``127.0.0.1``, ``::1``,
    ``localhost``), which may use plain http (a local mirror, the tests).
    """
    url = (option or os.environ.get(PRICE_LIST_URL_ENV) or DEFAULT_PRICE_LIST_URL).strip()
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise InputError("price_list_url", f"{url!r} is not an http(s) URL like {DEFAULT_PRICE_LIST_URL}")
    if parts.scheme == "http" and not _loopback(host):
        raise InputError("price_list_url", f"{url!r}: use https (plain http only for 127.0.0.1 or localhost)")
    return url.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Download:
    """A file in the download cache and what the server said of it."""

    url: str
    path: Path
    etag: str
    bytes: int
    fetched: bool
    """False when the cached copy was used (complete versioned file, or 304 Not Modified)."""


class PriceListHttp:
    """Fetches price-list files relative to ``base`` into ``cache_dir`` (created on first use)."""

    def __init__(
        self,
        base: str,
        cache_dir: Path,
        *,
        sleep: Sleep = time.sleep,
        progress: Progress | None = None,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.base = base.rstrip("/")
        self.cache_dir = cache_dir
        self.sleep = sleep
        self.progress = progress or (lambda _message: None)
        self.attempts = attempts
        self.opener = urllib.request.build_opener()

    def url(self, path: str) -> str:
        """The absolute URL of a path taken from an index (paths there are relative to the base)."""
        if urllib.parse.urlsplit(path).scheme:
            raise RefreshError(f"a price-list index names an absolute URL ({path[:60]}); refused")
        return self.base + "/" + path.lstrip("/")

    def json(self, path: str, what: str) -> dict[str, Any]:
        """Download (or reuse) ``path`` and parse it as a JSON object."""
        return self.load_json(self.file(path, what), what)

    def load_json(self, got: Download, what: str) -> dict[str, Any]:
        """Parse a downloaded file as a JSON object; a malformed one is dropped from the cache."""
        try:
            with got.path.open("rb") as f:
                data = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.forget(got)
            raise RefreshError(
                f"{what} at {got.url} is not valid JSON ({exc}); retry later or check --price-list-url"
            ) from None
        if not isinstance(data, dict):
            self.forget(got)
            raise RefreshError(f"{what} at {got.url} is not a JSON object; check --price-list-url")
        return data

    def forget(self, got: Download) -> None:
        """Drop a cached file found unusable, so a retry downloads it again."""
        for stale in (got.path, _meta(got.path)):
            stale.unlink(missing_ok=True)

    def file(self, path: str, what: str) -> Download:
        """``path`` complete in the cache (downloaded, resumed or reused); RefreshError on failure."""
        url = self.url(path)
        local = self.cache_dir / urllib.parse.urlsplit(url).path.lstrip("/")
        meta = _read_meta(local)
        if local.is_file() and meta.get("complete") and VERSION_SEGMENT.search(path):
            self.progress(f"{what}: already downloaded ({meta.get('bytes', 0):,} bytes)")
            return Download(url, local, str(meta.get("etag", "")), int(meta.get("bytes", 0)), False)
        for attempt in range(1, self.attempts + 1):
            try:
                return self._get(url, local, meta, what)
            except _Retry as exc:
                if attempt == self.attempts:
                    raise RefreshError(
                        f"the download of {what} from {url} failed {self.attempts} times "
                        f"({exc}); check the network and retry (what was received is kept)"
                    ) from None
                self.progress(f"{what}: {exc}; retrying")
                self.sleep(BACKOFF_S * 2 ** (attempt - 1))
                meta = _read_meta(local)
        raise AssertionError("unreachable")  # pragma: no cover

    def _get(self, url: str, local: Path, meta: dict[str, Any], what: str) -> Download:
        part = local.with_name(local.name + ".part")
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        etag = str(meta.get("etag", ""))
        have = part.stat().st_size if part.is_file() and etag else 0
        if local.is_file() and meta.get("complete") and etag:
            headers["If-None-Match"] = etag
        elif have:
            headers["Range"] = f"bytes={have}-"
            headers["If-Range"] = etag
        request = urllib.request.Request(url, headers=headers)
        try:
            response = self.opener.open(request, timeout=TIMEOUT_S)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304:
                self.progress(f"{what}: not modified since the last download")
                return Download(url, local, etag, int(meta.get("bytes", 0)), False)
            if exc.code == 416:  # the part is no longer a prefix of the file: start again
                part.unlink(missing_ok=True)
                raise _Retry("the server refused to resume (HTTP 416)") from None
            if exc.code >= 500 or exc.code == 429:
                raise _Retry(f"HTTP {exc.code}") from None
            raise RefreshError(
                f"{what} is not at {url} (HTTP {exc.code} {exc.reason}); check the region code "
                "and --price-list-url"
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Retry(f"cannot connect: {reason}") from None
        with response:
            status = response.status
            new_etag = response.headers.get("ETag", "") or ""
            if status == 206:
                total = _range_total(response.headers.get("Content-Range", ""))
                mode, start = "ab", have
            else:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                mode, start = "wb", 0
            received = self._copy(response, part, mode, start, total, new_etag, what)
        if total is not None and received != total:
            raise _Retry(f"received {received:,} of {total:,} bytes")
        os.replace(part, local)
        _write_meta(local, {"url": url, "etag": new_etag, "bytes": received, "complete": True})
        return Download(url, local, new_etag, received, True)

    def _copy(
        self,
        response: Any,
        part: Path,
        mode: str,
        start: int,
        total: int | None,
        etag: str,
        what: str,
    ) -> int:
        """Append the body to ``part``; return the file's size so far. Disk errors end the refresh."""
        received = start
        try:
            part.parent.mkdir(parents=True, exist_ok=True)
            _write_meta(part.with_suffix(""), {"etag": etag, "complete": False})
            with part.open(mode) as out:
                next_report = received + 50 * CHUNK_BYTES
                while True:
                    try:
                        chunk = response.read(CHUNK_BYTES)
                    except (OSError, http.client.HTTPException) as exc:
                        raise _Retry(
                            f"connection lost after {received:,} bytes ({type(exc).__name__})"
                        ) from None
                    if not chunk:
                        return received
                    out.write(chunk)
                    received += len(chunk)
                    if received >= next_report:
                        size = f" of {total:,}" if total else ""
                        self.progress(f"{what}: {received:,}{size} bytes")
                        next_report = received + 50 * CHUNK_BYTES
        except OSError as exc:
            if exc.errno in DISK_FULL:
                raise RefreshError(
                    f"the disk is full while saving {what} to {self.cache_dir} ({exc.strerror}); "
                    "free some space and retry"
                ) from None
            raise RefreshError(
                f"cannot save {what} to {self.cache_dir} ({exc.strerror}); check the folder"
            ) from None

    def clear(self) -> None:
        """Delete the download cache (after a successful refresh)."""
        shutil.rmtree(self.cache_dir, ignore_errors=True)


class _Retry(Exception):
    """A failure worth another try (dropped connection, short body, server error)."""


def _range_total(header: str) -> int | None:
    match = re.fullmatch(r"bytes \d+-\d+/(\d+)", header.strip())
    return int(match.group(1)) if match else None


def _meta(local: Path) -> Path:
    return local.with_name(local.name + ".meta.json")


def _read_meta(local: Path) -> dict[str, Any]:
    try:
        data = json.loads(_meta(local).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_meta(local: Path, meta: dict[str, Any]) -> None:
    _meta(local).write_text(json.dumps(meta), encoding="utf-8")
