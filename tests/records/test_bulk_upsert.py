"""The bulk upsert: idempotent, set-based, and echoes change nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pms.base import Entity, Payment, Procedure, ScheduleBlock, ScheduleKind
from records.models import Appointment, Patient
from records.models import Payment as MirroredPayment
from records.models import ScheduleBlock as MirroredBlock
from records.rows import build_row
from records.upsert import Write, _write, upsert_records
from tests.syncjobs.fakes import T0, appointment, patient

NOW = T0 + timedelta(hours=1)
LATER = NOW + timedelta(hours=1)


def test_it_creates_rows_keyed_by_practice_and_pms_id(practice_a, practice_b):
    upsert_records(practice_a, Entity.PATIENT, [patient(1), patient(2)], NOW)
    upsert_records(practice_b, Entity.PATIENT, [patient(1)], NOW)
    assert Patient.objects.filter(practice=practice_a).count() == 2
    assert Patient.objects.filter(practice=practice_b).count() == 1
    row = Patient.objects.get(practice=practice_a, pms_id="1")
    assert (row.first_name, row.pms_modified_at, row.first_seen_at) == (
        "First1",
        T0,
        NOW,
    )
    assert row.raw["PatNum"] == 1


def test_it_is_idempotent_when_the_same_page_lands_twice(practice_a):
    page = [patient(n) for n in range(1, 6)]
    first = upsert_records(practice_a, Entity.PATIENT, page, NOW)
    second = upsert_records(practice_a, Entity.PATIENT, page, LATER)
    assert (first.created, first.updated) == (5, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5)
    assert Patient.objects.filter(practice=practice_a).count() == 5


def test_an_echo_bumps_no_timestamp(practice_a):
    upsert_records(practice_a, Entity.PATIENT, [patient(1)], NOW)
    upsert_records(practice_a, Entity.PATIENT, [patient(1)], LATER)
    row = Patient.objects.get(practice=practice_a, pms_id="1")
    assert row.last_synced_at == NOW
    assert row.first_seen_at == NOW


def test_an_echo_writes_nothing(practice_a):
    page = [patient(n) for n in range(1, 50)]
    upsert_records(practice_a, Entity.PATIENT, page, NOW)
    with CaptureQueriesContext(connection) as queries:
        upsert_records(practice_a, Entity.PATIENT, page, LATER)
    writes = [
        q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []


def test_a_change_updates_the_row_and_keeps_first_seen(practice_a):
    upsert_records(practice_a, Entity.PATIENT, [patient(1)], NOW)
    changed = patient(1, minutes=5, phone="555-0100")
    result = upsert_records(practice_a, Entity.PATIENT, [changed], LATER)
    row = Patient.objects.get(practice=practice_a, pms_id="1")
    assert result.updated == 1
    assert (row.phone, row.first_seen_at, row.last_synced_at) == (
        "555-0100",
        NOW,
        LATER,
    )


def test_it_writes_a_page_in_batches_never_a_query_per_record(practice_a):
    page = [patient(n) for n in range(100, 400)]
    with CaptureQueriesContext(connection) as queries:
        upsert_records(practice_a, Entity.PATIENT, page, NOW)
    # SQLite splits a bulk insert by its variable limit; PostgreSQL sends one.
    assert len(queries) <= 12


def test_an_older_copy_never_rolls_a_row_back(practice_a):
    upsert_records(
        practice_a, Entity.PATIENT, [patient(1, minutes=10, phone="new")], NOW
    )
    result = upsert_records(
        practice_a, Entity.PATIENT, [patient(1, minutes=5, phone="old")], LATER
    )
    assert result.stale == 1
    assert Patient.objects.get(practice=practice_a, pms_id="1").phone == "new"


def test_the_newest_copy_wins_when_a_page_repeats_a_record(practice_a):
    page = [patient(1, minutes=9, phone="b"), patient(1, minutes=2, phone="a")]
    upsert_records(practice_a, Entity.PATIENT, page, NOW)
    assert Patient.objects.get(practice=practice_a, pms_id="1").phone == "b"


def test_a_record_deleted_in_the_pms_is_hidden(practice_a):
    upsert_records(practice_a, Entity.PATIENT, [patient(1), patient(2)], NOW)
    gone = patient(2, minutes=3, is_deleted=True, status="Deleted")
    result = upsert_records(practice_a, Entity.PATIENT, [gone], LATER)
    assert result.deleted == 1
    assert list(Patient.objects.of(practice_a).values_list("pms_id", flat=True)) == [
        "1"
    ]


def test_appointments_keep_status_and_confirmation(practice_a):
    upsert_records(
        practice_a,
        Entity.APPOINTMENT,
        [appointment(1, status="Complete", confirmation_pms_id="20")],
        NOW,
    )
    row = Appointment.objects.get(practice=practice_a, pms_id="1")
    assert (row.status, row.confirmation_pms_id) == ("Complete", "20")


def test_procedures_and_payments_land_with_amounts(practice_a):
    upsert_records(
        practice_a,
        Entity.PROCEDURE,
        [Procedure("p1", "1", "D1110", Decimal("95.5"), "Complete", modified_at=T0)],
        NOW,
    )
    upsert_records(
        practice_a,
        Entity.PAYMENT,
        [Payment("m1", "1", Decimal("40.00"), T0.date(), modified_at=T0)],
        NOW,
    )
    assert MirroredPayment.objects.get(practice=practice_a).amount == Decimal("40.00")


def test_two_upserts_in_one_transaction_write_only_their_own_rows(practice_a):
    with transaction.atomic():
        upsert_records(practice_a, Entity.PATIENT, [patient(1)], NOW)
        Patient.objects.filter(practice=practice_a, pms_id="1").update(phone="kept")
        upsert_records(practice_a, Entity.PATIENT, [patient(2)], NOW)

    assert Patient.objects.get(practice=practice_a, pms_id="1").phone == "kept"
    assert Patient.objects.filter(practice=practice_a).count() == 2


def test_pages_after_the_first_create_no_database_objects(practice_a):
    def catalog_rows_written() -> int:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT n_tup_ins + n_tup_del FROM pg_stat_xact_sys_tables "
                    "WHERE relname = 'pg_class'"
                )
            else:
                cursor.execute("SELECT count(*) FROM sqlite_temp_master")
            return cursor.fetchone()[0]

    upsert_records(practice_a, Entity.PATIENT, [patient(1)], NOW)
    before = catalog_rows_written()
    for n in range(2, 12):  # ten more pages
        upsert_records(practice_a, Entity.PATIENT, [patient(n)], NOW)

    # A staging table made and dropped per page wrote catalog rows every time.
    assert catalog_rows_written() == before
    assert Patient.objects.filter(practice=practice_a).count() == 11


def test_a_page_of_new_and_changed_rows_inserts_the_new_and_updates_the_rest(
    practice_a,
):
    upsert_records(practice_a, Entity.PATIENT, [patient(1), patient(2)], NOW)
    page = [patient(2, minutes=5, phone="555-0102"), patient(3), patient(4)]
    result = upsert_records(practice_a, Entity.PATIENT, page, LATER)
    assert (result.created, result.updated, result.rejected) == (2, 1, [])
    rows = {
        p.pms_id: (p.phone, p.first_seen_at)
        for p in Patient.objects.filter(practice=practice_a)
    }
    assert rows["2"] == ("555-0102", NOW)  # updated, first seen kept
    assert rows["3"][1] == rows["4"][1] == LATER  # inserted


def test_a_row_another_stream_inserted_since_the_page_was_read_is_updated(
    practice_a,
):
    """Rows the mirror did not hold are inserted without the upsert's conflict
    check; one that another transaction inserted meanwhile (nothing locks a row
    that does not exist) must still land, as an update, and none be refused."""
    upsert_records(practice_a, Entity.PATIENT, [patient(1, phone="first")], NOW)
    # The page read the mirror before row 1 was committed: it believes it new.
    raced = Write(build_row(Patient, patient(1, minutes=5, phone="second")), None, True)
    fresh = Write(build_row(Patient, patient(2)), None, True)

    refused = _write(Patient, practice_a, [raced, fresh], LATER)

    assert refused == []
    rows = dict(
        Patient.objects.filter(practice=practice_a).values_list("pms_id", "phone")
    )
    assert rows == {"1": "second", "2": patient(2).phone}


def test_a_record_the_database_refuses_among_new_rows_is_refused_alone(practice_a):
    good = [Write(build_row(Patient, patient(n)), None, True) for n in (1, 2)]
    bad_row = build_row(Patient, patient(3))
    # A NULL in a NOT NULL column (an integrity error, as a race's duplicate key
    # is): the checks let no such row through, so build it by hand, as a model
    # change the checks missed would.
    bad = Write(
        dataclasses.replace(bad_row, values={**bad_row.values, "first_name": None}),
        None,
        True,
    )
    refused = _write(Patient, practice_a, [good[0], bad, good[1]], NOW)
    assert [pms_id for pms_id, _ in refused] == ["3"]
    assert "database refused the record" in refused[0][1]
    assert set(
        Patient.objects.filter(practice=practice_a).values_list("pms_id", flat=True)
    ) == {"1", "2"}


def test_every_kind_of_value_lands_as_it_was_sent(practice_a):
    # Times in another zone, text and payload beyond ASCII, amounts, dates, times
    # of day, a list, an empty optional value: as inserted, and as updated.
    berlin = ZoneInfo("Europe/Berlin")
    block = ScheduleBlock(
        "s1",
        ScheduleKind.BLOCKOUT,
        date(2026, 3, 29),
        time(8, 30),
        time(12, 15, 30),
        operatory_pms_ids=("3", "ü7"),
        blockout_type="Réunion 🦷",
        note='a "quoted"\tnote\\ with\nlines',
        modified_at=datetime(2026, 3, 29, 3, 30, tzinfo=berlin),
        raw={"Note": "Réunion 🦷", "Big": 2**70, "Nested": {"a": [1, None, 2.5]}},
    )
    paid = Payment("m1", "1", Decimal("-1234567890.05"), date(1999, 12, 31), "7")
    for when, changed in ((NOW, ""), (LATER, " (changed)")):
        block = dataclasses.replace(block, note=block.note + changed)
        upsert_records(practice_a, Entity.SCHEDULE, [block], when)
        upsert_records(
            practice_a,
            Entity.PAYMENT,
            [dataclasses.replace(paid, modified_at=when)],
            when,
        )

        row = MirroredBlock.objects.get(practice=practice_a, pms_id="s1")
        assert (row.day, row.start_time, row.stop_time) == (
            block.day,
            block.start_time,
            block.stop_time,
        )
        assert row.operatory_pms_ids == ["3", "ü7"]
        assert (row.blockout_type, row.note) == (block.blockout_type, block.note)
        assert row.pms_modified_at == block.modified_at  # the same instant
        assert row.raw == block.raw
        assert row.last_synced_at == when
        payment = MirroredPayment.objects.get(practice=practice_a)
        assert (payment.amount, payment.paid_on) == (paid.amount, paid.paid_on)
        assert payment.deleted_at is None
