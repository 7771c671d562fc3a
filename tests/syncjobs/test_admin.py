"""Staff see streams with health, read history with filters, and retry or resync."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pms.base import Entity, PmsError, RecordError
from syncjobs.initial import run_initial_sync
from syncjobs.models import StreamState, SyncAttempt, SyncRun, SyncStream, Trigger

from .fakes import patient


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def history(initial_a, fake):
    fake.add(patient(1), patient(2))
    fake.errors["patient"] = [(0, RecordError(Entity.PATIENT, "77", "bad birthdate"))]
    fake.fail_next(PmsError("busy", permanent=False, status=503))
    run_initial_sync(initial_a, connector=fake)
    return run_initial_sync(initial_a, connector=fake)


def test_the_streams_list_shows_health_at_a_glance(staff_client, history):
    response = staff_client.get(reverse("admin:syncjobs_syncstream_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Initial full sync" in body
    assert ">ok<" in body


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status__exact=succeeded",
        "?kind__exact=initial",
        "?trigger__exact=schedule",
    ],
)
def test_the_run_history_filters(staff_client, history, query):
    url = reverse("admin:syncjobs_syncrun_changelist") + query
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "Initial full sync" in response.content.decode()


def test_the_run_history_filters_by_date(staff_client, history):
    from django.utils import timezone

    today = timezone.now()
    query = f"?started_at__year={today.year}&started_at__month={today.month}"
    response = staff_client.get(reverse("admin:syncjobs_syncrun_changelist") + query)
    assert "Initial full sync" in response.content.decode()


def test_a_run_shows_every_attempt_read_only(staff_client, history):
    response = staff_client.get(
        reverse("admin:syncjobs_syncrun_change", args=[history.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "busy (HTTP 503)" in body
    assert SyncAttempt.objects.filter(run=history).count() == 2
    assert 'name="_save"' not in body


def test_record_failures_are_listed_with_their_reason(staff_client, history):
    response = staff_client.get(reverse("admin:syncjobs_recordfailure_changelist"))
    assert "bad birthdate" in response.content.decode()


def test_history_cannot_be_added_or_deleted(staff_client, history):
    assert staff_client.get(reverse("admin:syncjobs_syncrun_add")).status_code == 403
    url = reverse("admin:syncjobs_syncrun_delete", args=[history.pk])
    assert staff_client.get(url).status_code == 403


def test_the_resync_action_queues_a_run_from_scratch(staff_client, history, initial_a):
    response = staff_client.post(
        reverse("admin:syncjobs_syncstream_changelist"),
        {"action": "resync_selected", "_selected_action": [initial_a.pk]},
        follow=True,
    )
    assert "pulled again from scratch" in response.content.decode()
    stream = SyncStream.objects.get(pk=initial_a.pk)
    assert (stream.state, stream.pending_trigger) == (
        StreamState.SCHEDULED,
        Trigger.RESYNC,
    )


def test_the_retry_action_makes_a_stream_due_now(staff_client, streams_a):
    deletions = streams_a["deletions"]
    staff_client.post(
        reverse("admin:syncjobs_syncstream_changelist"),
        {"action": "retry_selected", "_selected_action": [deletions.pk]},
    )
    assert SyncStream.objects.get(pk=deletions.pk).pending_trigger == Trigger.RETRY


def test_the_mirror_is_browsable_read_only(staff_client, history):
    response = staff_client.get(
        reverse("admin:records_patient_changelist") + "?q=Last1"
    )
    assert response.status_code == 200
    assert "Last1" in response.content.decode()
    assert SyncRun.objects.count() == 1
