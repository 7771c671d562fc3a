"""Migration 0002 lets every existing API token go on submitting every kind."""

import pytest

from practices.models import WriteBackKind
from tests.fixtures.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("writeback", "0001_initial")]
AFTER = [("writeback", "0002_servicetoken_kinds")]


def test_it_gives_existing_tokens_every_kind():
    apps = migrate(BEFORE)
    tokens = apps.get_model("writeback", "ServiceToken").objects
    for n in range(2):
        tokens.create(service="messaging", digest=f"{n}" * 64, hint="pbnwb_abcd")
    try:
        apps = migrate(AFTER)
        kinds = apps.get_model("writeback", "ServiceToken").objects.values_list(
            "kinds", flat=True
        )
        assert [sorted(k) for k in kinds] == [sorted(WriteBackKind.values)] * 2
    finally:
        migrate()
