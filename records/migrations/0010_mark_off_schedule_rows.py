"""Mark the rows mirrored before on_schedule existed that the PMS keeps off its
calendar: Open Dental's Planned, PtNote, PtNoteCompleted and UnschedList statuses
(opendental-api.md §7). Later changes set the column from the connector itself.

Not atomic, in batches of 5,000 rows: on a large PostgreSQL mirror one UPDATE would
hold its row locks, and so block the sync's upserts, until the whole table was done.
"""

from django.db import migrations, transaction

OFF_SCHEDULE = ["Planned", "PtNote", "PtNoteCompleted", "UnschedList"]
BATCH = 5_000


def mark_off_schedule(apps, schema_editor):
    Appointment = apps.get_model("records", "Appointment")
    rows = Appointment.objects.filter(
        practice__connection__pms_type="open_dental",
        status__in=OFF_SCHEDULE,
        on_schedule=True,
    )
    while True:
        with transaction.atomic():
            batch = list(rows.values_list("pk", flat=True)[:BATCH])
            if not batch:
                return
            Appointment.objects.filter(pk__in=batch).update(on_schedule=False)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("records", "0009_appointment_on_schedule"),
        ("practices", "0004_payments_have_no_allow_switch"),
    ]

    operations = [migrations.RunPython(mark_off_schedule, migrations.RunPython.noop)]
