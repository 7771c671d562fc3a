"""Routes of the sync status page; mount with path("", include(...))."""

from django.urls import path

from . import status_views

urlpatterns = [
    path(
        "practices/<int:practice_id>/sync/",
        status_views.sync_status,
        name="sync_status",
    ),
    path(
        "practices/<int:practice_id>/sync/force/",
        status_views.force_sync_now,
        name="force_sync",
    ),
    path(
        "practices/<int:practice_id>/sync/availability/",
        status_views.sync_availability,
        name="sync_availability",
    ),
]
