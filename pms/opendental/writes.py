"""Open Dental write-backs (opendental-api.md §5) and finding them again by marker."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from ..base import (
    AppointmentRequest,
    ConfirmationRequest,
    DocumentRequest,
    NoteChannel,
    NoteDirection,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    PmsError,
    PmsOutcomeUnknown,
    WriteKind,
    WriteResult,
    phone_digits,
)
from .records import PHONE_FIELDS
from .wire import format_date, format_datetime, parse_date, parse_id

# §5.7: Mode_ and SentOrReceived input values.
MODES = {
    NoteChannel.PHONE: "Phone",
    NoteChannel.SMS: "Text",
    NoteChannel.EMAIL: "Email",
    NoteChannel.OTHER: "None",
}
DIRECTIONS = {
    NoteDirection.OUTGOING: "Sent",
    NoteDirection.INCOMING: "Received",
    NoteDirection.NONE: "Neither",
}
MAX_BODY_CHARS = 16_000_000  # §1.4: bodies up to about 16.8 million characters
MAX_PATTERN = 108  # §5.2: Pattern is trimmed to 9 hours of 5-minute slots


def tag(marker: str) -> str:
    """Return the text we embed in a record to find it again."""
    return f"[pbnsync:{marker}]"


def with_tag(text: str, marker: str) -> str:
    return f"{text} {tag(marker)}".strip()


class OpenDentalWrites:
    """Mixed into OpenDentalConnector; uses its `http`, `tz` and paging helpers."""

    def num(self, value: str, what: str) -> int:
        """Return our id text as the integer Open Dental wants, or fail clearly."""
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            number = 0
        if number <= 0:
            raise PmsError(f"{value!r} is not an Open Dental {what} id", permanent=True)
        return number

    def _create(self, path: str, body: dict[str, Any], id_field: str, what: str):
        """POST `body`; return the new id from the object or the location header."""
        response = self.http.request("POST", path, json_body=body, what=what)
        created = self.http.decode(response, what)
        if isinstance(created, dict) and created.get(id_field) not in (None, "", 0):
            return parse_id(created[id_field], id_field)
        # §1.8: POST answers 201 with a location header ending in the new id.
        location = response.headers.get("Location", "")
        last = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        if last.isdigit():
            return last
        return None

    def write_note(self, request: NoteRequest) -> WriteResult:
        body: dict[str, Any] = {
            "PatNum": self.num(request.patient_pms_id, "patient"),
            "Note": f"{request.text}\r\n{tag(request.marker)}",
            "CommDateTime": format_datetime(request.occurred_at, self.tz),
            "Mode_": MODES[request.channel],
            "SentOrReceived": DIRECTIONS[request.direction],
        }
        if request.note_type_pms_id:
            # §5.7: send CommType (a DefNum) or commType, never both.
            body["CommType"] = self.num(request.note_type_pms_id, "commlog type")
        # §5.7: a commlog has no provider, and UserNum cannot be set: the provider
        # cannot be attributed on Open Dental notes.
        what = f"the commlog for patient {request.patient_pms_id}"
        pms_id = self._create("commlogs", body, "CommlogNum", what)
        if pms_id is None:
            # §5.7: before v23.3.7 a commlog POST answered 201 with no body.
            pms_id = self.find_written(
                WriteKind.NOTE, request.patient_pms_id, request.marker
            )
        if pms_id is None:
            raise PmsOutcomeUnknown(
                f"Open Dental accepted {what} but did not say its id; check it "
                "before any retry"
            )
        return WriteResult(pms_id)

    def set_confirmation(self, request: ConfirmationRequest) -> WriteResult:
        apt = self.num(request.appointment_pms_id, "appointment")
        # §5.2: exactly one of confirmVal/defNum; defNum is a category-2 DefNum.
        # Setting a value is idempotent, so a lost answer may be retried.
        self.http.request(
            "PUT",
            f"appointments/{apt}/Confirm",
            json_body={"defNum": self.num(request.status_pms_id, "confirmation")},
            idempotent=True,
            what=f"the confirmation of appointment {apt}",
        )
        return WriteResult(str(apt))

    def upload_document(self, request: DocumentRequest) -> WriteResult:
        extension = PurePath(request.filename).suffix.lower()
        if not extension:
            raise PmsError(
                f"Open Dental needs a file extension to store {request.filename!r}",
                permanent=True,
            )
        encoded = base64.b64encode(request.content).decode("ascii")
        if len(encoded) > MAX_BODY_CHARS:
            raise PmsError(
                f"{request.filename!r} is too large for Open Dental's upload "
                "(about 12 MB at most)",
                permanent=True,
            )
        # §5.9: JSON with base64, not multipart; extension with its dot.
        body: dict[str, Any] = {
            "PatNum": self.num(request.patient_pms_id, "patient"),
            "rawBase64": encoded,
            "extension": extension,
            "Description": with_tag(request.description, request.marker),
            "ImgType": "Document",
        }
        if request.category_pms_id:
            # §5.9: send the integer DefNum (category 18), as every example does.
            body["DocCategory"] = self.num(request.category_pms_id, "image category")
        if request.provider_pms_id:
            body["ProvNum"] = self.num(request.provider_pms_id, "provider")
        what = f"the document upload for patient {request.patient_pms_id}"
        pms_id = self._create("documents/Upload", body, "DocNum", what)
        return self._result(pms_id, what)

    def create_patient(self, request: PatientRequest) -> WriteResult:
        # §5.1: LName and FName are required; the rest is optional.
        body: dict[str, Any] = {"LName": request.last_name, "FName": request.first_name}
        if request.birthdate:
            body["Birthdate"] = format_date(request.birthdate)
        if request.email:
            body["Email"] = request.email
        if request.phone:
            body["WirelessPhone"] = request.phone
        if request.provider_pms_id:
            body["PriProv"] = self.num(request.provider_pms_id, "provider")
        what = "the new patient"
        return self._result(self._create("patients", body, "PatNum", what), what)

    def create_appointment(self, request: AppointmentRequest) -> WriteResult:
        if not request.operatory_pms_id:
            raise PmsError(
                "Open Dental needs an operatory for a new appointment", permanent=True
            )
        slots = max(1, round(request.duration_minutes / 5))
        if slots > MAX_PATTERN:
            raise PmsError(
                "Open Dental appointments last at most 9 hours", permanent=True
            )
        body: dict[str, Any] = {
            "PatNum": self.num(request.patient_pms_id, "patient"),
            "Op": self.num(request.operatory_pms_id, "operatory"),
            "AptDateTime": format_datetime(request.start_at, self.tz),
            # §5.2: one Pattern character per 5 minutes; X is provider time.
            "Pattern": "X" * slots,
            "AptStatus": "Scheduled",
            "Note": with_tag(request.note, request.marker),
        }
        if request.provider_pms_id:
            body["ProvNum"] = self.num(request.provider_pms_id, "provider")
        what = f"the new appointment for patient {request.patient_pms_id}"
        return self._result(self._create("appointments", body, "AptNum", what), what)

    def post_payment(self, request: PaymentRequest) -> WriteResult:
        if request.is_fee:
            raise PmsError(
                "Open Dental's API offers no way to post a fee as its own "
                "transaction; fee write-back is not available for Open Dental",
                permanent=True,
            )
        # §5.10: patient payments only; Open Dental builds the splits itself, so
        # the provider cannot be chosen here.
        body: dict[str, Any] = {
            "PatNum": self.num(request.patient_pms_id, "patient"),
            "PayAmt": float(request.amount.quantize(Decimal("0.01"))),
            "PayDate": format_date(request.paid_on),
            "PayNote": with_tag(request.note, request.marker),
        }
        if request.payment_type_pms_id:
            # §5.10: a DefNum of category 10; default is the ApiPaymentType pref.
            body["PayType"] = self.num(request.payment_type_pms_id, "payment type")
        what = f"the payment for patient {request.patient_pms_id}"
        return self._result(self._create("payments", body, "PayNum", what), what)

    def _result(self, pms_id: str | None, what: str) -> WriteResult:
        if pms_id is None:
            raise PmsOutcomeUnknown(
                f"Open Dental accepted {what} but did not say its id; check it "
                "before any retry"
            )
        return WriteResult(pms_id)

    # --- finding a write again ---------------------------------------------------

    SEARCHES = {
        WriteKind.NOTE: ("commlogs", "CommlogNum", "Note"),
        WriteKind.DOCUMENT: ("documents", "DocNum", "Description"),
        WriteKind.APPOINTMENT: ("appointments", "AptNum", "Note"),
        WriteKind.PAYMENT: ("payments", "PayNum", "PayNote"),
    }

    def find_written(
        self, kind: WriteKind, patient_pms_id: str, marker: str
    ) -> str | None:
        """Search the patient's records for our marker.

        A confirmation carries no marker: setting it again is harmless, so None
        (not found) is the right answer. A new patient is found by
        `find_written_for`, from everything it was sent with.
        """
        search = self.SEARCHES.get(kind)
        if search is None or not patient_pms_id:
            return None
        path, id_field, text_field = search
        rows = self.walk_all(
            path,
            {"PatNum": self.num(patient_pms_id, "patient")},
            f"the {kind}s of patient {patient_pms_id}",
        )
        needle = tag(marker)
        for row in rows:
            if needle in str(row.get(text_field) or ""):
                found = parse_id(row.get(id_field), id_field, required=False)
                if found:
                    return found
        return None

    def find_written_for(self, kind: WriteKind, request) -> str | None:
        """Return the id of what `request` created; a patient by what we sent."""
        if kind != WriteKind.PATIENT:
            return super().find_written_for(kind, request)
        # §5.1: Simple matches names partially; compare exactly ourselves.
        params: dict[str, Any] = {
            "LName": request.last_name,
            "FName": request.first_name,
        }
        if request.birthdate:
            params["Birthdate"] = format_date(request.birthdate)
        rows = self.walk_all("patients/Simple", params, "the patient search")
        # Names alone fit many an older patient: then only one entered since the
        # request's day (less a day's slack for the office's clock) is ours. Not
        # otherwise, as an office server's wrong date would make every lost create
        # a duplicate.
        since = None
        names_only = not (request.birthdate or request.email or request.phone)
        if names_only and request.requested_at:
            requested = request.requested_at.astimezone(self.tz).date()
            since = requested - timedelta(days=1)
        found = {
            pat_num(row)
            for row in rows
            if is_sent_patient(row, request)
            and (since is None or entered_on_or_after(row, since))
        }
        # Two or more hold all we sent: adopting the wrong one would file our
        # notes in another person's chart, so none is taken and the create is
        # sent again; §5.1's duplicate check refuses that resend when names,
        # birthdate and the email or a phone all match.
        if len(found) != 1:
            return None
        return found.pop() or None


def same_text(value: Any, sent: str) -> bool:
    return str(value or "").strip().casefold() == sent.strip().casefold()


def pat_num(row: dict[str, Any]) -> str:
    """Return the row's PatNum, or "" when it cannot be read."""
    try:
        return parse_id(row.get("PatNum"), "PatNum", required=False)
    except ValueError:
        return ""


def is_sent_patient(row: dict[str, Any], request: PatientRequest) -> bool:
    """Return whether `row` holds everything `request` sent that Open Dental keeps."""
    if row.get("PatStatus") == "Deleted":
        return False
    if not (
        same_text(row.get("LName"), request.last_name)
        and same_text(row.get("FName"), request.first_name)
    ):
        return False
    if request.birthdate:
        try:
            if parse_date(row.get("Birthdate"), "Birthdate") != request.birthdate:
                return False
        except ValueError:
            return False
    if request.email and not same_text(row.get("Email"), request.email):
        return False
    wanted = phone_digits(request.phone)
    return not wanted or any(
        phone_digits(row.get(field)) == wanted for field in PHONE_FIELDS
    )


def entered_on_or_after(row: dict[str, Any], day: date) -> bool:
    """Return whether the row was entered on `day` or later (§5.1 SecDateEntry)."""
    try:
        entered = parse_date(row.get("SecDateEntry"), "SecDateEntry")
    except ValueError:
        return False
    return entered is not None and entered >= day
