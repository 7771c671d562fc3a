"""A new Open Dental patient whose create got no answer is found again, or not."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pms.base import (
    Connector,
    Lane,
    PatientRequest,
    PmsOutcomeUnknown,
    WriteKind,
)
from pms.registry import connector_for
from pms.simulator import records as r

from .faces import FACES

pytestmark = pytest.mark.django_db

BORN = date(1984, 3, 9)


@pytest.fixture
def od(sim_practice, settings) -> Iterator[Connector]:
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    settings.PMS_HTTP_BACKOFF_CAP = 0.05
    config = FACES["open_dental"].config(sim_practice, read_timeout=2.0)
    connector = connector_for(config, Lane.WRITE_BACK)
    yield connector
    connector.close()


@pytest.fixture
def surname() -> str:
    """Return a last name no generated patient has."""
    return f"Smith{uuid.uuid4().hex[:6]}"


def jane(surname: str, **overrides: Any) -> PatientRequest:
    values: dict[str, Any] = {
        "first_name": "Jane",
        "last_name": surname,
        "birthdate": BORN,
        "provider_pms_id": "",
        "marker": f"PbN-{uuid.uuid4().hex}",
        "email": "jane.new@example.org",
        "phone": "(555) 201-3344",
    }
    return PatientRequest(**{**values, **overrides})


def older_jane(od: Connector, surname: str, **overrides: Any) -> str:
    """Create the Jane Smith who was already a patient; return her PatNum."""
    values = {"email": "jane.old@example.org", "phone": "(555) 777-0001", **overrides}
    return od.create_patient(jane(surname, **values)).pms_id


def lose_the_answer(sim_practice, od: Connector, request: PatientRequest, fault: str):
    sim_practice.set_faults(
        script=[fault], hang_seconds=0.05, methods=["POST"], paths=["patients"]
    )
    with pytest.raises(PmsOutcomeUnknown):
        od.create_patient(request)


def pat_nums(sim_practice, surname: str) -> list[str]:
    found = sim_practice.store.query(r.PATIENT, where=lambda p: p.last_name == surname)
    return sorted((str(p.id) for p in found), key=int)


def test_a_lost_create_is_found_as_the_new_patient_not_an_older_namesake(
    sim_practice, od, surname
):
    old = older_jane(od, surname)
    request = jane(surname)

    lose_the_answer(sim_practice, od, request, "timeout_after_write")

    new = [n for n in pat_nums(sim_practice, surname) if n != old]
    assert len(new) == 1  # the create did land
    assert od.find_written_for(WriteKind.PATIENT, request) == new[0]


@pytest.mark.parametrize("fault", ["timeout", "5xx"])
def test_a_create_that_never_landed_is_not_found_in_an_older_namesake(
    sim_practice, od, surname, fault
):
    old = older_jane(od, surname)
    request = jane(surname)

    lose_the_answer(sim_practice, od, request, fault)

    assert pat_nums(sim_practice, surname) == [old]  # nothing landed
    assert od.find_written_for(WriteKind.PATIENT, request) is None


@pytest.mark.parametrize(
    "contact",
    [
        {},
        {"email": "", "phone": ""},
        {"phone": ""},
        {"email": ""},
    ],
    ids=["email-and-phone", "names-and-birthdate", "email-only", "phone-only"],
)
def test_a_lost_create_is_found_again_from_what_was_sent(
    sim_practice, od, surname, contact
):
    request = jane(surname, **contact)

    lose_the_answer(sim_practice, od, request, "timeout_after_write")

    [created] = pat_nums(sim_practice, surname)
    assert od.find_written_for(WriteKind.PATIENT, request) == created


def test_the_email_and_phone_are_compared_without_case_or_punctuation(
    sim_practice, od, od_session, surname
):
    request = jane(surname)
    lose_the_answer(sim_practice, od, request, "timeout_after_write")
    [created] = pat_nums(sim_practice, surname)

    # The front desk retypes the contact details before our retry looks.
    response = od_session.put(
        f"{sim_practice.od_url}/patients/{created}",
        json={"Email": "Jane.New@Example.ORG", "WirelessPhone": "555.201.3344"},
    )
    assert response.status_code == 200, response.text

    assert od.find_written_for(WriteKind.PATIENT, request) == created


def test_a_namesake_with_the_same_birthdate_but_another_phone_is_not_ours(
    sim_practice, od, surname
):
    older_jane(od, surname, email="")
    request = jane(surname, email="")

    lose_the_answer(sim_practice, od, request, "timeout")

    assert od.find_written_for(WriteKind.PATIENT, request) is None


def test_two_patients_matching_everything_sent_are_not_guessed_between(
    sim_practice, od, surname
):
    # Without a birthdate Open Dental's duplicate check (§5.1) lets both in.
    request = jane(surname, birthdate=None, phone="")
    older_jane(od, surname, birthdate=None, phone="", email=request.email)

    lose_the_answer(sim_practice, od, request, "timeout_after_write")

    assert len(pat_nums(sim_practice, surname)) == 2
    assert od.find_written_for(WriteKind.PATIENT, request) is None


def test_a_namesake_entered_before_the_request_is_not_ours(sim_practice, od, surname):
    # Names alone were sent: only the entry date tells the old Jane from ours.
    old = older_jane(od, surname, birthdate=None, phone="", email="")
    sim_practice.store.update(
        r.PATIENT, int(old), created_at=datetime(2020, 5, 1, tzinfo=UTC)
    )
    request = jane(
        surname, birthdate=None, phone="", email="", requested_at=datetime.now(UTC)
    )

    lose_the_answer(sim_practice, od, request, "timeout")

    assert pat_nums(sim_practice, surname) == [old]
    assert od.find_written_for(WriteKind.PATIENT, request) is None


def test_a_lost_create_is_found_again_on_the_day_it_was_requested(
    sim_practice, od, surname
):
    request = jane(
        surname, birthdate=None, phone="", email="", requested_at=datetime.now(UTC)
    )

    lose_the_answer(sim_practice, od, request, "timeout_after_write")

    [created] = pat_nums(sim_practice, surname)
    assert od.find_written_for(WriteKind.PATIENT, request) == created


def test_an_office_clock_a_little_behind_at_midnight_still_finds_ours(
    sim_practice, od, surname
):
    request = jane(
        surname, birthdate=None, phone="", email="", requested_at=datetime.now(UTC)
    )
    lose_the_answer(sim_practice, od, request, "timeout_after_write")
    [created] = pat_nums(sim_practice, surname)
    # The office server still thought it was yesterday when it entered the patient.
    yesterday = sim_practice.store.now() - timedelta(days=1)
    sim_practice.store.update(r.PATIENT, int(created), created_at=yesterday)

    assert od.find_written_for(WriteKind.PATIENT, request) == created
