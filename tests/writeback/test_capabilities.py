"""A kind the PMS cannot take is refused with the reason; no connection holds."""

import pytest

from pms import registry
from pms.base import Capability
from practices.models import PmsConnection, WriteBackSettings
from practices.models import WriteBackKind as K
from writeback.models import JobStatus

from .fakes import WRITES, FakeConnector
from .helpers import push, submit

pytestmark = pytest.mark.django_db


class NoNotes(FakeConnector):
    capabilities = WRITES - {Capability.WRITE_NOTE}


class NoFees(FakeConnector):
    capabilities = WRITES - {Capability.WRITE_FEE}


def test_it_fails_a_kind_the_pms_cannot_take_with_the_reason(practice, monkeypatch):
    monkeypatch.setitem(registry.CONNECTORS, "open_dental", NoNotes)
    job = submit(practice, K.OUTGOING_SMS)
    assert job.display_status == "failed: Open Dental cannot take notes"


def test_it_still_writes_what_the_pms_can_take(practice, monkeypatch):
    monkeypatch.setitem(registry.CONNECTORS, "open_dental", NoNotes)
    fake = NoNotes()
    job = push(submit(practice, K.APPOINTMENT_CONFIRMED), fake)
    assert job.status == JobStatus.VERIFIED


def test_a_separate_fee_needs_the_fee_capability(practice, grace, monkeypatch):
    monkeypatch.setitem(registry.CONNECTORS, "open_dental", NoFees)
    WriteBackSettings.objects.filter(practice=practice).update(
        separate_payments_and_fees=True
    )
    job = submit(practice, K.PAYMENT, fee="3.50")
    assert job.display_status == (
        "failed: Open Dental cannot take fees as separate transactions"
    )


def test_it_holds_when_no_connector_exists_for_the_pms(practice, monkeypatch):
    monkeypatch.delitem(registry.CONNECTORS, "open_dental", raising=False)
    job = submit(practice, K.OUTGOING_SMS)
    assert job.display_status == "held: no connector for Open Dental is available yet"


def test_it_holds_without_a_connection(practice, fake):
    PmsConnection.objects.filter(practice=practice).delete()
    job = submit(practice, K.OUTGOING_SMS)
    assert job.display_status == "held: the practice has no PMS connection"


def test_it_holds_while_the_connection_is_disabled(practice, fake):
    PmsConnection.objects.get(practice=practice).set_status("disabled", "paused")
    job = submit(practice, K.OUTGOING_SMS)
    assert job.display_status == "held: the PMS connection is not usable (paused)"


def test_a_new_appointment_without_an_operatory_is_refused_at_intake(practice):
    job = submit(practice, K.NEW_APPOINTMENT, operatory_pms_id="")
    assert job.display_status == (
        "failed: Open Dental cannot take new appointments without an operatory "
        "(send operatory_pms_id)"
    )
    assert job.attempts == 0  # decided when submitted, nothing sent


def test_a_pms_that_places_appointments_itself_takes_one_without(practice, monkeypatch):
    monkeypatch.setitem(registry.CONNECTORS, "open_dental", FakeConnector)
    assert Capability.WRITE_APPOINTMENT_UNPLACED in FakeConnector.capabilities
    job = submit(practice, K.NEW_APPOINTMENT, operatory_pms_id="")
    assert job.status == JobStatus.ACCEPTED
