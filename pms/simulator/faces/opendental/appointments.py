"""Open Dental /appointments and /histappointments (opendental-api.md §3.6, §5.2)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from werkzeug.wrappers import Response

from ... import records as r
from ...face import ApiError, Ctx, JsonResult, MalformHints
from . import wire
from .app import (
    body,
    body_bool,
    body_int,
    created,
    face,
    int_param,
    page,
    parse_date,
    parse_datetime,
    requires,
    stamp_filter,
)

HINTS = MalformHints(
    id_key="AptNum", date_key="AptDateTime", enum_key="AptStatus", int_key="PatNum"
)
_STATUS = wire.reverse(wire.APT_STATUS)
_POST_STATUSES = {"Scheduled", "Complete", "UnschedList", "PtNote", "PtNoteCompleted"}
# §5.2 Confirm: confirmVal -> office prefs (ApptEConfirmStatus*), "None" = first def.
_CONFIRM_VALS = {
    "None": "confirm_none",
    "Sent": "confirm_sent",
    "Confirmed": "confirm_accepted",
    "Not Accepted": "confirm_declined",
    "Failed": "confirm_failed",
}


def _date_window(ctx: Ctx) -> tuple[datetime | None, datetime | None]:
    args = ctx.request.args
    if args.get("date"):
        day = parse_date(args["date"], "date")
        return datetime.combine(day, time()), datetime.combine(day, time()) + timedelta(
            1
        )
    first = args.get("dateStart")
    last = args.get("dateEnd")
    start = datetime.combine(parse_date(first, "dateStart"), time()) if first else None
    end = (
        datetime.combine(parse_date(last, "dateEnd"), time()) + timedelta(1)
        if last
        else None
    )  # dateEnd is inclusive
    return start, end


@face.route("/appointments")
@requires("ReadAll")
def list_appointments(ctx: Ctx) -> JsonResult:
    """Filter by PatNum, AptStatus, Op, ClinicNum, dates and DateTStamp (> "after")."""
    args, store = ctx.request.args, ctx.store
    offset, limit = page(ctx)
    since, inclusive = stamp_filter(ctx, "DateTStamp", documented_inclusive=False)
    start, end = _date_window(ctx)
    checks: list[Any] = []
    if status := args.get("AptStatus"):
        if status not in _STATUS:
            raise ApiError(400, "AptStatus is invalid")
        checks.append(lambda a, s=_STATUS[status]: a.status == s)
    for param, field in (
        ("Op", "operatory_id"),
        ("ClinicNum", "clinic_id"),
        ("AppointmentTypeNum", "appointment_type_id"),
    ):
        value = int_param(ctx, param)
        if value is not None:
            checks.append(lambda a, f=field, v=value: getattr(a, f) == v)
    now = wire.dt(store.now())
    found = store.query(
        r.APPOINTMENT,
        since=since,
        inclusive=inclusive,
        patient_id=int_param(ctx, "PatNum"),
        start=start,
        end=end,
        where=(lambda a: all(c(a) for c in checks)) if checks else None,
        offset=offset,
        limit=limit,
    )
    rows = [{"serverDateTime": now, **wire.appointment(store, a)} for a in found]
    return JsonResult(rows, hints=HINTS)


@face.route("/appointments/<int:apt_num>")
@requires("ReadAll")
def get_appointment(ctx: Ctx, apt_num: int) -> JsonResult:
    found = ctx.store.get(r.APPOINTMENT, apt_num)
    if found is None:
        raise ApiError(404, "Appointment not found")
    return JsonResult(
        {
            "serverDateTime": wire.dt(ctx.store.now()),
            **wire.appointment(ctx.store, found),
        }
    )


@face.route("/appointments", methods=("POST",))
@requires("Appointments")
def create_appointment(ctx: Ctx) -> JsonResult:
    data, store = body(ctx), ctx.store
    pat_num = body_int(data, "PatNum", required=True)
    op = body_int(data, "Op", required=True)
    if not data.get("AptDateTime"):
        raise ApiError(400, "AptDateTime is required.")
    patient = store.get(r.PATIENT, pat_num)
    if patient is None or patient.status == "deleted":
        raise ApiError(404, "Patient not found")
    operatory = store.get(r.OPERATORY, op)
    if operatory is None:
        raise ApiError(404, "Operatory not found")
    status = data.get("AptStatus", "Scheduled")
    if status not in _POST_STATUSES:
        raise ApiError(400, "AptStatus is invalid.")
    fields = _fields(ctx, data)
    first = store.definitions(r.CONFIRMATION_STATUS)
    fields.setdefault("confirmation_id", first[0].id if first else 0)
    fields.setdefault("length_min", 20)  # default Pattern "/XX/" (§5.2)
    fields.setdefault(
        "provider_id",
        patient.primary_provider_id or store.prefs.get("default_provider_id", 0),
    )
    fields.setdefault("clinic_id", operatory.clinic_id or patient.clinic_id)
    appt = store.insert(
        r.APPOINTMENT,
        r.Appointment(
            patient_id=pat_num,
            operatory_id=op,
            status=_STATUS[status],
            created_at=store.now(),
            **fields,
        ),
    )
    return created(
        ctx,
        f"/appointments/{appt.id}",
        {"serverDateTime": wire.dt(store.now()), **wire.appointment(store, appt)},
    )


@face.route("/appointments/<int:apt_num>", methods=("PUT",))
@requires("Appointments")
def update_appointment(ctx: Ctx, apt_num: int) -> JsonResult:
    """Partial update (§1.8); Note replaces."""
    data, store = body(ctx), ctx.store
    _require(ctx, apt_num)
    fields = _fields(ctx, data)
    if "AptStatus" in data:
        if data["AptStatus"] not in _STATUS:
            raise ApiError(400, "AptStatus is invalid.")
        fields["status"] = _STATUS[data["AptStatus"]]
    op = body_int(data, "Op")
    if op is not None:
        if op and store.get(r.OPERATORY, op) is None:
            raise ApiError(404, "Operatory not found")
        fields["operatory_id"] = op
    updated = store.update(r.APPOINTMENT, apt_num, **fields)
    return JsonResult(
        {"serverDateTime": wire.dt(store.now()), **wire.appointment(store, updated)}
    )


@face.route("/appointments/<int:apt_num>/Confirm", methods=("PUT",))
@requires("Comm")
def confirm(ctx: Ctx, apt_num: int) -> Response:
    """Set Confirmed from exactly one of confirmVal / defNum (§5.2, §8 item 8)."""
    data, store = body(ctx), ctx.store
    _require(ctx, apt_num)
    if ("confirmVal" in data) == ("defNum" in data):
        raise ApiError(400, "Exactly one of confirmVal or defNum is required.")
    if "defNum" in data:
        def_num = body_int(data, "defNum", required=True)
        found = store.get(r.DEFINITION, def_num)
        if found is None or found.kind != r.CONFIRMATION_STATUS:
            raise ApiError(400, "defNum must be a definition in category 2.")
    else:
        pref = _CONFIRM_VALS.get(str(data["confirmVal"]))
        if pref is None:
            raise ApiError(400, "confirmVal is invalid.")
        def_num = store.prefs.get(pref, 0)
    store.update(r.APPOINTMENT, apt_num, confirmation_id=def_num)
    return Response(status=200)  # action PUTs answer 200 with no body (§8 item 7)


@face.route("/appointments/<int:apt_num>/Note", methods=("PUT",))
@requires("Comm")
def append_note(ctx: Ctx, apt_num: int) -> Response:
    """Append a line to the appointment note (§5.2)."""
    data = body(ctx)
    if not str(data.get("Note") or ""):
        raise ApiError(400, "Note is required.")
    with ctx.store.lock:
        current = _require(ctx, apt_num)
        note = (
            f"{current.note}\r\n{data['Note']}" if current.note else str(data["Note"])
        )
        ctx.store.update(r.APPOINTMENT, apt_num, note=note)
    return Response(status=200)


@face.route("/appointments/<int:apt_num>/Break", methods=("PUT",))
@requires("Comm")
def break_appointment(ctx: Ctx, apt_num: int) -> Response:
    """Break a Scheduled appointment (§5.2); to the unscheduled list if asked."""
    data = body(ctx)
    if "sendToUnscheduledList" not in data:
        raise ApiError(400, "sendToUnscheduledList is required.")
    to_list = body_bool(data, "sendToUnscheduledList")
    if data.get("breakType") not in (None, "Missed", "Cancelled"):
        raise ApiError(400, "breakType is invalid.")
    with ctx.store.lock:
        if _require(ctx, apt_num).status != "scheduled":
            raise ApiError(400, "Only Scheduled appointments can be broken.")
        # §9: what "true" writes is unconfirmed; we infer UnschedList.
        status = "unscheduled" if to_list else "broken"
        ctx.store.update(r.APPOINTMENT, apt_num, status=status)
    return Response(status=200)


@face.route("/histappointments")
@requires("ReadAll")
def list_history(ctx: Ctx) -> JsonResult:
    """Audit rows of runtime changes; deletions come from tombstones (§3.6)."""
    args, store = ctx.request.args, ctx.store
    offset, limit = page(ctx)
    action = args.get("HistApptAction")
    if action not in (None, "Created", "Changed", "Missed", "Cancelled", "Deleted"):
        raise ApiError(400, "HistApptAction is invalid")
    start, end = _date_window(ctx)  # §3.6/§9: which date, a practice setting
    by_visit = ctx.practice.settings.od_hist_dates == "appointment"
    entries: list[tuple[int, Any, str, r.Appointment]] = [
        (t.seq, t.deleted_at, "Deleted", t.record)
        for t in store.deletions(r.APPOINTMENT)
    ]
    if action != "Deleted":
        entries += [
            (c.seq, c.at, _action(c), c.record)
            for c in store.changes(kind=r.APPOINTMENT)
            if c.action != "delete"
        ]
        entries.sort(key=lambda e: e[0])
    filters = {"AptNum": "id", "PatNum": "patient_id", "ClinicNum": "clinic_id"}
    wanted = {field: int_param(ctx, param) for param, field in filters.items()}
    status = _STATUS.get(args.get("AptStatus", ""), None)
    rows = []
    for seq, at, act, appt in entries:
        dated = appt.start if by_visit else at
        if (
            (action and act != action)
            or (start and dated < start)
            or (end and dated >= end)
        ):
            continue
        if any(v is not None and getattr(appt, f) != v for f, v in wanted.items()):
            continue
        if status and appt.status != status:
            continue
        rows.append(
            {
                **wire.appointment(store, appt),
                "HistApptNum": seq,
                "HistUserNum": 0,
                "HistDateTStamp": wire.dt(at),
                "HistApptAction": act,
                "ApptSource": "None",
            }
        )
    return JsonResult(rows[offset : offset + limit], hints=HINTS)


def _action(change: r.Change) -> str:
    if change.action == "create":
        return "Created"
    if "status" in change.fields and change.record.status == "broken":
        return "Missed"
    if "status" in change.fields and change.record.status == "unscheduled":
        return "Cancelled"
    return "Changed"


def _require(ctx: Ctx, apt_num: int) -> r.Appointment:
    found = ctx.store.get(r.APPOINTMENT, apt_num)
    if found is None:
        raise ApiError(404, "Appointment not found")
    return found


def _fields(ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    store, fields = ctx.store, {}
    if data.get("AptDateTime"):
        fields["start"] = parse_datetime(str(data["AptDateTime"]), "AptDateTime")
    if "Pattern" in data:
        pattern = str(data["Pattern"])
        if not re.fullmatch(r"[X/]+", pattern):
            raise ApiError(400, "Pattern may contain only X and /.")
        fields["length_min"] = min(len(pattern), 108) * 5  # trimmed to 9 h
    if "Confirmed" in data:
        def_num = body_int(data, "Confirmed")
        found = store.get(r.DEFINITION, def_num or 0)
        if found is None or found.kind != r.CONFIRMATION_STATUS:
            raise ApiError(400, "Confirmed must be a definition in category 2.")
        fields["confirmation_id"] = def_num
    if "Note" in data:
        fields["note"] = str(data["Note"])
    for name, field in (
        ("ProvNum", "provider_id"),
        ("ProvHyg", "hygienist_id"),
        ("ClinicNum", "clinic_id"),
        ("UnschedStatus", "unsched_status_id"),
    ):
        value = body_int(data, name)
        if value is not None:
            if (
                name in ("ProvNum", "ProvHyg")
                and value
                and store.get(r.PROVIDER, value) is None
            ):
                raise ApiError(400, f"{name} is invalid.")
            fields[field] = value
    if "IsHygiene" in data:
        fields["is_hygiene"] = body_bool(data, "IsHygiene")
    if "IsNewPatient" in data:
        fields["is_new_patient"] = body_bool(data, "IsNewPatient")
    if "Priority" in data:
        if data["Priority"] not in ("Normal", "ASAP"):
            raise ApiError(400, "Priority is invalid.")
        fields["priority"] = str(data["Priority"]).lower()
    return fields
