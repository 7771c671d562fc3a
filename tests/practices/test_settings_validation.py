"""Saving the settings page validates every field, and saves all or nothing."""

import pytest

from practices.models import SettingChange, WriteBackSettings

from .conftest import db_state, page_payload, settings_url
from .test_settings_page import changed_payload


@pytest.fixture
def post_a(client_a, practice_a, ref_a):
    """Post the page with `changes` on top of every valid change; return the HTML."""

    def post(**changes: list[str]) -> str:
        data = {**changed_payload(ref_a), **changes}
        response = client_a.post(settings_url(practice_a), data)
        assert response.status_code == 200
        return response.content.decode()

    return post


class TestSettingsValidation:
    def test_it_rejects_an_inactive_provider_with_a_clear_error(self, post_a, ref_a):
        html = post_a(provider=[str(ref_a.inactive_provider.pk)])
        assert "Dr. Retired is inactive in your PMS; choose an active provider." in html
        assert "Nothing was saved." in html

    def test_it_rejects_an_inactive_provider_even_if_already_saved(
        self, client_a, practice_a, ref_a
    ):
        WriteBackSettings.objects.filter(practice=practice_a).update(
            provider=ref_a.inactive_provider
        )
        data = page_payload(client_a, practice_a)
        html = client_a.post(settings_url(practice_a), data).content.decode()
        assert "Dr. Retired is inactive in your PMS" in html

    def test_it_rejects_another_practices_provider(self, post_a, ref_b):
        html = post_a(provider=[str(ref_b.provider.pk)])
        assert "not in this practice&#x27;s PMS reference data" in html

    def test_it_rejects_a_provider_id_that_does_not_exist(self, post_a):
        html = post_a(provider=["987654"])
        assert "not in this practice&#x27;s PMS reference data" in html

    def test_it_rejects_a_reference_item_of_the_wrong_kind(self, post_a, ref_a):
        html = post_a(account_statement_category=[str(ref_a.pay_pos.pk)])
        assert "not in this practice&#x27;s PMS reference data" in html

    @pytest.mark.parametrize(
        "field",
        [
            "default_note_type",
            "insurance_verification_category",
            "confirmed_status",
            "form_treatment_plan_category",
            "surcharge_payment_type",
        ],
    )
    def test_it_rejects_another_practices_mapping_value(self, post_a, ref_b, field):
        foreign = {
            "default_note_type": ref_b.note_general,
            "insurance_verification_category": ref_b.doc_insurance,
            "confirmed_status": ref_b.status_confirmed,
            "form_treatment_plan_category": ref_b.doc_treatment,
            "surcharge_payment_type": ref_b.pay_surcharge,
        }[field]
        html = post_a(**{field: [str(foreign.pk)]})
        assert f'id="{field}-errors"' in html
        assert "not in this practice&#x27;s PMS reference data" in html

    def test_it_rejects_another_practices_confirmed_status(self, post_a, ref_a, ref_b):
        html = post_a(
            confirmed_statuses=[
                str(ref_a.status_confirmed.pk),
                str(ref_b.status_texted.pk),
            ]
        )
        assert "not in this practice&#x27;s PMS reference data" in html

    def test_it_rejects_another_practices_note_type_on_a_rule(self, post_a, ref_b):
        html = post_a(note_type_outgoing_sms=[str(ref_b.note_phone.pk)])
        assert "not in this practice&#x27;s PMS reference data" in html

    @pytest.mark.parametrize("minutes", ["7", "0", "90", "abc", ""])
    def test_it_rejects_an_interval_outside_the_allowed_set(self, post_a, minutes):
        html = post_a(incremental_interval_minutes=[minutes])
        assert (
            "Choose one of the allowed intervals: 2, 5, 10, 15, 30, 45, 60 minutes."
            in html
            or "This field is required." in html
        )

    def test_it_rejects_a_fast_check_interval_outside_the_allowed_set(self, post_a):
        html = post_a(appointment_status_interval_seconds=["1"])
        assert "Choose one of the listed check intervals." in html

    def test_it_rejects_a_newly_chosen_inactive_note_type(self, post_a, ref_a):
        html = post_a(default_note_type=[str(ref_a.inactive_note.pk)])
        assert "Legacy Note is inactive in your PMS; choose an active value." in html

    def test_it_keeps_a_mapping_whose_value_went_inactive_since_it_was_chosen(
        self, client_a, practice_a, ref_a
    ):
        client_a.post(settings_url(practice_a), changed_payload(ref_a))
        ref_a.doc_scans.active = False
        ref_a.doc_scans.save()
        data = page_payload(client_a, practice_a)
        response = client_a.post(settings_url(practice_a), data)
        assert response.status_code == 302

    def test_it_shows_every_error_at_once(self, post_a, ref_a, ref_b):
        html = post_a(
            provider=[str(ref_a.inactive_provider.pk)],
            incremental_interval_minutes=["7"],
            pos_payment_type=[str(ref_b.pay_pos.pk)],
            note_type_missed_call=[str(ref_a.inactive_note.pk)],
        )
        assert "Dr. Retired is inactive in your PMS" in html
        assert "Choose one of the allowed intervals" in html
        assert 'id="pos_payment_type-errors"' in html
        assert "Legacy Note is inactive in your PMS" in html

    @pytest.mark.parametrize(
        "invalid",
        [
            {"incremental_interval_minutes": ["7"]},
            {"provider": ["inactive"]},
            {"note_type_task_note": ["foreign"]},
        ],
        ids=["bad interval", "inactive provider", "foreign note type"],
    )
    def test_an_invalid_save_changes_nothing_and_writes_no_audit_rows(
        self, client_a, practice_a, ref_a, ref_b, invalid
    ):
        substitutes = {
            "inactive": str(ref_a.inactive_provider.pk),
            "foreign": str(ref_b.note_phone.pk),
        }
        changes = {
            name: [substitutes.get(value, value) for value in values]
            for name, values in invalid.items()
        }
        page_payload(client_a, practice_a)  # settings rows exist before the snapshot
        before = db_state()
        response = client_a.post(
            settings_url(practice_a), {**changed_payload(ref_a), **changes}
        )
        assert response.status_code == 200
        assert db_state() == before
        assert not SettingChange.objects.exists()
