"""The project's routes plus the write-back API and pages, for tests."""

from django.urls import include, path

from pbnsync.urls import urlpatterns as project

urlpatterns = [
    path("api/v1/", include("writeback.urls")),
    path("", include("writeback.page_urls")),
    *(p for p in project if "api/v1" not in str(p.pattern)),
]
