"""The settings page says what the practice's PMS does with notes and photos."""

import pytest

from practices.models import PmsConnection, PmsType

from .conftest import settings_url

NOTE = 'id="photos-not-offered"'


def connect(practice, pms_type: str) -> None:
    PmsConnection.objects.create(
        practice=practice, pms_type=pms_type, base_url="https://pms.example.com"
    )


@pytest.mark.parametrize(
    ("pms_type", "named"),
    [(PmsType.DENTRIX_ASCEND, "Dentrix Ascend"), (PmsType.EAGLESOFT, "Eaglesoft")],
)
def test_it_says_a_pms_without_photos_makes_the_setting_moot(
    client_a, practice_a, pms_type, named
):
    connect(practice_a, pms_type)
    html = client_a.get(settings_url(practice_a)).content.decode()
    assert NOTE in html
    assert f"{named} offers no patient photos, so this setting has no effect." in html


def test_it_says_nothing_for_open_dental_or_before_a_connection(client_a, practice_a):
    assert NOTE not in client_a.get(settings_url(practice_a)).content.decode()
    connect(practice_a, PmsType.OPEN_DENTAL)
    assert NOTE not in client_a.get(settings_url(practice_a)).content.decode()


@pytest.mark.parametrize(
    ("pms_type", "text"),
    [
        (
            PmsType.OPEN_DENTAL,
            "In Open Dental each note lands as a Communication Log (commlog) entry "
            "on the patient.",
        ),
        (
            PmsType.DENTRIX_ASCEND,
            "In Dentrix Ascend each note lands as a patient note, calls and emails "
            "too (its API offers no call log or communication history).",
        ),
        (PmsType.EAGLESOFT, "In Eaglesoft each note lands as a note on the patient"),
    ],
)
def test_it_says_where_notes_land_in_the_practices_pms(
    client_a, practice_a, pms_type, text
):
    connect(practice_a, pms_type)
    html = client_a.get(settings_url(practice_a)).content.decode()
    assert text.replace("'", "&#x27;") in html
