"""Open Dental /commlogs and /documents (opendental-api.md §5.7, §5.9)."""

from __future__ import annotations

import base64
import binascii

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
    parse_datetime,
    requires,
    stamp_filter,
)

COMMLOG_HINTS = MalformHints(
    id_key="CommlogNum", date_key="CommDateTime", enum_key="Mode_", int_key="PatNum"
)
DOCUMENT_HINTS = MalformHints(
    id_key="DocNum", date_key="DateCreated", enum_key="ImgType", int_key="DocCategory"
)
# §5.7: POST takes display names with spaces; GET renders the enum names.
_MODE_INPUT = {
    **wire.reverse(wire.COMM_MODE),
    "In Person": "in_person",
    "Email and Text": "email_and_text",
    "Phone and Text": "phone_and_text",
}
_SENT = wire.reverse(wire.SENT_OR_RECEIVED)
_IMG = wire.reverse(wire.IMG_TYPE)


@face.route("/commlogs")
@requires("ReadAll")
def list_commlogs(ctx: Ctx) -> JsonResult:
    """PatNum and DateTStamp ("modified after") filters (§5.7)."""
    store = ctx.store
    offset, limit = page(ctx)
    since, inclusive = stamp_filter(ctx, "DateTStamp", documented_inclusive=False)
    found = store.query(
        r.COMMLOG,
        since=since,
        inclusive=inclusive,
        patient_id=int_param(ctx, "PatNum"),
        offset=offset,
        limit=limit,
    )
    return JsonResult([wire.commlog(store, c) for c in found], hints=COMMLOG_HINTS)


@face.route("/commlogs/<int:commlog_num>")
@requires("ReadAll")
def get_commlog(ctx: Ctx, commlog_num: int) -> JsonResult:
    found = ctx.store.get(r.COMMLOG, commlog_num)
    if found is None:
        raise ApiError(404, "Commlog not found")
    return JsonResult(wire.commlog(ctx.store, found))


@face.route("/commlogs", methods=("POST",))
@requires("Comm")
def create_commlog(ctx: Ctx) -> JsonResult:
    """Create with the documented defaults (§8 item 10); UserNum is never set."""
    data, store = body(ctx), ctx.store
    pat_num = body_int(data, "PatNum", required=True)
    if not str(data.get("Note") or ""):
        raise ApiError(400, "Note is required.")
    patient = store.get(r.PATIENT, pat_num)
    if patient is None or patient.status == "deleted":
        raise ApiError(404, "Patient not found")
    types = store.definitions(r.NOTE_TYPE)
    if data.get("commType"):  # the newer page: commType (ItemName) wins; send one
        match = [x for x in types if x.name == data["commType"]]
        if not match:
            raise ApiError(400, "commType is invalid.")
        type_id = match[0].id
    elif data.get("CommType") not in (None, ""):
        type_id = body_int(data, "CommType") or 0
        if not any(x.id == type_id for x in types):
            raise ApiError(400, "CommType must be a definition in category 27.")
    else:
        misc = store.definition_by_code(r.NOTE_TYPE, "misc")
        type_id = misc.id if misc else 0
    mode = data.get("Mode_", "Phone")
    if mode not in _MODE_INPUT:
        raise ApiError(400, "Mode_ is invalid.")
    sent = data.get("SentOrReceived", "Sent")
    if sent not in _SENT:
        raise ApiError(400, "SentOrReceived is invalid.")
    now = store.now()
    at = (
        parse_datetime(str(data["CommDateTime"]), "CommDateTime")
        if data.get("CommDateTime")
        else now
    )
    log = store.insert(
        r.COMMLOG,
        r.Commlog(
            patient_id=pat_num,
            at=at,
            type_id=type_id,
            note=str(data["Note"]),
            mode=_MODE_INPUT[mode],
            direction=_SENT[sent],
            source="api",
            entered_at=now,
        ),
    )
    return created(ctx, f"/commlogs/{log.id}", wire.commlog(store, log))


@face.route("/documents")
@requires("ReadAll")
def list_documents(ctx: Ctx) -> JsonResult:
    """A patient's documents ordered by DateCreated; PatNum is required (§5.9)."""
    store = ctx.store
    offset, limit = page(ctx)
    pat_num = int_param(ctx, "PatNum")
    if pat_num is None:
        raise ApiError(400, "PatNum is required.")
    found = store.query(r.DOCUMENT, patient_id=pat_num, order="range")
    now = wire.dt(store.now())
    rows = [
        {**wire.document(store, x, listed=True), "serverDateTime": now}
        for x in found[offset : offset + limit]
    ]
    return JsonResult(rows, hints=DOCUMENT_HINTS)


@face.route("/documents/<int:doc_num>")
@requires("ReadAll")
def get_document(ctx: Ctx, doc_num: int) -> JsonResult:
    found = ctx.store.get(r.DOCUMENT, doc_num)
    if found is None:
        raise ApiError(404, "Document not found")
    return JsonResult(wire.document(ctx.store, found, listed=False))


@face.route("/documents/Upload", methods=("POST",))
@requires("Documents")
def upload_document(ctx: Ctx) -> JsonResult:
    """JSON with base64 content, not multipart (§5.9 upload 1)."""
    data, store = body(ctx), ctx.store
    pat_num = body_int(data, "PatNum", required=True)
    for name in ("rawBase64", "extension"):
        if not data.get(name):
            raise ApiError(400, f"{name} is required.")
    extension = str(data["extension"])
    if not extension.startswith("."):
        raise ApiError(400, "extension must include the period, e.g. .pdf")
    try:
        content = base64.b64decode(str(data["rawBase64"]), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "rawBase64 is not valid base64.") from None
    patient = store.get(r.PATIENT, pat_num)
    if patient is None or patient.status == "deleted":
        raise ApiError(404, "Patient not found")
    categories = store.definitions(r.DOCUMENT_CATEGORY)
    category = body_int(data, "DocCategory")  # §5.9: send the integer DefNum
    if category is None:
        category = categories[0].id if categories else 0
    elif not any(x.id == category for x in categories):
        raise ApiError(400, "DocCategory must be a definition in category 18.")
    img = data.get("ImgType", "Document")
    if img not in _IMG:
        raise ApiError(400, "ImgType is invalid.")
    now = store.now()
    made = (
        parse_datetime(str(data["DateCreated"]), "DateCreated")
        if data.get("DateCreated")
        else now
    )
    with store.lock:
        doc_id = store.next_id(r.DOCUMENT)
        doc = store.insert(
            r.DOCUMENT,
            r.Document(
                patient_id=pat_num,
                created_at=made,
                category_id=category,
                description=str(data.get("Description") or ""),
                file_name=f"{patient.last_name}{patient.first_name}{doc_id}{extension}",
                extension=extension,
                img_type=_IMG[img],
                content=content,
                tooth_numbers=str(data.get("ToothNumbers") or ""),
                provider_id=body_int(data, "ProvNum") or 0,
            ),
        )
    return created(ctx, f"/documents/{doc.id}", wire.document(store, doc, listed=False))
