"""The only module that talks HTTP to a PMS.

One `requests.Session` per connector; connect and read timeouts on every call;
bounded retries with exponential backoff and jitter on 5xx, timeouts and
connection errors; `Retry-After` honoured on 429 (and shared with every worker
through the request budget); one auth refresh on 401; never a retry on any other
4xx. Redirects are never followed: they would carry our credentials to another
host. Errors are mapped here, once, to `PmsError` with a message a person can act
on. A write that was sent but never answered raises `PmsOutcomeUnknown` and is
never retried here: the caller checks `find_written` first.

Credentials travel in headers only; headers and bodies are never logged.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urljoin, urlsplit

import requests
from django.conf import settings
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from .base import Lane, PmsError, PmsOutcomeUnknown
from .budget import RequestBudget
from .transport import TimedAdapter, forget_written, written_at

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# An answer that broke off mid-body: the request reached the PMS, like a
# connection dropped while waiting.
BROKEN_ANSWER = (
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class AuthHook(Protocol):
    """Per-request auth (e.g. an OAuth bearer token) that can be renewed on 401."""

    def headers(self) -> Mapping[str, str]: ...

    def refresh(self) -> None: ...


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 4  # first try plus three retries
    backoff_base: float = 0.5  # seconds before the first retry, doubled each time
    backoff_cap: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After goes back to the caller

    @classmethod
    def from_settings(cls, **overrides: Any) -> HttpPolicy:
        """Return the policy, with PMS_HTTP_* settings and `overrides` applied."""
        values = {
            "max_attempts": getattr(settings, "PMS_HTTP_MAX_ATTEMPTS", None),
            "backoff_base": getattr(settings, "PMS_HTTP_BACKOFF_BASE", None),
            "backoff_cap": getattr(settings, "PMS_HTTP_BACKOFF_CAP", None),
            "max_retry_after": getattr(settings, "PMS_HTTP_MAX_RETRY_AFTER", None),
            **overrides,
        }
        return cls(**{k: v for k, v in values.items() if v is not None})


@dataclass(frozen=True)
class Wording:
    """How a vendor's failures read to a person; `{label}` etc. are filled in."""

    unauthorized: str = "{label} rejected our credentials (401)"
    forbidden: str = "{label} refused access to {what} (403)"
    not_found: str = "{label} has no {what} (404)"
    rejected: str = "{label} rejected {what} ({status}): {explanation}"
    rate_limited: str = "{label} is limiting our request rate (429)"
    server_error: str = "{label} had a server error ({status}) on {what}"
    timeout: str = "{label} did not answer within {seconds:g} s ({what})"
    unreachable: str = "Could not connect to {label} at {host} ({error})"
    unsendable: str = (
        "Could not send {what} to {label} ({error}); check the connection's "
        "credentials and base URL for stray characters"
    )
    redirected: str = (
        "{label} answered {what} with a redirect ({status}) to {host}; check the "
        "connection's base URL"
    )
    outcome_unknown: str = (
        "{label} did not confirm {what} ({reason}); it may or may not have been "
        "saved, so it must be checked before any retry"
    )


