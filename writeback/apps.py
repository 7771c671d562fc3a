from django.apps import AppConfig


class WritebackConfig(AppConfig):
    name = "writeback"
    verbose_name = "Write-back"

    def ready(self) -> None:
        from practices.signals import connection_changed, settings_saved

        from . import requeue

        settings_saved.connect(
            lambda practice, **kw: requeue.release_held(practice),
            weak=False,
            dispatch_uid="writeback.settings_saved",
        )
        connection_changed.connect(
            lambda connection, **kw: requeue.release_held(connection.practice),
            weak=False,
            dispatch_uid="writeback.connection_changed",
        )
