"""Admin changes to who may manage a practice's settings leave SettingChange rows."""

from django.urls import reverse

from practices.models import Membership, Practice, SettingChange

from ..conftest import make_user

NO_ACCESS = "(no access)"


def permission(username: str) -> str:
    return f"Practice Settings permission for {username}"


def changes() -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (row.practice.name, row.setting): (row.old_value, row.new_value)
        for row in SettingChange.objects.select_related("practice").order_by("id")
    }


def save_practice_page(client, practice: Practice, rows: list[dict]) -> None:
    """Post the practice page with its memberships inline set to `rows`."""
    data = {
        "name": practice.name,
        "time_zone": practice.time_zone,
        "nightly_window_start_hour": practice.nightly_window_start_hour,
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": sum(1 for row in rows if "id" in row),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{i}-{key}"] = value
        data[f"memberships-{i}-practice"] = practice.pk
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"]


def row(membership: Membership, **changes) -> dict:
    """Return `membership` as its inline row posts it, with `changes` applied."""
    values = {"id": membership.pk, "user": membership.user_id}
    if membership.can_manage_settings:
        values["can_manage_settings"] = "on"
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def membership_url(view: str, *args) -> str:
    return reverse(f"admin:practices_membership_{view}", args=args)


class TestPracticePage:
    def test_granting_the_permission_records_off_to_on_by_whom(
        self, staff_client, staff_user, practice_a
    ):
        carol = make_user("carol")
        member = Membership.objects.create(user=carol, practice=practice_a)

        save_practice_page(
            staff_client, practice_a, [row(member, can_manage_settings="on")]
        )

        assert changes() == {("Alpha Dental", permission("carol")): ("Off", "On")}
        change = SettingChange.objects.get()
        assert (change.user, change.section) == (staff_user, "Access")

    def test_revoking_the_permission_records_on_to_off(
        self, staff_client, admin_a, practice_a
    ):
        member = Membership.objects.get(user=admin_a)

        save_practice_page(
            staff_client, practice_a, [row(member, can_manage_settings=None)]
        )

        assert changes() == {("Alpha Dental", permission("alice")): ("On", "Off")}

    def test_adding_and_removing_members_records_their_access(
        self, staff_client, admin_a, practice_a
    ):
        dave = make_user("dave")
        member = Membership.objects.get(user=admin_a)

        save_practice_page(
            staff_client,
            practice_a,
            [
                row(member, DELETE="on"),
                {"user": dave.pk, "can_manage_settings": "on"},
            ],
        )

        assert changes() == {
            ("Alpha Dental", permission("alice")): ("On", NO_ACCESS),
            ("Alpha Dental", permission("dave")): (NO_ACCESS, "On"),
        }

    def test_a_save_that_changes_no_access_records_nothing(
        self, staff_client, admin_a, practice_a
    ):
        member = Membership.objects.get(user=admin_a)

        save_practice_page(staff_client, practice_a, [row(member)])

        assert not SettingChange.objects.exists()


class TestMembershipAdmin:
    def test_adding_a_membership_records_the_new_access(
        self, staff_client, staff_user, practice_a
    ):
        erin = make_user("erin")

        response = staff_client.post(
            membership_url("add"), {"user": erin.pk, "practice": practice_a.pk}
        )

        assert response.status_code == 302
        assert changes() == {("Alpha Dental", permission("erin")): (NO_ACCESS, "Off")}
        assert SettingChange.objects.get().user == staff_user

    def test_granting_the_permission_records_off_to_on(self, staff_client, practice_a):
        frank = make_user("frank")
        member = Membership.objects.create(user=frank, practice=practice_a)

        response = staff_client.post(
            membership_url("change", member.pk),
            {
                "user": frank.pk,
                "practice": practice_a.pk,
                "can_manage_settings": "on",
            },
        )

        assert response.status_code == 302
        assert changes() == {("Alpha Dental", permission("frank")): ("Off", "On")}

    def test_moving_a_membership_records_access_lost_and_gained(
        self, staff_client, admin_a, practice_a, practice_b
    ):
        member = Membership.objects.get(user=admin_a)

        response = staff_client.post(
            membership_url("change", member.pk),
            {
                "user": admin_a.pk,
                "practice": practice_b.pk,
                "can_manage_settings": "on",
            },
        )

        assert response.status_code == 302
        assert changes() == {
            ("Alpha Dental", permission("alice")): ("On", NO_ACCESS),
            ("Beta Smiles", permission("alice")): (NO_ACCESS, "On"),
        }

    def test_deleting_a_membership_records_the_lost_access(
        self, staff_client, admin_a, practice_a
    ):
        member = Membership.objects.get(user=admin_a)

        response = staff_client.post(
            membership_url("delete", member.pk), {"post": "yes"}
        )

        assert response.status_code == 302
        assert not Membership.objects.filter(pk=member.pk).exists()
        assert changes() == {("Alpha Dental", permission("alice")): ("On", NO_ACCESS)}

    def test_deleting_in_bulk_records_each_lost_access(
        self, staff_client, admin_a, admin_b
    ):
        response = staff_client.post(
            membership_url("changelist"),
            {
                "action": "delete_selected",
                "_selected_action": list(
                    Membership.objects.values_list("pk", flat=True)
                ),
                "post": "yes",
            },
        )

        assert response.status_code == 302
        assert not Membership.objects.exists()
        assert changes() == {
            ("Alpha Dental", permission("alice")): ("On", NO_ACCESS),
            ("Beta Smiles", permission("bob")): ("On", NO_ACCESS),
        }
