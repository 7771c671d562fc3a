"""System checks that refuse an unsafe production configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_production_secrets(app_configs=None, **kwargs) -> list[Error]:
    """Refuse the development secret or Fernet key when DEBUG is off."""
    from . import settings as defaults

    if settings.DEBUG:
        return []
    errors = []
    if settings.SECRET_KEY == defaults.DEV_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is the development default while DEBUG is off.",
                hint="Set SECRET_KEY in the environment to a long random value.",
                id="pbnsync.E001",
            )
        )
    if defaults.DEV_FERNET_KEY in settings.FERNET_KEYS:
        errors.append(
            Error(
                "FERNET_KEYS contains the development key while DEBUG is off; "
                "stored PMS credentials would be readable by anyone with the repo.",
                hint="Set FERNET_KEYS to a comma list of your own keys (first encrypts).",
                id="pbnsync.E002",
            )
        )
    if not settings.FERNET_KEYS or not all(settings.FERNET_KEYS):
        errors.append(
            Error("FERNET_KEYS is empty.", hint="Set FERNET_KEYS.", id="pbnsync.E003")
        )
    return errors
