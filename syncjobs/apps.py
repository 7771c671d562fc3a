from django.apps import AppConfig


class SyncjobsConfig(AppConfig):
    name = "syncjobs"

    def ready(self) -> None:
        from practices.signals import connection_changed, settings_saved

        from . import schedule

        settings_saved.connect(
            lambda practice, **kw: schedule.on_settings_saved(practice),
            weak=False,
            dispatch_uid="syncjobs.settings_saved",
        )
        connection_changed.connect(
            lambda connection, **kw: schedule.on_connection_saved(connection),
            weak=False,
            dispatch_uid="syncjobs.connection_changed",
        )
