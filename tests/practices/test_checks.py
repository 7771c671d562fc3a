from django.core.checks import run_checks
from django.test import override_settings

from pbnsync import settings as defaults


def error_ids() -> set[str]:
    return {message.id for message in run_checks(tags=["security"])}


def test_it_accepts_the_development_secrets_while_debugging():
    with override_settings(DEBUG=True):
        assert not error_ids() & {"pbnsync.E001", "pbnsync.E002"}


def test_it_refuses_the_development_secret_key_in_production():
    with override_settings(DEBUG=False, SECRET_KEY=defaults.DEV_SECRET_KEY):
        assert "pbnsync.E001" in error_ids()


def test_it_refuses_the_development_fernet_key_in_production():
    with override_settings(
        DEBUG=False, SECRET_KEY="x" * 50, FERNET_KEYS=["mine", defaults.DEV_FERNET_KEY]
    ):
        assert error_ids() & {"pbnsync.E001", "pbnsync.E002"} == {"pbnsync.E002"}


def test_it_accepts_real_secrets_in_production():
    with override_settings(DEBUG=False, SECRET_KEY="x" * 50, FERNET_KEYS=["k1", "k2"]):
        assert not error_ids() & {"pbnsync.E001", "pbnsync.E002", "pbnsync.E003"}
