"""Mark the rows mirrored before on_schedule existed that the PMS keeps off its
calendar: Open Dental's Planned, PtNote, PtNoteCompleted and UnschedList statuses
(opendental-api.md §7). No other PMS sends these status names; later changes set
the column from the connector itself."""

from django.db import migrations

OFF_SCHEDULE = ["Planned", "PtNote", "PtNoteCompleted", "UnschedList"]


def mark_off_schedule(apps, schema_editor):
    Appointment = apps.get_model("records", "Appointment")
    Appointment.objects.filter(status__in=OFF_SCHEDULE, on_schedule=True).update(
        on_schedule=False
    )


class Migration(migrations.Migration):
    dependencies = [("records", "0009_appointment_on_schedule")]

    operations = [migrations.RunPython(mark_off_schedule, migrations.RunPython.noop)]
