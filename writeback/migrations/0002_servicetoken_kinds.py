"""Scope each API token to the kinds of activity it may submit.

Existing tokens get every kind there is at this migration, so no service breaks on
deploy; staff then narrow each token in the admin. Tokens created afterwards must
name their kinds.
"""

from django.db import migrations

import writeback.models.tokens

# Frozen here, not read from WriteBackKind: a kind added later is not granted.
EVERY_KIND = [
    "outgoing_call",
    "incoming_call",
    "missed_call",
    "incoming_call_transcript",
    "outgoing_call_transcript",
    "incoming_call_summary",
    "outgoing_call_summary",
    "patient_note",
    "task_note",
    "outgoing_sms",
    "incoming_sms",
    "outgoing_email",
    "incoming_email",
    "insurance_verification_note",
    "appointment_confirmed",
    "appointment_unconfirmed",
    "document",
    "online_form",
    "new_patient",
    "new_appointment",
    "payment",
]


def grant_every_kind(apps, schema_editor):
    """Let each existing token go on submitting every kind it could before."""
    apps.get_model("writeback", "ServiceToken").objects.update(kinds=EVERY_KIND)


class Migration(migrations.Migration):
    dependencies = [
        ("writeback", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicetoken",
            name="kinds",
            field=writeback.models.tokens.KindsField(
                default=list,
                error_messages={
                    "blank": "Choose at least one kind of activity this token may "
                    "submit."
                },
                help_text="The kinds of activity this token may submit.",
                validators=[writeback.models.tokens.validate_kinds],
            ),
        ),
        migrations.RunPython(grant_every_kind, migrations.RunPython.noop),
    ]
