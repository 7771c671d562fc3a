"""Every page says data is still loading while the initial sync runs, then stops."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import cast

BANNER = "Data is still loading; some reports may be incomplete."
PAGES = ["sync/", "patients/", "patients/7/", "schedule/", "dashboard/"]


@pytest.fixture
def loading_a(practice_a):
    cast.connect(practice_a, loaded=False)
    cast.start_initial_sync(practice_a, done=400, total=1_000)
    cast.patients(
        practice_a, {"pms_id": "7", "first_name": "Ada", "last_name": "Molar"}
    )
    return practice_a


@pytest.mark.parametrize("path", PAGES)
def test_it_shows_the_banner_with_progress_during_the_initial_sync(
    client, admin_a, loading_a, path
):
    page = cast.login(client, admin_a).get(f"/practices/{loading_a.pk}/{path}")
    text = page.content.decode()
    assert BANNER in text
    assert "(40% done, about" in text


@pytest.mark.parametrize("path", PAGES)
def test_it_hides_the_banner_once_the_initial_sync_finished(
    client, admin_a, loading_a, path
):
    cast.finish_initial_sync(loading_a)
    page = cast.login(client, admin_a).get(f"/practices/{loading_a.pk}/{path}")
    assert page.status_code == 200
    assert BANNER not in page.content.decode()
    assert 'id="data-as-of"' in page.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_it_warns_when_data_is_visibly_stale(client, admin_a, loading_a, path):
    cast.finish_initial_sync(loading_a, at=timezone.now() - timedelta(hours=2))
    page = cast.login(client, admin_a).get(f"/practices/{loading_a.pk}/{path}")
    assert 'id="stale-banner"' in page.content.decode()
    assert BANNER not in page.content.decode()
