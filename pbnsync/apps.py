from django.apps import AppConfig


class PbnsyncConfig(AppConfig):
    name = "pbnsync"
    verbose_name = "pbnsync"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
