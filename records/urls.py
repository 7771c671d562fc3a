"""Routes of the mirror pages; mount with path("", include("records.urls"))."""

from django.urls import path

from .views import dashboard, patient_card, patients, schedule

P = "practices/<int:practice_id>"

urlpatterns = [
    path(f"{P}/patients/", patients.patient_list, name="patients"),
    path(f"{P}/patients/sync/", patients.bulk_sync, name="bulk_sync_patients"),
    path(f"{P}/patients/<str:pms_id>/", patient_card.patient_detail, name="patient"),
    path(
        f"{P}/patients/<str:pms_id>/sync/",
        patient_card.sync_patient,
        name="sync_patient",
    ),
    path(f"{P}/schedule/", schedule.schedule_day, name="schedule"),
    path(f"{P}/dashboard/", dashboard.dashboard_page, name="dashboard"),
]
