"""The project's routes plus the status and mirror pages, until the lead mounts them."""

from django.urls import include, path

from pbnsync.urls import urlpatterns as project

urlpatterns = [
    *project,
    path("", include("syncjobs.status_urls")),
    path("", include("records.urls")),
]
