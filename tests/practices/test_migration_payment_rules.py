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


def test_it_keeps_payments_unposted_where_the_payments_switch_was_off():
    apps = migrate(BEFORE)
    practices = apps.get_model("practices", "Practice").objects
    rules = apps.get_model("practices", "WriteBackRule").objects
    settings = apps.get_model("practices", "WriteBackSettings").objects
    was_on = practices.create(name="Allowed")
    was_off = practices.create(name="Not allowed")
    for practice, allowed in ((was_on, True), (was_off, False)):
        settings.create(practice=practice, auto_sync_payments=True)
        rules.create(practice=practice, kind="payment", enabled=allowed)
    try:
        apps = migrate(AFTER)
        settings = apps.get_model("practices", "WriteBackSettings").objects
        auto = dict(settings.values_list("practice_id", "auto_sync_payments"))
        assert auto == {was_on.pk: True, was_off.pk: False}
        changes = apps.get_model("practices", "SettingChange").objects
        [change] = changes.all()
        assert change.practice_id == was_off.pk
        assert (change.setting, change.old_value) == (
            "Automatically Sync Payments",
            "On",
        )
    finally:
        migrate()  # back to the latest for the tests that follow
