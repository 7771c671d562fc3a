"""Open Dental /patients (opendental-api.md §5.1)."""

from __future__ import annotations

from typing import Any

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

HINTS = MalformHints(
    id_key="PatNum", date_key="DateTStamp", enum_key="PatStatus", int_key="Guarantor"
)
_PAT_STATUS = wire.reverse(wire.PAT_STATUS)
_GENDER = wire.reverse(wire.GENDER)
_POSITION = wire.reverse(wire.POSITION)
_CONTACT = wire.reverse(wire.CONTACT)
_TXT_OK = wire.reverse(wire.TXT_OK)
_TEXT_FIELDS = {
    "MiddleI": "middle_initial",
    "Preferred": "preferred_name",
    "SSN": "ssn",
    "Address": "address",
    "Address2": "address2",
    "City": "city",
    "State": "state",
    "Zip": "zip",
    "HmPhone": "home_phone",
    "WkPhone": "work_phone",
    "WirelessPhone": "mobile_phone",
    "Email": "email",
    "ChartNumber": "chart_number",
    "Language": "language",
}
_ENUM_FIELDS = {
    "Gender": ("gender", _GENDER),
    "Position": ("position", _POSITION),
    "PreferConfirmMethod": ("preferred_confirm", _CONTACT),
    "PreferContactMethod": ("preferred_contact", _CONTACT),
    "PreferRecallMethod": ("preferred_recall", _CONTACT),
    "TxtMsgOk": ("txt_ok", _TXT_OK),
}


@face.route("/patients/<int:pat_num>")
@requires("ReadAll")
def get_patient(ctx: Ctx, pat_num: int) -> JsonResult:
    found = ctx.store.get(r.PATIENT, pat_num)
    if found is None:
        raise ApiError(404, "Patient not found")
    return JsonResult(wire.patient(ctx.store, found))


@face.route("/patients/Simple")
@requires("ReadAll")
def list_simple(ctx: Ctx) -> JsonResult:
    """Return the sync list: full shape, DateTStamp filter ("since": >=), paged."""
    args, store = ctx.request.args, ctx.store
    offset, limit = page(ctx)
    since, inclusive = stamp_filter(ctx, "DateTStamp", documented_inclusive=True)
    checks = _checks(args, ctx)
    status = args.get("PatStatus")
    if status:
        if status not in _PAT_STATUS or status == "Deleted":
            raise ApiError(400, "PatStatus is invalid")
        checks.append(lambda p, s=_PAT_STATUS[status]: p.status == s)
    elif not ctx.practice.settings.od_simple_includes_deleted:
        checks.append(lambda p: p.status != "deleted")
    now = wire.dt(store.now())
    found = store.query(
        r.PATIENT,
        since=since,
        inclusive=inclusive,
        where=_all(checks),
        offset=offset,
        limit=limit,
    )
    rows = [{**wire.patient(store, p), "serverDateTime": now} for p in found]
    return JsonResult(rows, hints=HINTS)


@face.route("/patients")
@requires("ReadAll")
def list_patients(ctx: Ctx) -> JsonResult:
    """Return the Patient Select list: reduced fields, no DateTStamp (§5.1)."""
    args, store = ctx.request.args, ctx.store
    offset, limit = page(ctx)
    checks = _checks(args, ctx)
    checks.append(lambda p: p.status != "deleted")
    if args.get("hideInactive", "").lower() == "true":
        checks.append(lambda p: p.status != "inactive")
    if args.get("showArchived", "").lower() != "true":
        checks.append(lambda p: p.status != "archived")
    if args.get("guarOnly", "").lower() == "true":
        checks.append(lambda p: p.guarantor_id == p.id)
    if phone := "".join(ch for ch in args.get("Phone", "") if ch.isdigit()):
        checks.append(
            lambda p: any(
                phone in "".join(ch for ch in n if ch.isdigit())
                for n in (p.home_phone, p.work_phone, p.mobile_phone)
            )
        )
    for param, field in (
        ("Email", "email"),
        ("City", "city"),
        ("State", "state"),
        ("ChartNumber", "chart_number"),
        ("Address", "address"),
    ):
        if value := args.get(param, "").lower():
            checks.append(lambda p, f=field, v=value: v in getattr(p, f).lower())
    found = store.query(r.PATIENT, where=_all(checks), offset=offset, limit=limit)
    rows = []
    for p in found:
        full = wire.patient(store, p)
        rows.append({key: full[key] for key in wire.PATIENT_LIST_FIELDS})
    return JsonResult(rows, hints=HINTS)


@face.route("/patients", methods=("POST",))
@requires("Patients")
def create_patient(ctx: Ctx) -> JsonResult:
    data = body(ctx)
    for name in ("LName", "FName"):
        if not str(data.get(name) or "").strip():
            raise ApiError(400, f"{name} is required.")
    store = ctx.store
    fields = _fields(ctx, data, creating=True)
    with store.lock:
        if _duplicate(store, fields):
            raise ApiError(400, "A patient with the same name and birthdate exists.")
        fields.setdefault(
            "primary_provider_id", store.prefs.get("default_provider_id", 0)
        )
        new_id = store.next_id(r.PATIENT)
        fields.setdefault("guarantor_id", new_id)
        patient = store.insert(r.PATIENT, r.Patient(created_at=store.now(), **fields))
    return created(ctx, f"/patients/{patient.id}", wire.patient(store, patient))


