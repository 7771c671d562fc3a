"""Read routes: the resources of other-pms-facts §1.6 plus assumed reference lists."""

from __future__ import annotations

from functools import partial

from werkzeug.wrappers import Response

from ... import records as r
from ...face import Ctx, JsonResult, MalformHints
from . import shapes, wire
from .app import face
from .listing import Resource, get_one, list_page

API = wire.API


def _definitions(kind: str, type_: str) -> Resource:
    return Resource(
        r.DEFINITION,
        partial(_render_definition, type_=type_),
        visible=lambda d: d.kind == kind,
    )


def _render_definition(ctx: Ctx, d: r.Definition, *, type_: str) -> dict:
    return shapes.definition(ctx, d, type_)


# Path (under /ascend-gateway/api) -> resource. v1/v0 as public code uses them
# (§1.1, §1.6); payments, note types, document categories and payment types are
# assumed paths (§1.6 says payment paths are unknown).
RESOURCES: dict[str, Resource] = {
    "v1/patients": Resource(
        r.PATIENT,
        shapes.patient,
        visible=lambda p: p.status != "deleted",
        hints=MalformHints(id_key="id", date_key="dateOfBirth", int_key="id"),
    ),
    "v1/appointments": Resource(
        r.APPOINTMENT,
        shapes.appointment,
        visible=lambda a: a.status not in ("pt_note", "pt_note_completed"),
        hints=MalformHints(id_key="id", date_key="start", int_key="duration"),
    ),
    "v1/providers": Resource(r.PROVIDER, shapes.provider),
    "v1/operatories": Resource(r.OPERATORY, shapes.operatory),
    "v1/patientnotes": Resource(r.COMMLOG, shapes.note),
    "v0/documents": Resource(r.DOCUMENT, shapes.document, patient_ref="ownerPatient"),
    "v1/patientprocedures": Resource(
        r.PROCEDURE, shapes.procedure, visible=lambda p: p.status != "deleted"
    ),
    "v1/payments": Resource(
        r.PAYMENT,
        shapes.payment,
        hints=MalformHints(id_key="id", date_key="paymentDate", int_key="amount"),
    ),
    "v1/notetypes": _definitions(r.NOTE_TYPE, "NoteTypeV1"),
    "v0/documentcategories": _definitions(r.DOCUMENT_CATEGORY, "DocumentCategory"),
    "v1/paymenttypes": _definitions(r.PAYMENT_TYPE, "PaymentTypeV1"),
}


def _register(path: str, res: Resource) -> None:
    def listing(ctx: Ctx) -> JsonResult:
        return list_page(ctx, res)

    def one(ctx: Ctx, record_id: str) -> JsonResult:
        return get_one(ctx, res, record_id)

    face.route(f"{API}/{path}")(listing)
    face.route(f"{API}/{path}/<record_id>")(one)


for _path, _res in RESOURCES.items():
    _register(_path, _res)


@face.route(f"{API}/v1/appointmentstatuses")
def appointment_statuses(ctx: Ctx) -> JsonResult:
    """List the `status` words (assumed resource; the enum is open, §1.5)."""
    rows = [
        {"id": wire.status_id(d), "name": d.name, "active": not d.is_hidden}
        for d in ctx.store.definitions(r.CONFIRMATION_STATUS)
    ]
    rows += [
        {"id": word, "name": word.replace("_", " ").title(), "active": True}
        for status, word in wire.LIFECYCLE.items()
        if status in ("broken", "complete")
    ]
    return JsonResult({"statusCode": 200, "data": rows})


@face.route(f"{API}/v1/locations")
def locations(ctx: Ctx) -> JsonResult:
    """List the one location a practice is (§1.10: each location connects alone)."""
    return JsonResult({"statusCode": 200, "data": [_location(ctx)]})


@face.route(f"{API}/v1/locations/<record_id>")
def location(ctx: Ctx, record_id: str) -> JsonResult:
    if wire.store_id(record_id) != 1:
        return JsonResult({"statusCode": 404, "message": "No such location"}, 404)
    return JsonResult({"statusCode": 200, "data": _location(ctx)})


def _location(ctx: Ctx) -> dict:
    return {
        "id": wire.wire_id(1),
        "type": "LocationV1",
        "name": ctx.practice.name,
        "timeZone": str(ctx.store.clock.tz),
        "active": True,
    }


@face.route(f"{API}/v0/documents/<record_id>/content")
def document_content(ctx: Ctx, record_id: str) -> Response:
    """Return a document's bytes (assumed: the facts show no download path)."""
    get_one(ctx, RESOURCES["v0/documents"], record_id)  # 404s like the record
    doc = ctx.store.get(r.DOCUMENT, wire.store_id(record_id))
    return Response(doc.content, mimetype=shapes.document(ctx, doc)["mimeType"])
