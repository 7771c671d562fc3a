"""The practice page: recent write-backs with reasons, and the manual queue."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from practices.models import WriteBackKind as K
from practices.models import WriteBackRule, WriteBackSettings
from writeback.models import JobStatus, OutboxJob

from .helpers import push, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, admin_a):
    client.force_login(admin_a)
    return client


def page(practice) -> str:
    return reverse("writeback_practice", args=[practice.pk])


def test_it_lists_recent_write_backs_with_status_and_reason(alice, practice, fake):
    push(submit(practice, K.OUTGOING_SMS), fake)
    WriteBackRule.objects.filter(kind=K.TASK_NOTE).update(enabled=False)
    submit(practice, K.TASK_NOTE)
    html = alice.get(page(practice)).content.decode()
    assert "Outgoing SMS" in html and "Verified" in html and "1000" in html
    assert "Task Notes" in html and "disabled" in html


def test_it_shows_the_manual_queue_with_candidates(alice, practice, fake, grace):
    WriteBackSettings.objects.filter(practice=practice).update(auto_sync_payments=False)
    submit(practice, K.PAYMENT)
    html = alice.get(page(practice)).content.decode()
    assert "automatic payment sync is off" in html
    assert "Grace Hopper" in html


def test_a_practice_admin_can_post_a_queued_payment(alice, practice, fake, grace):
    job = submit(practice, K.PAYMENT, first_name="Gracie")
    url = reverse("writeback_manual_payment", args=[practice.pk, job.pk])
    response = alice.post(url, {"patient_pms_id": "101", "post": ""})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.patient_pms_id) == (JobStatus.ACCEPTED, "101")


def test_a_practice_admin_can_dismiss_a_queued_payment(alice, practice, fake):
    job = submit(practice, K.PAYMENT)
    url = reverse("writeback_manual_payment", args=[practice.pk, job.pk])
    alice.post(url, {"dismiss": ""})
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED


def test_another_practices_admin_sees_nothing(client, admin_b, practice, fake):
    client.force_login(admin_b)
    job = submit(practice, K.PAYMENT)
    assert client.get(page(practice)).status_code == 404
    url = reverse("writeback_manual_payment", args=[practice.pk, job.pk])
    assert client.post(url, {"dismiss": ""}).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.MANUAL


def test_it_dates_write_backs_in_the_practice_time_zone(alice, practice, fake):
    job = submit(practice, K.OUTGOING_SMS)
    at = datetime(2026, 1, 15, 17, 5, 9, tzinfo=UTC)
    OutboxJob.objects.filter(pk=job.pk).update(created_at=at)
    html = alice.get(page(practice)).content.decode()
    zone = practice.time_zone
    local = at.astimezone(ZoneInfo(zone))
    assert f"When ({zone})" in html
    assert f"<td>{local:%b} {local.day}, {local:%-I:%M:%S %p}</td>" in html


def test_it_pages_through_every_write_back_newest_first(alice, practice, fake):
    jobs = [submit(practice, K.OUTGOING_SMS, key=f"sms-{n}") for n in range(53)]

    first = alice.get(page(practice))
    second = alice.get(page(practice), {"page": 2})
    beyond = alice.get(page(practice), {"page": "not a page"})

    assert [j.pk for j in first.context["recent"]] == [j.pk for j in jobs[::-1][:50]]
    assert [j.pk for j in second.context["recent"]] == [j.pk for j in jobs[2::-1]]
    assert "Page 1 of 2 (53 write-backs)" in first.content.decode()
    assert 'href="?page=2">Older' in first.content.decode()
    assert beyond.context["recent"].number == 1  # a bad page number: the first


def test_it_shows_only_what_needs_attention_when_asked(alice, practice, fake):
    fake.faults = ["4xx"]
    failed = push(submit(practice, K.OUTGOING_SMS, key="bad"), fake)
    WriteBackSettings.objects.filter(practice=practice).update(provider=None)
    held = submit(practice, K.OUTGOING_SMS, key="held")
    submit(practice, K.APPOINTMENT_CONFIRMED, key="fine")  # needs no provider

    everything = alice.get(page(practice))
    attention = alice.get(page(practice), {"show": "attention"})

    assert held.status == JobStatus.HELD and failed.status == JobStatus.FAILED
    assert len(everything.context["recent"]) == 3
    assert {j.pk for j in attention.context["recent"]} == {failed.pk, held.pk}
    assert 'href="?show=attention">needs attention (2)</a>' in (
        everything.content.decode()
    )
