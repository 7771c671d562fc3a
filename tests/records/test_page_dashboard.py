"""The dashboard: appointments per day, the confirmation rate ahead, new patients."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import cast


def local_noon(practice, days: int):
    """Return noon, practice-local, `days` from today."""
    today = timezone.now().astimezone(practice.tzinfo)
    return (today + timedelta(days=days)).replace(hour=12, minute=0, second=0)


def appt(pms_id: str, start, status: str = "S0", **extra) -> dict:
    return {"pms_id": pms_id, "start_at": start, "confirmation_pms_id": status, **extra}


@pytest.fixture
def board_a(practice_a):
    cast.connect(practice_a)
    cast.confirmed_statuses(practice_a, S0="Unconfirmed", S1="Confirmed")
    noon = lambda days: local_noon(practice_a, days)  # noqa: E731
    cast.appointments(
        practice_a,
        appt("past1", noon(-3), "S1"),
        appt("past2", noon(-3)),
        appt("old", noon(-10)),
        appt("today1", noon(0), "S1"),
        appt("today2", noon(0)),
        appt("soon", noon(2), "S1"),
        appt("later", noon(6)),
        appt("far", noon(8), "S1"),
        appt("gone", noon(0), "S1", deleted_at=timezone.now()),
        # Kept off the PMS calendar (a planned visit): not counted.
        appt("planned", noon(0), "S1", on_schedule=False),
    )
    return practice_a


def board(client, practice):
    return client.get(f"/practices/{practice.pk}/dashboard/")


def test_it_counts_appointments_per_practice_local_day(client, admin_a, board_a):
    response = board(cast.login(client, admin_a), board_a)
    days = response.context["board"].days
    today = local_noon(board_a, 0).date()
    counts = {d.day: (d.total, d.confirmed) for d in days if d.total}
    assert counts == {
        today - timedelta(days=3): (2, 1),
        today: (2, 1),
        today + timedelta(days=2): (1, 1),
        today + timedelta(days=6): (1, 0),
    }
    assert days[0].day == today - timedelta(days=6)
    assert days[-1].day == today + timedelta(days=7)


def test_it_shows_the_confirmation_rate_of_the_next_7_days(client, admin_a, board_a):
    response = board(cast.login(client, admin_a), board_a)
    figures = response.context["board"]
    # today1, today2, soon, later (far is 8 days out; past ones are past).
    assert (figures.upcoming_confirmed, figures.upcoming_total) == (2, 4)
    assert figures.confirmation_rate == 50
    assert "50%" in response.content.decode()


def test_it_counts_new_patients_since_the_initial_sync_only(
    client, admin_a, practice_a
):
    cast.connect(practice_a, loaded=False)
    loaded = timezone.now() - timedelta(days=2)
    cast.finish_initial_sync(practice_a, at=loaded)
    cast.patients(
        practice_a,
        {"pms_id": "old", "first_seen_at": loaded - timedelta(hours=1)},
        {"pms_id": "new1", "first_seen_at": loaded + timedelta(hours=5)},
        {"pms_id": "new2", "first_seen_at": timezone.now()},
        {
            "pms_id": "gone",
            "first_seen_at": timezone.now(),
            "deleted_at": timezone.now(),
        },
    )
    response = board(cast.login(client, admin_a), practice_a)
    assert response.context["board"].new_patients == 2
    ended = loaded - timedelta(minutes=1)  # the initial stream's last success
    shown = timezone.localtime(ended, practice_a.tzinfo).strftime("%b %-d, %-I:%M %p")
    assert f"new patients since the first sync ended, {shown}" in (
        response.content.decode()
    )


def test_it_counts_only_30_days_of_new_patients(client, admin_a, practice_a):
    cast.connect(practice_a, loaded=False)
    cast.finish_initial_sync(practice_a, at=timezone.now() - timedelta(days=90))
    cast.patients(
        practice_a,
        {"pms_id": "month", "first_seen_at": timezone.now() - timedelta(days=29)},
        {"pms_id": "older", "first_seen_at": timezone.now() - timedelta(days=31)},
    )
    response = board(cast.login(client, admin_a), practice_a)
    assert response.context["board"].new_patients == 1
    assert "new patient in the last 30 days" in response.content.decode()


def test_it_says_when_its_data_is_from(client, admin_a, board_a):
    page = board(cast.login(client, admin_a), board_a).content.decode()
    assert 'id="data-as-of"' in page and "Data as of <strong>" in page


def test_it_reads_its_figures_in_a_fixed_number_of_queries(
    client, admin_a, board_a, django_assert_max_num_queries
):
    cast.appointments(
        board_a, *(appt(f"x{n}", local_noon(board_a, n % 14 - 6)) for n in range(80))
    )
    cast.login(client, admin_a)
    with django_assert_max_num_queries(14):
        board(client, board_a)


def test_without_a_confirmed_status_it_gives_no_rate_and_says_why(
    client, admin_a, board_a
):
    board_a.writeback_settings.confirmed_statuses.clear()
    response = board(cast.login(client, admin_a), board_a)
    page = response.content.decode()
    assert 'id="no-confirmed-mapping"' in page
    # Not "0%": nothing can count as confirmed until a status is chosen.
    rate = page.split('id="stat-confirmation"')[1].split("</div>")[0]
    assert rate.strip().endswith('<div class="value">—')


def test_with_a_confirmed_status_it_gives_no_warning(client, admin_a, board_a):
    page = board(cast.login(client, admin_a), board_a).content.decode()
    assert 'id="no-confirmed-mapping"' not in page
