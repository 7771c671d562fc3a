"""Reference lists and id listings for reconciliation (facts §1.4, §1.6, §1.9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..base import Entity, IdWindow, Page, RecordError, ReferenceValue
from .mapping import row_id
from .query import clause, join

if TYPE_CHECKING:
    from .connector import DentrixAscendConnector

# Reference lists: providers and operatories are §1.6 resources; the others are
# assumed paths (docs/dentrix-ascend.md).
REFERENCE_LISTS = (
    ("provider", "v1/providers"),
    ("operatory", "v1/operatories"),
    ("appointment_status", "v1/appointmentstatuses"),
    ("note_type", "v1/notetypes"),
    ("document_category", "v0/documentcategories"),
    ("payment_type", "v1/paymenttypes"),
)
# IdWindow entity -> (resource, date field, patient reference), for reconciliation.
ID_LISTS = {
    Entity.PATIENT: ("v1/patients", "", ""),
    Entity.APPOINTMENT: ("v1/appointments", "created", "patient"),
    Entity.PROCEDURE: ("v1/patientprocedures", "procedureDate", "patient"),
    Entity.PAYMENT: ("v1/payments", "enteredDate", "patient"),
    Entity.NOTE: ("v1/patientnotes", "noteDate", "patient"),
    Entity.DOCUMENT: ("v0/documents", "created", "ownerPatient"),
}


def read_reference(conn: DentrixAscendConnector) -> list[ReferenceValue]:
    """Return every reference value the settings pages map to."""
    values: list[ReferenceValue] = []
    for kind, path in REFERENCE_LISTS:
        for row in conn.walk(path, {}, f"the {kind.replace('_', ' ')} list"):
            value = _reference(kind, row)
            if value is not None:
                values.append(value)
    return values


def read_present_ids(
    conn: DentrixAscendConnector, window: IdWindow, cursor: str | None
) -> Page[str]:
    """Return one page of the ids present for `window` (lists omit deleted rows)."""
    path, date_field, patient_ref = ID_LISTS[window.entity]
    clauses = []
    if window.since and date_field:
        clauses.append(clause(date_field, ">=", window.since.isoformat()))
    if window.patient_pms_id and patient_ref:
        clauses.append(clause(f"{patient_ref}.id", "==", window.patient_pms_id))
    params: dict[str, Any] = {"responseFields": "id"}  # §1.4
    if clauses:
        params["filter"] = join(*clauses)
    if cursor:
        params["lastId"] = cursor
    what = f"the {window.entity} ids"
    rows, _ = conn.get_page(path, params, what)
    ids = [i for i in map(row_id, rows) if i]
    errors = [
        RecordError(window.entity, None, "id is missing or unreadable")
        for row in rows
        if not row_id(row)
    ]
    if len(rows) < conn.page_size:
        return Page(ids, "", False, errors)
    return Page(ids, conn.last_id(rows, what), True, errors)


def _reference(kind: str, row: Any) -> ReferenceValue | None:
    """Return a reference value; rows without an id or a name are skipped."""
    if not isinstance(row, dict) or not row.get("id"):
        return None
    if kind == "provider":
        name = " ".join(
            str(row.get(k) or "") for k in ("firstName", "lastName") if row.get(k)
        )
        short = str(row.get("shortName") or "")
        label = f"{short} ({name})" if short and name else short or name
    else:
        label = str(row.get("name") or "")
    if not label:
        return None
    return ReferenceValue(kind, str(row["id"]), label, bool(row.get("active", True)))
