"""Staff see streams with health, read history with filters, and retry or resync."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from pms.base import Entity, PmsError, RecordError
from practices.models import ConnectionStatus
from syncjobs.admin import HEALTH_ORDER, health_rank
from syncjobs.initial import run_initial_sync
from syncjobs.models import (
    RunStatus,
    StreamKind,
    StreamState,
    SyncAttempt,
    SyncRun,
    SyncStream,
    Trigger,
)
from tests.conftest import make_user

from .fakes import patient

ONE_MINUTE = timedelta(minutes=1)


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


def test_the_streams_list_orders_a_practice_as_the_status_page_and_names_workers(
    staff_client, streams_a
):
    SyncStream.objects.filter(pk=streams_a[StreamKind.DELETIONS].pk).update(
        lease_owner="worker:vm:41:ab", lease_expires_at=timezone.now() + ONE_MINUTE
    )
    response = staff_client.get(reverse("admin:syncjobs_syncstream_changelist"))
    rows = response.context["cl"].result_list
    assert [row.kind for row in rows] == list(StreamKind)
    running = re.findall(r'<td class="field-running">([^<]*)</td>', response.text)
    deletions = list(StreamKind).index(StreamKind.DELETIONS)
    assert running[deletions] == "worker:vm:41:ab"
    assert running[:deletions] + running[deletions + 1 :] == ["—"] * 8


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


def test_the_run_list_is_titled_as_the_help_center_names_it(staff_client, history):
    response = staff_client.get(reverse("admin:syncjobs_syncrun_changelist"))
    assert "<h1>Sync history: every run, with its attempts</h1>" in response.text
    assert re.search(r"\b1 sync run\s", response.text)  # rows keep their own name


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


def finished_run(stream: SyncStream) -> SyncRun:
    return SyncRun.objects.create(
        stream=stream,
        practice=stream.practice,
        kind=stream.kind,
        trigger=Trigger.SCHEDULE,
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error="busy (HTTP 503)",
    )


def act_on_runs(client, action: str, runs: list[SyncRun]):
    return client.post(
        reverse("admin:syncjobs_syncrun_changelist"),
        {"action": action, "_selected_action": [run.pk for run in runs]},
        follow=True,
    )


def reported(response) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in response.context["messages"]]


class TestRunHistoryActions:
    def test_the_run_history_offers_retry_and_resync(self, staff_client, history):
        response = staff_client.get(reverse("admin:syncjobs_syncrun_changelist"))
        body = response.content.decode()
        assert '<option value="retry_streams">Retry now</option>' in body
        assert '<option value="resync_streams">Resync from scratch</option>' in body

    def test_retry_makes_each_selected_runs_stream_due_once(
        self, staff_client, streams_a
    ):
        deletions = streams_a[StreamKind.DELETIONS]
        nightly = streams_a[StreamKind.NIGHTLY]
        runs = [finished_run(deletions), finished_run(deletions), finished_run(nightly)]
        before = timezone.now()

        response = act_on_runs(staff_client, "retry_streams", runs)

        assert sorted(reported(response)) == sorted(
            [
                (messages.SUCCESS, f"{deletions} will run now."),
                (messages.SUCCESS, f"{nightly} will run now."),
            ]
        )
        for stream in SyncStream.objects.filter(pk__in=[deletions.pk, nightly.pk]):
            assert (stream.state, stream.pending_trigger) == (
                StreamState.SCHEDULED,
                Trigger.RETRY,
            )
            assert stream.next_due_at <= timezone.now()
            assert stream.state_changed_at >= before
        # The history itself stays as it was.
        assert (
            list(SyncRun.objects.values_list("status", flat=True))
            == [RunStatus.FAILED] * 3
        )

    def test_resync_pulls_the_runs_stream_again_from_scratch(
        self, staff_client, history, initial_a
    ):
        assert SyncStream.objects.get(pk=initial_a.pk).state == StreamState.DONE
        response = act_on_runs(staff_client, "resync_streams", [history])
        assert reported(response) == [
            (messages.SUCCESS, f"{initial_a} will be pulled again from scratch.")
        ]
        stream = SyncStream.objects.get(pk=initial_a.pk)
        assert (stream.state, stream.pending_trigger) == (
            StreamState.SCHEDULED,
            Trigger.RESYNC,
        )

    def test_a_refused_retry_is_reported_as_a_warning(
        self, staff_client, history, initial_a
    ):
        response = act_on_runs(staff_client, "retry_streams", [history])
        assert reported(response) == [
            (
                messages.WARNING,
                f"{initial_a} is complete; use resync to pull it again.",
            )
        ]
        stream = SyncStream.objects.get(pk=initial_a.pk)
        assert (stream.state, stream.pending_trigger) == (StreamState.DONE, "")

    def test_staff_who_may_not_change_streams_get_no_run_actions(
        self, client, history, initial_a
    ):
        viewer = make_user("viewer", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_syncrun"))
        client.force_login(viewer)
        url = reverse("admin:syncjobs_syncrun_changelist")

        body = client.get(url).content.decode()
        assert "Initial full sync" in body
        assert "resync_streams" not in body
        act_on_runs(client, "resync_streams", [history])
        assert SyncStream.objects.get(pk=initial_a.pk).pending_trigger == ""


def test_the_sql_health_rank_agrees_with_the_stream_health(streams_a, connection_a):
    """The connection list ranks health in SQL; it must say what SyncStream says."""
    stream = streams_a[StreamKind.DELETIONS]
    now = timezone.now()
    hour = timedelta(hours=1)
    combinations = itertools.product(
        [True, False],  # enabled
        StreamState.values,
        [0, 3],  # consecutive failures
        [None, now],  # last success
        [None, now - hour, now - timedelta(seconds=30), now + hour],  # next due
        [None, now + hour],  # a claim held until
    )

    def ranked(**fields) -> SyncStream:
        """Give the stream `fields`; return it with its SQL rank as `rank`."""
        SyncStream.objects.filter(pk=stream.pk).update(**fields)
        return (
            SyncStream.objects.annotate(rank=health_rank(now=now))
            .select_related("practice__connection")
            .get(pk=stream.pk)
        )

    seen = set()
    for enabled, state, failures, success, due, claim in combinations:
        row = ranked(
            enabled=enabled,
            state=state,
            consecutive_failures=failures,
            last_success_at=success,
            next_due_at=due,
            lease_expires_at=claim,
        )
        assert HEALTH_ORDER[row.rank] == row.health, (enabled, state, failures, due)
        seen.add(row.health)
    assert seen == set(HEALTH_ORDER)  # every word was reached

    # A disabled connection's streams wait on purpose: not late.
    connection_a.status = ConnectionStatus.DISABLED
    connection_a.save()
    row = ranked(
        enabled=True,
        state=StreamState.SCHEDULED,
        consecutive_failures=0,
        next_due_at=now - hour,
        lease_expires_at=None,
    )
    assert HEALTH_ORDER[row.rank] == row.health == "ok"
