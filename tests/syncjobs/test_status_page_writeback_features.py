"""The data sync schedule's write-back rows (payments, online scheduling
appointments) say what the practice's write-back settings make of them."""

import pytest

from practices.models import (
    PmsConnection,
    PmsType,
    ReferenceItem,
    ReferenceKind,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from tests.browser import cast

PAYMENTS = "Payments"
BOOKINGS = "Online scheduling appointments"
PAUSED = "Paused until an active Writeback provider ID is set"


def allow(practice, *kinds: str) -> None:
    WriteBackRule.objects.filter(practice=practice, kind__in=kinds).update(enabled=True)


def give_provider(practice, active: bool = True) -> None:
    provider = ReferenceItem.objects.create(
        practice=practice,
        kind=ReferenceKind.PROVIDER,
        pms_id="7",
        label="Dr. Gray",
        active=active,
    )
    WriteBackSettings.objects.filter(practice=practice).update(provider=provider)


def rows(client, admin, practice) -> tuple[dict, str]:
    response = cast.login(client, admin).get(f"/practices/{practice.pk}/sync/")
    features = {f.name: f for f in response.context["page"].features}
    return features, response.content.decode()


@pytest.fixture
def connected_a(practice_a):
    return cast.connect(practice_a)


def test_a_write_back_the_practice_has_not_allowed_says_off(
    client, admin_a, practice_a, connected_a
):
    give_provider(practice_a)
    features, _ = rows(client, admin_a, practice_a)
    assert features[BOOKINGS].schedule == (
        "Off: switch on New appointment created in PMS Sync & Write-Back Settings"
    )
    assert (features[BOOKINGS].live, features[BOOKINGS].undated) == (False, "—")
    # Payments have no switch of their own: off means a person transfers them.
    assert features[PAYMENTS].schedule.startswith(
        "Manual: Automatically Sync Payments is off"
    )


@pytest.mark.parametrize("active", [False, None], ids=["inactive", "unset"])
def test_allowed_write_backs_are_paused_without_an_active_provider(
    client, admin_a, practice_a, connected_a, active
):
    if active is not None:
        give_provider(practice_a, active=active)
    allow(practice_a, WriteBackKind.PAYMENT, WriteBackKind.NEW_APPOINTMENT)
    features, _ = rows(client, admin_a, practice_a)
    assert features[PAYMENTS].schedule == PAUSED
    assert features[BOOKINGS].schedule == PAUSED
    assert not features[PAYMENTS].live and not features[BOOKINGS].live


def test_payments_wait_for_manual_transfer_unless_synced_automatically(
    client, admin_a, practice_a, connected_a
):
    give_provider(practice_a)
    allow(practice_a, WriteBackKind.PAYMENT, WriteBackKind.NEW_APPOINTMENT)

    features, page = rows(client, admin_a, practice_a)
    assert features[PAYMENTS].schedule.startswith("Manual: Automatically Sync")
    assert not features[PAYMENTS].live
    assert features[BOOKINGS].schedule.startswith("Real time")
    assert features[BOOKINGS].live
    assert f'href="/practices/{practice_a.pk}/write-backs/">Write-backs</a>' in page

    WriteBackSettings.objects.filter(practice=practice_a).update(
        auto_sync_payments=True
    )
    features, _ = rows(client, admin_a, practice_a)
    assert features[PAYMENTS].schedule == (
        "Real time: each payment is posted to the PMS as it is taken"
    )
    assert features[PAYMENTS].live


def test_a_write_back_the_pms_cannot_take_says_so(
    client, admin_a, practice_a, connected_a
):
    PmsConnection.objects.filter(practice=practice_a).update(
        pms_type=PmsType.DENTRIX_ASCEND
    )
    give_provider(practice_a)
    allow(practice_a, WriteBackKind.PAYMENT, WriteBackKind.NEW_APPOINTMENT)
    features, _ = rows(client, admin_a, practice_a)
    assert features[PAYMENTS].schedule == (
        "Payments write-back is not offered by Dentrix Ascend"
    )
    assert not features[PAYMENTS].live
    assert features[BOOKINGS].live  # Dentrix Ascend does take new appointments
