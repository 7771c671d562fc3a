"""Find the patient a payment belongs to in the mirror, by name and birthdate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from records.models import Patient

MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Match:
    """The outcome of a search: how many matched exactly, and whom to show."""

    exact: int
    pms_id: str = ""
    candidates: list[dict] = field(default_factory=list)


def _describe(patient: Patient) -> dict:
    return {
        "pms_id": patient.pms_id,
        "name": f"{patient.first_name} {patient.last_name}".strip(),
        "birthdate": patient.birthdate.isoformat() if patient.birthdate else "",
    }


def match_patient(
    practice_id: int, first_name: str, last_name: str, birthdate: date
) -> Match:
    """Return the one matching patient, or the candidates a person chooses from.

    Exact matches are the candidates when there are several; when there are none,
    near matches (same name, or same last name and birthdate) help a person choose.
    """
    live = Patient.objects.live().filter(practice_id=practice_id)
    first, last = first_name.strip(), last_name.strip()
    exact = list(
        live.filter(
            first_name__iexact=first, last_name__iexact=last, birthdate=birthdate
        ).order_by("pms_id")[: MAX_CANDIDATES + 1]
    )
    if len(exact) == 1:
        return Match(1, exact[0].pms_id)
    if exact:
        return Match(len(exact), "", [_describe(p) for p in exact[:MAX_CANDIDATES]])
    near = live.filter(
        Q(first_name__iexact=first, last_name__iexact=last)
        | Q(last_name__iexact=last, birthdate=birthdate)
    ).order_by("last_name", "first_name", "pms_id")[:MAX_CANDIDATES]
    return Match(0, "", [_describe(p) for p in near])
