"""Create the demo login and demo practice that `make run` starts with."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from practices.defaults import ensure_settings
from practices.models import Membership, PmsConnection, PmsType, Practice

DEMO_USERNAME = "demo"
DEMO_PRACTICE = "Demo Dental (simulator)"
SIMULATOR_URL = "http://127.0.0.1:8765/opendental/api/v1"
# The simulator's published demo keys; they open nothing but the simulator.
DEMO_DEVELOPER_KEY = "sim-developer-key"
DEMO_CUSTOMER_KEY = "sim-customer-key-1"


class Command(BaseCommand):
    help = "Create the demo admin login (password printed once) and demo practice."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        practice, _ = Practice.objects.get_or_create(
            name=DEMO_PRACTICE, defaults={"time_zone": "America/New_York"}
        )
        ensure_settings(practice)
        PmsConnection.objects.get_or_create(
            practice=practice,
            defaults={
                "pms_type": PmsType.OPEN_DENTAL,
                "base_url": SIMULATOR_URL,
                "developer_key": DEMO_DEVELOPER_KEY,
                "customer_key": DEMO_CUSTOMER_KEY,
                # `make run` starts the simulator in API Service mode (§1.1 of the
                # Open Dental sheet): unthrottled, 1,000-row pages.
                "request_interval_ms": 0,
                "page_size": 1000,
            },
        )
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model.objects.create_superuser(
                DEMO_USERNAME, email="demo@example.com", password=password
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo admin created — username: {DEMO_USERNAME}  "
                    f"password: {password}\n(shown once; change it with "
                    f"`manage.py changepassword {DEMO_USERNAME}`)"
                )
            )
        else:
            self.stdout.write(
                f"Demo admin '{DEMO_USERNAME}' exists (its password was printed when "
                f"it was created; reset it with `manage.py changepassword demo`)."
            )
        Membership.objects.update_or_create(
            user=user, practice=practice, defaults={"can_manage_settings": True}
        )
        self.stdout.write("Open http://127.0.0.1:8000/ (staff admin: /admin/).")
