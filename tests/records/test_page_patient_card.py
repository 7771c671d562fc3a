"""The patient card: the live patient, their appointments, refreshed when opened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from records.models import Patient
from records.views.patient_card import PATIENT_CARD_MAX_AGE
from syncjobs import ondemand
from syncjobs.ondemand import Request
from tests.browser import cast


@pytest.fixture
def card_a(practice_a):
    cast.connect(practice_a)
    now = timezone.now()
    cast.patients(
        practice_a,
        {
            "pms_id": "p1",
            "first_name": "Ada",
            "last_name": "Molar",
            "phone": "555-0101",
        },
        {"pms_id": "gone", "first_name": "Del", "last_name": "Eted", "deleted_at": now},
    )
    cast.appointments(
        practice_a,
        {"pms_id": "next", "patient_pms_id": "p1", "start_at": now + timedelta(days=2)},
        {"pms_id": "last", "patient_pms_id": "p1", "start_at": now - timedelta(days=9)},
        {
            "pms_id": "del",
            "patient_pms_id": "p1",
            "start_at": now + timedelta(days=3),
            "deleted_at": now,
        },
    )
    return practice_a


def card_url(practice, pms_id: str = "p1") -> str:
    return f"/practices/{practice.pk}/patients/{pms_id}/"


class FakeRefresh:
    """Stands in for syncjobs' single-patient refresh, recording its calls."""

    def __init__(self, result: Request) -> None:
        self.result = result
        self.calls: list[tuple] = []

    def __call__(self, practice, pms_id: str, **options) -> Request:
        self.calls.append((practice.pk, pms_id, options))
        return self.result


def test_it_shows_the_patient_and_their_live_appointments(client, admin_a, card_a):
    response = cast.login(client, admin_a).get(card_url(card_a))
    card = response.context["card"]
    assert card.patient.pms_id == "p1"
    assert [a.pms_id for a in card.upcoming] == ["next"]
    assert [a.pms_id for a in card.recent] == ["last"]
    page = response.content.decode()
    assert "555-0101" in page and 'id="refreshed-at"' in page


@pytest.mark.parametrize("pms_id", ["gone", "nobody"])
def test_it_is_404_for_deleted_or_unknown_patients(client, admin_a, card_a, pms_id):
    assert cast.login(client, admin_a).get(card_url(card_a, pms_id)).status_code == 404


def test_it_is_404_for_a_patient_of_another_practice(
    client, admin_a, card_a, practice_b
):
    cast.patients(practice_b, {"pms_id": "b1", "first_name": "Beta"})
    assert cast.login(client, admin_a).get(card_url(card_a, "b1")).status_code == 404


def test_opening_it_asks_syncjobs_to_refresh_a_stale_patient(
    client, admin_a, card_a, monkeypatch
):
    refresh = FakeRefresh(Request(True, ""))
    monkeypatch.setattr(ondemand, "refresh_patient", refresh, raising=True)
    response = cast.login(client, admin_a).get(card_url(card_a))
    assert refresh.calls == [(card_a.pk, "p1", {"older_than": PATIENT_CARD_MAX_AGE})]
    assert 'id="sync-patient"' in response.content.decode()
    assert list(response.context["messages"]) == []


def test_it_still_shows_the_card_when_the_pms_cannot_be_reached(
    client, admin_a, card_a, monkeypatch
):
    message = "Could not reach the PMS; showing the last synced data."
    refresh = FakeRefresh(Request(False, message))
    monkeypatch.setattr(ondemand, "refresh_patient", refresh, raising=True)
    response = cast.login(client, admin_a).get(card_url(card_a))
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]


def test_sync_patient_refreshes_now_and_says_so(client, admin_a, card_a, monkeypatch):
    refresh = FakeRefresh(Request(True, "Patient synced from the PMS."))
    monkeypatch.setattr(ondemand, "refresh_patient", refresh, raising=True)
    response = cast.login(client, admin_a).post(f"{card_url(card_a)}sync/", follow=True)
    assert refresh.calls[0] == (card_a.pk, "p1", {})
    assert "Patient synced from the PMS." in response.content.decode()


def test_it_says_when_the_patient_last_matched_the_pms(client, admin_a, card_a):
    checked = timezone.now() + timedelta(minutes=1)
    Patient.objects.filter(pms_id="p1").update(checked_at=checked)
    response = cast.login(client, admin_a).get(card_url(card_a))
    assert response.context["card"].refreshed_at == checked
    local = checked.astimezone(card_a.tzinfo)
    assert f"{local:%b} {local.day}, {local.year}" in response.content.decode()


def test_a_patient_the_pms_no_longer_has_disappears_on_open(
    client, admin_a, card_a, monkeypatch
):
    def gone(practice, pms_id, **options):
        Patient.objects.filter(pms_id=pms_id).update(deleted_at=timezone.now())
        return Request(False, "The PMS no longer has this patient.")

    monkeypatch.setattr(ondemand, "refresh_patient", gone)
    assert cast.login(client, admin_a).get(card_url(card_a)).status_code == 404


def test_it_says_why_every_appointment_is_unconfirmed_until_a_status_is_chosen(
    client, admin_a, card_a
):
    cast.login(client, admin_a)
    page = client.get(card_url(card_a)).content.decode()
    assert 'id="no-confirmed-mapping"' in page

    cast.confirmed_statuses(card_a, S1="Confirmed")
    page = client.get(card_url(card_a)).content.decode()
    assert 'id="no-confirmed-mapping"' not in page
