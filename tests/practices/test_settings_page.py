"""The PMS Sync & Write-Back Settings page shows and saves every setting."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from practices.models import (
    SyncSettings,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from records.models import Appointment

from .conftest import page_payload, settings_url

SECTIONS = [
    "PMS Sync Settings",
    "Writeback provider ID",
    "Incremental Sync Settings",
    "Fast Sync Update Intervals",
    "Note Write Back Settings",
    "Other Write-Back Types",
    "Phone Call Logs",
    "Patient &amp; Task Notes",
    "Communications",
    "Insurance",
    "Note Type Selection",
    "Document Type Settings",
    "Appointment Status Settings",
    "Online Forms Settings",
    "Payment Sync Settings",
    "Automatically Sync Payments",
    "Separate Payments and Fees",
    "Save Changes",
]


def changed_payload(ref) -> dict[str, list[str]]:
    """Return a submission that changes every setting away from its default."""
    data = {
        "provider": [str(ref.provider.pk)],
        "incremental_interval_minutes": ["5"],
        "appointment_status_interval_seconds": ["30"],
        "appointment_changes_interval_seconds": ["120"],
        "new_patients_enabled": ["on"],
        "new_patients_interval_seconds": ["45"],
        "profile_photos_enabled": ["on"],
        "default_note_type": [str(ref.note_general.pk)],
        "insurance_verification_category": [str(ref.doc_insurance.pk)],
        "account_statement_category": [str(ref.doc_statements.pk)],
        "confirmed_statuses": sorted(
            [str(ref.status_confirmed.pk), str(ref.status_texted.pk)]
        ),
        "confirmed_status": [str(ref.status_confirmed.pk)],
        "unconfirmed_status": [str(ref.status_unconfirmed.pk)],
        "form_patient_identification_category": [str(ref.doc_intake.pk)],
        "form_informed_consent_category": [str(ref.doc_consent.pk)],
        "form_treatment_plan_category": [str(ref.doc_treatment.pk)],
        "form_scanned_documents_category": [str(ref.doc_scans.pk)],
        "auto_sync_payments": ["on"],
        "provider_payment_type": [str(ref.pay_additional.pk)],
        "online_payment_type": [str(ref.pay_online.pk)],
        "pos_payment_type": [str(ref.pay_pos.pk)],
        "surcharge_payment_type": [str(ref.pay_surcharge.pk)],
        "separate_payments_and_fees": ["on"],
    }
    for index, kind in enumerate(WriteBackKind.switched()):
        if index % 2 == 0:
            data[f"allow_{kind.value}"] = ["on"]
        if kind.is_note:
            note = ref.note_phone if index % 3 == 0 else None
            data[f"note_type_{kind.value}"] = [str(note.pk) if note else ""]
    return data


class TestSettingsPage:
    def test_it_shows_every_section_of_the_help_center(self, client_a, practice_a):
        html = client_a.get(settings_url(practice_a)).content.decode()
        for text in SECTIONS:
            assert text in html
        for kind in WriteBackKind.switched():
            assert f'name="allow_{kind.value}"' in html
        # Automatically Sync Payments governs payments; no second switch for them.
        assert 'name="allow_payment"' not in html
        assert html.count('type="submit" class="primary"') == 1

    def test_it_shows_the_help_centers_defaults_for_a_new_practice(
        self, client_a, practice_a
    ):
        data = page_payload(client_a, practice_a)
        assert data["incremental_interval_minutes"] == ["15"]
        assert data["appointment_status_interval_seconds"] == ["15"]
        assert data["appointment_changes_interval_seconds"] == ["60"]
        assert data["new_patients_interval_seconds"] == ["30"]
        assert data["appointment_status_enabled"] == ["on"]
        assert data["appointment_changes_enabled"] == ["on"]
        assert data["new_patients_enabled"] == ["on"]
        assert "auto_sync_payments" not in data
        assert "separate_payments_and_fees" not in data
        assert "profile_photos_enabled" not in data
        assert not any(name.startswith("allow_") for name in data)

    def test_it_offers_only_this_practices_reference_items(
        self, client_a, practice_a, ref_a, ref_b
    ):
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert "Dr. Ada Molar [DOC1]" in html
        assert "Beta " not in html

    def test_it_lists_inactive_providers_marked_inactive(
        self, client_a, practice_a, ref_a
    ):
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert "Dr. Retired [OLD9] (inactive)" in html

    def test_it_round_trips_every_setting(self, client_a, practice_a, ref_a):
        submitted = changed_payload(ref_a)
        response = client_a.post(settings_url(practice_a), submitted)
        assert response.status_code == 302
        assert page_payload(client_a, practice_a) == submitted

    def test_it_stores_the_saved_values_in_the_settings_rows(
        self, client_a, practice_a, ref_a
    ):
        client_a.post(settings_url(practice_a), changed_payload(ref_a))
        sync = SyncSettings.objects.get(practice=practice_a)
        writeback = WriteBackSettings.objects.get(practice=practice_a)
        assert sync.incremental_interval_minutes == 5
        assert sync.appointment_status_enabled is False
        assert sync.profile_photos_enabled is True
        assert writeback.provider == ref_a.provider
        assert writeback.has_valid_provider
        assert set(writeback.confirmed_statuses.all()) == {
            ref_a.status_confirmed,
            ref_a.status_texted,
        }
        rule = WriteBackRule.objects.get(
            practice=practice_a, kind=WriteBackKind.OUTGOING_CALL
        )
        assert rule.enabled and rule.note_type == ref_a.note_phone

    def test_it_says_when_nothing_changed(self, client_a, practice_a, ref_a):
        response = client_a.post(
            settings_url(practice_a), page_payload(client_a, practice_a), follow=True
        )
        assert "Nothing changed." in response.content.decode()

    def test_it_reports_how_many_settings_changed(self, client_a, practice_a):
        data = page_payload(client_a, practice_a)
        data["incremental_interval_minutes"] = ["30"]
        response = client_a.post(settings_url(practice_a), data, follow=True)
        assert "Saved: 1 setting changed." in response.content.decode()

    def test_it_warns_that_write_back_is_blocked_without_a_valid_provider(
        self, client_a, practice_a, ref_a
    ):
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert 'id="writeback-blocked"' in html
        assert "No Writeback provider ID is set." in html
        data = page_payload(client_a, practice_a)
        data["provider"] = [str(ref_a.provider.pk)]
        client_a.post(settings_url(practice_a), data)
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert 'id="writeback-blocked"' not in html

    def test_it_warns_when_the_saved_provider_went_inactive(
        self, client_a, practice_a, ref_a
    ):
        WriteBackSettings.objects.filter(practice=practice_a).update(
            provider=ref_a.provider
        )
        ref_a.provider.active = False
        ref_a.provider.save()
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert "Dr. Ada Molar, is inactive in your PMS" in html

    def test_it_recommends_an_interval_before_any_data_exists(
        self, client_a, practice_a
    ):
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert "No appointment data yet" in html

    def test_it_recommends_an_interval_from_the_practices_own_volume(
        self, client_a, practice_a, practice_b
    ):
        today = timezone.localdate(timezone=practice_a.tzinfo)
        Appointment.objects.bulk_create(
            Appointment(
                practice=practice_a,
                pms_id=f"A{day}-{n}",
                start_at=datetime.combine(
                    today - timedelta(days=day), time(9), tzinfo=practice_a.tzinfo
                )
                + timedelta(minutes=n),
            )
            for day in (2, 3)
            for n in range(80)
        )
        # Planned visits and sticky notes kept off the PMS calendar do not count.
        Appointment.objects.bulk_create(
            Appointment(
                practice=practice_a,
                pms_id=f"P{day}-{n}",
                on_schedule=False,
                start_at=datetime.combine(
                    today - timedelta(days=day), time(9), tzinfo=practice_a.tzinfo
                ),
            )
            for day in (2, 3)
            for n in range(80)
        )
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert "Medium practice (80 appointments/day" in html
        assert "10–15 minutes recommended" in html
