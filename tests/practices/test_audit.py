"""Every changed setting leaves a SettingChange: who, when, which, old → new."""

from datetime import UTC, datetime

from django.urls import reverse

from practices.models import SettingChange, WriteBackKind, WriteBackRule

from .conftest import page_payload, practice_url, settings_url
from .test_settings_page import changed_payload


def change(client, practice, **fields: list[str]) -> None:
    data = {**page_payload(client, practice), **fields}
    assert client.post(settings_url(practice), data).status_code == 302


class TestAudit:
    def test_it_records_who_changed_which_setting_from_old_to_new(
        self, client_a, admin_a, practice_a
    ):
        change(client_a, practice_a, incremental_interval_minutes=["30"])
        row = SettingChange.objects.get()
        assert row.practice == practice_a
        assert row.user == admin_a
        assert row.changed_at is not None
        assert row.section == "Incremental Sync Settings"
        assert row.setting == "Incremental sync interval"
        assert (row.old_value, row.new_value) == ("15 minutes", "30 minutes")

    def test_it_records_reference_values_as_labels_not_ids(
        self, client_a, practice_a, ref_a
    ):
        change(client_a, practice_a, provider=[str(ref_a.provider.pk)])
        change(client_a, practice_a, provider=[str(ref_a.provider_2.pk)])
        first, second = SettingChange.objects.order_by("id")
        assert (first.old_value, first.new_value) == (
            "(not set)",
            "Dr. Ada Molar [DOC1]",
        )
        assert (second.old_value, second.new_value) == (
            "Dr. Ada Molar [DOC1]",
            "Hana Hygienist [HYG1]",
        )

    def test_it_records_toggles_and_multi_selects_in_words(
        self, client_a, practice_a, ref_a
    ):
        change(
            client_a,
            practice_a,
            allow_outgoing_sms=["on"],
            confirmed_statuses=[
                str(ref_a.status_confirmed.pk),
                str(ref_a.status_texted.pk),
            ],
        )
        rows = {row.setting: row for row in SettingChange.objects.all()}
        assert set(rows) == {"Outgoing SMS: Allow", "Confirmed appointment statuses"}
        sms = rows["Outgoing SMS: Allow"]
        assert (sms.section, sms.old_value, sms.new_value) == (
            "Note Write Back Settings",
            "Off",
            "On",
        )
        statuses = rows["Confirmed appointment statuses"]
        assert statuses.old_value == "(none)"
        assert statuses.new_value == "Confirmed [S1], Confirmed by Text [S2]"

    def test_it_records_one_row_per_changed_setting(self, client_a, practice_a, ref_a):
        before = page_payload(client_a, practice_a)
        after = changed_payload(ref_a)
        changed_fields = {
            name
            for name in before.keys() | after.keys()
            if before.get(name, []) != after.get(name, [])
        }
        client_a.post(settings_url(practice_a), after)
        assert SettingChange.objects.count() == len(changed_fields)

    def test_it_records_nothing_for_unchanged_settings(
        self, client_a, practice_a, ref_a
    ):
        client_a.post(settings_url(practice_a), changed_payload(ref_a))
        count = SettingChange.objects.count()
        change(client_a, practice_a)
        assert SettingChange.objects.count() == count

    def test_it_shows_recent_changes_on_the_practice_page(
        self, client_a, practice_a, ref_a
    ):
        change(client_a, practice_a, provider=[str(ref_a.provider.pk)])
        html = client_a.get(practice_url(practice_a)).content.decode()
        assert "Writeback provider ID" in html
        assert "Dr. Ada Molar [DOC1]" in html
        assert "alice" in html

    def test_the_practice_page_dates_changes_in_the_practice_time_zone(
        self, client_a, practice_a
    ):
        at = datetime(2026, 1, 15, 17, 5, tzinfo=UTC)  # 10:05 AM in Denver (MST)
        made = SettingChange.objects.create(
            practice=practice_a, section="Sync", setting="Interval"
        )
        SettingChange.objects.filter(pk=made.pk).update(changed_at=at)  # auto_now_add
        html = client_a.get(practice_url(practice_a)).content.decode()
        assert "When (America/Denver)" in html
        assert ">Jan 15, 2026 10:05 AM</time>" in html

    def test_it_audits_settings_changed_in_django_admin(
        self, staff_client, staff_user, practice_a
    ):
        rule = WriteBackRule.objects.get(
            practice=practice_a, kind=WriteBackKind.NEW_APPOINTMENT
        )
        url = reverse("admin:practices_writebackrule_change", args=[rule.pk])
        response = staff_client.post(url, {"enabled": "on", "note_type": ""})
        assert response.status_code == 302
        row = SettingChange.objects.get()
        assert (row.user, row.setting, row.old_value, row.new_value) == (
            staff_user,
            "New appointment created: Allow",
            "Off",
            "On",
        )
