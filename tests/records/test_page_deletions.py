"""A record deleted in the PMS disappears from every page as soon as it is marked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pms.base import Deletion, Entity
from records.deletions import mark_deleted
from tests.browser import cast


@pytest.fixture
def mirror_a(practice_a):
    cast.connect(practice_a)
    now = timezone.now()
    cast.patients(
        practice_a,
        {"pms_id": "keep", "first_name": "Kept", "last_name": "Patient"},
        {"pms_id": "drop", "first_name": "Dropped", "last_name": "Person"},
    )
    cast.appointments(
        practice_a,
        {"pms_id": "a-keep", "patient_pms_id": "keep", "start_at": now},
        {"pms_id": "a-drop", "patient_pms_id": "keep", "start_at": now},
        {"pms_id": "a-of-drop", "patient_pms_id": "drop", "start_at": now},
    )
    return practice_a


def pages(client, practice) -> dict[str, str]:
    base = f"/practices/{practice.pk}"
    return {
        path: client.get(f"{base}/{path}").content.decode()
        for path in ("patients/", "schedule/", "patients/keep/", "dashboard/")
    }


def test_deleted_patients_and_appointments_vanish_from_every_page(
    client, admin_a, mirror_a
):
    cast.login(client, admin_a)
    before = pages(client, mirror_a)
    assert "Dropped" in before["patients/"] and "Dropped" in before["schedule/"]
    today = client.get(f"/practices/{mirror_a.pk}/dashboard/").context["board"]
    assert max(d.total for d in today.days) == 3

    mark_deleted(
        mirror_a,
        [Deletion(Entity.PATIENT, "drop"), Deletion(Entity.APPOINTMENT, "a-drop")],
        timezone.now() + timedelta(seconds=1),
    )

    after = pages(client, mirror_a)
    assert "Dropped" not in after["patients/"]
    assert "Dropped" not in after["schedule/"]
    assert "Kept Patient" in after["schedule/"]
    schedule = client.get(f"/practices/{mirror_a.pk}/schedule/").context
    assert [a.pms_id for a in schedule["appointments"]] == ["a-keep"]
    card = client.get(f"/practices/{mirror_a.pk}/patients/keep/").context["card"]
    assert [a.pms_id for a in card.upcoming + card.recent] == ["a-keep"]
    board = client.get(f"/practices/{mirror_a.pk}/dashboard/").context["board"]
    assert max(d.total for d in board.days) == 1
    assert client.get(f"/practices/{mirror_a.pk}/patients/drop/").status_code == 404
