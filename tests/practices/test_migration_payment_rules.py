"""Migration 0004 drops the Payments switch and keeps every other rule."""

import pytest

from tests.fixtures.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("practices", "0003_admin_names")]
AFTER = [("practices", "0004_payments_have_no_allow_switch")]


def test_it_deletes_payment_rules_and_keeps_the_others():
    apps = migrate(BEFORE)
    practice = apps.get_model("practices", "Practice").objects.create(name="Old")
    rules = apps.get_model("practices", "WriteBackRule").objects
    rules.create(practice=practice, kind="payment", enabled=True)
    rules.create(practice=practice, kind="outgoing_sms", enabled=True)
    try:
        apps = migrate(AFTER)
        kept = apps.get_model("practices", "WriteBackRule").objects.filter(
            practice_id=practice.pk
        )
        assert list(kept.values_list("kind", "enabled")) == [("outgoing_sms", True)]
    finally:
        migrate()  # back to the latest for the tests that follow
