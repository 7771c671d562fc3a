"""The activities API lets a token submit only the kinds it names."""

import pytest

from practices.models import WriteBackKind as K
from writeback.models import OutboxJob

from .helpers import body, issue, post

pytestmark = pytest.mark.django_db


def test_it_accepts_a_kind_the_token_may_submit(client, practice, fake):
    token = issue("messaging", practice, kinds=[K.OUTGOING_SMS])

    response = post(client, token, body(practice, K.OUTGOING_SMS))

    assert response.status_code == 201
    assert OutboxJob.objects.get().kind == K.OUTGOING_SMS


def test_it_refuses_a_kind_the_token_may_not_submit_and_creates_no_job(
    client, practice, fake
):
    token = issue("messaging", practice, kinds=[K.OUTGOING_SMS])

    response = post(client, token, body(practice, K.PAYMENT, key="pay-1"))

    assert response.status_code == 403
    assert response.json() == {
        "errors": {"kind": ["This token may not submit payment activities."]}
    }
    assert not OutboxJob.objects.exists()
