"""OAuth2 client-credentials tokens for Dentrix Ascend, cached per credential."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..base import PmsError

TOKEN_PATH = "oauth/client_credential/accesstoken"
DEFAULT_LIFETIME_S = 3600.0  # no source states the lifetime; C5 assumes 3600 (§1.2)
EARLY_REFRESH_S = 300.0  # C5 refreshes five minutes before expiry (§1.2)


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # time.monotonic() deadline

    def fresh(self, now: float, lifetime: float) -> bool:
        """Return whether the token stays usable for a while yet."""
        # Refetch early, but never more than a fifth of the lifetime early, so a
        # short-lived token is still used (and tests can expire one).
        margin = min(EARLY_REFRESH_S, lifetime / 5)
        return now < self.expires_at - margin


@dataclass
class _Entry:
    token: Token | None
    lifetime: float
    lock: threading.Lock


Fetch = Callable[[], tuple[str, float]]  # returns (access_token, expires_in)


class TokenCache:
    """Process-wide tokens keyed by (token URL, client id, secret digest)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], _Entry] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(url: str, client_id: str, client_secret: str) -> tuple[str, str, str]:
        """Return the cache key; a changed secret is a different credential."""
        digest = hashlib.sha256(client_secret.encode()).hexdigest()
        return url, client_id, digest

    def get(self, key: tuple[str, str, str], fetch: Fetch) -> str:
        """Return a fresh token for `key`, fetching one at most once at a time."""
        entry = self._entry(key)
        with entry.lock:
            now = time.monotonic()
            if entry.token is None or not entry.token.fresh(now, entry.lifetime):
                value, expires_in = fetch()
                entry.lifetime = expires_in
                entry.token = Token(value, time.monotonic() + expires_in)
            return entry.token.value

    def invalidate(self, key: tuple[str, str, str], value: str) -> None:
        """Forget `value` after a 401, unless another thread already replaced it."""
        entry = self._entry(key)
        with entry.lock:
            if entry.token is not None and entry.token.value == value:
                entry.token = None

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._entries.clear()

    def _entry(self, key: tuple[str, str, str]) -> _Entry:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(None, 0.0, threading.Lock())
            return entry


TOKENS = TokenCache()


def parse_token(body: object) -> tuple[str, float]:
    """Return (access_token, expires_in) from a token response (§1.2)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("access_token"), str):
        raise PmsError(
            "Dentrix Ascend sent a token response without an access_token",
            permanent=False,
        )
    try:
        expires_in = float(body.get("expires_in") or DEFAULT_LIFETIME_S)
    except (TypeError, ValueError):
        expires_in = DEFAULT_LIFETIME_S
    return body["access_token"], max(expires_in, 1.0)


class BearerAuth:
    """The `Authorization: Bearer` header (§1.3), renewed once on a 401."""

    def __init__(self, cache: TokenCache, key: tuple[str, str, str], fetch: Fetch):
        self.cache = cache
        self.key = key
        self.fetch = fetch
        self.sent: str | None = None

    def headers(self) -> Mapping[str, str]:
        self.sent = self.cache.get(self.key, self.fetch)
        return {"Authorization": f"Bearer {self.sent}"}

    def refresh(self) -> None:
        """Drop the token the server refused; the next call fetches a new one."""
        if self.sent is not None:
            self.cache.invalidate(self.key, self.sent)
