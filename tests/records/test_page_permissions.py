"""Mirror and status pages: practice admins only; 404 for others, login for anonymous,
CSRF on every POST."""

import pytest
from django.test import Client

from practices.models import Membership
from records.models import Patient
from syncjobs.models import StreamKind, SyncStream
from tests.browser import cast
from tests.conftest import make_user

GET_PATHS = ["sync/", "patients/", "patients/p1/", "schedule/", "dashboard/"]
POST_PATHS = [
    "sync/force/",
    "sync/availability/",
    "patients/sync/",
    "patients/p1/sync/",
]


@pytest.fixture
def target_a(practice_a):
    cast.connect(practice_a)
    cast.patients(practice_a, {"pms_id": "p1", "first_name": "Ada"})
    return practice_a


def url(practice, path: str) -> str:
    return f"/practices/{practice.pk}/{path}"


@pytest.mark.parametrize("path", GET_PATHS + POST_PATHS)
def test_anonymous_visitors_are_sent_to_log_in(client, target_a, path):
    for method in (client.get, client.post):
        response = method(url(target_a, path))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", GET_PATHS + POST_PATHS)
def test_another_practices_admin_gets_404(client, admin_b, target_a, path):
    cast.login(client, admin_b)
    assert client.get(url(target_a, path)).status_code == 404
    assert client.post(url(target_a, path), {"patient": ["p1"]}).status_code == 404
    stream = SyncStream.objects.get(practice=target_a, kind=StreamKind.INCREMENTAL)
    assert stream.pending_trigger == ""


@pytest.mark.parametrize("path", GET_PATHS)
def test_a_member_without_practice_settings_permission_gets_404(client, target_a, path):
    user = make_user("nora")
    Membership.objects.create(user=user, practice=target_a, can_manage_settings=False)
    assert cast.login(client, user).get(url(target_a, path)).status_code == 404


@pytest.mark.parametrize("path", GET_PATHS)
def test_the_practice_admin_sees_every_page(client, admin_a, target_a, path):
    assert cast.login(client, admin_a).get(url(target_a, path)).status_code == 200


@pytest.mark.parametrize("path", POST_PATHS)
def test_every_post_needs_a_csrf_token(admin_a, target_a, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    assert client.post(url(target_a, path), {"patient": ["p1"]}).status_code == 403
    stream = SyncStream.objects.get(practice=target_a, kind=StreamKind.INCREMENTAL)
    assert stream.pending_trigger == ""
    assert Patient.objects.filter(pms_id="p1").exists()


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_form_on_the_pages_carries_a_csrf_token(client, admin_a, target_a, path):
    page = cast.login(client, admin_a).get(url(target_a, path)).content.decode()
    posts = page.count('method="post"')
    assert page.count("csrfmiddlewaretoken") == posts
