"""The patient list shows live patients, searches name, phone and email, and pages."""

import pytest
from django.utils import timezone

from records.queries import PAGE_SIZE
from tests.browser import cast


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """Return the django-q tasks queued during the test, instead of queueing them."""
    tasks: list[tuple] = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda *args, **kw: tasks.append(args)
    )
    return tasks


@pytest.fixture
def patients_a(practice_a):
    cast.connect(practice_a)
    return cast.patients(
        practice_a,
        {
            "pms_id": "1",
            "first_name": "Ada",
            "last_name": "Molar",
            "phone": "(555) 123-4567",
            "email": "ada@example.com",
        },
        {
            "pms_id": "2",
            "first_name": "Bram",
            "last_name": "Canine",
            "phone": "555.987.6543",
            "email": "bram@smiles.test",
        },
        {
            "pms_id": "3",
            "first_name": "Ada",
            "last_name": "Gone",
            "phone": "555-123-4567",
            "deleted_at": timezone.now(),
        },
    )


def names(client, practice, query: str = "", page: int | None = None) -> list[str]:
    params = {"q": query} | ({"page": page} if page else {})
    response = client.get(f"/practices/{practice.pk}/patients/", params)
    return [str(p) for p in response.context["page"].object_list]


def test_it_lists_live_patients_by_last_name(client, admin_a, practice_a, patients_a):
    assert names(cast.login(client, admin_a), practice_a) == [
        "Bram Canine",
        "Ada Molar",
    ]


def test_it_never_shows_deleted_patients_even_when_they_match(
    client, admin_a, practice_a, patients_a
):
    cast.login(client, admin_a)
    assert names(client, practice_a, "Ada") == ["Ada Molar"]
    assert names(client, practice_a, "Gone") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("molar", ["Ada Molar"]),
        ("ada molar", ["Ada Molar"]),
        ("BRAM", ["Bram Canine"]),
        ("smiles.test", ["Bram Canine"]),
        ("ada@example", ["Ada Molar"]),
        ("5551234567", ["Ada Molar"]),
        ("(555) 987-6543", ["Bram Canine"]),
        ("987", ["Bram Canine"]),
        ("555", ["Bram Canine", "Ada Molar"]),
        ("nobody", []),
    ],
)
def test_it_searches_name_phone_and_email(
    client, admin_a, practice_a, patients_a, query, expected
):
    assert names(cast.login(client, admin_a), practice_a, query) == expected


def test_it_shows_only_this_practices_patients(
    client, admin_a, practice_a, practice_b, patients_a
):
    cast.patients(practice_b, {"pms_id": "1", "first_name": "Ada", "last_name": "Beta"})
    assert names(cast.login(client, admin_a), practice_a, "Ada") == ["Ada Molar"]


def test_it_pages_through_many_patients(client, admin_a, practice_a):
    cast.connect(practice_a)
    cast.patients(
        practice_a,
        *(
            {"pms_id": str(n), "first_name": "P", "last_name": f"L{n:03}"}
            for n in range(PAGE_SIZE + 5)
        ),
    )
    cast.login(client, admin_a)
    assert len(names(client, practice_a)) == PAGE_SIZE
    assert names(client, practice_a, page=2) == [
        f"P L{n:03}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)
    ]
    page = client.get(f"/practices/{practice_a.pk}/patients/", {"page": 2})
    assert "Page 2 of 2" in page.content.decode()
    assert f"{PAGE_SIZE + 5} patients" in page.content.decode()


def test_it_reads_a_page_in_a_fixed_number_of_queries(
    client, admin_a, practice_a, patients_a, django_assert_max_num_queries
):
    cast.patients(
        practice_a, *({"pms_id": f"x{n}", "last_name": f"X{n}"} for n in range(60))
    )
    cast.login(client, admin_a)
    client.get(f"/practices/{practice_a.pk}/patients/")  # warm the session
    with django_assert_max_num_queries(12):
        client.get(f"/practices/{practice_a.pk}/patients/", {"q": "x"})


def test_bulk_sync_queues_a_refresh_of_the_ticked_patients(
    client, admin_a, practice_a, patients_a, queued
):
    response = cast.login(client, admin_a).post(
        f"/practices/{practice_a.pk}/patients/sync/",
        {"patient": ["1", "2", "1"]},
        follow=True,
    )
    assert queued == [("syncjobs.tasks.refresh_patients", practice_a.pk, ["1", "2"])]
    assert "Syncing 2 patients from the PMS." in response.content.decode()


def test_bulk_sync_asks_for_a_choice_when_none_is_ticked(
    client, admin_a, practice_a, patients_a
):
    response = cast.login(client, admin_a).post(
        f"/practices/{practice_a.pk}/patients/sync/", follow=True
    )
    assert "Choose at least one patient to sync." in response.content.decode()


def test_bulk_actions_offer_sync_patient(client, admin_a, practice_a, patients_a):
    page = cast.login(client, admin_a).get(f"/practices/{practice_a.pk}/patients/")
    html = page.content.decode()
    assert '<label for="bulk-action">Bulk Actions</label>' in html
    assert '<option value="sync">Sync Patient' in html
    assert 'id="select-page"' in html


def test_bulk_sync_returns_to_the_same_search_and_page(
    client, admin_a, practice_a, patients_a, queued
):
    response = cast.login(client, admin_a).post(
        f"/practices/{practice_a.pk}/patients/sync/",
        {"patient": ["1"], "action": "sync", "q": "molar & co", "page": "2"},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/practices/{practice_a.pk}/patients/?q=molar+%26+co&page=2"
    )


def test_bulk_sync_ignores_a_page_that_is_not_a_number(
    client, admin_a, practice_a, patients_a, queued
):
    response = cast.login(client, admin_a).post(
        f"/practices/{practice_a.pk}/patients/sync/",
        {"patient": ["1"], "page": "//evil.example"},
    )
    assert response["Location"] == f"/practices/{practice_a.pk}/patients/"


def test_an_unknown_bulk_action_does_nothing_and_says_so(
    client, admin_a, practice_a, patients_a, queued
):
    response = cast.login(client, admin_a).post(
        f"/practices/{practice_a.pk}/patients/sync/",
        {"patient": ["1"], "action": "delete"},
        follow=True,
    )
    assert queued == []
    assert "Choose a bulk action." in response.content.decode()
