"""A record the mirror cannot hold is refused with a reason; the rest lands."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from pms.base import Entity, Payment
from records.models import Patient
from records.upsert import upsert_records
from tests.syncjobs.fakes import T0, patient

NOW = T0 + timedelta(hours=1)


def test_it_refuses_a_field_too_long_and_stores_the_rest(practice_a):
    page = [patient(1), patient(2, first_name="x" * 101), patient(3)]
    result = upsert_records(practice_a, Entity.PATIENT, page, NOW)
    assert result.rejected == [("2", "first_name longer than 100 characters")]
    assert sorted(Patient.objects.values_list("pms_id", flat=True)) == ["1", "3"]
    assert result.landed == ["1", "3"]


def test_it_refuses_a_missing_pms_id(practice_a):
    result = upsert_records(
        practice_a, Entity.PATIENT, [replace(patient(1), pms_id="")], NOW
    )
    assert result.rejected == [("", "missing PMS id")]


def test_it_refuses_a_naive_datetime(practice_a):
    naive = replace(patient(1), modified_at=datetime(2025, 1, 1))
    result = upsert_records(practice_a, Entity.PATIENT, [naive], NOW)
    assert result.rejected[0][1] == "modified time is not a timezone-aware datetime"


def test_it_refuses_an_amount_out_of_range(practice_a):
    huge = Payment("1", "1", Decimal("1e15"), T0.date())
    result = upsert_records(practice_a, Entity.PAYMENT, [huge], NOW)
    assert result.rejected == [("1", "amount out of range: 1E+15")]


def test_it_refuses_nul_characters_that_postgresql_cannot_store(practice_a):
    page = [patient(1, last_name="a\x00b"), replace(patient(2), raw={"x": "\x00"})]
    result = upsert_records(practice_a, Entity.PATIENT, page, NOW)
    assert [reason for _, reason in result.rejected] == [
        "last_name contains a NUL character",
        "raw payload contains a NUL character",
    ]


def test_a_row_the_database_refuses_is_isolated_and_the_rest_lands(practice_a):
    from records.rows import build_row
    from records.upsert import Write, _write

    writes = [Write(build_row(Patient, patient(n)), None) for n in range(8)]
    # NOT NULL: refused by SQLite and PostgreSQL alike
    writes[5].row.values["first_name"] = None
    refused = _write(Patient, practice_a, writes, NOW)
    assert [pms_id for pms_id, _ in refused] == ["5"]
    assert Patient.objects.count() == 7


def test_payloads_the_fast_encoder_refuses_still_land(practice_a):
    # orjson refuses integers beyond 64 bits and keys that are not text; the
    # standard encoder takes them, and PostgreSQL's jsonb stores both.
    page = [
        replace(patient(1), raw={"PatNum": 1, "Balance": 2**70}),
        replace(patient(2), raw={7: "seven"}),
        replace(patient(3), raw={"PatNum": 3, "x": object()}),
    ]
    result = upsert_records(practice_a, Entity.PATIENT, page, NOW)

    assert result.rejected == [("3", "raw payload is not JSON")]
    stored = dict(Patient.objects.values_list("pms_id", "raw"))
    assert stored["1"]["Balance"] == 2**70
    assert stored["2"]["7"] == "seven"


def test_a_payload_is_stored_as_the_text_that_was_hashed(practice_a):
    upsert_records(practice_a, Entity.PATIENT, [patient(1)], NOW)
    # The same payload with its keys in another order is the same record.
    again = replace(patient(1), raw=dict(reversed(patient(1).raw.items())))
    result = upsert_records(practice_a, Entity.PATIENT, [again], NOW)
    assert result.unchanged == 1
    assert Patient.objects.get(pms_id="1").raw == patient(1).raw
