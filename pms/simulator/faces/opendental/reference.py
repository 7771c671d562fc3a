"""Open Dental /providers, /operatories, /definitions (opendental-api.md §5.3-§5.5)."""

from __future__ import annotations

from ... import records as r
from ...face import ApiError, Ctx, JsonResult, MalformHints
from . import wire
from .app import face, int_param, page, requires, stamp_filter


@face.route("/providers")
@requires("ReadAll")
def list_providers(ctx: Ctx) -> JsonResult:
    """ClinicNum: non-hidden providers, blank serverDateTime; DateTStamp: "after"."""
    store = ctx.store
    offset, limit = page(ctx)
    clinic = int_param(ctx, "ClinicNum")
    if clinic is not None:  # §5.4: a different query; serverDateTime comes back ""
        found = store.query(
            r.PROVIDER, where=lambda p: not p.is_hidden, offset=offset, limit=limit
        )
        now = ""
    else:
        since, inclusive = stamp_filter(ctx, "DateTStamp", documented_inclusive=False)
        found = store.query(
            r.PROVIDER, since=since, inclusive=inclusive, offset=offset, limit=limit
        )
        now = wire.dt(store.now())
    rows = [{**wire.provider(p), "serverDateTime": now} for p in found]
    return JsonResult(
        rows,
        hints=MalformHints(
            id_key="ProvNum", enum_key="ProvStatus", date_key="DateTStamp"
        ),
    )


@face.route("/providers/<int:prov_num>")
@requires("ReadAll")
def get_provider(ctx: Ctx, prov_num: int) -> JsonResult:
    found = ctx.store.get(r.PROVIDER, prov_num)
    if found is None:
        raise ApiError(404, "Provider not found")
    return JsonResult(
        {**wire.provider(found), "serverDateTime": wire.dt(ctx.store.now())}
    )


@face.route("/operatories")
@requires("ReadAll")
def list_operatories(ctx: Ctx) -> JsonResult:
    """Every operatory, hidden ones included (§9: unconfirmed; IsHidden tells)."""
    offset, limit = page(ctx)
    clinic = int_param(ctx, "ClinicNum")
    found = ctx.store.query(
        r.OPERATORY,
        where=None if clinic is None else (lambda o: o.clinic_id == clinic),
        offset=offset,
        limit=limit,
    )
    return JsonResult(
        [wire.operatory(o) for o in found],
        hints=MalformHints(id_key="OperatoryNum", int_key="ProvDentist"),
    )


@face.route("/operatories/<int:op_num>")
@requires("ReadAll")
def get_operatory(ctx: Ctx, op_num: int) -> JsonResult:
    found = ctx.store.get(r.OPERATORY, op_num)
    if found is None:
        raise ApiError(404, "Operatory not found")
    return JsonResult(wire.operatory(found))


@face.route("/definitions")
@requires("ReadAll")
def list_definitions(ctx: Ctx) -> JsonResult:
    """Category (integer DefCat) and includeHidden (default false) (§5.3)."""
    offset, limit = page(ctx)
    category = int_param(ctx, "Category")
    include_hidden = ctx.request.args.get("includeHidden", "false").lower() == "true"
    kind = wire.CATEGORY_KIND.get(category) if category is not None else None
    if category is not None and kind is None:
        return JsonResult([])  # a real DefCat the simulator keeps no entries for
    found = sorted(
        (
            x
            for x in ctx.store.query(r.DEFINITION)
            if (kind is None or x.kind == kind) and (include_hidden or not x.is_hidden)
        ),
        key=lambda x: (wire.DEF_CATEGORY[x.kind][0], x.order, x.id),
    )
    return JsonResult(
        [wire.definition(x) for x in found[offset : offset + limit]],
        hints=MalformHints(id_key="DefNum", int_key="Category"),
    )
