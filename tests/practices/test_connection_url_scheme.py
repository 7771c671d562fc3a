"""The connection admin refuses plain http:// to a PMS across the internet."""

import pytest
from django.urls import reverse

from practices.models import PmsConnection, SettingChange


def post_change(client, conn: PmsConnection, base_url: str):
    url = reverse("admin:practices_pmsconnection_change", args=[conn.pk])
    return client.post(
        url,
        {
            "pms_type": conn.pms_type,
            "base_url": base_url,
            "developer_key": "",
            "customer_key": "",
        },
    )


@pytest.mark.parametrize(
    "base_url",
    ["http://api.opendental.com/api/v1", "http://52.10.20.30:30223/api/v1"],
)
def test_it_refuses_plain_http_across_the_internet_and_saves_nothing(
    staff_client, connection_a, base_url
):
    response = post_change(staff_client, connection_a, base_url)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["base_url"]
    assert "Use https:// for a PMS across the internet" in errors["base_url"][0]
    stored = PmsConnection.objects.get(pk=connection_a.pk)
    assert stored.base_url == connection_a.base_url
    assert not SettingChange.objects.exists()


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.opendental.com/api/v1",
        "http://localhost:30222/api/v1",
        "http://127.0.0.1:30223/api/v1",
        "http://192.168.1.20:30223/api/v1",  # the API Service on the office LAN
        "http://od-server.lan:30223/api/v1",
        "http://100.101.7.3:30223/api/v1",  # a VPN address (carrier-grade NAT)
    ],
)
def test_it_takes_https_and_http_on_this_machine_or_the_office_network(
    staff_client, connection_a, base_url
):
    response = post_change(staff_client, connection_a, base_url)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PmsConnection.objects.get(pk=connection_a.pk).base_url == base_url
