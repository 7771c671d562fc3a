"""A token's kinds are validated against WriteBackKind when the model is cleaned."""

import pytest
from django.core.exceptions import ValidationError

from practices.models import WriteBackKind as K
from writeback.models import ServiceToken

pytestmark = pytest.mark.django_db


def token(kinds) -> ServiceToken:
    token = ServiceToken(service="messaging", kinds=kinds)
    token.set_new_token()
    return token


def test_it_accepts_known_kinds():
    token([K.OUTGOING_SMS, K.PAYMENT]).full_clean()


def test_it_refuses_an_unknown_kind():
    with pytest.raises(ValidationError) as caught:
        token([K.OUTGOING_SMS, "fax"]).full_clean()
    assert caught.value.message_dict == {"kinds": ["Unknown activity kinds: fax."]}


def test_it_refuses_a_value_that_is_not_a_list_of_kinds():
    for value in ("outgoing_sms", {"outgoing_sms": True}, [1]):
        with pytest.raises(ValidationError) as caught:
            token(value).full_clean()
        assert caught.value.message_dict == {
            "kinds": ["Must be a list of activity kinds."]
        }


def test_it_refuses_no_kinds():
    with pytest.raises(ValidationError) as caught:
        token([]).full_clean()
    assert caught.value.message_dict == {
        "kinds": ["Choose at least one kind of activity this token may submit."]
    }
