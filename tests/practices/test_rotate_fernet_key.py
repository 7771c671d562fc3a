"""`manage.py rotate_fernet_key` re-encrypts every credential with the new key."""

import io

import pytest
from cryptography.fernet import InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from practices.models import PmsConnection, PmsType

from .conftest import CUSTOMER_KEY, DEVELOPER_KEY

OLD, NEW = "old-fernet-key-for-tests", "new-fernet-key-for-tests"


def raw_token(conn: PmsConnection) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_key FROM {PmsConnection._meta.db_table} WHERE id = %s",
            [conn.pk],
        )
        return bytes(cursor.fetchone()[0])


@pytest.fixture
def old_connection(practice_a) -> PmsConnection:
    with override_settings(FERNET_KEYS=[OLD]):
        return PmsConnection.objects.create(
            practice=practice_a,
            pms_type=PmsType.OPEN_DENTAL,
            base_url="https://api.opendental.com/api/v1",
            developer_key=DEVELOPER_KEY,
            customer_key=CUSTOMER_KEY,
        )


def rotate() -> str:
    out = io.StringIO()
    with override_settings(FERNET_KEYS=[NEW, OLD]):
        call_command("rotate_fernet_key", stdout=out)
    return out.getvalue()


class TestRotateFernetKey:
    def test_it_keeps_every_credential_readable(self, old_connection):
        rotate()
        with override_settings(FERNET_KEYS=[NEW, OLD]):
            conn = PmsConnection.objects.get(pk=old_connection.pk)
        assert (conn.developer_key, conn.customer_key) == (DEVELOPER_KEY, CUSTOMER_KEY)

    def test_it_re_encrypts_with_the_new_first_key(self, old_connection):
        before = raw_token(old_connection)
        rotate()
        assert raw_token(old_connection) != before
        with override_settings(FERNET_KEYS=[NEW]):
            conn = PmsConnection.objects.get(pk=old_connection.pk)
            assert conn.customer_key == CUSTOMER_KEY

    def test_the_old_key_alone_no_longer_decrypts_after_rotation(self, old_connection):
        rotate()
        with override_settings(FERNET_KEYS=[OLD]), pytest.raises(InvalidToken):
            PmsConnection.objects.get(pk=old_connection.pk)

    def test_without_rotation_the_new_key_alone_cannot_decrypt(self, old_connection):
        with override_settings(FERNET_KEYS=[NEW]), pytest.raises(InvalidToken):
            PmsConnection.objects.get(pk=old_connection.pk)

    def test_it_reports_what_it_re_encrypted(self, old_connection):
        assert "in 1 row " in rotate()

    def test_it_refuses_and_changes_nothing_when_a_key_is_missing(self, old_connection):
        before = raw_token(old_connection)
        with (
            override_settings(FERNET_KEYS=[NEW]),
            pytest.raises(CommandError, match="cannot be decrypted"),
        ):
            call_command("rotate_fernet_key", stdout=io.StringIO())
        assert raw_token(old_connection) == before

    def test_its_output_contains_no_credential(self, old_connection):
        output = rotate()
        assert DEVELOPER_KEY not in output and CUSTOMER_KEY not in output
