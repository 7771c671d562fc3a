"""Today's schedule: the practice-local day, with Confirmed/Unconfirmed from the
practice's confirmed-status mapping, and nothing deleted."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from records.queries import day_schedule
from tests.browser import cast

# Practice A is in America/Denver: Jun 2, 2026 runs 06:00 UTC Jun 2 → 06:00 UTC Jun 3.
DAY = datetime(2026, 6, 2, tzinfo=UTC).date()


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def appt(pms_id: str, patient: str, start: datetime, **extra) -> dict:
    return {"pms_id": pms_id, "patient_pms_id": patient, "start_at": start, **extra}


@pytest.fixture
def schedule_a(practice_a):
    cast.connect(practice_a)
    cast.confirmed_statuses(
        practice_a, S0="Unconfirmed", S1="Confirmed", S2="Confirmed by Text"
    )
    cast.patients(
        practice_a,
        {"pms_id": "p1", "first_name": "Ada", "last_name": "Molar"},
        {"pms_id": "p2", "first_name": "Bram", "last_name": "Canine"},
        {
            "pms_id": "p3",
            "first_name": "Gone",
            "last_name": "Away",
            "deleted_at": at(1),
        },
    )
    cast.providers(
        practice_a, {"pms_id": "D1", "first_name": "Dr.", "last_name": "Root"}
    )
    cast.appointments(
        practice_a,
        appt("a1", "p1", at(15), provider_pms_id="D1", confirmation_pms_id="S1"),
        appt("a2", "p2", at(16, 30), confirmation_pms_id="S0"),
        appt("a3", "p2", at(5, 0, day=3), confirmation_pms_id="S2"),
        appt("late", "p1", at(6, 0, day=3)),
        appt("early", "p1", at(5, 59)),
        appt("del", "p1", at(17), deleted_at=at(1)),
        appt("orphan", "p3", at(18)),
    )
    return practice_a


def test_it_shows_the_practice_local_day_in_time_order(client, admin_a, schedule_a):
    response = cast.login(client, admin_a).get(
        f"/practices/{schedule_a.pk}/schedule/", {"day": DAY.isoformat()}
    )
    rows = response.context["appointments"]
    assert [a.pms_id for a in rows] == ["a1", "a2", "a3"]
    assert [a.patient_name for a in rows] == ["Ada Molar", "Bram Canine", "Bram Canine"]
    assert rows[0].provider_name == "Dr. Root"
    page = response.content.decode()
    # The rows' own times (the page's header carries the current time too).
    times = re.findall(r'<tr class="appointment-row">\s*<td>([^<]+)</td>', page)
    assert times == ["9:00 AM", "10:30 AM", "11:00 PM"]


def test_it_labels_confirmation_from_the_practice_mapping(client, admin_a, schedule_a):
    rows = day_schedule(schedule_a, DAY)
    assert [a.is_confirmed for a in rows] == [True, False, True]
    assert rows[2].confirmation_label == "Confirmed by Text"
    page = (
        cast.login(client, admin_a)
        .get(f"/practices/{schedule_a.pk}/schedule/", {"day": DAY.isoformat()})
        .content.decode()
    )
    assert page.count('class="label confirmed"') == 2
    assert page.count('class="label unconfirmed"') == 1
    assert 'id="no-confirmed-mapping"' not in page


def test_without_a_mapping_it_says_why_all_are_unconfirmed(client, admin_a, schedule_a):
    schedule_a.writeback_settings.confirmed_statuses.clear()
    page = (
        cast.login(client, admin_a)
        .get(f"/practices/{schedule_a.pk}/schedule/", {"day": DAY.isoformat()})
        .content.decode()
    )
    assert page.count('class="label unconfirmed"') == 3
    assert 'id="no-confirmed-mapping"' in page


def test_it_hides_deleted_appointments_and_those_of_deleted_patients(schedule_a):
    ids = [a.pms_id for a in day_schedule(schedule_a, DAY)]
    assert "del" not in ids and "orphan" not in ids


def test_it_opens_on_today_in_the_practice_time_zone(client, admin_a, practice_a):
    cast.connect(practice_a)
    now = timezone.now()
    cast.appointments(
        practice_a,
        {"pms_id": "now", "start_at": now},
        {"pms_id": "tomorrow", "start_at": now + timedelta(days=1)},
    )
    response = cast.login(client, admin_a).get(f"/practices/{practice_a.pk}/schedule/")
    assert response.context["day"] == now.astimezone(practice_a.tzinfo).date()
    assert [a.pms_id for a in response.context["appointments"]] == ["now"]
    assert "Today, " in response.content.decode()


def test_it_reads_the_day_in_a_fixed_number_of_queries(
    client, admin_a, schedule_a, django_assert_max_num_queries
):
    cast.appointments(
        schedule_a,
        *(
            {"pms_id": f"m{n}", "patient_pms_id": "p1", "start_at": at(20)}
            for n in range(50)
        ),
    )
    cast.login(client, admin_a)
    with django_assert_max_num_queries(14):
        response = client.get(
            f"/practices/{schedule_a.pk}/schedule/", {"day": DAY.isoformat()}
        )
    assert len(response.context["appointments"]) == 53


def test_it_leaves_out_what_the_pms_keeps_off_its_calendar(client, admin_a, schedule_a):
    cast.appointments(
        schedule_a,
        appt("planned", "p1", at(15, 30), on_schedule=False, status="Planned"),
        appt("sticky", "p2", at(16), on_schedule=False, status="PtNote"),
    )
    response = cast.login(client, admin_a).get(
        f"/practices/{schedule_a.pk}/schedule/", {"day": DAY.isoformat()}
    )
    assert [a.pms_id for a in response.context["appointments"]] == ["a1", "a2", "a3"]
    assert "PtNote" not in response.content.decode()
