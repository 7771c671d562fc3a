"""Fernet key handling for the encrypted credential columns."""

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from fernet_fields import EncryptedField

_CACHED = ("keys", "fernet_keys", "fernet")


def encrypted_fields() -> list[EncryptedField]:
    """Return every encrypted field of every installed model."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedField)
    ]


def forget_cached_keys() -> None:
    """Make the encrypted fields read FERNET_KEYS again (fields cache their keys)."""
    for field in encrypted_fields():
        for name in _CACHED:
            field.__dict__.pop(name, None)


@receiver(setting_changed)
def _on_setting_changed(setting: str, **kwargs) -> None:
    if setting in ("FERNET_KEYS", "SECRET_KEY"):
        forget_cached_keys()
