"""The agent protocol's routes, built once per flavor (docs/agent-protocol.md)."""

from __future__ import annotations

import heapq
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from ... import records as r
from ...face import ApiError, Ctx, Face, JsonResult, MalformHints
from ...practice import Practice
from ...registry import Simulator
from ...store import Store
from . import schedules as schedule
from .journal import AgentState, agent_state, run_due, submit
from .wire import Flavor, Table, utc_text

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "bad_request",
    409: "key_conflict",
    410: "cursor_expired",
    422: "invalid_command",
    429: "rate_limited",
}


def _error(status: int, message: str) -> Response:
    code = _CODES.get(status, "unavailable" if status >= 500 else "bad_request")
    return JsonResult({"error": code, "message": message}, status).to_response()


def _int_arg(ctx: Ctx, name: str, default: int, low: int, high: int) -> int:
    raw = ctx.request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}")
    return value


def build_face(flavor: Flavor) -> Face:
    """Return the face serving `flavor` under /{vendor}/agent/v1."""
    other = "dentrix" if flavor.vendor == "eaglesoft" else "eaglesoft"

    def authenticate(request: Request, sim: Simulator) -> Practice | Response:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        practice = sim.find(flavor.token_field, token) if token else None
        if practice is not None:
            return practice
        if token and sim.find(f"{other}_agent_token", token) is not None:
            return _error(403, f"this agent token is not for {flavor.label}")
        return _error(401, "missing or invalid agent token")

    face = Face(flavor.vendor, f"/{flavor.vendor}/agent/v1", authenticate, error=_error)

    def agent(ctx: Ctx) -> AgentState:
        state = agent_state(ctx.state)
        run_due(flavor, ctx.store, state)
        return state

    def block(state: AgentState) -> dict[str, Any]:
        seen = state.last_seen_at().strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "last_seen_at": seen,
            "version": "sim-1.0",
            "pms_version": flavor.pms_version,
        }

    def table(name: str) -> Table:
        found = flavor.tables.get(name)
        if found is None:
            raise ApiError(404, f"{flavor.label} agent has no table {name!r}")
        return found

    @face.route("/status")
    def status(ctx: Ctx) -> JsonResult:
        state, store = agent(ctx), ctx.store
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with store.lock:  # §5 feed sizes: live rows plus tombstones, per table
            counts = {
                name: store.count(feed.kind) + len(store.deletions(feed.kind))
                for name, feed in flavor.tables.items()
            }
            head = store.max_seq
        return JsonResult(
            {"agent": block(state), "server_time": now, "head": head, "counts": counts}
        )

    @face.route("/changes/<name>")
    def changes(ctx: Ctx, name: str) -> JsonResult:
        state, feed = agent(ctx), table(name)
        after = _int_arg(ctx, "after", 0, 0, 2**62)
        limit = _int_arg(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        store = ctx.store
        with store.lock:  # live rows and tombstones from one instant
            live = store.query(feed.kind, since_seq=after, order="seq", limit=limit + 1)
            stones = store.deletions(feed.kind, since_seq=after)[: limit + 1]
            head = store.max_seq
        merged = list(
            heapq.merge(
                ((rec.seq, rec) for rec in live),
                ((s.seq, s) for s in stones),
                key=lambda pair: pair[0],
            )
        )[: limit + 1]
        items = [_item(store, feed, entry) for _, entry in merged[:limit]]
        return JsonResult(
            {
                "table": name,
                "items": items,
                "next_after": merged[:limit][-1][0] if merged else after,
                "has_more": len(merged) > limit,
                "head": head,
                "agent": block(state),
            },
            records_key="items",
            hints=feed.hints,
        )

    @face.route("/deletions")
    def deletions(ctx: Ctx) -> JsonResult:
        state = agent(ctx)
        after = _int_arg(ctx, "after", 0, 0, 2**62)
        limit = _int_arg(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        store, by_kind = ctx.store, {t.kind: t for t in flavor.tables.values()}
        with store.lock:
            found = [
                (s.seq, by_kind[s.kind], s)
                for s in store.deletions(since_seq=after)
                if s.kind in by_kind
            ][: limit + 1]
            for feed in by_kind.values():
                if feed.deleted is None:
                    continue
                soft = store.query(
                    feed.kind, since_seq=after, where=feed.deleted, limit=limit + 1
                )
                found.extend((rec.seq, feed, rec) for rec in soft)
            head = store.max_seq
        found.sort(key=lambda entry: entry[0])
        items = [
            {
                "seq": seq,
                "table": feed.name,
                "id": str(_key(store, feed, entry)),
                "changed_at": utc_text(store, _stamp(entry)),
            }
            for seq, feed, entry in found[:limit]
        ]
        return JsonResult(
            {
                "items": items,
                "next_after": items[-1]["seq"] if items else after,
                "has_more": len(found) > limit,
                "head": head,
                "agent": block(state),
            },
            records_key="items",
            hints=MalformHints(id_key="id"),
        )

    @face.route("/rows/<name>/<path:row_id>")
    def row(ctx: Ctx, name: str, row_id: str) -> JsonResult:
        state, feed = agent(ctx), table(name)
        record = _lookup(ctx.store, feed, row_id)
        if record is None or _is_deleted(feed, record):
            raise ApiError(404, f"{name} {row_id} does not exist")
        return JsonResult(
            {
                "table": name,
                "row": feed.render(ctx.store, record),
                "agent": block(state),
            }
        )

    @face.route("/schedules")
    def schedules(ctx: Ctx) -> JsonResult:
        state = agent(ctx)
        first, last = schedule.window(ctx)
        offset = _int_arg(ctx, "offset", 0, 0, 2**31)
        limit = _int_arg(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        store = ctx.store
        with store.lock:
            found = schedule.entries(store, flavor.vendor, first, last)
            items = [
                schedule.item(store, flavor.vendor, x)
                for x in found[offset : offset + limit]
            ]
        return JsonResult(
            {
                "items": items,
                "next_offset": offset + len(items),
                "has_more": len(found) > offset + limit,
                "agent": block(state),
            },
            records_key="items",
            hints=MalformHints(id_key="entry_id", date_key="date", enum_key="kind"),
        )

    @face.route("/reference")
    def reference(ctx: Ctx) -> JsonResult:
        state = agent(ctx)
        with ctx.store.lock:
            lists = flavor.reference(ctx.store)
        return JsonResult({**lists, "agent": block(state)})

    @face.route("/commands", methods=("POST",))
    def post_command(ctx: Ctx) -> JsonResult:
        state = agent(ctx)
        body = ctx.request.get_json(force=True, silent=True)
        command, code = submit(flavor, state, body)
        return JsonResult({**command.view(), "agent": block(state)}, status=code)

    @face.route("/commands/<path:key>")
    def get_command(ctx: Ctx, key: str) -> JsonResult:
        state = agent(ctx)
        command = state.commands.get(key)
        if command is None:
            raise ApiError(404, f"no command with key {key}")
        return JsonResult({**command.view(), "agent": block(state)})

    @face.route("/sim/agent", methods=("GET", "PUT"), limited=False)
    def control(ctx: Ctx) -> JsonResult:
        """Simulator only: silence the agent, delay or fail its commands."""
        body = ctx.request.get_json(force=True, silent=True) or {}
        if not isinstance(body, dict):
            raise ApiError(400, "a JSON object is required")
        return JsonResult(agent_state(ctx.state).control(body))

    return face


def _stamp(entry: Any) -> datetime:
    return entry.deleted_at if isinstance(entry, r.Tombstone) else entry.modified_at


def _key(store: Store, feed: Table, entry: Any) -> Any:
    record = entry.record if isinstance(entry, r.Tombstone) else entry
    return feed.key_value(store, record)


def _item(store: Store, feed: Table, entry: Any) -> dict[str, Any]:
    """Return one feed item: envelope fields plus the row (for a tombstone, the
    last state the agent published)."""
    head = {"seq": entry.seq, "changed_at": utc_text(store, _stamp(entry))}
    if isinstance(entry, r.Tombstone):
        return {**head, "op": "D", **feed.render(store, entry.record)}
    if _is_deleted(feed, entry):
        return {**head, "op": "D", **feed.render(store, entry)}
    op = "N" if entry.created_seq == entry.seq else "U"
    return {**head, "op": op, **feed.render(store, entry)}


def _is_deleted(feed: Table, record: Any) -> bool:
    return feed.deleted is not None and feed.deleted(record)


def _lookup(store: Store, feed: Table, row_id: str) -> Any:
    if feed.lookup is not None:
        return feed.lookup(store, row_id)
    try:
        return store.get(feed.kind, int(row_id))
    except ValueError:
        return None
