"""Create a practice's settings rows with the help center's defaults."""

from .models import (
    Practice,
    SyncSettings,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)


def ensure_settings(practice: Practice) -> None:
    """Create any missing settings rows for `practice`; existing rows are untouched."""
    SyncSettings.objects.get_or_create(practice=practice)
    WriteBackSettings.objects.get_or_create(practice=practice)
    existing = set(practice.writeback_rules.values_list("kind", flat=True))
    WriteBackRule.objects.bulk_create(
        [
            WriteBackRule(practice=practice, kind=kind)
            for kind in WriteBackKind.switched()
            if kind not in existing
        ],
        ignore_conflicts=True,
    )
