"""Words for counts in messages people read."""

from __future__ import annotations

from django.template.defaultfilters import pluralize


def counted(number: int, noun: str) -> str:
    """Return "1 patient", "3 patients" (the noun takes an "s" when not one)."""
    return f"{number} {noun}{pluralize(number)}"
