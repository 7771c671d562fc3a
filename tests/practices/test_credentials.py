"""PMS credentials are encrypted at rest and never shown, logged or echoed back."""

import logging
import sys

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from practices.models import PmsConnection, PmsType

from .conftest import CUSTOMER_KEY, DEVELOPER_KEY, practice_url, settings_url

SECRETS = [DEVELOPER_KEY, CUSTOMER_KEY]
NEW_KEY = "brand-new-customer-key-SECRET-0c4f"


def change_url(conn: PmsConnection) -> str:
    return reverse("admin:practices_pmsconnection_change", args=[conn.pk])


def admin_post(conn: PmsConnection, **fields: str) -> dict[str, str]:
    """Return the admin change form's POST data for `conn`, credentials blank."""
    return {
        "pms_type": conn.pms_type,
        "base_url": conn.base_url,
        "developer_key": "",
        "customer_key": "",
        **fields,
    }


def stored(conn: PmsConnection) -> PmsConnection:
    return PmsConnection.objects.get(pk=conn.pk)


class TestCredentialsAtRest:
    def test_the_database_column_holds_no_plaintext(self, connection_a):
        table = PmsConnection._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT developer_key, customer_key FROM {table} WHERE id = %s",
                [connection_a.pk],
            )
            raw = b"".join(bytes(value) for value in cursor.fetchone())
        assert raw
        for secret in SECRETS:
            assert secret.encode() not in raw

    def test_the_model_reads_them_back_decrypted(self, connection_a):
        assert stored(connection_a).customer_key == CUSTOMER_KEY

    def test_repr_and_str_never_contain_a_credential(self, connection_a):
        for text in (repr(connection_a), str(connection_a)):
            assert not any(secret in text for secret in SECRETS)


class TestCredentialsOnPages:
    def test_the_practice_pages_never_contain_a_credential(
        self, client_a, practice_a, connection_a
    ):
        for path in (
            reverse("home"),
            practice_url(practice_a),
            settings_url(practice_a),
        ):
            html = client_a.get(path).content.decode()
            assert not any(secret in html for secret in SECRETS)

    def test_the_admin_pages_never_contain_a_credential(
        self, staff_client, connection_a
    ):
        paths = [
            change_url(connection_a),
            reverse("admin:practices_pmsconnection_changelist"),
            reverse("admin:practices_pmsconnection_history", args=[connection_a.pk]),
        ]
        for path in paths:
            html = staff_client.get(path).content.decode()
            assert not any(secret in html for secret in SECRETS)

    def test_the_admin_shows_whether_each_credential_is_set(
        self, staff_client, connection_a
    ):
        html = staff_client.get(change_url(connection_a)).content.decode()
        assert html.count("Set. Leave blank to keep the current value.") == 2
        assert html.count("Not set.") == 4

    def test_a_rejected_admin_form_does_not_echo_the_typed_credential(
        self, staff_client, connection_a
    ):
        data = admin_post(connection_a, customer_key=NEW_KEY, base_url="not a url")
        response = staff_client.post(change_url(connection_a), data)
        assert response.status_code == 200
        assert NEW_KEY not in response.content.decode()
        assert stored(connection_a).customer_key == CUSTOMER_KEY


class TestAdminCredentialEditing:
    def test_a_blank_field_keeps_the_current_value(self, staff_client, connection_a):
        response = staff_client.post(change_url(connection_a), admin_post(connection_a))
        assert response.status_code == 302
        assert stored(connection_a).developer_key == DEVELOPER_KEY
        assert stored(connection_a).customer_key == CUSTOMER_KEY

    def test_a_typed_value_replaces_the_current_one(self, staff_client, connection_a):
        data = admin_post(connection_a, customer_key=NEW_KEY)
        assert staff_client.post(change_url(connection_a), data).status_code == 302
        assert stored(connection_a).customer_key == NEW_KEY
        assert stored(connection_a).developer_key == DEVELOPER_KEY

    def test_clear_empties_an_optional_credential(self, staff_client, connection_a):
        PmsConnection.objects.filter(pk=connection_a.pk).update(agent_token="tok")
        data = admin_post(connection_a, clear_agent_token="on")
        assert staff_client.post(change_url(connection_a), data).status_code == 302
        assert stored(connection_a).agent_token == ""

    def test_clearing_a_required_credential_is_refused(
        self, staff_client, connection_a
    ):
        data = admin_post(connection_a, clear_customer_key="on")
        response = staff_client.post(change_url(connection_a), data)
        assert "Open Dental needs this credential." in response.content.decode()
        assert stored(connection_a).customer_key == CUSTOMER_KEY

    def test_a_new_value_and_clear_together_are_refused(
        self, staff_client, connection_a
    ):
        data = admin_post(connection_a, customer_key=NEW_KEY, clear_customer_key="on")
        response = staff_client.post(change_url(connection_a), data)
        assert "Enter a new value or clear it, not both." in response.content.decode()
        assert stored(connection_a).customer_key == CUSTOMER_KEY

    @pytest.mark.parametrize(
        ("pms_type", "missing"),
        [
            (PmsType.DENTRIX_ASCEND, ["client_id", "client_secret", "organization_id"]),
            (PmsType.EAGLESOFT, ["agent_token"]),
            (PmsType.DENTRIX, ["agent_token"]),
        ],
    )
    def test_switching_pms_type_requires_that_pms_types_credentials(
        self, staff_client, connection_a, pms_type, missing
    ):
        data = admin_post(connection_a, pms_type=pms_type)
        response = staff_client.post(change_url(connection_a), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert set(errors) == set(missing)
        assert stored(connection_a).pms_type == PmsType.OPEN_DENTAL

    def test_adding_a_connection_requires_its_credentials(
        self, staff_client, practice_b
    ):
        url = reverse("admin:practices_pmsconnection_add")
        data = {
            "practice": practice_b.pk,
            "pms_type": PmsType.OPEN_DENTAL,
            "base_url": "https://api.opendental.com/api/v1",
            "developer_key": DEVELOPER_KEY,
        }
        response = staff_client.post(url, data)
        assert response.status_code == 200
        assert not PmsConnection.objects.filter(practice=practice_b).exists()
        data["customer_key"] = CUSTOMER_KEY
        assert staff_client.post(url, data).status_code == 302
        created = PmsConnection.objects.get(practice=practice_b)
        assert created.customer_key == CUSTOMER_KEY


class TestCredentialsInErrorReports:
    def test_the_change_view_marks_credentials_as_sensitive(
        self, staff_user, connection_a
    ):
        data = admin_post(connection_a, customer_key=NEW_KEY, base_url="not a url")
        request = RequestFactory().post(change_url(connection_a), data)
        request.user = staff_user
        request._dont_enforce_csrf_checks = True
        model_admin = admin.site._registry[PmsConnection]
        model_admin.changeform_view(request, str(connection_a.pk))
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
        assert "customer_key" in report
        assert NEW_KEY not in report

    def test_saving_credentials_logs_no_secret(
        self, staff_client, connection_a, caplog
    ):
        caplog.set_level(logging.DEBUG)
        data = admin_post(connection_a, customer_key=NEW_KEY)
        staff_client.post(change_url(connection_a), data)
        assert NEW_KEY not in caplog.text
