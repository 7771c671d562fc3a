"""Admin edits to a connection or a practice leave SettingChange rows; a credential
is recorded only as set, changed or cleared, never its value."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from practices.models import PmsConnection, PmsType, Practice, SettingChange

from .conftest import CUSTOMER_KEY, DEVELOPER_KEY

NEW_CUSTOMER_KEY = "rotated-customer-key-SECRET-5be1"
AGENT_TOKEN = "bridge-agent-token-SECRET-90aa"
SECRETS = [DEVELOPER_KEY, CUSTOMER_KEY, NEW_CUSTOMER_KEY, AGENT_TOKEN]


def connection_url(conn: PmsConnection) -> str:
    return reverse("admin:practices_pmsconnection_change", args=[conn.pk])


def edit_connection(client, conn: PmsConnection, **fields: str) -> None:
    """Post the admin change form of `conn` (credentials blank = keep) plus `fields`."""
    data = {
        "pms_type": conn.pms_type,
        "base_url": conn.base_url,
        "request_interval_ms": conn.request_interval_ms or "",
        "page_size": conn.page_size or "",
        **fields,
    }
    response = client.post(connection_url(conn), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def edit_practice(client, practice: Practice, **fields) -> None:
    data = {
        "name": practice.name,
        "time_zone": practice.time_zone,
        "nightly_window_start_hour": practice.nightly_window_start_hour,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        **fields,
    }
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    assert client.post(url, data).status_code == 302


def changes() -> dict[str, tuple[str, str]]:
    return {
        row.setting: (row.old_value, row.new_value)
        for row in SettingChange.objects.order_by("id")
    }


class TestConnectionEdits:
    def test_it_records_each_changed_column_with_who_changed_it(
        self, staff_client, staff_user, connection_a
    ):
        edit_connection(
            staff_client,
            connection_a,
            base_url="https://api.opendental.com/api/v1",
            request_interval_ms="1000",
            page_size="100",
        )
        assert changes() == {
            "Base URL": (
                "http://127.0.0.1:8765/opendental/api/v1",
                "https://api.opendental.com/api/v1",
            ),
            "Request interval (ms)": ("(PMS default)", "1000"),
            "Page size": ("(PMS default)", "100"),
        }
        rows = SettingChange.objects.all()
        assert {(r.practice, r.user, r.section) for r in rows} == {
            (connection_a.practice, staff_user, "PMS connection")
        }

    def test_it_records_a_new_pms_type_and_its_credentials_as_set(
        self, staff_client, connection_a
    ):
        edit_connection(
            staff_client,
            connection_a,
            pms_type=PmsType.EAGLESOFT,
            agent_token=AGENT_TOKEN,
            request_interval_ms="500",
        )
        assert changes() == {
            "PMS type": ("Open Dental", "Eaglesoft"),
            "Request interval (ms)": ("(PMS default)", "500"),
            "Agent token": ("Not set", "Set"),
        }

    def test_it_records_a_credential_as_changed_or_cleared_never_its_value(
        self, staff_client, connection_a
    ):
        PmsConnection.objects.filter(pk=connection_a.pk).update(agent_token=AGENT_TOKEN)
        edit_connection(staff_client, connection_a, customer_key=NEW_CUSTOMER_KEY)
        edit_connection(staff_client, connection_a, clear_agent_token="on")
        assert changes() == {
            "Customer key": ("Set", "Changed"),
            "Agent token": ("Set", "Cleared"),
        }
        for row in SettingChange.objects.values():
            assert not any(
                secret in str(value) for secret in SECRETS for value in row.values()
            )
        for entry in LogEntry.objects.all():
            assert not any(secret in entry.get_change_message() for secret in SECRETS)
        trail = staff_client.get(reverse("admin:practices_settingchange_changelist"))
        assert "Changed" in trail.content.decode()
        assert not any(secret in trail.content.decode() for secret in SECRETS)

    @pytest.mark.parametrize("typed", ["", CUSTOMER_KEY])
    def test_a_save_that_changes_nothing_records_nothing(
        self, staff_client, connection_a, typed
    ):
        # Blank keeps the credential; typing the stored value again changes nothing.
        edit_connection(staff_client, connection_a, customer_key=typed)
        assert not SettingChange.objects.exists()

    def test_adding_a_connection_records_what_it_was_created_with(
        self, staff_client, practice_b
    ):
        data = {
            "practice": practice_b.pk,
            "pms_type": PmsType.OPEN_DENTAL,
            "base_url": "https://api.opendental.com/api/v1",
            "developer_key": DEVELOPER_KEY,
            "customer_key": CUSTOMER_KEY,
        }
        url = reverse("admin:practices_pmsconnection_add")
        assert staff_client.post(url, data).status_code == 302
        assert changes() == {
            "PMS type": ("(not set)", "Open Dental"),
            "Base URL": ("(not set)", "https://api.opendental.com/api/v1"),
            "Developer key": ("Not set", "Set"),
            "Customer key": ("Not set", "Set"),
        }
        assert set(SettingChange.objects.values_list("practice", flat=True)) == {
            practice_b.pk
        }
        for row in SettingChange.objects.values("old_value", "new_value"):
            assert not any(secret in v for secret in SECRETS for v in row.values())


class TestPracticeEdits:
    def test_it_records_the_time_zone_and_nightly_window(
        self, staff_client, staff_user, practice_a
    ):
        edit_practice(
            staff_client,
            practice_a,
            time_zone="America/Los_Angeles",
            nightly_window_start_hour=3,
        )
        assert changes() == {
            "Time zone": ("America/Denver", "America/Los_Angeles"),
            "Nightly window opens": ("02:00 practice time", "03:00 practice time"),
        }
        row = SettingChange.objects.first()
        assert (row.practice, row.user, row.section) == (
            practice_a,
            staff_user,
            "Practice",
        )

    def test_a_save_that_changes_neither_records_nothing(
        self, staff_client, practice_a
    ):
        edit_practice(staff_client, practice_a, name="Alpha Dental Group")
        assert Practice.objects.get(pk=practice_a.pk).name == "Alpha Dental Group"
        assert not SettingChange.objects.exists()
