"""Integration staff manage practices in Django admin; history stays read-only."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from pms import registry
from pms.base import Capability
from practices.models import (
    ConnectionStatus,
    PmsConnection,
    Practice,
    SettingChange,
    SyncSettings,
    WriteBackSettings,
)

MODELS = list(apps.get_app_config("practices").get_models())


def changelist(model) -> str:
    return reverse(f"admin:practices_{model._meta.model_name}_changelist")


def act(client, action: str, connections, **extra):
    return client.post(
        changelist(PmsConnection),
        {
            "action": action,
            "_selected_action": [c.pk for c in connections],
            **extra,
        },
    )


class TestAdminRegistry:
    @pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
    def test_every_model_is_registered_with_list_filter_and_search(self, model):
        model_admin = admin.site._registry[model]
        assert model_admin.list_display != ("__str__",)
        assert model_admin.list_filter
        assert model_admin.search_fields

    @pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
    def test_every_changelist_loads_and_searches(
        self, staff_client, model, connection_a, ref_a, admin_a
    ):
        response = staff_client.get(changelist(model), {"q": "Alpha"})
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "model", [Practice, SyncSettings, WriteBackSettings, PmsConnection]
    )
    def test_every_change_page_loads(self, staff_client, model, connection_a, ref_a):
        obj = model.objects.first()
        url = reverse(f"admin:practices_{model._meta.model_name}_change", args=[obj.pk])
        assert staff_client.get(url).status_code == 200

    def test_the_practice_page_has_memberships_inline(
        self, staff_client, practice_a, admin_a
    ):
        url = reverse("admin:practices_practice_change", args=[practice_a.pk])
        html = staff_client.get(url).content.decode()
        assert "memberships-TOTAL_FORMS" in html
        assert "Practice Settings permission" in html

    def test_adding_a_practice_creates_its_settings(self, staff_client):
        url = reverse("admin:practices_practice_add")
        data = {
            "name": "Gamma Ortho",
            "time_zone": "America/New_York",
            "nightly_window_start_hour": 2,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        }
        assert staff_client.post(url, data).status_code == 302
        practice = Practice.objects.get(name="Gamma Ortho")
        assert SyncSettings.objects.filter(practice=practice).exists()
        assert practice.writeback_rules.count() > 0


class TestSettingChangeAdmin:
    def test_it_is_read_only(self, staff_client, client_a, practice_a):
        row = SettingChange.objects.create(
            practice=practice_a, section="S", setting="X", old_value="a", new_value="b"
        )
        url = reverse("admin:practices_settingchange_change", args=[row.pk])
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(url, {"setting": "tampered"})
        assert response.status_code == 403
        add = reverse("admin:practices_settingchange_add")
        assert staff_client.get(add).status_code == 403
        delete = reverse("admin:practices_settingchange_delete", args=[row.pk])
        assert staff_client.post(delete, {"post": "yes"}).status_code == 403
        row.refresh_from_db()
        assert row.setting == "X"


class TestWriteBackSettingsAdmin:
    def test_it_offers_only_the_practices_own_reference_items(
        self, staff_client, practice_a, ref_a, ref_b
    ):
        settings = WriteBackSettings.objects.get(practice=practice_a)
        url = reverse("admin:practices_writebacksettings_change", args=[settings.pk])
        html = staff_client.get(url).content.decode()
        assert "Dr. Ada Molar" in html
        assert "Beta " not in html


class TestConnectionStatusActions:
    @pytest.mark.parametrize(
        ("action", "status"),
        [
            ("disable", ConnectionStatus.DISABLED),
            ("remove", ConnectionStatus.REMOVED),
        ],
    )
    def test_it_sets_the_status_with_a_reason_and_keeps_the_data(
        self, staff_client, connection_a, action, status
    ):
        reason = "Practice moved to another PMS"
        response = act(staff_client, action, [connection_a], apply="1", reason=reason)
        assert response.status_code == 302
        conn = PmsConnection.objects.get(pk=connection_a.pk)
        assert (conn.status, conn.status_reason) == (status, reason)
        assert conn.customer_key == connection_a.customer_key
        assert SettingChange.objects.get().new_value.endswith(reason)
        told = [str(m) for m in get_messages(response.wsgi_request)]
        assert told == [f"1 connection set to {status.label}."]

    def test_it_asks_for_a_reason_first(self, staff_client, connection_a):
        response = act(staff_client, "disable", [connection_a])
        assert response.status_code == 200
        assert "Reason" in response.content.decode()
        assert PmsConnection.objects.get().status == ConnectionStatus.ACTIVE

    def test_it_refuses_an_empty_reason(self, staff_client, connection_a):
        response = act(staff_client, "disable", [connection_a], apply="1", reason="")
        assert response.status_code == 200
        assert PmsConnection.objects.get().status == ConnectionStatus.ACTIVE

    def test_it_re_activates_a_disabled_connection(self, staff_client, connection_a):
        connection_a.set_status(ConnectionStatus.DISABLED, "paused")
        act(staff_client, "reactivate", [connection_a], apply="1", reason="back")
        assert PmsConnection.objects.get().status == ConnectionStatus.ACTIVE
        row = SettingChange.objects.get()
        assert (row.old_value, row.new_value) == ("Disabled", "Active — back")

    def test_it_never_deletes_a_connection(self, staff_client, connection_a):
        url = reverse("admin:practices_pmsconnection_delete", args=[connection_a.pk])
        assert staff_client.post(url, {"post": "yes"}).status_code == 403
        assert PmsConnection.objects.exists()


class TestCapabilityTable:
    def test_it_says_not_registered_until_a_connector_is_registered(
        self, staff_client, connection_a, monkeypatch
    ):
        monkeypatch.delitem(registry.CONNECTORS, connection_a.pms_type, raising=False)
        url = reverse("admin:practices_pmsconnection_change", args=[connection_a.pk])
        assert "not registered" in staff_client.get(url).content.decode()

    def test_it_lists_a_registered_connectors_capabilities(
        self, staff_client, connection_a, monkeypatch
    ):
        class Fake:
            capabilities = frozenset({Capability.READ_PATIENTS, Capability.WRITE_NOTE})

        monkeypatch.setitem(registry.CONNECTORS, connection_a.pms_type, Fake)
        url = reverse("admin:practices_pmsconnection_change", args=[connection_a.pk])
        html = staff_client.get(url).content.decode()
        assert "<tr><td>read_patients</td><td>yes</td></tr>" in html
        assert "<tr><td>write_payment</td><td>—</td></tr>" in html


def test_practices_never_imports_syncjobs_or_writeback_at_import_time():
    """syncjobs and writeback build on practices; the other way round is a cycle."""
    root = Path(apps.get_app_config("practices").path)
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.relative_to(root)}: {name}"
                for name in names
                if name.split(".")[0] in {"syncjobs", "writeback"}
            ]
    assert offenders == []
