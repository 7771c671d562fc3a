"""Notes, documents, forms, statuses and payments use the practice's mappings."""

import pytest

from pms.base import NoteChannel, NoteDirection, WriteKind
from practices.models import ReferenceItem, WriteBackSettings
from practices.models import WriteBackKind as K
from writeback.models import JobStatus

from .helpers import push, rule, submit

pytestmark = pytest.mark.django_db


def only(fake, kind: WriteKind):
    (written,) = fake.of_kind(kind)
    return written.request


def test_a_note_uses_the_default_note_type_and_the_provider(practice, fake):
    push(submit(practice, K.OUTGOING_CALL), fake)
    note = only(fake, WriteKind.NOTE)
    assert (note.note_type_pms_id, note.provider_pms_id) == ("239", "7")
    assert (note.direction, note.channel) == (NoteDirection.OUTGOING, NoteChannel.PHONE)
    assert note.text == "Outgoing Call: Hello"


def test_a_note_uses_its_kinds_own_note_type_over_the_default(practice, fake):
    r = rule(practice, K.INCOMING_SMS)
    r.note_type = ReferenceItem.objects.get(practice=practice, pms_id="240")
    r.save()
    push(submit(practice, K.INCOMING_SMS), fake)
    note = only(fake, WriteKind.NOTE)
    assert note.note_type_pms_id == "240"
    assert (note.direction, note.channel) == (NoteDirection.INCOMING, NoteChannel.SMS)


def test_a_note_carries_the_jobs_marker(practice, fake):
    job = push(submit(practice, K.PATIENT_NOTE), fake)
    assert only(fake, WriteKind.NOTE).marker == job.marker_text


def test_a_note_without_any_note_type_is_held_with_the_reason(practice, fake):
    WriteBackSettings.objects.filter(practice=practice).update(default_note_type=None)
    job = submit(practice, K.TASK_NOTE)
    assert job.display_status == "held: Default note type is not set"


def test_a_note_with_an_inactive_note_type_is_held(practice, fake):
    ReferenceItem.objects.filter(practice=practice, pms_id="239").update(active=False)
    job = submit(practice, K.TASK_NOTE)
    assert job.status == JobStatus.HELD
    assert "inactive" in job.status_reason


@pytest.mark.parametrize(
    "document_type, category",
    [("insurance_verification", "81"), ("account_statement", "82"), ("uploaded", "94")],
)
def test_a_document_goes_to_its_mapped_category(
    practice, fake, document_type, category
):
    push(submit(practice, K.DOCUMENT, document_type=document_type), fake)
    document = only(fake, WriteKind.DOCUMENT)
    assert document.category_pms_id == category
    assert document.content == b"%PDF-1.4 fake"
    assert document.provider_pms_id == "7"


@pytest.mark.parametrize(
    "form_type, category",
    [
        ("patient_identification", "91"),
        ("informed_consent", "92"),
        ("treatment_plan", "93"),
        ("scanned_documents", "94"),
    ],
)
def test_an_online_form_goes_to_its_mapped_folder(practice, fake, form_type, category):
    push(submit(practice, K.ONLINE_FORM, form_type=form_type), fake)
    assert only(fake, WriteKind.DOCUMENT).category_pms_id == category


def test_a_document_without_a_mapped_category_is_held(practice, fake):
    WriteBackSettings.objects.filter(practice=practice).update(
        account_statement_category=None
    )
    job = submit(practice, K.DOCUMENT, document_type="account_statement")
    assert job.display_status == "held: Account Statement document type is not set"


@pytest.mark.parametrize(
    "kind, status", [(K.APPOINTMENT_CONFIRMED, "21"), (K.APPOINTMENT_UNCONFIRMED, "19")]
)
def test_a_confirmation_writes_the_mapped_status(practice, fake, kind, status):
    fake.statuses["501"] = "0"
    job = push(submit(practice, kind), fake)
    assert fake.statuses["501"] == status
    assert job.status == JobStatus.VERIFIED


def test_a_confirmation_without_a_mapped_status_is_held(practice, fake):
    WriteBackSettings.objects.filter(practice=practice).update(confirmed_status=None)
    job = submit(practice, K.APPOINTMENT_CONFIRMED)
    assert job.status == JobStatus.HELD
    assert "Confirmed in PbN" in job.status_reason


def test_new_patients_and_appointments_are_attributed_to_the_provider(practice, fake):
    push(submit(practice, K.NEW_PATIENT), fake)
    push(submit(practice, K.NEW_APPOINTMENT), fake)
    assert only(fake, WriteKind.PATIENT).provider_pms_id == "7"
    appointment = only(fake, WriteKind.APPOINTMENT)
    assert (appointment.provider_pms_id, appointment.operatory_pms_id) == ("7", "3")
