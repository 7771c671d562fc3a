"""Staff choose, in the admin, the kinds of activity a token may submit."""

import pytest
from django.urls import reverse

from practices.models import SettingChange
from practices.models import WriteBackKind as K
from writeback.models import ServiceToken

from .helpers import issue

pytestmark = pytest.mark.django_db

ADD = "admin:writeback_servicetoken_add"


def add(client, practice, kinds):
    data = {"service": "messaging", "practices": [practice.pk], "is_active": "on"}
    return client.post(reverse(ADD), {**data, "kinds": kinds})


def test_it_shows_every_kind_as_a_checkbox_with_its_label(staff_client):
    html = staff_client.get(reverse(ADD)).content.decode()

    for kind in K:
        assert f'type="checkbox" name="kinds" value="{kind.value}"' in html
        assert f"{kind.label}</label>" in html


def test_it_saves_the_chosen_kinds(staff_client, practice):
    response = add(staff_client, practice, [K.OUTGOING_SMS, K.INCOMING_SMS])

    assert response.status_code == 302
    token = ServiceToken.objects.get()
    assert sorted(token.kinds) == sorted([K.INCOMING_SMS, K.OUTGOING_SMS])
    assert (token.can_submit(K.OUTGOING_SMS), token.can_submit(K.PAYMENT)) == (
        True,
        False,
    )


def test_it_refuses_a_token_with_no_kinds_and_saves_nothing(staff_client, practice):
    response = add(staff_client, practice, [])

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "kinds": ["Choose at least one kind of activity this token may submit."]
    }
    assert not ServiceToken.objects.exists()
    assert not SettingChange.objects.exists()


def test_it_refuses_a_kind_that_does_not_exist(staff_client, practice):
    response = add(staff_client, practice, [K.OUTGOING_SMS, "fax"])

    assert response.status_code == 200
    assert "kinds" in response.context["adminform"].form.errors
    assert not ServiceToken.objects.exists()


def test_the_token_list_shows_the_kinds_briefly(staff_client, practice):
    issue("everything", practice)
    issue("messaging", practice, kinds=[K.OUTGOING_SMS, K.INCOMING_SMS])
    issue("phone", practice, kinds=[K.OUTGOING_CALL, K.INCOMING_CALL, K.MISSED_CALL])
    issue(
        "notes",
        practice,
        kinds=[K.PATIENT_NOTE, K.TASK_NOTE, K.OUTGOING_SMS, K.PAYMENT],
    )

    html = staff_client.get(reverse("admin:writeback_servicetoken_changelist"))
    html = html.content.decode()

    assert ">All kinds</span>" in html
    assert ">Outgoing SMS, Incoming SMS</span>" in html
    assert ">Outgoing Call, Incoming Call, Missed Call</span>" in html
    assert ">Patient Notes, Task Notes, Outgoing SMS +1 more</span>" in html
