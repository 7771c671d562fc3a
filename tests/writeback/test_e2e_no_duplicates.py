"""1,000 activities, 20 % ambiguous timeouts: exactly one PMS record each."""

import time
from collections import Counter

import pytest

from pms.simulator import records as r
from practices.models import WriteBackKind as K
from writeback.models import JobStatus, OutboxJob

from .sim import deliver_inline
from .test_e2e_kinds import submit_to

pytestmark = pytest.mark.django_db

ACTIVITIES = 1000
TABLES = {
    K.OUTGOING_SMS: r.COMMLOG,
    K.INCOMING_CALL_SUMMARY: r.COMMLOG,
    K.NEW_PATIENT: r.PATIENT,
    K.DOCUMENT: r.DOCUMENT,
    K.PAYMENT: r.PAYMENT,
    K.NEW_APPOINTMENT: r.APPOINTMENT,
}


def test_ambiguous_timeouts_at_20_percent_make_zero_duplicates(
    wired, sim_practice, settings
):
    settings.PMS_HTTP_MAX_ATTEMPTS = 1
    kinds = list(TABLES)
    store = sim_practice.store
    before = {table: store.count(table) for table in set(TABLES.values())}
    sim_practice.set_faults(
        seed=20,
        rates={"timeout_after_write": 0.2},
        methods=["POST", "PUT"],
        hang_seconds=0.005,
    )
    started = time.monotonic()
    for n in range(ACTIVITIES):
        kind = kinds[n % len(kinds)]
        # Open Dental refuses a second patient with the same names and birthdate.
        unique = {"first_name": f"Ada{n}"} if kind == K.NEW_PATIENT else {}
        submit_to(wired, kind, f"bulk-{n}", **unique)
    deliver_inline(rounds=50)
    elapsed = time.monotonic() - started

    injected = sim_practice.practice.faults.injected["timeout_after_write"]
    assert injected >= ACTIVITIES * 0.15, injected
    statuses = Counter(OutboxJob.objects.values_list("status", flat=True))
    assert statuses == {JobStatus.VERIFIED: ACTIVITIES}, statuses
    expected = Counter(
        TABLES[k] for k in OutboxJob.objects.values_list("kind", flat=True)
    )
    for table, count in expected.items():
        assert store.count(table) - before[table] == count, table
    rows = {(TABLES[k], i) for k, i in OutboxJob.objects.values_list("kind", "pms_id")}
    assert len(rows) == ACTIVITIES
    assert OutboxJob.objects.filter(history__checked_first=True).exists()
    assert elapsed < 120, elapsed
