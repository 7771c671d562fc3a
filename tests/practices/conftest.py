"""Fixtures for the practices suites: PMS reference data, a connection, DB state."""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from practices.models import (
    PmsConnection,
    PmsType,
    Practice,
    ReferenceItem,
    ReferenceKind,
)

DEVELOPER_KEY = "od-developer-key-SECRET-4d1c9a"
CUSTOMER_KEY = "od-customer-key-SECRET-77b0e2"


@dataclass
class Reference:
    """One practice's PMS reference data, by role in the tests."""

    provider: ReferenceItem
    provider_2: ReferenceItem
    inactive_provider: ReferenceItem
    note_general: ReferenceItem
    note_phone: ReferenceItem
    inactive_note: ReferenceItem
    doc_insurance: ReferenceItem
    doc_statements: ReferenceItem
    doc_intake: ReferenceItem
    doc_consent: ReferenceItem
    doc_treatment: ReferenceItem
    doc_scans: ReferenceItem
    status_unconfirmed: ReferenceItem
    status_confirmed: ReferenceItem
    status_texted: ReferenceItem
    pay_additional: ReferenceItem
    pay_online: ReferenceItem
    pay_pos: ReferenceItem
    pay_surcharge: ReferenceItem


def make_reference(practice: Practice, prefix: str = "") -> Reference:
    def item(kind: str, pms_id: str, label: str, active: bool = True):
        return ReferenceItem.objects.create(
            practice=practice,
            kind=kind,
            pms_id=pms_id,
            label=f"{prefix}{label}",
            active=active,
        )

    k = ReferenceKind
    return Reference(
        provider=item(k.PROVIDER, "DOC1", "Dr. Ada Molar"),
        provider_2=item(k.PROVIDER, "HYG1", "Hana Hygienist"),
        inactive_provider=item(k.PROVIDER, "OLD9", "Dr. Retired", active=False),
        note_general=item(k.NOTE_TYPE, "NT1", "General Note"),
        note_phone=item(k.NOTE_TYPE, "NT2", "Phone Log"),
        inactive_note=item(k.NOTE_TYPE, "NT0", "Legacy Note", active=False),
        doc_insurance=item(k.DOCUMENT_CATEGORY, "DC1", "Insurance Documents"),
        doc_statements=item(k.DOCUMENT_CATEGORY, "DC2", "Statements"),
        doc_intake=item(k.DOCUMENT_CATEGORY, "DC3", "Patient Intake"),
        doc_consent=item(k.DOCUMENT_CATEGORY, "DC4", "Consents"),
        doc_treatment=item(k.DOCUMENT_CATEGORY, "DC5", "Treatment Plans"),
        doc_scans=item(k.DOCUMENT_CATEGORY, "DC6", "Scanned Documents"),
        status_unconfirmed=item(k.APPOINTMENT_STATUS, "S0", "Unconfirmed"),
        status_confirmed=item(k.APPOINTMENT_STATUS, "S1", "Confirmed"),
        status_texted=item(k.APPOINTMENT_STATUS, "S2", "Confirmed by Text"),
        pay_additional=item(k.PAYMENT_TYPE, "AA", "Addl. Payment (AA)"),
        pay_online=item(k.PAYMENT_TYPE, "PBN", "PbN Payment"),
        pay_pos=item(k.PAYMENT_TYPE, "POS", "PbN POS"),
        pay_surcharge=item(k.PAYMENT_TYPE, "SUR", "Practice Surcharge"),
    )


@pytest.fixture
def ref_a(practice_a) -> Reference:
    return make_reference(practice_a)


@pytest.fixture
def ref_b(practice_b) -> Reference:
    return make_reference(practice_b, prefix="Beta ")


@pytest.fixture
def connection_a(practice_a) -> PmsConnection:
    return PmsConnection.objects.create(
        practice=practice_a,
        pms_type=PmsType.OPEN_DENTAL,
        base_url="http://127.0.0.1:8765/opendental/api/v1",
        developer_key=DEVELOPER_KEY,
        customer_key=CUSTOMER_KEY,
    )


@pytest.fixture
def connection_b(practice_b) -> PmsConnection:
    """Practice B's connection: another PMS, so lists show both kinds."""
    return PmsConnection.objects.create(
        practice=practice_b,
        pms_type=PmsType.EAGLESOFT,
        base_url="http://127.0.0.1:8765/eaglesoft",
        agent_token="token",
    )


@pytest.fixture
def client_a(admin_a) -> Client:
    client = Client()
    client.force_login(admin_a)
    return client


@pytest.fixture
def client_b(admin_b) -> Client:
    client = Client()
    client.force_login(admin_b)
    return client


def settings_url(practice: Practice) -> str:
    return reverse("practice_settings", args=[practice.pk])


def practice_url(practice: Practice) -> str:
    return reverse("practice", args=[practice.pk])


def db_state() -> dict[str, list[dict]]:
    """Return every row of every migrated table (sessions aside), for comparison."""
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table in tables and model._meta.label != "sessions.Session"
    }


def page_payload(client: Client, practice: Practice) -> dict[str, list[str]]:
    """Return what the settings page would post back unchanged, field by field."""
    page = client.get(settings_url(practice)).context["page"]
    data: dict[str, list[str]] = {}
    for form in page.forms:
        for bound in form:
            value = bound.value()
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = ["on"]
            elif isinstance(value, list | tuple):
                data[bound.html_name] = sorted(str(getattr(v, "pk", v)) for v in value)
            else:
                data[bound.html_name] = ["" if value is None else str(value)]
    return data


# Django admin pages a non-staff user must never get past the admin login for.
ADMIN_PAGES = [
    "/admin/",
    "/admin/practices/practice/",
    "/admin/practices/pmsconnection/",
    "/admin/practices/pmsconnection/add/",
    "/admin/practices/syncsettings/",
    "/admin/practices/writebacksettings/",
    "/admin/practices/writebackrule/",
    "/admin/practices/referenceitem/",
    "/admin/practices/settingchange/",
    "/admin/practices/membership/",
    "/admin/auth/user/",
]
