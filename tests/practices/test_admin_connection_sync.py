"""The connections list shows each practice's sync health at a glance, and a
connection's page leads to its practice's streams, history and failures."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from practices.admin.connection import PmsConnectionAdmin
from practices.models import (
    PmsConnection,
    Practice,
)
from syncjobs.models import (
    RecordFailure,
    StreamKind,
    StreamState,
    SyncRun,
    SyncStream,
    Trigger,
)
from syncjobs.schedule import ensure_streams
from tests.conftest import make_user

from .test_admin import changelist


class TestResyncAction:
    def test_it_pulls_each_selected_practice_again_from_scratch(
        self, staff_client, connection_a, connection_b
    ):
        for connection in (connection_a, connection_b):
            set_streams(connection.practice, initial={"state": StreamState.DONE})
        before = timezone.now()

        response = staff_client.post(
            changelist(PmsConnection),
            {"action": "resync_practices", "_selected_action": [connection_a.pk]},
            follow=True,
        )

        initial = SyncStream.objects.get(
            practice=connection_a.practice, kind=StreamKind.INITIAL
        )
        assert [(m.level, m.message) for m in response.context["messages"]] == [
            (messages.SUCCESS, f"{initial} will be pulled again from scratch.")
        ]
        assert (initial.state, initial.pending_trigger) == (
            StreamState.SCHEDULED,
            Trigger.RESYNC,
        )
        assert before <= initial.next_due_at <= timezone.now()
        pending = SyncStream.objects.exclude(pk=initial.pk).values_list(
            "pending_trigger", flat=True
        )
        assert set(pending) == {""}  # the other streams and practice untouched
        other = SyncStream.objects.get(
            practice=connection_b.practice, kind=StreamKind.INITIAL
        )
        assert other.state == StreamState.DONE

    def test_staff_who_may_not_change_streams_cannot_resync(self, client, connection_a):
        set_streams(connection_a.practice, initial={"state": StreamState.DONE})
        clerk = make_user("clerk", is_staff=True)
        clerk.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_pmsconnection", "change_pmsconnection"]
            )
        )
        client.force_login(clerk)

        assert "resync_practices" not in client.get(changelist(PmsConnection)).text
        client.post(
            changelist(PmsConnection),
            {"action": "resync_practices", "_selected_action": [connection_a.pk]},
        )
        assert not SyncStream.objects.exclude(pending_trigger="").exists()


class TestWorkLinks:
    def test_each_link_lists_only_that_practices_rows(
        self, staff_client, connection_a, practice_b
    ):
        for practice in (connection_a.practice, practice_b):
            set_streams(practice)
            stream = SyncStream.objects.get(
                practice=practice, kind=StreamKind.INCREMENTAL
            )
            run = SyncRun.objects.create(
                stream=stream, practice=practice, kind=stream.kind, trigger="schedule"
            )
            for resolved_at in (None, timezone.now()):
                RecordFailure.objects.create(
                    practice=practice,
                    run=run,
                    stream_kind=stream.kind,
                    entity="patient",
                    pms_id="7",
                    reason="no last name",
                    resolved_at=resolved_at,
                )
        url = reverse("admin:practices_pmsconnection_change", args=[connection_a.pk])
        html = staff_client.get(url).content.decode()
        links = re.findall(
            r'<a href="([^"]+)">([^<]+)</a>', html.split("field-work_links")[1]
        )
        assert [text for _, text in links] == [
            "sync streams and their health",
            "sync history",
            "open record failures",
            "write-backs",
        ]
        shown = {}
        for href, text in links:
            response = staff_client.get(unescape(href))
            assert response.status_code == 200, text  # a bad filter redirects
            rows = response.context["cl"].result_list
            shown[text] = ({row.practice_id for row in rows}, len(rows))
        a = connection_a.practice_id
        assert shown == {
            "sync streams and their health": ({a}, len(StreamKind)),
            "sync history": ({a}, 1),
            "open record failures": ({a}, 1),
            "write-backs": (set(), 0),
        }


def set_streams(practice: Practice, **by_kind: dict) -> None:
    """Give every stream of `practice` a recent success and its next run ahead,
    then apply `by_kind`.

    A timedelta among the fields is a time relative to now (parameters are made
    when the tests are collected, maybe minutes before this one runs). The next run
    is set too: the nightly stream is otherwise due from its window's start, and
    "late" while no dispatcher claims it (this failed in CI during practice B's
    nightly window).
    """
    ensure_streams(practice)
    now = timezone.now()
    SyncStream.objects.filter(practice=practice).update(
        state=StreamState.SCHEDULED,
        last_success_at=now - timedelta(minutes=5),
        next_due_at=now + timedelta(minutes=1),
        consecutive_failures=0,
    )
    for kind, fields in by_kind.items():
        at_now = {
            name: now + value if isinstance(value, timedelta) else value
            for name, value in fields.items()
        }
        SyncStream.objects.filter(practice=practice, kind=kind).update(**at_now)


def connection_row(html: str, practice: Practice) -> str:
    """Return the changelist row (<tr>) of `practice`'s connection."""
    name = str(practice)
    rows = [row for row in html.split("<tr") if f">{name}<" in row]
    assert len(rows) == 1, name
    return rows[0]


