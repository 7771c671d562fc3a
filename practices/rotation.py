"""Re-encrypt every stored credential with the first key of FERNET_KEYS."""

from collections import defaultdict
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.db import models, transaction

from .crypto import encrypted_fields, forget_cached_keys


class RotationError(Exception):
    """A stored value could not be decrypted with any key in FERNET_KEYS."""


@dataclass(frozen=True)
class RotationResult:
    rows: int
    values: int


def _fields_by_model() -> dict[type[models.Model], list[str]]:
    by_model: dict[type[models.Model], list[str]] = defaultdict(list)
    for field in encrypted_fields():
        # Proxies and child models list their concrete parent's fields again.
        if field.name not in by_model[field.model]:
            by_model[field.model].append(field.name)
    return by_model


def rotate_credentials() -> RotationResult:
    """Decrypt with any key, encrypt with the first; all rows or none."""
    forget_cached_keys()
    rows = values = 0
    with transaction.atomic():
        for model, names in _fields_by_model().items():
            manager = model._base_manager
            try:
                current = list(
                    manager.select_for_update().order_by("pk").values("pk", *names)
                )
            except InvalidToken as exc:
                raise RotationError(
                    f"A {model._meta.label} row cannot be decrypted with any key in "
                    "FERNET_KEYS; put the key it was written with back in the list."
                ) from exc
            for row in current:
                pk = row.pop("pk")
                # QuerySet.update() encrypts through the field, with the first key.
                manager.filter(pk=pk).update(**row)
                rows += 1
                values += sum(1 for value in row.values() if value is not None)
    return RotationResult(rows=rows, values=values)
