"""List and get endpoints: `filter=`, `pageSize` + `lastId`, `responseFields`.

§1.4: records come back in ascending id order and `lastId` means "ids greater
than" (inferred from clients that stop on a short page); §1.5: the `{statusCode,
data}` envelope; §1.9: lists omit deleted rows (`visible`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ...face import ApiError, Ctx, JsonResult, MalformHints
from . import wire
from .grammar import Clause, FilterError, matches, parse_filter

DEFAULT_PAGE_SIZE = 100  # assumed; clients always send pageSize (§1.4)
MAX_PAGE_SIZE = 500  # C4 pages by 500 (§1.4); larger requests are capped
_CHUNK = 500
_DST_SLACK = timedelta(hours=1)  # local stamps are ambiguous for an hour a year


@dataclass(frozen=True)
class Resource:
    """One Ascend list resource over a store kind."""

    kind: str
    render: Callable[[Ctx, Any], dict[str, Any]]
    visible: Callable[[Any], bool] | None = None
    patient_ref: str = "patient"  # the reference naming the owning patient
    hints: MalformHints = MalformHints(
        id_key="id", date_key="lastModified", int_key="id"
    )


def list_page(ctx: Ctx, res: Resource) -> JsonResult:
    """Answer one keyset page of `res` matching the request's filter."""
    args = ctx.request.args
    size = min(_int(args.get("pageSize"), DEFAULT_PAGE_SIZE, "pageSize"), MAX_PAGE_SIZE)
    if size < 1:
        raise ApiError(400, "pageSize must be at least 1")
    after = wire.store_id(args["lastId"], "lastId") if args.get("lastId") else None
    try:
        clauses = parse_filter(args.get("filter", ""))
        rows = []
        for record in _candidates(ctx, res, clauses, after):
            row = res.render(ctx, record)
            _check_fields(row, clauses)
            if matches(row, clauses):
                rows.append(row)
                if len(rows) == size:
                    break
    except FilterError as exc:
        raise ApiError(400, str(exc)) from None
    picked = _pick_fields(rows, args.get("responseFields", ""))
    return JsonResult(
        {"statusCode": 200, "data": picked}, records_key="data", hints=res.hints
    )


def get_one(ctx: Ctx, res: Resource, record_id: str) -> JsonResult:
    """Answer one record by its Ascend id (404 when absent or deleted)."""
    record = ctx.store.get(res.kind, wire.store_id(record_id))
    if record is None or (res.visible is not None and not res.visible(record)):
        raise ApiError(404, f"No {res.kind} with id {record_id}")
    return JsonResult({"statusCode": 200, "data": res.render(ctx, record)})


def _candidates(
    ctx: Ctx, res: Resource, clauses: list[Clause], after: int | None
) -> Iterator[Any]:
    """Yield records in id order after `after`, narrowed by cheap store indexes."""
    query: dict[str, Any] = {"order": "id", "where": res.visible}
    for clause in clauses:
        if clause.path == ("lastModified",) and clause.op in (">=", ">"):
            local = wire.local_time(ctx.store, clause.value, "lastModified")
            query.update(since=local - _DST_SLACK, inclusive=True)
        elif clause.path == (res.patient_ref, "id") and clause.op == "==":
            query["patient_id"] = wire.store_id(clause.value, clause.value)
    while True:
        chunk = ctx.store.query(res.kind, after_id=after, limit=_CHUNK, **query)
        yield from chunk
        if len(chunk) < _CHUNK:
            return
        after = chunk[-1].id


def _check_fields(row: dict[str, Any], clauses: list[Clause]) -> None:
    for clause in clauses:
        if clause.path[0] not in row:
            raise FilterError(f"Unknown filter field: {'.'.join(clause.path)}")


def _pick_fields(rows: list[dict[str, Any]], spec: str) -> list[dict[str, Any]]:
    """Keep `id` plus the named fields; "ALL" or nothing keeps everything (§1.4)."""
    names = {name.strip() for name in spec.split(",") if name.strip()}
    if not names or "ALL" in names:
        return rows
    return [{k: v for k, v in row.items() if k == "id" or k in names} for row in rows]


def _int(raw: str | None, default: int, name: str) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a number") from None
