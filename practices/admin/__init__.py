"""Django admin for integration staff; one module per concern."""

from . import audit, connection, practice, settings  # noqa: F401