class PmsHttp:
    """A session to one PMS connection, paced by its request budget."""

    def __init__(
        self,
        *,
        label: str,
        base_url: str,
        lane: Lane = Lane.INCREMENTAL,
        budget: RequestBudget | None = None,
        policy: HttpPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        auth: AuthHook | None = None,
        wording: Wording | None = None,
        is_transient_4xx: Callable[[int, str], bool] | None = None,
    ) -> None:
        self.label = label
        self.base_url = base_url.rstrip("/")
        self.lane = lane
        self.budget = budget
        self.policy = policy or HttpPolicy.from_settings()
        self.auth = auth
        self.wording = wording or Wording()
        self.is_transient_4xx = is_transient_4xx
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, TimedAdapter())

    def close(self) -> None:
        self.session.close()
        if self.budget is not None:
            self.budget.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        what: str = "",
    ) -> requests.Response:
        """Send one logical request, retrying as the policy allows.

        The body is `json_body` (sent as application/json) or `form` (sent as
        application/x-www-form-urlencoded), never both. `idempotent` (default: by
        method) says whether a request that may have reached the PMS can be sent
        again; `what` names it in error messages.
        """
        if json_body is not None and form is not None:
            raise ValueError("send json_body or form, not both")
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        request_line = f"{method} {urlsplit(self.url(path)).path}"
        what = what or request_line
        policy = self.policy
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= policy.max_attempts
            try:
                response = self._send(method, path, params, json_body, form)
            except requests.exceptions.Timeout as exc:
                sent = not _never_sent(exc)
                if sent and not idempotent:
                    raise self._unknown(what, "no answer before the timeout") from exc
                if last:
                    seconds = policy.read_timeout if sent else policy.connect_timeout
                    raise PmsError(
                        self.wording.timeout.format(
                            label=self.label, seconds=seconds, what=what
                        ),
                        permanent=False,
                    ) from exc
                self._sleep(self._backoff(attempt))
                continue
            except BROKEN_ANSWER as exc:
                if not _never_sent(exc) and not idempotent:
                    raise self._unknown(what, "the connection dropped") from exc
                if last:
                    raise PmsError(
                        self.wording.unreachable.format(
                            label=self.label,
                            host=urlsplit(self.base_url).netloc,
                            error=_short_reason(exc),
                        ),
                        permanent=False,
                    ) from exc
                self._sleep(self._backoff(attempt))
                continue
            except (requests.exceptions.RequestException, UnicodeError) as exc:
                # A malformed header or URL, or a header beyond Latin-1: nothing was
                # sent. requests' own message quotes the header values (credentials)
                # or the URL, so only its class is kept, and `from None` keeps it out
                # of logged tracebacks too.
                named = what if what == request_line else f"{what} ({request_line})"
                raise PmsError(
                    self.wording.unsendable.format(
                        label=self.label, what=named, error=type(exc).__name__
                    ),
                    permanent=True,
                ) from None

            status = response.status_code
            if 300 <= status < 400:
                host = _location_host(response)
                if not idempotent:
                    # A 303 means the write was processed; others may mean so too.
                    raise self._unknown(
                        what,
                        f"answered with a redirect ({status}) to {host}; check the "
                        "connection's base URL",
                        status=status,
                    )
                raise PmsError(
                    self.wording.redirected.format(
                        label=self.label, what=what, status=status, host=host
                    ),
                    permanent=True,
                    status=status,
                )
            if status < 400:
                return response
            if status == 401 and self.auth is not None and not refreshed:
                refreshed = True
                self.auth.refresh()
                attempt -= 1  # the refresh retry does not use up a retry
                continue
            if status == 429 or status == 503:
                asked = _retry_after(response)
                delay = self._backoff(attempt) if asked is None else asked
                if last or delay > policy.max_retry_after:
                    # Only what the PMS asked for: callers wait at least that long
                    # and history shows it as the PMS's wish.
                    raise self._error(response, what, retry_after=asked)
                self._pause(delay, shared=status == 429)
                continue
            if status >= 500:
                if not idempotent:
                    raise self._unknown(what, f"it answered {status}", status=status)
                if last:
                    raise self._error(response, what)
                self._sleep(self._backoff(attempt))
                continue
            raise self._error(response, what)

    def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, *, what: str = ""
    ) -> Any:
        """GET `path` and return its decoded JSON body.

        A 200 whose body is cut short is read again like a dropped connection.
        """
        attempt = 0
        while True:
            attempt += 1
            response = self.request("GET", path, params=params, what=what)
            try:
                return self.decode(response, what)
            except PmsError:
                if attempt >= self.policy.max_attempts:
                    raise
                self._sleep(self._backoff(attempt))

    def decode(self, response: requests.Response, what: str = "") -> Any:
        """Return the JSON body of `response`; None when it is empty."""
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise PmsError(
                f"{self.label} sent a response that is not JSON "
                f"({what or response.request.method})",
                permanent=False,
                status=response.status_code,
            ) from exc

    # --- internals -------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        form: Mapping[str, str] | None = None,
    ) -> requests.Response:
        headers = dict(self.auth.headers()) if self.auth is not None else {}
        url = self.url(path)
        if params:
            # Percent-encode every reserved character (a space is %20, not "+"):
            # opendental-api.md §1.7, and valid for every other PMS too.
            query = urlencode(
                {k: v for k, v in params.items() if v is not None},
                quote_via=quote,
                safe="",
            )
            url = f"{url}?{query}"
        data: Any = None
        if body is not None:
            data = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = dict(form)  # requests sets the form Content-Type
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        # Everything but the send happens before the slot is taken, so a call
        # leaves the moment its slot begins (Session.request, split in two).
        prepared = self.session.prepare_request(
            requests.Request(method, url, headers=headers, data=data)
        )
        options = self.session.merge_environment_settings(
            prepared.url, {}, None, None, None
        )
        options["timeout"] = (self.policy.connect_timeout, self.policy.read_timeout)
        # Never follow a redirect: the Authorization or Organization-ID header,
        # or a token request's client_secret, would go wherever it points.
        options["allow_redirects"] = False
        started = time.monotonic()
        if self.budget is None:
            response = self.session.send(prepared, **options)
        else:
            with self.budget.slot(self.lane) as call:
                forget_written()
                try:
                    response = self.session.send(prepared, **options)
                finally:
                    call.sent_at = written_at() or call.sent_at
        log.debug(
            "%s %s %s -> %s in %.0f ms",
            self.label,
            method,
            urlsplit(self.url(path)).path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _backoff(self, attempt: int) -> float:
        ceiling = min(
            self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempt - 1)
        )
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _pause(self, seconds: float, *, shared: bool) -> None:
        """Wait `seconds`; after a 429 every worker on this connection waits too."""
        if shared and self.budget is not None:
            self.budget.defer(seconds)
        else:
            self._sleep(seconds)

    def _unknown(
        self, what: str, reason: str, *, status: int | None = None
    ) -> PmsOutcomeUnknown:
        return PmsOutcomeUnknown(
            self.wording.outcome_unknown.format(
                label=self.label, what=what, reason=reason
            ),
            status=status,
        )

    def _error(
        self,
        response: requests.Response,
        what: str,
        *,
        retry_after: float | None = None,
    ) -> PmsError:
        status = response.status_code
        explanation = explain(response)
        values = {
            "label": self.label,
            "what": what,
            "status": status,
            "explanation": explanation or response.reason or "no explanation",
        }
        w = self.wording
        if status == 401:
            text, permanent = w.unauthorized, True
        elif status == 403:
            text, permanent = w.forbidden, True
        elif status == 404:
            text, permanent = w.not_found, True
        elif status == 429:
            text, permanent = w.rate_limited, False
        elif status >= 500:
            text, permanent = w.server_error, False
        else:
            text = w.rejected
            permanent = status != 408  # 408: the server gave up waiting for us
            if self.is_transient_4xx and self.is_transient_4xx(status, explanation):
                permanent = False
        message = text.format(**values)
        if explanation and "{explanation}" not in text:
            message = f"{message}: {explanation}"
        return PmsError(
            message, permanent=permanent, status=status, retry_after=retry_after
        )


