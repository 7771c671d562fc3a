import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from pbnsync import settings as defaults

REAL_KEY = "x" * 50
ENV_EXAMPLE = Path(settings.BASE_DIR) / ".env.example"


def errors() -> dict[str, list]:
    found: dict[str, list] = {}
    for message in run_checks(tags=["security"]):
        found.setdefault(message.id, []).append(message)
    return found


def error_ids() -> set[str]:
    return set(errors())


def example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text().splitlines()


def commented_example(name: str) -> str:
    """Return the value of the commented-out `# NAME=value` line of .env.example."""
    (value,) = [
        line.split("=", 1)[1]
        for line in example_lines()
        if line.startswith(f"# {name}=")
    ]
    return value


def test_it_accepts_the_development_secrets_while_debugging():
    with override_settings(DEBUG=True):
        assert not error_ids() & {"pbnsync.E001", "pbnsync.E002", "pbnsync.E004"}


def test_it_refuses_the_development_secret_key_in_production():
    with override_settings(DEBUG=False, SECRET_KEY=defaults.DEV_SECRET_KEY):
        assert "pbnsync.E001" in error_ids()


def test_it_refuses_the_development_fernet_key_in_production():
    with override_settings(
        DEBUG=False, SECRET_KEY=REAL_KEY, FERNET_KEYS=["mine", defaults.DEV_FERNET_KEY]
    ):
        assert error_ids() & {"pbnsync.E001", "pbnsync.E002"} == {"pbnsync.E002"}


def test_it_accepts_real_secrets_in_production():
    with override_settings(DEBUG=False, SECRET_KEY=REAL_KEY, FERNET_KEYS=["k1", "k2"]):
        assert not error_ids() & {
            "pbnsync.E001",
            "pbnsync.E002",
            "pbnsync.E003",
            "pbnsync.E004",
        }


def test_it_refuses_the_placeholder_secret_key_in_production():
    with override_settings(DEBUG=False, SECRET_KEY="change-me", FERNET_KEYS=["k1"]):
        found = errors()
    (error,) = found["pbnsync.E001"]
    assert "placeholder 'change-me'" in error.msg
    assert "secrets.token_urlsafe" in error.hint
    # One problem, one error: the placeholder is not also reported as short.
    assert "pbnsync.E004" not in found


@pytest.mark.parametrize("placeholder", ["new-key", "old-key"])
def test_it_refuses_a_placeholder_fernet_key_in_production(placeholder):
    with override_settings(
        DEBUG=False, SECRET_KEY=REAL_KEY, FERNET_KEYS=["my-own-key", placeholder]
    ):
        (error,) = errors()["pbnsync.E002"]
    assert f"placeholder(s) '{placeholder}'" in error.msg
    assert "rotate_fernet_key" in error.hint


def test_it_refuses_a_secret_key_shorter_than_50_characters_in_production():
    with override_settings(DEBUG=False, SECRET_KEY="y" * 49, FERNET_KEYS=["k1"]):
        found = errors()
    (error,) = found["pbnsync.E004"]
    assert error.msg.startswith("SECRET_KEY has 49 characters")
    assert "at least 50" in error.msg
    assert error.hint
    assert "pbnsync.E001" not in found


def test_it_refuses_the_values_shown_in_the_env_example_in_production():
    secret_key = commented_example("SECRET_KEY")
    fernet_keys = commented_example("FERNET_KEYS").split(",")
    with override_settings(DEBUG=False, SECRET_KEY=secret_key, FERNET_KEYS=fernet_keys):
        found = errors()
    assert len(found["pbnsync.E001"]) == 1
    assert len(found["pbnsync.E002"]) == 1


class TestEnvExample:
    def test_it_sets_no_secret_so_copying_it_keeps_the_development_defaults(self):
        live = [line for line in example_lines() if not line.startswith("#")]
        assert not [line for line in live if line.startswith("SECRET_KEY=")]
        assert not [line for line in live if line.startswith("FERNET_KEYS=")]

    @pytest.mark.parametrize("name", ["TIME_ZONE", "SECURE_COOKIES"])
    def test_it_documents_a_variable_the_settings_read(self, name):
        source = (Path(settings.BASE_DIR) / "pbnsync" / "settings.py").read_text()
        assert re.search(rf'\benv(\.\w+)?\(\s*"{name}"', source)
        lines = example_lines()
        (at,) = [i for i, line in enumerate(lines) if line.startswith(f"# {name}=")]
        # The (commented-out) default sits right under a line explaining it.
        assert lines[at - 1].startswith("# ")
        assert "=" not in lines[at - 1].split()[1]


@override_settings(DEBUG=True, ALLOWED_HOSTS=["pbnsync.example.com", "localhost"])
def test_it_refuses_debug_left_on_while_serving_a_host_of_its_own():
    [error] = errors()["pbnsync.E005"]
    assert "DEBUG is on while ALLOWED_HOSTS serves pbnsync.example.com" in error.msg


@override_settings(DEBUG=True, ALLOWED_HOSTS=["*"])
def test_it_refuses_debug_left_on_while_answering_any_host():
    assert "pbnsync.E005" in error_ids()


@override_settings(DEBUG=True, ALLOWED_HOSTS=["localhost", "127.0.0.1", "[::1]"])
def test_it_lets_debug_run_on_this_machine():
    assert "pbnsync.E005" not in error_ids()