@face.route("/patients/<int:pat_num>", methods=("PUT",))
@requires("Patients")
def update_patient(ctx: Ctx, pat_num: int) -> JsonResult:
    data, store = body(ctx), ctx.store
    current = store.get(r.PATIENT, pat_num)
    if current is None:
        raise ApiError(404, "Patient not found")
    if current.status == "deleted":
        raise ApiError(400, "Deleted patients cannot be modified.")
    for name in ("LName", "FName"):  # §5.1: "" clears strings, except the names
        if name in data and not str(data[name]).strip():
            raise ApiError(400, f"{name} cannot be blank.")
    fields = _fields(ctx, data, creating=False)
    updated = store.update(r.PATIENT, pat_num, **fields)
    return JsonResult(wire.patient(store, updated))


def _fields(ctx: Ctx, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    store, fields = ctx.store, {}
    if "LName" in data:
        fields["last_name"] = str(data["LName"]).strip()
    if "FName" in data:
        fields["first_name"] = str(data["FName"]).strip()
    for wire_name, field in _TEXT_FIELDS.items():
        if wire_name in data:
            fields[field] = str(data[wire_name])
    for wire_name, (field, names) in _ENUM_FIELDS.items():
        if wire_name in data:
            if data[wire_name] not in names:
                raise ApiError(400, f"{wire_name} is invalid.")
            fields[field] = names[data[wire_name]]
    if "PatStatus" in data:
        if data["PatStatus"] not in _PAT_STATUS or data["PatStatus"] == "Deleted":
            raise ApiError(400, "PatStatus is invalid.")
        fields["status"] = _PAT_STATUS[data["PatStatus"]]
    if data.get("Birthdate"):
        fields["birthdate"] = parse_date(str(data["Birthdate"]), "Birthdate")
    for wire_name, field, kind in (
        ("PriProv", "primary_provider_id", r.PROVIDER),
        ("SecProv", "secondary_provider_id", r.PROVIDER),
        ("Guarantor", "guarantor_id", r.PATIENT),
    ):
        value = body_int(data, wire_name)
        if value is not None:
            if value and store.get(kind, value) is None:
                raise ApiError(400, f"{wire_name} is invalid.")
            fields[field] = value
    if "BillingType" in data:  # §5.1: sent as the ItemName of a category-4 def
        match = [
            x
            for x in store.definitions(r.BILLING_TYPE)
            if x.name == data["BillingType"]
        ]
        if not match:
            raise ApiError(400, "BillingType is invalid.")
        fields["billing_type_id"] = match[0].id
    elif creating:
        first = store.definitions(r.BILLING_TYPE, include_hidden=False)
        fields["billing_type_id"] = first[0].id if first else 0
    return fields


def _duplicate(store: Any, fields: dict[str, Any]) -> bool:
    """Apply OD's check: same names and birthdate plus the same email or a phone."""
    birthdate = fields.get("birthdate")
    if birthdate is None:
        return False
    contact = {
        fields.get(k) for k in ("email", "home_phone", "work_phone", "mobile_phone")
    } - {None, ""}
    for p in store.query(
        r.PATIENT,
        where=lambda p: (
            p.birthdate == birthdate
            and p.last_name.lower() == fields["last_name"].lower()
        ),
    ):
        if p.first_name.lower() == fields["first_name"].lower() and contact & {
            p.email,
            p.home_phone,
            p.work_phone,
            p.mobile_phone,
        }:
            return True
    return False


def _checks(args: Any, ctx: Ctx) -> list[Any]:
    checks: list[Any] = []
    for param, field in (("LName", "last_name"), ("FName", "first_name")):
        if value := args.get(param, "").lower():  # partial, case-insensitive
            checks.append(lambda p, f=field, v=value: v in getattr(p, f).lower())
    if args.get("Birthdate"):
        born = parse_date(args["Birthdate"], "Birthdate")
        checks.append(lambda p: p.birthdate == born)
    for param, field in (
        ("ClinicNum", "clinic_id"),
        ("PriProv", "primary_provider_id"),
        ("Guarantor", "guarantor_id"),
        ("SuperFamily", "super_family_id"),
    ):
        value = int_param(ctx, param)
        if value is not None:
            checks.append(lambda p, f=field, v=value: getattr(p, f) == v)
    for param, field, names in (
        ("Gender", "gender", _GENDER),
        ("Position", "position", _POSITION),
    ):
        if param in args:
            if args[param] not in names:
                raise ApiError(400, f"{param} is invalid")
            checks.append(lambda p, f=field, v=names[args[param]]: getattr(p, f) == v)
    return checks


def _all(checks: list[Any]) -> Any:
    if not checks:
        return None
    return lambda record: all(check(record) for check in checks)
