"""Home lists the practices a user manages; the switcher moves between them."""

from django.test import Client
from django.urls import reverse

from practices.models import Membership
from tests.conftest import PASSWORD

from .conftest import practice_url, settings_url


class TestHome:
    def test_it_lists_only_the_practices_the_user_manages(
        self, client_a, practice_a, practice_b
    ):
        html = client_a.get(reverse("home")).content.decode()
        assert "Alpha Dental" in html
        assert "Beta Smiles" not in html
        assert settings_url(practice_a) in html

    def test_it_shows_no_switcher_for_a_single_practice(self, client_a):
        html = client_a.get(reverse("home")).content.decode()
        assert 'id="practice-switcher"' not in html

    def test_it_offers_a_switcher_to_admins_of_several_practices(
        self, client_a, admin_a, practice_a, practice_b
    ):
        Membership.objects.create(
            user=admin_a, practice=practice_b, can_manage_settings=True
        )
        html = client_a.get(settings_url(practice_a)).content.decode()
        assert 'id="practice-switcher"' in html
        assert "Beta Smiles" in html

    def test_the_switcher_goes_to_the_same_page_of_the_chosen_practice(
        self, client_a, admin_a, practice_b
    ):
        Membership.objects.create(
            user=admin_a, practice=practice_b, can_manage_settings=True
        )
        switch = reverse("switch_practice")
        to_settings = client_a.get(
            switch, {"practice": practice_b.pk, "to": "settings"}
        )
        assert to_settings["Location"] == settings_url(practice_b)
        to_overview = client_a.get(switch, {"practice": practice_b.pk})
        assert to_overview["Location"] == practice_url(practice_b)

    def test_the_switcher_404s_without_a_practice(self, client_a):
        assert client_a.get(reverse("switch_practice")).status_code == 404


class TestLogin:
    def test_a_practice_admin_logs_in_and_lands_home(self, admin_a, practice_a):
        client = Client()
        response = client.post(
            reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("home")
        assert "Alpha Dental" in response.content.decode()

    def test_login_returns_to_the_page_asked_for(self, admin_a, practice_a):
        response = Client().post(
            reverse("login"),
            {
                "username": "alice",
                "password": PASSWORD,
                "next": settings_url(practice_a),
            },
        )
        assert response["Location"] == settings_url(practice_a)

    def test_a_wrong_password_is_refused(self, admin_a):
        response = Client().post(
            reverse("login"), {"username": "alice", "password": "nope"}
        )
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()

    def test_logging_out_ends_the_session(self, client_a, practice_a):
        response = client_a.post(reverse("logout"))
        assert response["Location"] == reverse("login")
        assert client_a.get(settings_url(practice_a)).status_code == 302
