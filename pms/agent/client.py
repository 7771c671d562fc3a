"""The bridge-agent protocol over pms/http.py: reads checked against the heartbeat,
commands submitted by idempotency key and polled until done (docs/agent-protocol.md).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ..base import PmsError, PmsOutcomeUnknown
from ..http import PmsHttp
from .values import utc

MAX_PAUSE = 2.0  # seconds between two polls of a queued command


class AgentClient:
    """One practice's agent (through the relay), as pbnsync talks to it."""

    def __init__(
        self,
        http: PmsHttp,
        label: str,
        *,
        silent_after: float,
        command_wait: float,
        first_pause: float = 0.1,
    ) -> None:
        self.http = http
        self.label = label  # "Eaglesoft"
        self.silent_after = timedelta(seconds=silent_after)
        self.command_wait = command_wait
        self.first_pause = first_pause

    # --- reads -------------------------------------------------------------------

    def read(self, path: str, params: dict[str, Any] | None, what: str) -> dict:
        """GET `path`; refuse the answer when the agent has gone silent (§4)."""
        body = self._object(self.http.get_json(path, params, what=what), what)
        silent = self.silent_since(body, what)
        if silent is not None:
            raise PmsError(
                f"{self.label} agent silent since {silent:%Y-%m-%d %H:%M} UTC: "
                f"its data may be stale, so pbnsync did not read {what}",
                permanent=False,
            )
        return body

    def page(self, path: str, after: int, limit: int, what: str) -> dict:
        """Return one feed page with its items, next_after and has_more checked."""
        body = self.read(path, {"after": after, "limit": limit}, what)
        items, next_after = body.get("items"), body.get("next_after")
        if not isinstance(items, list) or not _is_int(next_after) or next_after < after:
            raise PmsError(
                f"{self.label} agent sent a malformed page of {what}", permanent=False
            )
        return body

    def window_page(
        self, path: str, params: dict[str, Any], offset: int, limit: int, what: str
    ) -> dict:
        """Return one page of a window read (`offset`/`limit`), its items checked
        and its next_offset counting exactly the items that came."""
        body = self.read(path, {**params, "offset": offset, "limit": limit}, what)
        items = body.get("items")
        if not isinstance(items, list) or body.get("next_offset") != offset + len(
            items
        ):
            raise PmsError(
                f"{self.label} agent sent a malformed page of {what}", permanent=False
            )
        return body

    def silent_since(self, body: dict, what: str) -> datetime | None:
        """Return the last heartbeat when it is too old, None while the agent lives."""
        agent = body.get("agent")
        seen = utc(agent.get("last_seen_at")) if isinstance(agent, dict) else None
        if seen is None:
            raise PmsError(
                f"{self.label} agent sent no heartbeat with {what}", permanent=False
            )
        return seen if datetime.now(UTC) - seen > self.silent_after else None

    # --- commands ----------------------------------------------------------------

    def run(self, key: str, kind: str, payload: dict[str, Any], what: str) -> str:
        """Submit a command and wait (bounded) for its PMS id (§7)."""
        response = self.http.request(
            "POST",
            "commands",
            json_body={"key": key, "type": kind, "payload": payload},
            # Never resent blindly: a lost answer is PmsOutcomeUnknown, and the
            # caller's find_written asks the agent by key first.
            idempotent=False,
            what=what,
        )
        try:
            return self._wait(key, self._object(self.http.decode(response), what), what)
        except (_Refused, PmsOutcomeUnknown):
            raise
        except PmsError as exc:
            # The command is queued: whatever went wrong next, it may still run.
            raise PmsOutcomeUnknown(
                f"{exc}; {what} may still run under key {key}", status=exc.status
            ) from exc

    def _wait(self, key: str, body: dict, what: str) -> str:
        deadline = time.monotonic() + self.command_wait
        pause = self.first_pause
        while True:
            status = body.get("status")
            if status == "done":
                return self._pms_id(body, what)
            if status == "failed":
                raise _Refused(
                    f"{self.label} could not save {what}: "
                    f"{body.get('reason') or 'no reason given'}",
                    permanent=body.get("retryable") is not True,
                )
            if status != "accepted":
                raise PmsOutcomeUnknown(
                    f"{self.label} agent reported {what} in an unknown state "
                    f"{status!r} (key {key})"
                )
            silent = self.silent_since(body, what)
            if silent is not None:
                raise PmsOutcomeUnknown(
                    f"{self.label} agent silent since {silent:%Y-%m-%d %H:%M} UTC: "
                    f"{what} is queued under key {key} and runs when it returns"
                )
            left = deadline - time.monotonic()
            if left <= 0:
                raise PmsOutcomeUnknown(
                    f"{self.label} agent has not run {what} within "
                    f"{self.command_wait:.0f} s; it stays queued under key {key}"
                )
            time.sleep(min(pause, left))
            pause = min(pause * 2, MAX_PAUSE)
            found = self.command(key, what)
            if found is None:
                raise PmsOutcomeUnknown(
                    f"{self.label} agent lost track of {what} (key {key})"
                )
            body = found

    def command(self, key: str, what: str) -> dict | None:
        """Return the command stored under `key`, or None if it was never queued."""
        try:
            body = self.http.get_json(f"commands/{key}", what=what)
        except PmsError as exc:
            if exc.status == 404:
                return None
            raise
        return self._object(body, what)

    # --- internals -----------------------------------------------------------------

    def _object(self, body: Any, what: str) -> dict:
        if not isinstance(body, dict):
            raise PmsError(
                f"{self.label} agent sent no JSON object for {what}", permanent=False
            )
        return body

    def _pms_id(self, body: dict, what: str) -> str:
        pms_id = body.get("pms_id")
        if not isinstance(pms_id, str | int) or pms_id in ("", 0):
            raise PmsOutcomeUnknown(
                f"{self.label} agent reported {what} done without its id"
            )
        return str(pms_id)


class _Refused(PmsError):
    """The agent ran the command and the PMS refused it: a definite outcome."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
