"""Staff read the mirror in the admin: every list opens, nothing can be edited, and
the appointment list filters by date (tests/test_long_lists.py: at what cost)."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from records.models import (
    Appointment,
    Operatory,
    Patient,
    Payment,
    Procedure,
    Provider,
    ScheduleBlock,
    ScheduleWindow,
)
from tests.browser import cast

MIRROR = [
    Patient,
    Appointment,
    Provider,
    Operatory,
    Procedure,
    Payment,
    ScheduleBlock,
    ScheduleWindow,
]


def admin_url(model, view: str = "changelist") -> str:
    return reverse(f"admin:records_{model._meta.model_name}_{view}")


@pytest.fixture
def mirror_a(practice_a):
    cast.connect(practice_a)
    now = timezone.now()
    cast.patients(practice_a, {"pms_id": "p-1", "first_name": "Ada", "last_name": "L"})
    starts = {
        "a-today": now,
        "a-yesterday": now - timedelta(days=1),
        "a-soon": now + timedelta(days=3),
        "a-later": now + timedelta(days=60),
    }
    cast.appointments(
        practice_a,
        *(
            {"pms_id": pms_id, "patient_pms_id": "p-1", "start_at": at}
            for pms_id, at in starts.items()
        ),
        {
            "pms_id": "a-gone",
            "patient_pms_id": "p-1",
            "start_at": now,
            "deleted_at": now,
        },
    )
    return practice_a


def listed(html: str) -> set[str]:
    return set(re.findall(r'class="field-pms_id"[^>]*>(?:<a [^>]*>)?([^<]+)<', html))


@pytest.mark.parametrize("model", MIRROR, ids=lambda m: m.__name__)
def test_every_mirror_list_opens_and_nothing_can_be_added(
    staff_client, mirror_a, model
):
    assert staff_client.get(admin_url(model)).status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == 403


def test_a_mirrored_record_is_shown_but_cannot_be_changed(staff_client, mirror_a):
    patient = Patient.objects.get(practice=mirror_a, pms_id="p-1")
    url = reverse("admin:records_patient_change", args=[patient.pk])

    page = staff_client.get(url).content.decode()
    refused = staff_client.post(url, {"first_name": "Changed"})

    assert "Ada" in page and 'name="_save"' not in page
    assert refused.status_code == 403
    patient.refresh_from_db()
    assert patient.first_name == "Ada"


def follow(client, page: str, label: str) -> set[str]:
    """Return the rows listed after clicking filter link `label` on `page`."""
    link = re.search(rf'<a href="(\?[^"]*)"[^>]*>{label}</a>', page)
    assert link, f"the filters offer {label}"
    return listed(
        client.get(admin_url(Appointment) + unescape(link.group(1))).content.decode()
    )


def test_the_appointment_list_filters_by_day_and_by_deletion(staff_client, mirror_a):
    page = staff_client.get(admin_url(Appointment)).content.decode()
    assert listed(page) == {"a-today", "a-yesterday", "a-soon", "a-later", "a-gone"}

    assert follow(staff_client, page, "Today") == {"a-today", "a-gone"}
    assert follow(staff_client, page, "Next 7 days") == {"a-today", "a-soon", "a-gone"}
    assert follow(staff_client, page, "Yes: hidden, purged nightly") == {"a-gone"}
    assert "a-gone" not in follow(staff_client, page, "No: shown on the pages")
