"""Without a valid write-back provider, jobs are held until one is set."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practices.models import ReferenceItem, WriteBackSettings
from practices.models import WriteBackKind as K
from writeback.dispatch import HELD_RECHECK, tick
from writeback.models import JobStatus
from writeback.requeue import release_held

from .helpers import deliver_all, submit

pytestmark = pytest.mark.django_db

NO_PROVIDER = (
    "held: no valid write-back provider: choose an active provider in "
    "PMS Sync & Write-Back Settings"
)


def test_it_holds_a_note_when_no_provider_is_set(practice, fake):
    WriteBackSettings.objects.filter(practice=practice).update(provider=None)
    job = submit(practice, K.OUTGOING_SMS)
    assert job.display_status == NO_PROVIDER
    deliver_all(fake)
    assert fake.calls == []


def test_it_holds_when_the_provider_became_inactive(practice, fake):
    ReferenceItem.objects.filter(practice=practice, pms_id="7").update(active=False)
    job = submit(practice, K.DOCUMENT)
    assert job.display_status == NO_PROVIDER


def test_a_confirmation_needs_no_provider(practice, fake):
    WriteBackSettings.objects.filter(practice=practice).update(provider=None)
    job = submit(practice, K.APPOINTMENT_CONFIRMED)
    assert job.status == JobStatus.ACCEPTED


def test_releasing_after_a_provider_is_set_delivers_the_held_jobs(practice, fake):
    settings = WriteBackSettings.objects.get(practice=practice)
    provider = settings.provider
    settings.provider = None
    settings.save()
    jobs = [submit(practice, K.OUTGOING_SMS), submit(practice, K.NEW_PATIENT)]
    settings.provider = provider
    settings.save()
    assert release_held(practice) == 2
    deliver_all(fake)
    for job in jobs:
        job.refresh_from_db()
        assert job.status == JobStatus.VERIFIED


def test_a_released_job_still_without_provider_is_held_again(practice, fake):
    WriteBackSettings.objects.filter(practice=practice).update(provider=None)
    job = submit(practice, K.OUTGOING_SMS)
    release_held(practice)
    deliver_all(fake)
    job.refresh_from_db()
    assert job.display_status == NO_PROVIDER
    assert fake.calls == []


def test_release_touches_only_that_practices_jobs(practice, other_practice, fake):
    WriteBackSettings.objects.update(provider=None)
    submit(practice, K.OUTGOING_SMS)
    other = submit(other_practice, K.OUTGOING_SMS)
    assert release_held(practice) == 1
    other.refresh_from_db()
    assert other.status == JobStatus.HELD


def test_the_dispatcher_releases_held_jobs_once_settings_change(practice, fake):
    settings = WriteBackSettings.objects.get(practice=practice)
    provider = settings.provider
    settings.provider = None
    settings.save()
    job = submit(practice, K.OUTGOING_SMS)
    enqueued: list[int] = []
    tick(timezone.now(), enqueued.append)
    assert enqueued == []
    settings.provider = provider
    settings.save()
    tick(timezone.now(), enqueued.append)
    assert enqueued == [job.pk]


def test_the_dispatcher_rechecks_long_held_jobs(practice, fake):
    WriteBackSettings.objects.filter(practice=practice).update(provider=None)
    job = submit(practice, K.OUTGOING_SMS)
    enqueued: list[int] = []
    tick(timezone.now() + HELD_RECHECK + timedelta(seconds=1), enqueued.append)
    assert enqueued == [job.pk]
