from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"

    def ready(self) -> None:
        from . import crypto  # noqa: F401  (clears cached Fernet keys on change)
