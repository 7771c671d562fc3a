"""practices/reference_sync.py: reference items upserted from the PMS, never lost."""

import pytest

from pms.simulator import records as r
from practices.models import PmsConnection, ReferenceItem
from practices.reference_sync import refresh_reference_items


@pytest.fixture
def connected(practice_a, sim_practice, settings):
    settings.PMS_REQUEST_INTERVAL_MS = 0
    creds = sim_practice.credentials
    PmsConnection.objects.create(
        practice=practice_a,
        pms_type="open_dental",
        base_url=sim_practice.od_url,
        developer_key=creds["od_developer_key"],
        customer_key=creds["od_customer_key"],
    )
    return practice_a


def test_it_creates_an_item_per_reference_value(connected, sim_practice):
    summary = refresh_reference_items(connected)

    kinds = set(
        ReferenceItem.objects.filter(practice=connected).values_list("kind", flat=True)
    )
    assert summary.created == ReferenceItem.objects.filter(practice=connected).count()
    assert kinds == {
        "provider",
        "note_type",
        "document_category",
        "appointment_status",
        "payment_type",
        "operatory",
    }


def test_a_second_refresh_changes_nothing(connected):
    refresh_reference_items(connected)

    summary = refresh_reference_items(connected)

    assert (summary.created, summary.updated, summary.deactivated) == (0, 0, 0)
    assert summary.unchanged > 0


def test_a_renamed_or_hidden_value_is_updated_in_place(connected, sim_practice):
    refresh_reference_items(connected)
    store = sim_practice.store
    note_type = store.definitions(r.NOTE_TYPE)[0]
    store.update(r.DEFINITION, note_type.id, name="Texting", is_hidden=True)

    summary = refresh_reference_items(connected)

    item = ReferenceItem.objects.get(
        practice=connected, kind="note_type", pms_id=str(note_type.id)
    )
    assert (item.label, item.active) == ("Texting", False)
    assert summary.updated == 1


def test_a_vanished_value_is_kept_but_marked_inactive(connected):
    refresh_reference_items(connected)
    saved = ReferenceItem.objects.create(
        practice=connected, kind="payment_type", pms_id="999999", label="Old card"
    )

    summary = refresh_reference_items(connected)

    saved.refresh_from_db()
    assert saved.active is False
    assert summary.deactivated == 1
