"""The small cast every suite shares: two practices, their admins, a staff user."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from practices.defaults import ensure_settings
from practices.models import Membership, Practice

pytest_plugins = ["tests.fixtures.simulator"]

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(
        username, email=f"{username}@example.com", password=PASSWORD, **extra
    )


@pytest.fixture
def practice_a(db) -> Practice:
    practice = Practice.objects.create(name="Alpha Dental", time_zone="America/Denver")
    ensure_settings(practice)
    return practice


@pytest.fixture
def practice_b(db) -> Practice:
    practice = Practice.objects.create(name="Beta Smiles", time_zone="America/Chicago")
    ensure_settings(practice)
    return practice


@pytest.fixture
def admin_a(practice_a):
    user = make_user("alice")
    Membership.objects.create(user=user, practice=practice_a, can_manage_settings=True)
    return user


@pytest.fixture
def admin_b(practice_b):
    user = make_user("bob")
    Membership.objects.create(user=user, practice=practice_b, can_manage_settings=True)
    return user


@pytest.fixture
def staff_user(db):
    return make_user("sam", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff_user) -> Client:
    """A client of its own, so a test may also log `client` in as someone else."""
    client = Client()
    client.force_login(staff_user)
    return client
