"""The activities API: token auth, practice scoping, validation, status."""

import pytest
from django.urls import reverse

from practices.models import WriteBackKind as K
from writeback.models import OutboxJob, ServiceToken

from .helpers import body, issue, post

pytestmark = pytest.mark.django_db


def test_it_accepts_an_activity_with_a_valid_token(client, practice, fake):
    response = post(client, issue("messaging", practice), body(practice))
    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["kind"]) == ("accepted", "outgoing_sms")
    job = OutboxJob.objects.get(pk=data["id"])
    assert (job.service, job.idempotency_key) == ("messaging", "msg-1")


def test_it_requires_a_token(client, practice):
    response = post(client, None, body(practice))
    assert response.status_code == 401
    assert "authorization" in response.json()["errors"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_or_inactive_token(client, practice):
    assert post(client, "pbnwb_nope", body(practice)).status_code == 401
    token = issue("messaging", practice)
    ServiceToken.objects.update(is_active=False)
    assert post(client, token, body(practice)).status_code == 401


def test_a_token_for_practice_a_cannot_write_to_b(client, practice, other_practice):
    response = post(client, issue("messaging", practice), body(other_practice))
    assert response.status_code == 404
    assert "practice_id" in response.json()["errors"]
    assert not OutboxJob.objects.exists()


def test_it_names_the_invalid_payload_field(client, practice):
    response = post(client, issue("phone", practice), body(practice, text=""))
    assert response.status_code == 400
    assert response.json() == {"errors": {"payload.text": ["This field is required."]}}


def test_it_names_invalid_envelope_fields(client, practice):
    data = {"practice_id": "x", "kind": "fax", "payload": []}
    response = post(client, issue("phone", practice), data)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "practice_id",
        "kind",
        "idempotency_key",
        "payload",
    }


def test_it_refuses_a_body_that_is_not_json(client, practice):
    response = post(client, issue("phone", practice), "{nope")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_it_stores_only_a_hash_of_the_token(practice):
    secret = issue("messaging", practice)
    token = ServiceToken.objects.get()
    assert secret not in (token.digest, token.hint)
    assert secret.startswith(token.hint)
    assert ServiceToken.objects.authenticate(secret) == token


def test_it_shows_the_status_of_an_activity(client, practice, fake):
    token = issue("messaging", practice)
    created = post(client, token, body(practice)).json()
    url = reverse("writeback:status", args=[created["id"]])
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]


def test_status_is_hidden_from_other_practices_and_services(
    client, practice, other_practice, fake
):
    token = issue("messaging", practice)
    created = post(client, token, body(practice)).json()
    url = reverse("writeback:status", args=[created["id"]])
    for other in (issue("messaging", other_practice), issue("phone", practice)):
        response = client.get(url, headers={"Authorization": f"Bearer {other}"})
        assert response.status_code == 404


def test_a_skipped_activity_says_why(client, practice, fake):
    from practices.models import WriteBackRule

    WriteBackRule.objects.filter(kind=K.OUTGOING_SMS).update(enabled=False)
    data = post(client, issue("messaging", practice), body(practice)).json()
    assert data["display_status"] == "skipped: disabled"
