"""Open Dental /schedules (opendental-api.md §5.15; apischedules.html, v22.1)."""

from __future__ import annotations

from datetime import timedelta

from ... import records as r
from ...face import ApiError, Ctx, JsonResult, MalformHints
from . import wire
from .app import face, int_param, page, parse_date, requires

SCHED_TYPES = wire.reverse(wire.SCHED_TYPE) | {"WebSchedASAP": "web_sched_asap"}


@face.route("/schedules")
@requires("ReadAll")
def list_schedules(ctx: Ctx) -> JsonResult:
    """`date` (default today) or `dateStart`/`dateEnd` (both inclusive), SchedType,
    BlockoutDefNum, ProvNum, EmployeeNum; sorted by StartTime."""
    args = ctx.request.args
    offset, limit = page(ctx)
    if args.get("dateStart") or args.get("dateEnd"):
        # The doc gives them as a pair; one without the other is refused here.
        if not (args.get("dateStart") and args.get("dateEnd")):
            raise ApiError(400, "dateStart and dateEnd must both be given")
        first = parse_date(args["dateStart"], "dateStart")
        last = parse_date(args["dateEnd"], "dateEnd")
    elif args.get("date"):
        first = last = parse_date(args["date"], "date")
    else:
        first = last = ctx.store.now().date()
    sched_type = args.get("SchedType")
    if sched_type and sched_type not in SCHED_TYPES:
        raise ApiError(
            400,
            'SchedType must be "Practice", "Provider", "Blockout", "Employee", '
            'or "WebSchedASAP"',
        )
    wanted = SCHED_TYPES.get(sched_type or "")
    blockout = int_param(ctx, "BlockoutDefNum")
    provider = int_param(ctx, "ProvNum")
    employee = int_param(ctx, "EmployeeNum")

    def matches(x: r.Schedule) -> bool:
        return (
            (wanted is None or x.type == wanted)
            and (blockout is None or x.blockout_type_id == blockout)
            and (provider is None or x.provider_id == provider)
            and (employee is None or x.employee_id == employee)
        )

    found = ctx.store.query(
        r.SCHEDULE, start=first, end=last + timedelta(days=1), where=matches
    )
    # apischedules.html: "Results are sorted by StartTime" (then by date and id,
    # so an Offset walk is stable).
    found.sort(key=lambda x: (x.start, x.date, x.id))
    return JsonResult(
        [wire.schedule(ctx.store, x) for x in found[offset : offset + limit]],
        hints=MalformHints(
            id_key="ScheduleNum", date_key="SchedDate", enum_key="SchedType"
        ),
    )


@face.route("/schedules/<int:schedule_num>")
@requires("ReadAll")
def get_schedule(ctx: Ctx, schedule_num: int) -> JsonResult:
    found = ctx.store.get(r.SCHEDULE, schedule_num)
    if found is None:
        raise ApiError(404, "Schedule not found")
    return JsonResult(wire.schedule(ctx.store, found))