def explain(response: requests.Response) -> str:
    """Return the PMS's own explanation from an error body, shortened."""
    text = response.text.strip()
    if not text:
        return ""
    try:
        body = response.json()
    except ValueError:
        body = text
    if isinstance(body, dict):
        body = next(
            (
                body[k]
                for k in ("Message", "message", "error_description", "error", "detail")
                if isinstance(body.get(k), str)
            ),
            text,
        )
    if not isinstance(body, str):
        body = text
    body = " ".join(body.split())
    if body.lstrip().startswith("<"):
        return ""  # an HTML error page says nothing a person can act on
    return body[:200]


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _never_sent(exc: requests.exceptions.RequestException) -> bool:
    """Return whether the request certainly never reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, ConnectTimeoutError)  # includes NewConnectionError


def _location_host(response: requests.Response) -> str:
    """Return the host (and port) a redirect points to, never its path or query."""
    location = response.headers.get("Location", "").strip()
    if not location:
        return "no location"
    try:
        target = urlsplit(urljoin(response.url, location))
        port = target.port
    except ValueError:
        return "a malformed location"
    if not target.hostname:
        return "a malformed location"
    return f"{target.hostname}:{port}" if port else target.hostname


def _short_reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    if isinstance(reason, MaxRetryError) and reason.reason is not None:
        reason = reason.reason
    name = type(reason).__name__
    return {
        "NewConnectionError": "connection refused",
        "NameResolutionError": "unknown host",
        "ProtocolError": "connection dropped",
        "SSLError": "TLS failure",
        "DecodeError": "undecodable answer",
    }.get(name, name)
