"""The HTTP side of the remote store: one session, credentials, deadlines, byte caps,
same-origin redirects, and the mapping of HTTP failures onto the store's errors."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from riikg.store.base import QueryFailed, QueryTimeout, StoreUnavailable
from riikg.store.remote import quirks

MAX_RESPONSE_BYTES = 512 * 1024 * 1024
CONNECT_TIMEOUT = 10.0
MAX_ERROR_TEXT = 2000
REDIRECT_CODES = (301, 302, 303, 307, 308)


class AccessDenied(StoreUnavailable):
    """The server refused the configured credentials (HTTP 401/403)."""


def check_url(setting: str, url: str) -> str:
    """``url`` if it is an http(s) URL with a host; else StoreUnavailable naming ``setting``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreUnavailable(f"{setting} must be an http(s) URL, got {url!r}")
    return url


def media_of(response: requests.Response) -> str:
    """The media type of an answer, without parameters, lower case."""
    return (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()


class Http:
    """HTTP exchanges with the server: every answer read whole, within a deadline and a size."""

    def __init__(
        self,
        *,
        user: str = "",
        password: str = "",
        token: str = "",
        timeout: float = 60.0,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.server = quirks.Server()
        self._session = requests.Session()
        # no proxies or .netrc credentials from the environment: the settings say it all
        self._session.trust_env = False
        self._token = token
        self._user, self._password = user, password
        self._auth: AuthBase | None = HTTPBasicAuth(user, password) if user else None

    def request(
        self,
        method: str,
        url: str,
        setting: str,
        *,
        data: bytes | Mapping[str, Any] | list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
        what: str = "query",
    ) -> requests.Response:
        """One HTTP exchange with deadline, size cap, same-origin redirects and error mapping.

        The body is read completely (``response.content``) before returning.
        """
        read_timeout = timeout or self.timeout
        deadline = time.monotonic() + read_timeout + CONNECT_TIMEOUT
        hdrs = dict(headers or {})
        if self._token:
            hdrs["Authorization"] = f"Bearer {self._token}"
        target = url
        for _hop in range(4):
            try:
                response = self._session.request(
                    method,
                    target,
                    data=data,
                    headers=hdrs,
                    params=params,
                    auth=self._auth,
                    timeout=(min(CONNECT_TIMEOUT, read_timeout), read_timeout),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.exceptions.ConnectTimeout as exc:
                raise StoreUnavailable(
                    f"{setting} {url}: no connection within {CONNECT_TIMEOUT:.0f} s"
                ) from exc
            except requests.exceptions.ReadTimeout as exc:
                raise QueryTimeout(
                    f"{what} stopped: {url} sent no answer within {read_timeout:g} s"
                ) from exc
            except requests.exceptions.ConnectionError as exc:
                raise StoreUnavailable(f"{setting} {url}: cannot connect ({_reason(exc)})") from exc
            except requests.RequestException as exc:
                raise StoreUnavailable(f"{setting} {url}: {type(exc).__name__}") from exc
            if (
                self._user
                and isinstance(self._auth, HTTPBasicAuth)
                and quirks.wants_digest(response.status_code, response.headers)
            ):
                response.close()
                self._auth = HTTPDigestAuth(self._user, self._password)
                continue
            if response.status_code in REDIRECT_CODES:
                location = response.headers.get("Location", "")
                response.close()
                nxt = urljoin(target, location)
                if response.status_code in (307, 308) and _same_origin(target, nxt):
                    target = nxt
                    continue
                raise StoreUnavailable(
                    f"{setting} {url}: the server redirects to {nxt!r}; riikg does not follow "
                    "redirects (set the final URL)"
                )
            break
        else:
            raise StoreUnavailable(f"{setting} {url}: too many redirects")
        self.server.saw(response.headers)
        body = self._read_body(response, url, deadline, read_timeout, what)
        self._check_status(response, body, url, setting, what)
        return response

    def _read_body(
        self,
        response: requests.Response,
        url: str,
        deadline: float,
        read_timeout: float,
        what: str,
    ) -> bytes:
        declared = response.headers.get("Content-Length")
        too_large = f"{what} answer from {url} is larger than {self.max_response_bytes} bytes"
        if declared and declared.isdigit() and int(declared) > self.max_response_bytes:
            response.close()
            raise QueryFailed(too_large)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise QueryFailed(too_large)
                if time.monotonic() > deadline:
                    raise QueryTimeout(
                        f"{what} stopped: {url} did not finish in {read_timeout:g} s"
                    )
                chunks.append(chunk)
        except requests.exceptions.ConnectionError as exc:
            # requests wraps read timeouts during streaming as ConnectionError
            if "timed out" in str(exc).lower():
                raise QueryTimeout(
                    f"{what} stopped: {url} sent no data for {read_timeout:g} s"
                ) from exc
            raise StoreUnavailable(f"{url}: connection lost ({_reason(exc)})") from exc
        except requests.RequestException as exc:
            raise StoreUnavailable(f"{url}: connection lost ({type(exc).__name__})") from exc
        finally:
            response.close()
        body = b"".join(chunks)
        response._content = body  # noqa: SLF001 - make .content/.text available
        return body

    def _check_status(
        self, response: requests.Response, body: bytes, url: str, setting: str, what: str
    ) -> None:
        status = response.status_code
        text = body[:MAX_ERROR_TEXT].decode("utf-8", errors="replace").strip()
        if quirks.stopped_at_deadline(response.headers, status, body, text):
            detail = f": {text}" if status >= 300 else f" ({url})"
            raise QueryTimeout(f"{what} stopped by the server's time limit{detail}")
        if status < 300:
            return
        if status in (401, 403):
            how = (
                "RIIKG_REMOTE_TOKEN"
                if self._token
                else "RIIKG_REMOTE_USER / RIIKG_REMOTE_PASSWORD"
                if self._user
                else "no credentials (set RIIKG_REMOTE_USER / RIIKG_REMOTE_PASSWORD "
                "or RIIKG_REMOTE_TOKEN)"
            )
            raise AccessDenied(f"{setting} {url}: HTTP {status}, access refused for {how}")
        if status == 404:
            raise StoreUnavailable(f"{setting} {url}: HTTP 404, no SPARQL service at this URL")
        if status in (502, 503):
            raise StoreUnavailable(f"{setting} {url}: HTTP {status} {text[:200]}")
        raise QueryFailed(f"{what} refused by {url} (HTTP {status}): {text}")

    def close(self) -> None:
        self._session.close()


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out"):
        if marker.lower() in text.lower():
            return marker.lower()
    return type(exc).__name__
