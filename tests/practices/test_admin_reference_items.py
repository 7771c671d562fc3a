"""PMS reference data is read-only in admin: only the reference sync writes it."""

from django.urls import reverse

from practices.models import ReferenceItem, ReferenceKind


def url(view: str, *args) -> str:
    return reverse(f"admin:practices_referenceitem_{view}", args=args)


def test_it_lists_searches_and_filters_reference_items(staff_client, ref_a, ref_b):
    response = staff_client.get(
        url("changelist"), {"q": "Molar", "kind__exact": ReferenceKind.PROVIDER}
    )

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {
        ref_a.provider,
        ref_b.provider,
    }


def test_its_page_shows_the_item_without_a_save_button(staff_client, ref_a):
    response = staff_client.get(url("change", ref_a.provider.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Dr. Ada Molar" in html
    assert 'name="_save"' not in html
    assert 'name="_continue"' not in html
    assert url("delete", ref_a.provider.pk) not in html


def test_it_refuses_a_change_and_a_move_to_another_practice(
    staff_client, ref_a, practice_b
):
    item = ref_a.provider
    response = staff_client.post(
        url("change", item.pk),
        {
            "practice": practice_b.pk,
            "kind": ReferenceKind.PROVIDER,
            "pms_id": "EVIL",
            "label": "Tampered",
            "active": "",
        },
    )

    assert response.status_code == 403
    stored = ReferenceItem.objects.get(pk=item.pk)
    assert (stored.practice, stored.pms_id, stored.label, stored.active) == (
        item.practice,
        "DOC1",
        "Dr. Ada Molar",
        True,
    )


def test_it_refuses_to_add_an_item(staff_client, ref_a, practice_a):
    before = ReferenceItem.objects.count()

    assert staff_client.get(url("add")).status_code == 403
    response = staff_client.post(
        url("add"),
        {
            "practice": practice_a.pk,
            "kind": ReferenceKind.PROVIDER,
            "pms_id": "NEW1",
            "label": "Dr. Invented",
            "active": "on",
        },
    )

    assert response.status_code == 403
    assert ReferenceItem.objects.count() == before


def test_it_refuses_to_delete_an_item_one_by_one_or_in_bulk(staff_client, ref_a):
    item = ref_a.provider
    before = ReferenceItem.objects.count()

    response = staff_client.post(url("delete", item.pk), {"post": "yes"})
    bulk = staff_client.post(
        url("changelist"),
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert bulk.status_code in (200, 302)
    assert ReferenceItem.objects.count() == before
