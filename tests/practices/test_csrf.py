"""The settings form is CSRF-protected."""

from django.test import Client

from practices.models import SettingChange, SyncSettings

from .conftest import db_state, page_payload, settings_url


class TestCsrf:
    def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(
        self, admin_a, practice_a, client_a
    ):
        page_payload(client_a, practice_a)
        client = Client(enforce_csrf_checks=True)
        client.force_login(admin_a)
        data = {**page_payload(client, practice_a), "incremental_interval_minutes": "2"}
        before = db_state()
        response = client.post(settings_url(practice_a), data)
        assert response.status_code == 403
        assert db_state() == before

    def test_a_post_with_the_pages_csrf_token_is_saved(self, admin_a, practice_a):
        client = Client(enforce_csrf_checks=True)
        client.force_login(admin_a)
        data = {**page_payload(client, practice_a), "incremental_interval_minutes": "2"}
        data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
        response = client.post(settings_url(practice_a), data)
        assert response.status_code == 302
        sync = SyncSettings.objects.get(practice=practice_a)
        assert sync.incremental_interval_minutes == 2
        assert SettingChange.objects.count() == 1
