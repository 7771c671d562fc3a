"""Every kind is written when enabled and only then; disabled is visible."""

import pytest

from practices.models import WriteBackKind as K
from writeback.models import JobStatus

from .helpers import push, rule, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", K.values)
def test_it_writes_and_verifies_every_enabled_kind(practice, fake, grace, kind):
    job = push(submit(practice, kind), fake)
    assert job.status == JobStatus.VERIFIED, job.status_reason
    assert job.pms_id
    assert job.attempts == 1
    assert job.history.get().outcome == "written"


@pytest.mark.parametrize("kind", [k.value for k in K.switched()])
def test_it_skips_every_disabled_kind_visibly(practice, fake, grace, kind):
    r = rule(practice, kind)
    r.enabled = False
    r.save()
    job = submit(practice, kind)
    assert job.display_status == "skipped: disabled"
    push(job, fake)
    assert fake.calls == []


def test_it_skips_a_job_whose_kind_was_disabled_after_intake(practice, fake):
    job = submit(practice, K.OUTGOING_SMS)
    r = rule(practice, K.OUTGOING_SMS)
    r.enabled = False
    r.save()
    job = push(job, fake)
    assert job.display_status == "skipped: disabled"
    assert fake.calls == []
    assert job.attempts == 0
