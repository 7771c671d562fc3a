"""Patients the nightly walk did not list are confirmed one by one, a night's
share at a time, and one that cannot be read stops nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from pms.base import Capability, Entity, IdWindow, Page, Patient, PmsError
from records.models import Patient as MirroredPatient
from records.upsert import upsert_records
from syncjobs import reconcile
from syncjobs.models import RecordFailure, RunStatus, StreamKind, SyncStream, Trigger
from syncjobs.nightly import run_nightly

from .fakes import T0, ListConnector


class PatientWalk(ListConnector):
    capabilities = ListConnector.capabilities | {Capability.RECONCILE_IDS}
    untracked_deletions = frozenset({Entity.PATIENT})

    def __init__(self, listed: set[str], answers: dict[str, object]) -> None:
        super().__init__()
        self.listed = listed
        self.answers = answers  # pms id -> Patient or PmsError
        self.read: list[str] = []

    def fetch_present_ids(self, window: IdWindow, cursor: str | None) -> Page[str]:
        return Page(sorted(self.listed), "", False)

    def fetch_patient(self, pms_id: str) -> Patient:
        self.read.append(pms_id)
        answer = self.answers.get(pms_id) or Patient(pms_id, "A", "B", None)
        if isinstance(answer, PmsError):
            raise answer
        return answer


def mirror(practice, *ids: str) -> None:
    upsert_records(
        practice,
        Entity.PATIENT,
        [Patient(i, "A", "B", None, modified_at=T0) for i in ids],
        timezone.now() - timedelta(days=2),
    )


def nightly(practice, connector):
    stream = SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.NIGHTLY
    )
    return run_nightly(stream, connector=connector, trigger=Trigger.COMMAND)


def live(practice) -> list[str]:
    return sorted(MirroredPatient.objects.of(practice).values_list("pms_id", flat=True))


def test_an_unreadable_suspect_is_kept_and_recorded_and_the_night_goes_on(
    streams_a, practice_a
):
    mirror(practice_a, "1", "2", "3")
    unreadable = PmsError("Open Dental sent an unreadable patient 2", permanent=True)
    gone = PmsError("Patient not found", permanent=True, status=404)
    connector = PatientWalk({"1"}, {"2": unreadable, "3": gone})

    run = nightly(practice_a, connector)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert live(practice_a) == ["1", "2"]
    [failure] = RecordFailure.objects.filter(practice=practice_a)
    assert (failure.entity, failure.pms_id) == ("patient", "2")
    assert "not confirmed deleted" in failure.reason


def test_a_soft_deleted_suspect_is_hidden(streams_a, practice_a):
    mirror(practice_a, "1", "2")
    deleted = Patient("2", "A", "B", None, status="Deleted", is_deleted=True)
    run = nightly(practice_a, PatientWalk({"1"}, {"2": deleted}))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert live(practice_a) == ["1"]


def test_the_nightly_share_of_checks_rotates_through_the_suspects(
    streams_a, practice_a, monkeypatch
):
    monkeypatch.setattr(reconcile, "MAX_PATIENTS_CHECKED", 2)
    mirror(practice_a, "1", "2", "3", "4")
    connector = PatientWalk({"1"}, {})  # 2, 3 and 4 unlisted but still there

    nightly(practice_a, connector)
    first = list(connector.read)
    connector.read.clear()
    nightly(practice_a, connector)

    assert first == ["2", "3"]
    assert connector.read[0] == "4"  # not 2 and 3 again
    assert live(practice_a) == ["1", "2", "3", "4"]
