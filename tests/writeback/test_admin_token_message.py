"""A new API token is shown once on the next page, never carried in a cookie."""

import re
import zlib

from django.core import signing
from django.urls import reverse

from writeback.models import ServiceToken


def cookie_texts(response) -> list[str]:
    """Return each cookie value the response sets, and its signed payload decoded."""
    texts = []
    for morsel in response.cookies.values():
        value = morsel.value
        texts.append(value)
        payload = value.strip('"').split(":", 1)[0]
        try:
            data = signing.b64_decode(payload.lstrip(".").encode())
            if payload.startswith("."):
                data = zlib.decompress(data)
        except Exception:  # not a signed payload: the raw value is enough
            continue
        texts.append(data.decode(errors="replace"))
    return texts


def test_a_new_token_is_shown_on_the_next_page_and_in_no_cookie(staff_client, practice):
    added = staff_client.post(
        reverse("admin:writeback_servicetoken_add"),
        {
            "service": "messaging",
            "practices": [practice.pk],
            "kinds": ["outgoing_sms"],
            "is_active": "on",
        },
    )
    assert added.status_code == 302

    shown = staff_client.get(added["Location"])

    (token,) = re.findall(r"The new token is (pbnwb_[\w-]+)", shown.content.decode())
    assert ServiceToken.objects.authenticate(token) == ServiceToken.objects.get()
    for response in (added, shown):
        assert "messages" not in response.cookies
        assert not any(token in text for text in cookie_texts(response))
    again = staff_client.get(added["Location"])
    assert token not in again.content.decode()
