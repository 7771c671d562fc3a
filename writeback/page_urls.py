"""Practice-facing write-back pages; the project mounts them at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "practices/<int:practice_id>/write-backs/",
        views.writebacks,
        name="writeback_practice",
    ),
    path(
        "practices/<int:practice_id>/write-backs/payments/<int:job_id>/",
        views.manual_payment,
        name="writeback_manual_payment",
    ),
]
