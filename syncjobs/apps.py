import sys

from django.apps import AppConfig

# A walk reads its next page on a helper thread that sleeps until its request
# slot while this thread stores the last page. Python hands a waiting thread the
# GIL only every switch interval (5 ms by default): a slot of Open Dental's
# budget would start that late. 0.5 ms keeps a paced call on time.
GIL_SWITCH_INTERVAL_S = 0.0005


class SyncjobsConfig(AppConfig):
    name = "syncjobs"
    verbose_name = "Sync"

    def ready(self) -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL_S))
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
