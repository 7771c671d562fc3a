"""API routes; the project mounts them under /api/v1/."""

from django.urls import path

from . import api

app_name = "writeback"
urlpatterns = [
    path("activities", api.submit, name="submit"),
    path("activities/<int:job_id>", api.status, name="status"),
]
