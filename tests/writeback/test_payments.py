"""Payments: matched by name and birthdate, posted with the mapped type, or queued."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from pms.base import WriteKind
from practices.models import WriteBackKind as K
from practices.models import WriteBackSettings
from records.models import Patient
from writeback.manual import (
    ManualQueueError,
    dismiss_manual_payment,
    manual_queue,
    post_manual_payment,
)
from writeback.models import JobStatus

from .helpers import deliver_all, push, submit

pytestmark = pytest.mark.django_db


def twin(practice, pms_id: str, **extra) -> Patient:
    fields = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "birthdate": date(1980, 1, 2),
    }
    return Patient.objects.create(
        practice=practice, pms_id=pms_id, **{**fields, **extra}
    )


def payments(fake):
    return [w.request for w in fake.of_kind(WriteKind.PAYMENT)]


def test_it_posts_to_the_one_patient_matching_name_and_birthdate(practice, fake, grace):
    job = push(
        submit(practice, K.PAYMENT, first_name="grace ", last_name="HOPPER"), fake
    )
    assert job.status == JobStatus.VERIFIED
    (payment,) = payments(fake)
    assert payment.patient_pms_id == "101"
    assert payment.amount == Decimal("120.00")


@pytest.mark.parametrize(
    "source, payment_type",
    [("provider", "69"), ("online", "70"), ("pos", "71"), ("practice", "72")],
)
def test_it_uses_the_payment_type_mapped_for_the_source(
    practice, fake, grace, source, payment_type
):
    push(submit(practice, K.PAYMENT, source=source), fake)
    assert payments(fake)[0].payment_type_pms_id == payment_type


def test_it_adds_the_fee_to_the_payment_unless_separated(practice, fake, grace):
    push(submit(practice, K.PAYMENT, fee="3.50"), fake)
    (payment,) = payments(fake)
    assert payment.amount == Decimal("123.50")
    assert not payment.is_fee


def test_it_posts_the_fee_as_its_own_transaction_when_separated(practice, fake, grace):
    WriteBackSettings.objects.filter(practice=practice).update(
        separate_payments_and_fees=True
    )
    job = push(submit(practice, K.PAYMENT, fee="3.50"), fake)
    payment, fee = payments(fake)
    assert (payment.amount, payment.is_fee) == (Decimal("120.00"), False)
    assert (fee.amount, fee.is_fee, fee.payment_type_pms_id) == (
        Decimal("3.50"),
        True,
        "72",
    )
    assert job.status == JobStatus.VERIFIED
    assert job.pms_id and job.fee_pms_id and job.pms_id != job.fee_pms_id


def test_no_match_goes_to_the_manual_queue_with_near_candidates(practice, fake, grace):
    twin(practice, "102", birthdate=date(1981, 1, 2))
    job = submit(practice, K.PAYMENT, first_name="Gracie")
    assert job.display_status == (
        "manual: no patient matches this name and date of birth"
    )
    assert [c["pms_id"] for c in job.candidates] == ["101"]  # same last name + DOB
    assert list(manual_queue(practice.pk)) == [job]


def test_several_matches_go_to_the_manual_queue_with_the_candidates(
    practice, fake, grace
):
    twin(practice, "102")
    job = submit(practice, K.PAYMENT)
    assert job.display_status == (
        "manual: 2 patients match this name and date of birth"
    )
    assert {c["pms_id"] for c in job.candidates} == {"101", "102"}
    deliver_all(fake)
    assert fake.calls == []


def test_a_patient_deleted_in_the_pms_is_not_matched(practice, fake, grace):
    twin(practice, "102", deleted_at=timezone.now())
    job = push(submit(practice, K.PAYMENT), fake)
    assert job.status == JobStatus.VERIFIED
    assert payments(fake)[0].patient_pms_id == "101"


def test_another_practices_patient_is_not_matched(practice, other_practice, fake):
    twin(other_practice, "101")
    job = submit(practice, K.PAYMENT)
    assert job.status == JobStatus.MANUAL


def test_with_automatic_sync_off_every_payment_waits_for_a_person(
    practice, fake, grace
):
    WriteBackSettings.objects.filter(practice=practice).update(auto_sync_payments=False)
    job = submit(practice, K.PAYMENT)
    assert job.display_status == "manual: automatic payment sync is off"


def test_with_automatic_sync_off_a_payment_waits_even_with_no_type_mapped(
    practice, fake, grace
):
    WriteBackSettings.objects.filter(practice=practice).update(
        auto_sync_payments=False,
        provider_payment_type=None,
        online_payment_type=None,
        pos_payment_type=None,
        surcharge_payment_type=None,
    )
    job = submit(practice, K.PAYMENT)
    assert job.display_status == "manual: automatic payment sync is off"


def test_a_person_can_post_a_queued_payment_to_a_chosen_patient(
    practice, fake, grace, staff_user
):
    WriteBackSettings.objects.filter(practice=practice).update(auto_sync_payments=False)
    job = submit(practice, K.PAYMENT)
    post_manual_payment(job, "101", staff_user)
    assert job.status == JobStatus.ACCEPTED
    job = push(job, fake)
    assert job.status == JobStatus.VERIFIED
    assert payments(fake)[0].patient_pms_id == "101"


def test_posting_refuses_an_unknown_patient(practice, fake, staff_user):
    job = submit(practice, K.PAYMENT)
    with pytest.raises(ManualQueueError):
        post_manual_payment(job, "999", staff_user)
    job.refresh_from_db()
    assert job.status == JobStatus.MANUAL


def test_a_person_can_dismiss_a_queued_payment(practice, fake):
    user = get_user_model().objects.create_user("dora")
    job = submit(practice, K.PAYMENT)
    dismiss_manual_payment(job, user)
    job.refresh_from_db()
    assert job.display_status == "dismissed: dismissed by dora"
    with pytest.raises(ManualQueueError):
        dismiss_manual_payment(job, user)


def test_a_payment_without_a_mapped_type_is_held(practice, fake, grace):
    WriteBackSettings.objects.filter(practice=practice).update(pos_payment_type=None)
    job = submit(practice, K.PAYMENT, source="pos")
    assert job.display_status == ("held: In-Office POS Payment payment type is not set")