class TestSyncHealthColumns:
    def test_it_shows_the_worst_health_oldest_success_and_most_failures(
        self, staff_client, connection_a, connection_b
    ):
        now = timezone.now()
        set_streams(
            connection_a.practice,
            **{
                StreamKind.DELETIONS: {"consecutive_failures": 2},
                StreamKind.FAST_NEW_PATIENTS: {
                    "state": StreamState.STOPPED,
                    "consecutive_failures": 7,
                },
                StreamKind.INCREMENTAL: {"last_success_at": now - timedelta(hours=3)},
            },
        )
        set_streams(
            connection_b.practice,
            **{StreamKind.NIGHTLY: {"last_success_at": now - timedelta(minutes=20)}},
        )
        html = staff_client.get(changelist(PmsConnection)).content.decode()

        row_a = connection_row(html, connection_a.practice)
        streams_a = (
            reverse("admin:syncjobs_syncstream_changelist")
            + f"?practice__id__exact={connection_a.practice_id}"
        )
        assert f'<a href="{streams_a}">' in row_a
        assert ">stopped</strong></a>" in row_a
        assert '<td class="field-sync_lag">3h ago</td>' in row_a
        assert '<td class="field-sync_failures">7</td>' in row_a

        row_b = connection_row(html, connection_b.practice)
        assert ">ok</strong></a>" in row_b
        assert '<td class="field-sync_lag">20m ago</td>' in row_b
        assert '<td class="field-sync_failures">0</td>' in row_b

    @pytest.mark.parametrize(
        ("streams", "health", "lag", "failures"),
        [
            # Due ten minutes ago and nobody took it: the cluster is not running it.
            (
                {
                    StreamKind.FAST_APPOINTMENT_STATUS: {
                        "next_due_at": -timedelta(minutes=10)
                    }
                },
                "late",
                "5m ago",
                "0",
            ),
            (
                {StreamKind.FAST_APPOINTMENT_STATUS: {"consecutive_failures": 1}},
                "failing",
                "5m ago",
                "1",
            ),
            (
                {
                    StreamKind.INCREMENTAL: {
                        "last_success_at": None,
                        "next_due_at": -timedelta(minutes=1),
                    }
                },
                "new",
                "never",
                "0",
            ),
            # The initial sync ran once and availability runs on demand: an old
            # success of theirs is no lag.
            (
                {
                    kind: {"last_success_at": -timedelta(days=30)}
                    for kind in (StreamKind.INITIAL, StreamKind.AVAILABILITY)
                },
                "ok",
                "5m ago",
                "0",
            ),
            # A stream switched off in the settings does not count.
            (
                {
                    StreamKind.FAST_NEW_PATIENTS: {
                        "enabled": False,
                        "state": StreamState.STOPPED,
                        "consecutive_failures": 9,
                        "last_success_at": None,
                    }
                },
                "ok",
                "5m ago",
                "0",
            ),
            # Just onboarded: Sync Availability never asked for, the first night
            # still ahead. Nothing is wrong.
            (
                {
                    StreamKind.AVAILABILITY: {"last_success_at": None},
                    StreamKind.NIGHTLY: {
                        "last_success_at": None,
                        "next_due_at": timedelta(hours=5),
                    },
                },
                "ok",
                "5m ago",
                "0",
            ),
            # The night came and went without a nightly run: late, never succeeded.
            (
                {
                    StreamKind.NIGHTLY: {
                        "last_success_at": None,
                        "next_due_at": -timedelta(hours=1),
                    }
                },
                "late",
                "never",
                "0",
            ),
            # Onboarding: the initial sync has not finished; the others wait for it.
            (
                {
                    StreamKind.INITIAL: {"last_success_at": None},
                    **{
                        kind: {
                            "last_success_at": None,
                            "state": StreamState.WAITING,
                            "next_due_at": None,
                        }
                        for kind in StreamKind
                        if kind != StreamKind.INITIAL
                    },
                },
                "new",
                "—",
                "0",
            ),
            # Sync Availability's stream failing is worth seeing, asked for or not.
            (
                {
                    StreamKind.AVAILABILITY: {
                        "last_success_at": None,
                        "consecutive_failures": 3,
                    }
                },
                "failing",
                "5m ago",
                "3",
            ),
        ],
        ids=[
            "late",
            "failing",
            "never-succeeded",
            "run-once-streams",
            "disabled-stream",
            "just-onboarded",
            "nightly-overdue",
            "onboarding",
            "on-request-failing",
        ],
    )
    def test_it_summarises_only_what_says_something_about_health(
        self, staff_client, connection_a, streams, health, lag, failures
    ):
        set_streams(connection_a.practice, **streams)
        html = staff_client.get(changelist(PmsConnection)).content.decode()
        row = connection_row(html, connection_a.practice)
        assert f">{health}</strong></a>" in row
        assert f'<td class="field-sync_lag">{lag}</td>' in row
        assert f'<td class="field-sync_failures">{failures}</td>' in row

    def test_a_connection_without_streams_says_so(self, staff_client, connection_a):
        html = staff_client.get(changelist(PmsConnection)).content.decode()
        row = connection_row(html, connection_a.practice)
        assert '<td class="field-sync_health">no streams</td>' in row
        assert '<td class="field-sync_lag">—</td>' in row

    def test_the_link_lists_only_that_practices_streams(
        self, staff_client, connection_a, connection_b
    ):
        set_streams(connection_a.practice)
        set_streams(connection_b.practice)
        url = (
            reverse("admin:syncjobs_syncstream_changelist")
            + f"?practice__id__exact={connection_b.practice_id}"
        )
        response = staff_client.get(url)
        shown = {stream.practice_id for stream in response.context["cl"].result_list}
        assert shown == {connection_b.practice_id}

    def test_it_sorts_by_health_worst_first(
        self, staff_client, connection_a, connection_b
    ):
        set_streams(connection_a.practice)
        set_streams(
            connection_b.practice,
            **{StreamKind.DELETIONS: {"state": StreamState.STOPPED}},
        )
        column = PmsConnectionAdmin.list_display.index("sync_health") + 1
        response = staff_client.get(changelist(PmsConnection), {"o": f"-{column}"})
        names = [c.practice.name for c in response.context["cl"].result_list]
        assert names == ["Beta Smiles", "Alpha Dental"]

    def test_the_list_costs_the_same_queries_for_many_connections(
        self, staff_client, connection_a, connection_b, django_assert_max_num_queries
    ):
        set_streams(connection_a.practice)
        staff_client.get(changelist(PmsConnection))  # warm the session and caches
        with django_assert_max_num_queries(12) as one:
            staff_client.get(changelist(PmsConnection))
        set_streams(connection_b.practice)
        with django_assert_max_num_queries(len(one.captured_queries)):
            staff_client.get(changelist(PmsConnection))
