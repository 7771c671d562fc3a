"""The connection admin refuses credentials with control characters in them."""

import pytest
from django.urls import reverse

from practices.models import PmsConnection, SettingChange

from .conftest import CUSTOMER_KEY, DEVELOPER_KEY

MESSAGE = (
    "Remove the line breaks, tabs or other control characters from this "
    "credential; it must be one line of visible characters."
)


def post_change(client, conn: PmsConnection, **fields: str):
    data = {
        "pms_type": conn.pms_type,
        "base_url": conn.base_url,
        "developer_key": "",
        "customer_key": "",
        **fields,
    }
    url = reverse("admin:practices_pmsconnection_change", args=[conn.pk])
    return client.post(url, data)


@pytest.mark.parametrize(
    "typed",
    [
        "new-key\nX-Smuggled: yes",
        "new-key\r\nX-Smuggled: yes",
        "new\tkey",
        "new-key\x0bmore",
        "new-key\x7fmore",
        "new-key\x00more",
    ],
    ids=["LF", "CRLF", "tab", "vertical tab", "DEL", "NUL"],
)
def test_it_refuses_a_key_with_a_control_character_and_saves_nothing(
    staff_client, connection_a, typed
):
    response = post_change(staff_client, connection_a, developer_key=typed)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["developer_key"]
    assert MESSAGE in form.errors["developer_key"]
    stored = PmsConnection.objects.get(pk=connection_a.pk)
    assert (stored.developer_key, stored.customer_key) == (DEVELOPER_KEY, CUSTOMER_KEY)
    assert stored.updated_at == connection_a.updated_at
    assert not SettingChange.objects.exists()


def test_it_refuses_a_control_character_in_a_new_connection(staff_client, practice_b):
    response = staff_client.post(
        reverse("admin:practices_pmsconnection_add"),
        {
            "practice": practice_b.pk,
            "pms_type": "open_dental",
            "base_url": "https://api.opendental.com/api/v1",
            "developer_key": "dev-key",
            "customer_key": "cust\nkey",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"customer_key": [MESSAGE]}
    assert not PmsConnection.objects.exists()


def test_it_still_takes_a_one_line_key(staff_client, connection_a):
    response = post_change(staff_client, connection_a, developer_key="new-key-1/2+3=")

    assert response.status_code == 302
    assert PmsConnection.objects.get(pk=connection_a.pk).developer_key == (
        "new-key-1/2+3="
    )


@pytest.mark.parametrize(
    "typed",
    ["new-key\u200b", "\u201cnew-key\u201d", "new-kéy"],
    ids=["zero-width space", "curly quotes", "accent"],
)
def test_it_refuses_a_key_beyond_plain_ascii_and_saves_nothing(
    staff_client, connection_a, typed
):
    response = post_change(staff_client, connection_a, developer_key=typed)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["developer_key"]
    assert "beyond plain ASCII" in errors["developer_key"][0]
    stored = PmsConnection.objects.get(pk=connection_a.pk)
    assert stored.developer_key == DEVELOPER_KEY
