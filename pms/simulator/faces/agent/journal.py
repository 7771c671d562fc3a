"""The agent's command journal: queue by idempotency key, execute later, answer by key.

A command is executed when the agent "next pulls" it: on the first request to the
face at least `command_delay` seconds after it was queued, and never while the
agent is silent (docs/agent-protocol.md §7).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...face import ApiError
from ...store import Store
from .wire import CommandFailed, Flavor

KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Command:
    key: str
    type: str
    payload: dict[str, Any]
    due: float  # time.monotonic() from which the agent may execute it
    status: str = "accepted"
    pms_id: str = ""
    reason: str = ""
    retryable: bool = False
    attempts: int = 1
    submitted_at: str = field(default_factory=_now_text)
    finished_at: str | None = None

    def view(self) -> dict[str, Any]:
        """Return the command as the protocol shows it (payload left out)."""
        return {
            "key": self.key,
            "type": self.type,
            "status": self.status,
            "pms_id": self.pms_id,
            "reason": self.reason,
            "retryable": self.retryable,
            "attempts": self.attempts,
            "submitted_at": self.submitted_at,
            "finished_at": self.finished_at,
        }


class AgentState:
    """One practice's simulated agent: its journal and its simulation knobs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.commands: dict[str, Command] = {}
        self.silent_since: datetime | None = None  # set: the agent stopped calling in
        self.command_delay = 0.0  # seconds before a queued command may run
        self.fail_next: list[str] = []  # reasons: the next executions fail, retryable

    def last_seen_at(self) -> datetime:
        return self.silent_since or datetime.now(UTC)

    def control(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply simulator-only settings and return them."""
        with self.lock:
            if "silent_since" in data:
                value = data["silent_since"]
                self.silent_since = (
                    datetime.fromisoformat(value).astimezone(UTC) if value else None
                )
            if "command_delay" in data:
                self.command_delay = float(data["command_delay"])
                due = time.monotonic() + self.command_delay
                for command in self.commands.values():
                    if command.status == "accepted":
                        command.due = due  # the agent's new pace applies to the queue
            if "fail_next" in data:
                self.fail_next = [str(reason) for reason in data["fail_next"]]
            return {
                "silent_since": self.silent_since.isoformat()
                if self.silent_since
                else None,
                "command_delay": self.command_delay,
                "fail_next": list(self.fail_next),
            }


def agent_state(state: dict[str, Any]) -> AgentState:
    """Return the AgentState kept in a face's per-practice state dict."""
    return state.setdefault("agent", AgentState())


def submit(flavor: Flavor, agent: AgentState, body: Any) -> tuple[Command, int]:
    """Queue a command (202), or return the one already under its key (200)."""
    if not isinstance(body, dict):
        raise ApiError(400, "a JSON object with key, type and payload is required")
    key, kind, payload = body.get("key"), body.get("type"), body.get("payload")
    if not isinstance(key, str) or not KEY.match(key):
        raise ApiError(400, "key must be 1-100 characters of A-Z a-z 0-9 . _ : -")
    if kind not in flavor.commands:
        raise ApiError(422, f"unknown command type {kind!r}")
    if not isinstance(payload, dict):
        raise ApiError(422, "payload must be an object")
    missing = [name for name in flavor.required.get(kind, ()) if name not in payload]
    if missing:
        raise ApiError(422, f"{kind} payload lacks {', '.join(missing)}")
    with agent.lock:
        found = agent.commands.get(key)
        if found is not None:
            if (found.type, found.payload) != (kind, payload):
                raise ApiError(409, f"key {key} was used for a different command")
            if found.status == "failed" and found.retryable:
                found.status, found.reason, found.finished_at = "accepted", "", None
                found.attempts += 1
                found.due = time.monotonic() + agent.command_delay
                return found, 202
            return found, 200
        command = Command(key, kind, payload, time.monotonic() + agent.command_delay)
        agent.commands[key] = command
        return command, 202


def run_due(flavor: Flavor, store: Store, agent: AgentState) -> None:
    """Execute every queued command that is due, unless the agent is silent."""
    if agent.silent_since is not None:
        return
    now = time.monotonic()
    with agent.lock:
        due = [
            c
            for c in agent.commands.values()
            if c.status == "accepted" and c.due <= now
        ]
        for command in due:
            _execute(flavor, store, agent, command)


def _execute(flavor: Flavor, store: Store, agent: AgentState, command: Command) -> None:
    try:
        if agent.fail_next:
            raise CommandFailed(agent.fail_next.pop(0), retryable=True)
        with store.lock:  # one PMS transaction
            new_id = flavor.commands[command.type](store, command.payload)
        command.status, command.pms_id = "done", str(new_id)
        command.retryable = False
    except CommandFailed as exc:
        command.status, command.reason = "failed", exc.reason
        command.retryable = exc.retryable
    except (KeyError, ValueError, TypeError) as exc:
        command.status, command.reason = "failed", f"invalid payload ({exc})"
        command.retryable = False
    command.finished_at = _now_text()
