"""Deletions the PMS does not track are found by a nightly id-set reconciliation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from pms.base import Capability, Entity, IdWindow, Page, Payment, PmsError
from records.models import Payment as MirroredPayment
from records.upsert import upsert_records
from syncjobs.models import RunStatus, StreamKind, SyncStream, Trigger
from syncjobs.nightly import run_nightly

from .fakes import T0, ListConnector


class ReconcilingConnector(ListConnector):
    capabilities = ListConnector.capabilities | {Capability.RECONCILE_IDS}

    def __init__(self, present: dict[str, str], skipped_in_walk: set[str]) -> None:
        super().__init__(page_size=2)
        self.present = present  # payment id -> patient id
        self.skipped_in_walk = skipped_in_walk

    def fetch_present_ids(self, window: IdWindow, cursor: str | None) -> Page[str]:
        self.calls.append((f"ids:{window.patient_pms_id}", cursor))
        if window.patient_pms_id:
            ids = [p for p, pat in self.present.items() if pat == window.patient_pms_id]
            return Page(ids, "", False)
        ids = sorted(p for p in self.present if p not in self.skipped_in_walk)
        start = int(cursor or 0)
        end = start + self.page_size
        return Page(ids[start:end], str(end), end < len(ids))


def payments(practice, *ids_and_patients: tuple[str, str]) -> None:
    past = timezone.now() - timedelta(days=2)
    upsert_records(
        practice,
        Entity.PAYMENT,
        [
            Payment(p, pat, Decimal("10"), T0.date(), modified_at=T0)
            for p, pat in ids_and_patients
        ],
        past,
    )


def nightly(practice) -> SyncStream:
    return SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.NIGHTLY
    )


def test_a_payment_gone_from_the_pms_is_hidden_and_the_rest_kept(streams_a, practice_a):
    payments(
        practice_a, ("1", "10"), ("2", "10"), ("3", "11"), ("4", "12"), ("5", "12")
    )
    connector = ReconcilingConnector(
        {"1": "10", "2": "10", "4": "12", "5": "12"}, set()
    )
    run = run_nightly(nightly(practice_a), connector=connector, trigger=Trigger.COMMAND)
    assert run.status == RunStatus.SUCCEEDED
    live = sorted(
        MirroredPayment.objects.of(practice_a).values_list("pms_id", flat=True)
    )
    assert live == ["1", "2", "4", "5"]
    assert run.deleted == 1


def test_a_row_the_walk_skipped_is_confirmed_present_and_kept(streams_a, practice_a):
    payments(practice_a, ("1", "10"), ("2", "10"), ("3", "11"))
    connector = ReconcilingConnector({"1": "10", "2": "10", "3": "11"}, {"3"})
    run_nightly(nightly(practice_a), connector=connector, trigger=Trigger.COMMAND)
    assert MirroredPayment.objects.of(practice_a).count() == 3
    assert ("ids:11", None) in connector.calls  # the per-patient confirmation


def test_a_payment_first_seen_during_the_walk_is_never_a_suspect(streams_a, practice_a):
    connector = ReconcilingConnector({}, set())
    upsert_records(
        practice_a,
        Entity.PAYMENT,
        [Payment("9", "10", Decimal("1"), T0.date(), modified_at=T0)],
        timezone.now() + timedelta(seconds=5),
    )
    run_nightly(nightly(practice_a), connector=connector, trigger=Trigger.COMMAND)
    assert MirroredPayment.objects.of(practice_a).count() == 1


class RereadingConnector(ReconcilingConnector):
    """Payments read again in full through the change feed (Open Dental's rule)."""

    reread_nightly = frozenset({Entity.PAYMENT})

    def __init__(self, present: dict[str, str]) -> None:
        super().__init__(present, set())
        self.confirm_fails = False

    def fetch_changed(self, entity, cursor):
        self.calls.append((f"changed:{entity}", cursor))
        rows = [
            Payment(p, pat, Decimal("10"), T0.date(), modified_at=T0)
            for p, pat in sorted(self.present.items())
        ]
        return Page(rows, "watermark-after-the-walk", False)

    def fetch_present_ids(self, window: IdWindow, cursor: str | None) -> Page[str]:
        if window.patient_pms_id and self.confirm_fails:
            raise PmsError("Open Dental cannot list payments", permanent=True)
        return super().fetch_present_ids(window, cursor)


def test_a_full_reread_never_leaves_its_watermark_for_the_next_run(
    streams_a, practice_a
):
    payments(practice_a, ("1", "10"), ("2", "11"))
    connector = RereadingConnector({"1": "10"})
    connector.confirm_fails = True  # the run ends after the walk, before hiding

    run_nightly(nightly(practice_a), connector=connector, trigger=Trigger.COMMAND)

    cursors = nightly(practice_a).cursors
    assert cursors.get("reconcile:payment:records") == "done"
    assert "watermark-after-the-walk" not in cursors.values()


def test_a_full_reread_hides_what_it_did_not_list(streams_a, practice_a):
    payments(practice_a, ("1", "10"), ("2", "11"))
    connector = RereadingConnector({"1": "10"})

    run = run_nightly(nightly(practice_a), connector=connector, trigger=Trigger.COMMAND)

    assert run.status == RunStatus.SUCCEEDED, run.error
    live = MirroredPayment.objects.of(practice_a).values_list("pms_id", flat=True)
    assert list(live) == ["1"]
    assert [c for c in connector.calls if c[0] == "changed:payment"] == [
        ("changed:payment", None)
    ]
    assert "reconcile:payment:records" not in nightly(practice_a).cursors
