"""The engine's management commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule

from pbnsync.management.commands.setup_schedules import SCHEDULES
from syncjobs.management.commands.sync_practice import Command
from syncjobs.models import RunStatus, StreamKind, SyncRun, SyncStream


def test_setup_schedules_is_idempotent(db):
    call_command("setup_schedules", stdout=StringIO())
    first = dict(Schedule.objects.values_list("name", "next_run"))
    out = StringIO()
    call_command("setup_schedules", stdout=out)
    assert Schedule.objects.count() == len(SCHEDULES)
    assert dict(Schedule.objects.values_list("name", "next_run")) == first
    assert "Updated 'pbnsync: prune sync history'" in out.getvalue()


def test_run_dispatcher_once_claims_what_is_due(streams_by_day):
    out = StringIO()
    call_command("run_dispatcher", "--once", stdout=out)
    assert out.getvalue().strip() == "Dispatched 2 streams."
    leased = SyncStream.objects.exclude(lease_owner="").values_list("kind", flat=True)
    assert set(leased) == {StreamKind.INITIAL, StreamKind.DELETIONS}


def test_sync_practice_refuses_a_practice_without_a_usable_connection(practice_a):
    with pytest.raises(CommandError, match="not usable"):
        call_command("sync_practice", str(practice_a.pk), "--stream", "initial")


def test_sync_practice_refuses_an_unknown_practice(db):
    with pytest.raises(CommandError, match="No single practice"):
        call_command("sync_practice", "Nobody Dental")


def test_sync_practice_refuses_incremental_before_the_initial(streams_a, practice_a):
    with pytest.raises(CommandError, match="waits for the initial sync"):
        call_command("sync_practice", practice_a.name, "--stream", "incremental")


@pytest.mark.parametrize(("pages", "words"), [(1, "1 page;"), (5, "5 pages;")])
def test_sync_practice_sums_up_the_run_in_words(pages, words):
    run = SyncRun(
        kind=StreamKind.AVAILABILITY,
        status=RunStatus.SUCCEEDED,
        pages=pages,
        fetched=184,
        upserted=5,
        unchanged=137,
        failed=1,
    )
    assert Command()._summary(run) == (
        f"Provider availability (on demand): Succeeded — {words} records: 184 read, "
        "5 stored, 137 unchanged, 0 deleted, 1 failed"
    )
