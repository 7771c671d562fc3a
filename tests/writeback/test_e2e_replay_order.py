"""End to end over HTTP: idempotency key replays, and confirm/unconfirm ordering."""

import pytest

from pms.simulator import records as r
from practices.models import WriteBackKind as K
from practices.models import WriteBackSettings
from writeback.intake import submit_activity
from writeback.models import JobStatus, OutboxJob
from writeback.push import push_job

from .helpers import body, issue, post
from .sim import deliver_inline, unsettled_appointment
from .test_e2e_kinds import payload_for

pytestmark = pytest.mark.django_db


def submit_with(wired, kind: str, key: str, **changes):
    return submit_activity(
        practice=wired.practice,
        kind=kind,
        payload={**payload_for(wired, kind), **changes},
        service="e2e",
        idempotency_key=key,
    )


def requests_to(sim, method: str, path_end: str) -> list[dict]:
    return [
        e
        for e in sim.requests()
        if e["method"] == method and e["path"].endswith(path_end)
    ]


# --- idempotency ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, table, path",
    [
        (K.OUTGOING_SMS, r.COMMLOG, "/commlogs"),
        (K.DOCUMENT, r.DOCUMENT, "/documents/Upload"),
        (K.NEW_PATIENT, r.PATIENT, "/patients"),
        (K.PAYMENT, r.PAYMENT, "/payments"),
    ],
)
def test_a_replayed_key_returns_the_first_job_and_the_pms_gets_one_record(
    wired, sim_practice, kind, table, path
):
    store = sim_practice.store
    before = store.count(table)
    first = submit_with(wired, kind, f"replay-{kind}")
    again = submit_with(wired, kind, f"replay-{kind}")
    assert (again.job.pk, again.created) == (first.job.pk, False)
    deliver_inline()
    late = submit_with(wired, kind, f"replay-{kind}")
    deliver_inline()
    first.job.refresh_from_db()
    assert (late.job.pk, late.created) == (first.job.pk, False)
    assert late.job.status == first.job.status == JobStatus.VERIFIED
    assert late.job.pms_id == first.job.pms_id
    assert OutboxJob.objects.filter(practice=wired.practice).count() == 1
    assert store.count(table) == before + 1
    assert len(requests_to(sim_practice, "POST", path)) == 1


def test_an_api_replay_with_other_text_writes_only_the_first(
    client, wired, sim_practice
):
    token = issue("messaging", wired.practice)
    patient = wired.patient_ids[0]
    first = post(client, token, body(wired.practice, patient_pms_id=patient))
    deliver_inline()
    again = post(
        client, token, body(wired.practice, patient_pms_id=patient, text="Other")
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == JobStatus.VERIFIED
    deliver_inline()
    notes = [
        c.note
        for c in sim_practice.store.query(r.COMMLOG, patient_id=int(patient))
        if "[pbnsync:" in c.note
    ]
    assert len(notes) == 1 and notes[0].startswith("Outgoing SMS: Hello")


# --- ordering -------------------------------------------------------------------


def test_confirm_then_unconfirm_land_in_that_order(wired, sim_practice):
    store = sim_practice.store
    settings = WriteBackSettings.objects.get(practice=wired.practice)
    confirmed = int(settings.confirmed_status.pms_id)
    unconfirmed = int(settings.unconfirmed_status.pms_id)
    apt = unsettled_appointment(wired, store)
    seq = store.max_seq
    first = submit_with(
        wired, K.APPOINTMENT_CONFIRMED, "order-1", appointment_pms_id=apt
    )
    second = submit_with(
        wired, K.APPOINTMENT_UNCONFIRMED, "order-2", appointment_pms_id=apt
    )

    # A worker handed the later job first finds nothing it may send yet.
    push_job(second.job)
    second.job.refresh_from_db()
    assert (second.job.status, second.job.attempts) == (JobStatus.ACCEPTED, 0)
    assert requests_to(sim_practice, "PUT", f"/appointments/{apt}/Confirm") == []

    deliver_inline()
    first.job.refresh_from_db()
    second.job.refresh_from_db()
    assert first.job.status == second.job.status == JobStatus.VERIFIED
    assert first.job.written_at < second.job.written_at
    assert store.get(r.APPOINTMENT, int(apt)).confirmation_id == unconfirmed
    statuses = [
        c.record.confirmation_id
        for c in store.changes(since_seq=seq, kind=r.APPOINTMENT)
        if c.id == int(apt)
    ]
    assert statuses == [confirmed, unconfirmed]
    puts = requests_to(sim_practice, "PUT", f"/appointments/{apt}/Confirm")
    assert len(puts) == 2 and puts[0]["at"] < puts[1]["at"]
    # Each PUT was read back before the next was sent.
    log = [
        (e["method"], e["path"].rsplit("/", 1)[-1])
        for e in sim_practice.requests()
        if f"/appointments/{apt}" in e["path"]
    ]
    assert log == [("PUT", "Confirm"), ("GET", apt), ("PUT", "Confirm"), ("GET", apt)]
