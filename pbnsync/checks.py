"""System checks that refuse an unsafe production configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# The example values in .env.example: public, so never a production secret.
PLACEHOLDER_SECRET_KEYS = frozenset({"change-me"})
PLACEHOLDER_FERNET_KEYS = frozenset({"new-key", "old-key"})
# Django's own deployment check (security.W009) asks for at least this many.
MIN_SECRET_KEY_LENGTH = 50
SECRET_KEY_HINT = (
    "Set SECRET_KEY in the environment to a long random value, e.g. the output of "
    '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
)


# Hosts a development server answers to; any other means the site is served.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", "testserver"})


@register(Tags.security)
def check_production_secrets(app_configs=None, **kwargs) -> list[Error]:
    """Refuse development, placeholder or weak secrets when DEBUG is off, and
    DEBUG (on by default) when the site answers to a host of its own."""
    if settings.DEBUG:
        return _debug_errors()
    return [*_secret_key_errors(), *_fernet_key_errors()]


def _debug_errors() -> list[Error]:
    served = sorted(set(settings.ALLOWED_HOSTS) - LOCAL_HOSTS)
    if not served:
        return []
    return [
        Error(
            f"DEBUG is on while ALLOWED_HOSTS serves {', '.join(served)}: error "
            "pages would show settings and local variables, and the development "
            "SECRET_KEY and FERNET_KEYS would be accepted.",
            hint="Set DEBUG=false (and your own SECRET_KEY and FERNET_KEYS) in "
            "production; DEBUG defaults to true for `make run`.",
            id="pbnsync.E005",
        )
    ]


def _secret_key_errors() -> list[Error]:
    from . import settings as defaults

    key = settings.SECRET_KEY
    if key == defaults.DEV_SECRET_KEY:
        message = "SECRET_KEY is the development default while DEBUG is off."
    elif key in PLACEHOLDER_SECRET_KEYS:
        message = f"SECRET_KEY is the .env.example placeholder {key!r}."
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        return [
            Error(
                f"SECRET_KEY has {len(key)} characters while DEBUG is off; it needs "
                f"at least {MIN_SECRET_KEY_LENGTH} to resist guessing.",
                hint=SECRET_KEY_HINT,
                id="pbnsync.E004",
            )
        ]
    else:
        return []
    return [Error(message, hint=SECRET_KEY_HINT, id="pbnsync.E001")]


def _fernet_key_errors() -> list[Error]:
    from . import settings as defaults

    keys = settings.FERNET_KEYS
    errors = []
    if defaults.DEV_FERNET_KEY in keys:
        errors.append(
            Error(
                "FERNET_KEYS contains the development key while DEBUG is off; "
                "stored PMS credentials would be readable by anyone with the repo.",
                hint="Set FERNET_KEYS to a comma list of your own keys "
                "(first encrypts).",
                id="pbnsync.E002",
            )
        )
    placeholders = sorted(PLACEHOLDER_FERNET_KEYS.intersection(keys))
    if placeholders:
        errors.append(
            Error(
                "FERNET_KEYS contains the .env.example placeholder(s) "
                f"{', '.join(map(repr, placeholders))}; stored PMS credentials would "
                "be readable by anyone who has read the example.",
                hint="Replace them with your own long random keys (first encrypts); "
                "if credentials were saved under a placeholder, put your key first "
                "and run `manage.py rotate_fernet_key` before dropping it.",
                id="pbnsync.E002",
            )
        )
    if not keys or not all(keys):
        errors.append(
            Error("FERNET_KEYS is empty.", hint="Set FERNET_KEYS.", id="pbnsync.E003")
        )
    return errors
