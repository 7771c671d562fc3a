"""Admin pieces shared by the apps."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system (history, mirror, budgets): staff read them only."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LongListAdmin(admin.ModelAdmin):
    """A list over a table that grows with time (mirror, history, outbox).

    A filtered list counts its rows once, not a second time for the whole table
    (millions of rows: a day of fast syncs at 200 practices is ~2 million runs).
    No `date_hierarchy` here: its links read MIN/MAX and the distinct years of every
    matching row on each view; a date `list_filter` reads nothing more. No facet
    counts ("Show counts"): one COUNT per filter choice over the whole table.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
