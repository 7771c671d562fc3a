"""Only a practice's own admins reach its pages; everyone else learns nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from practices.models import Membership, SyncSettings

from .conftest import ADMIN_PAGES, db_state, page_payload, settings_url
from .test_settings_page import changed_payload

PAGES = ["practice", "practice_settings"]


def url(name: str, practice) -> str:
    return reverse(name, args=[practice.pk])


class TestPermissions:
    @pytest.mark.parametrize("page", PAGES)
    def test_another_practices_admin_gets_404_on_get(self, client_b, practice_a, page):
        assert client_b.get(url(page, practice_a)).status_code == 404

    @pytest.mark.parametrize("page", PAGES)
    def test_another_practices_admin_gets_404_on_post(self, client_b, practice_a, page):
        response = client_b.post(url(page, practice_a), {"provider": ""})
        assert response.status_code == 404

    @pytest.mark.parametrize("page", PAGES)
    def test_another_practices_admin_gets_404_on_any_method(
        self, client_b, practice_a, page
    ):
        for method in ("put", "patch", "delete", "head", "options"):
            response = getattr(client_b, method)(url(page, practice_a))
            assert response.status_code == 404

    def test_another_practices_admin_changes_nothing_by_posting(
        self, client_a, client_b, practice_a, ref_a
    ):
        page_payload(client_a, practice_a)
        before = db_state()
        response = client_b.post(settings_url(practice_a), changed_payload(ref_a))
        assert response.status_code == 404
        assert db_state() == before

    def test_a_missing_practice_looks_the_same_as_a_foreign_one(self, client_b):
        missing = reverse("practice_settings", args=[999999])
        assert client_b.get(missing).status_code == 404

    def test_a_member_without_practice_settings_permission_gets_404(
        self, admin_b, client_b, practice_a
    ):
        Membership.objects.create(user=admin_b, practice=practice_a)
        for page in PAGES:
            assert client_b.get(url(page, practice_a)).status_code == 404

    @pytest.mark.parametrize("page", PAGES)
    def test_anonymous_users_are_sent_to_log_in(self, practice_a, page):
        target = url(page, practice_a)
        response = Client().get(target)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={target}"

    def test_an_anonymous_post_changes_nothing(self, practice_a):
        response = Client().post(
            settings_url(practice_a), {"incremental_interval_minutes": "2"}
        )
        assert response.status_code == 302
        assert (
            SyncSettings.objects.get(practice=practice_a).incremental_interval_minutes
            == 15
        )

    def test_anonymous_users_are_sent_to_log_in_from_home(self, db):
        response = Client().get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_the_switcher_refuses_a_practice_the_user_does_not_manage(
        self, client_b, practice_a
    ):
        response = client_b.get(reverse("switch_practice"), {"practice": practice_a.pk})
        assert response.status_code == 404

    @pytest.mark.parametrize("path", ADMIN_PAGES)
    def test_a_non_staff_practice_admin_cannot_use_django_admin(self, client_a, path):
        response = client_a.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_a_non_staff_practice_admin_cannot_change_anything_in_django_admin(
        self, client_a, practice_a
    ):
        sync = SyncSettings.objects.get(practice=practice_a)
        before = db_state()
        response = client_a.post(
            reverse("admin:practices_syncsettings_change", args=[sync.pk]),
            {"incremental_interval_minutes": "2"},
        )
        assert response.status_code == 302
        assert db_state() == before
