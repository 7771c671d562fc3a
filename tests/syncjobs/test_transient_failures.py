"""Transient PMS failures are retried with backoff; each attempt is a history row."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from pms.base import PmsError
from records.models import Patient
from syncjobs.failures import retry_delay
from syncjobs.initial import run_initial_sync
from syncjobs.models import AttemptStatus, RunStatus, StreamState, SyncStream

from .fakes import patient


def busy(retry_after: float | None = None) -> PmsError:
    return PmsError("server busy", permanent=False, status=503, retry_after=retry_after)


def test_a_transient_error_schedules_a_retry_instead_of_sleeping(initial_a, fake):
    fake.add(patient(1))
    fake.fail_next(busy())
    before = timezone.now()
    run = run_initial_sync(initial_a, connector=fake)
    initial_a.refresh_from_db()
    assert run.status == RunStatus.RETRYING
    assert initial_a.state == StreamState.RETRYING
    assert initial_a.lease_owner == ""  # the worker is free meanwhile
    assert before + timedelta(seconds=1) <= initial_a.next_due_at
    assert initial_a.next_due_at <= timezone.now() + timedelta(seconds=2)
    attempt = run.attempt_set.get()
    assert (attempt.status, attempt.http_status) == (AttemptStatus.FAILED, 503)
    assert attempt.next_attempt_at == initial_a.next_due_at
    assert initial_a.last_error == "server busy (HTTP 503)"


def test_the_retry_continues_the_same_run_and_lands_everything(initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 6)])
    fake.fail_next(busy(), busy())
    for _ in range(3):
        run = run_initial_sync(initial_a, connector=fake)
    assert run.status == RunStatus.SUCCEEDED
    assert list(run.attempt_set.values_list("status", flat=True)) == [
        AttemptStatus.FAILED,
        AttemptStatus.FAILED,
        AttemptStatus.SUCCEEDED,
    ]
    assert Patient.objects.count() == 5


def test_it_waits_at_least_as_long_as_retry_after(initial_a, fake):
    fake.fail_next(busy(retry_after=120))
    run_initial_sync(initial_a, connector=fake)
    initial_a.refresh_from_db()
    wait = initial_a.next_due_at - timezone.now()
    assert timedelta(seconds=118) < wait <= timedelta(seconds=120)
    assert initial_a.current_run.attempt_set.get().retry_after == 120


def test_the_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(4)
    delays = [retry_delay(n, rng=rng) for n in range(1, 10)]
    for number, delay in enumerate(delays, start=1):
        ceiling = min(300.0, 2.0 * 2 ** (number - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(d, 6) for d in delays}) == len(delays)
    assert retry_delay(1, retry_after=45.0, rng=rng) == 45.0


@override_settings(SYNC_MAX_ATTEMPTS=3)
def test_it_gives_the_run_up_after_the_last_attempt_without_a_storm(initial_a, fake):
    fake.add(patient(1))
    fake.fail_next(busy(), busy(), busy())
    for _ in range(3):
        run = run_initial_sync(initial_a, connector=fake)
    stream = SyncStream.objects.get(pk=initial_a.pk)
    assert run.status == RunStatus.FAILED
    assert run.attempts == 3
    assert stream.consecutive_failures == 1
    assert stream.state == StreamState.SCHEDULED
    assert stream.current_run is None
    # the next run waits longer than a normal interval would
    assert stream.next_due_at > timezone.now() + timedelta(seconds=30)


def test_an_internal_error_is_recorded_and_retried_like_a_transient_one(
    initial_a, fake
):
    fake.fail_next(ValueError("boom"))
    run = run_initial_sync(initial_a, connector=fake)
    assert run.status == RunStatus.RETRYING
    assert run.attempt_set.get().error == "internal error: ValueError: boom"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_every_transient_status_is_retried(initial_a, fake, status):
    fake.fail_next(PmsError("no", permanent=False, status=status))
    assert run_initial_sync(initial_a, connector=fake).status == RunStatus.RETRYING
