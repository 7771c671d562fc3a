"""Open Dental /payments and /procedurelogs (opendental-api.md §5.10, §5.11)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ... import records as r
from ...face import ApiError, Ctx, JsonResult, MalformHints
from . import wire
from .app import (
    body,
    body_int,
    created,
    face,
    int_param,
    page,
    parse_date,
    requires,
    stamp_filter,
)

PAYMENT_HINTS = MalformHints(
    id_key="PayNum", date_key="PayDate", enum_key="ProcessStatus", int_key="PatNum"
)
PROCEDURE_HINTS = MalformHints(
    id_key="ProcNum", date_key="ProcDate", enum_key="ProcStatus", int_key="PatNum"
)
_PROC_STATUS = wire.reverse(wire.PROC_STATUS)


@face.route("/payments")
@requires("ReadAll")
def list_payments(ctx: Ctx) -> JsonResult:
    """PatNum, PayType and DateEntry (entered on or after a date; edits unseen)."""
    args, store = ctx.request.args, ctx.store
    offset, limit = page(ctx)
    pay_type = int_param(ctx, "PayType")
    entered = (
        parse_date(args["DateEntry"], "DateEntry") if args.get("DateEntry") else None
    )
    found = store.query(
        r.PAYMENT,
        patient_id=int_param(ctx, "PatNum"),
        start=entered,
        order="id" if entered is None else "range",
        where=None if pay_type is None else (lambda p: p.type_id == pay_type),
        offset=offset,
        limit=limit,
    )
    now = wire.dt(store.now())
    rows = [{**wire.payment(store, p), "serverDateTime": now} for p in found]
    return JsonResult(rows, hints=PAYMENT_HINTS)


@face.route("/payments", methods=("POST",))
@requires("Payments")
def create_payment(ctx: Ctx) -> JsonResult:
    """Patient payments only; splits are the office's business (§5.10)."""
    data, store = body(ctx), ctx.store
    pat_num = body_int(data, "PatNum", required=True)
    if data.get("PayAmt") in (None, ""):
        raise ApiError(400, "PayAmt is required.")
    try:
        cents = int((Decimal(str(data["PayAmt"])) * 100).to_integral_value())
    except InvalidOperation:
        raise ApiError(400, "PayAmt must be a number.") from None
    patient = store.get(r.PATIENT, pat_num)
    if patient is None or patient.status == "deleted":
        raise ApiError(404, "Patient not found")
    pay_type = body_int(data, "PayType")
    if pay_type is None:  # default: the office pref ApiPaymentType
        pay_type = store.prefs.get("payment_type_api", 0)
    elif not any(x.id == pay_type for x in store.definitions(r.PAYMENT_TYPE)):
        raise ApiError(400, "PayType must be a definition in category 10.")
    today = store.now().date()
    paid = parse_date(str(data["PayDate"]), "PayDate") if data.get("PayDate") else today
    if paid > today:
        raise ApiError(400, "PayDate cannot be in the future.")
    payment = store.insert(
        r.PAYMENT,
        r.Payment(
            patient_id=pat_num,
            amount_cents=cents,
            date=paid,
            entered=today,
            type_id=pay_type,
            check_number=str(data.get("CheckNum") or ""),
            bank_branch=str(data.get("BankBranch") or ""),
            note=str(data.get("PayNote") or ""),
            clinic_id=body_int(data, "ClinicNum") or patient.clinic_id,
            source="api",
        ),
    )
    return created(
        ctx,
        f"/payments/{payment.id}",
        {**wire.payment(store, payment), "serverDateTime": wire.dt(store.now())},
    )


@face.route("/procedurelogs")
@requires("ReadAll")
def list_procedures(ctx: Ctx) -> JsonResult:
    """PatNum, AptNum, ProcStatus and DateTStamp ("on or after": >=)."""
    args, store = ctx.request.args, ctx.store
    offset, limit = page(ctx)
    since, inclusive = stamp_filter(ctx, "DateTStamp", documented_inclusive=True)
    checks = []
    if status := args.get("ProcStatus"):
        if status not in _PROC_STATUS:
            raise ApiError(400, "ProcStatus is invalid")
        checks.append(lambda p, s=_PROC_STATUS[status]: p.status == s)
    apt_num = int_param(ctx, "AptNum")
    if apt_num is not None:
        checks.append(lambda p: p.appointment_id == apt_num)
    found = store.query(
        r.PROCEDURE,
        since=since,
        inclusive=inclusive,
        patient_id=int_param(ctx, "PatNum"),
        where=(lambda p: all(c(p) for c in checks)) if checks else None,
        offset=offset,
        limit=limit,
    )
    now = wire.dt(store.now())
    rows = [{**wire.procedure(store, p), "serverDateTime": now} for p in found]
    return JsonResult(rows, hints=PROCEDURE_HINTS)


@face.route("/procedurelogs/<int:proc_num>")
@requires("ReadAll")
def get_procedure(ctx: Ctx, proc_num: int) -> JsonResult:
    found = ctx.store.get(r.PROCEDURE, proc_num)
    if found is None:
        raise ApiError(404, "Procedure not found")
    return JsonResult(
        {**wire.procedure(ctx.store, found), "serverDateTime": wire.dt(ctx.store.now())}
    )
