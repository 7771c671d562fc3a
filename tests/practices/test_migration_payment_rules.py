"""Migration 0004 drops the Payments switch and keeps every other rule."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("practices", "0003_admin_names")]
AFTER = [("practices", "0004_payments_have_no_allow_switch")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


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
        migrate(AFTER)
