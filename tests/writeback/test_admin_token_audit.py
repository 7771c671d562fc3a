"""Admin changes to where an API token may write, and what, are audited."""

from django.urls import reverse

from practices.models import SettingChange
from practices.models import WriteBackKind as K
from writeback.models import ServiceToken

NO_ACCESS = "(no access)"
SMS = [K.OUTGOING_SMS, K.INCOMING_SMS]


def changes() -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (row.practice.name, row.setting): (row.old_value, row.new_value)
        for row in SettingChange.objects.select_related("practice").order_by("id")
    }


def make_token(*practices, is_active: bool = True) -> ServiceToken:
    token = ServiceToken(
        service="messaging", label="front desk", is_active=is_active, kinds=SMS
    )
    token.set_new_token()
    token.save()
    token.practices.set(practices)
    return token


def edit(
    client, token: ServiceToken, practices, *, is_active: bool = True, kinds=SMS
) -> None:
    data = {
        "service": token.service,
        "label": token.label,
        "practices": [p.pk for p in practices],
        "kinds": kinds,
    }
    if is_active:
        data["is_active"] = "on"
    url = reverse("admin:writeback_servicetoken_change", args=[token.pk])
    assert client.post(url, data).status_code == 302


def test_adding_a_token_records_each_practice_it_may_write_for(
    staff_client, staff_user, practice_a, practice_b
):
    response = staff_client.post(
        reverse("admin:writeback_servicetoken_add"),
        {
            "service": "messaging",
            "label": "front desk",
            "practices": [practice_a.pk, practice_b.pk],
            "kinds": SMS,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    setting = f"Write-back API token {ServiceToken.objects.get()}"
    kinds = (NO_ACCESS, "Outgoing SMS, Incoming SMS")
    assert changes() == {
        ("Alpha Dental", setting): (NO_ACCESS, "On"),
        ("Alpha Dental", f"{setting}: kinds"): kinds,
        ("Beta Smiles", setting): (NO_ACCESS, "On"),
        ("Beta Smiles", f"{setting}: kinds"): kinds,
    }
    rows = SettingChange.objects.all()
    assert {(row.user, row.section) for row in rows} == {(staff_user, "Access")}


def test_moving_a_token_records_the_practice_left_and_the_one_joined(
    staff_client, practice_a, practice_b
):
    token = make_token(practice_a)

    edit(staff_client, token, [practice_b])

    setting = f"Write-back API token {token}"
    assert changes() == {
        ("Alpha Dental", setting): ("On", NO_ACCESS),
        ("Beta Smiles", setting): (NO_ACCESS, "On"),
        ("Beta Smiles", f"{setting}: kinds"): (NO_ACCESS, "Outgoing SMS, Incoming SMS"),
    }


def test_deactivating_a_token_records_it_for_each_of_its_practices(
    staff_client, practice_a, practice_b
):
    token = make_token(practice_a, practice_b)

    edit(staff_client, token, [practice_a, practice_b], is_active=False)

    setting = f"Write-back API token {token}"
    assert changes() == {
        ("Alpha Dental", setting): ("On", "Off"),
        ("Beta Smiles", setting): ("On", "Off"),
    }


def test_changing_a_tokens_kinds_records_it_for_each_of_its_practices(
    staff_client, staff_user, practice_a, practice_b
):
    both = [practice_a, practice_b]
    token = make_token(*both)

    edit(staff_client, token, both, kinds=[K.PAYMENT, K.OUTGOING_SMS])

    setting = f"Write-back API token {token}: kinds"
    change = ("Outgoing SMS, Incoming SMS", "Outgoing SMS, Payments")
    assert changes() == {
        ("Alpha Dental", setting): change,
        ("Beta Smiles", setting): change,
    }
    rows = SettingChange.objects.all()
    assert {(row.user, row.section) for row in rows} == {(staff_user, "Access")}


def test_deleting_a_token_records_the_access_it_took_away(staff_client, practice_a):
    token = make_token(practice_a)
    setting = f"Write-back API token {token}"

    url = reverse("admin:writeback_servicetoken_delete", args=[token.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 302

    assert not ServiceToken.objects.exists()
    assert changes() == {("Alpha Dental", setting): ("On", NO_ACCESS)}


def test_a_save_that_changes_no_scope_records_nothing(staff_client, practice_a):
    token = make_token(practice_a)

    edit(staff_client, token, [practice_a])

    assert not SettingChange.objects.exists()


def test_deleting_tokens_in_bulk_records_each_ones_lost_access(
    staff_client, practice_a, practice_b
):
    first, second = make_token(practice_a), make_token(practice_b)
    expected = {
        ("Alpha Dental", f"Write-back API token {first}"): ("On", NO_ACCESS),
        ("Beta Smiles", f"Write-back API token {second}"): ("On", NO_ACCESS),
    }

    response = staff_client.post(
        reverse("admin:writeback_servicetoken_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [first.pk, second.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not ServiceToken.objects.exists()
    assert changes() == expected
