"""What the mirror pages read: set-based queries, one practice, live rows only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import ClassVar

from django.core.paginator import Page, Paginator
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat, Replace, TruncDate

from practices.models import (
    Practice,
    ReferenceItem,
    ReferenceKind,
    WriteBackSettings,
)

from .models import Appointment, Operatory, Patient, Provider

PAGE_SIZE = 25
PHONE_PUNCTUATION = "-() .+/"
MIN_PHONE_DIGITS = 3
PHONE_QUERY = re.compile(r"[\d\s().+/-]+")
CARD_APPOINTMENTS = 5
DASHBOARD_PAST_DAYS, DASHBOARD_NEXT_DAYS = 7, 7
NEW_PATIENT_DAYS = 30


def _full_name() -> Concat:
    return Concat("first_name", Value(" "), "last_name", output_field=CharField())


def _digits(expression: F | str) -> Replace:
    """Return `expression` with phone punctuation removed, in the database."""
    result = F(expression) if isinstance(expression, str) else expression
    for char in PHONE_PUNCTUATION:
        result = Replace(result, Value(char), Value(""))
    return result


def search_patients(practice: Practice, query: str) -> QuerySet[Patient]:
    """Return live patients matching a name, phone number or email, by name."""
    patients = Patient.objects.of(practice)
    query = query.strip()
    digits = re.sub(r"\D", "", query)
    if len(digits) >= MIN_PHONE_DIGITS and PHONE_QUERY.fullmatch(query):
        patients = patients.annotate(phone_digits=_digits("phone")).filter(
            phone_digits__contains=digits
        )
    else:
        for term in query.split():
            patients = patients.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
            )
    return patients.order_by("last_name", "first_name", "pk")


def patient_page(practice: Practice, query: str, number: str | int | None) -> Page:
    """Return one page of the patient search (the last page if `number` is past it)."""
    return Paginator(search_patients(practice, query), PAGE_SIZE).get_page(number)


def day_bounds(practice: Practice, day: date) -> tuple[datetime, datetime]:
    """Return the practice-local day as [start, end) aware datetimes."""
    tz = practice.tzinfo
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def visible_appointments(practice: Practice) -> QuerySet[Appointment]:
    """Return live calendar appointments, without those of patients deleted in the
    PMS; planned visits, sticky notes and the unscheduled list are not visits."""
    deleted_patient = Patient.objects.filter(
        practice=practice,
        pms_id=OuterRef("patient_pms_id"),
        deleted_at__isnull=False,
    )
    return (
        Appointment.objects.of(practice)
        .with_confirmation()
        .filter(~Exists(deleted_patient), on_schedule=True)
    )


def _labelled(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Annotate patient, provider, operatory and PMS status names (subqueries)."""
    same = {"practice": OuterRef("practice"), "deleted_at__isnull": True}
    patient = Patient.objects.filter(pms_id=OuterRef("patient_pms_id"), **same)
    provider = Provider.objects.filter(pms_id=OuterRef("provider_pms_id"), **same)
    operatory = Operatory.objects.filter(pms_id=OuterRef("operatory_pms_id"), **same)
    status = ReferenceItem.objects.filter(
        practice=OuterRef("practice"),
        kind=ReferenceKind.APPOINTMENT_STATUS,
        pms_id=OuterRef("confirmation_pms_id"),
    )
    return appointments.annotate(
        patient_name=Subquery(patient.annotate(n=_full_name()).values("n")[:1]),
        provider_name=Subquery(provider.annotate(n=_full_name()).values("n")[:1]),
        provider_abbreviation=Subquery(provider.values("abbreviation")[:1]),
        operatory_label=Subquery(operatory.values("label")[:1]),
        confirmation_label=Subquery(status.values("label")[:1]),
    )


def day_schedule(practice: Practice, day: date) -> list[Appointment]:
    """Return the practice-local day's appointments with names and confirmation."""
    start, end = day_bounds(practice, day)
    appointments = visible_appointments(practice).filter(
        start_at__gte=start, start_at__lt=end
    )
    return list(_labelled(appointments).order_by("start_at", "operatory_pms_id", "pk"))


def has_confirmed_statuses(practice: Practice) -> bool:
    """Return whether the practice mapped any PMS status to "confirmed"."""
    through = WriteBackSettings.confirmed_statuses.through
    return through.objects.filter(writebacksettings__practice=practice).exists()


@dataclass(frozen=True)
class PatientCard:
    """One live patient with their next and latest appointments."""

    patient: Patient
    upcoming: list[Appointment]
    recent: list[Appointment]

    @property
    def refreshed_at(self) -> datetime:
        """Return when this patient was last known to match the PMS."""
        checked = self.patient.checked_at
        synced = self.patient.last_synced_at
        return max(checked, synced) if checked else synced


def patient_card(practice: Practice, pms_id: str, now: datetime) -> PatientCard | None:
    """Return the live patient's card, or None if unknown or deleted."""
    patient = Patient.objects.of(practice).filter(pms_id=pms_id).first()
    if patient is None:
        return None
    theirs = _labelled(visible_appointments(practice).filter(patient_pms_id=pms_id))
    upcoming = theirs.filter(start_at__gte=now).order_by("start_at", "pk")
    recent = theirs.filter(start_at__lt=now).order_by("-start_at", "-pk")
    return PatientCard(
        patient, list(upcoming[:CARD_APPOINTMENTS]), list(recent[:CARD_APPOINTMENTS])
    )


@dataclass(frozen=True)
class DayCount:
    """Appointments on one practice-local day, and how many are confirmed."""

    day: date
    total: int
    confirmed: int

    @property
    def unconfirmed(self) -> int:
        return self.total - self.confirmed

    @property
    def percent(self) -> int | None:
        return round(self.confirmed * 100 / self.total) if self.total else None


@dataclass(frozen=True)
class Dashboard:
    """Appointments per day, the confirmation rate ahead, and new patients."""

    today: date
    days: list[DayCount]
    upcoming_total: int
    upcoming_confirmed: int
    new_patients: int | None
    new_since: datetime
    # True when new_since is the initial sync's end (newer than NEW_PATIENT_DAYS).
    new_since_loaded: bool = False
    new_patient_days: ClassVar[int] = NEW_PATIENT_DAYS

    @property
    def confirmation_rate(self) -> int | None:
        if not self.upcoming_total:
            return None
        return round(self.upcoming_confirmed * 100 / self.upcoming_total)

    @property
    def busiest(self) -> int:
        return max((d.total for d in self.days), default=0)


def dashboard(
    practice: Practice, now: datetime, loaded_at: datetime | None = None
) -> Dashboard:
    """Return the dashboard figures in two queries (per-day counts, new patients).

    New patients are those first seen in the last 30 days, but not before the
    initial sync finished (`loaded_at`), which sees every existing patient first.
    """
    today = now.astimezone(practice.tzinfo).date()
    first = today - timedelta(days=DASHBOARD_PAST_DAYS - 1)
    start = day_bounds(practice, first)[0]
    end = day_bounds(practice, today + timedelta(days=DASHBOARD_NEXT_DAYS))[1]
    rows = (
        visible_appointments(practice)
        .filter(start_at__gte=start, start_at__lt=end)
        .annotate(day=TruncDate("start_at", tzinfo=practice.tzinfo))
        .values("day")
        .annotate(total=Count("pk"), confirmed=Count("pk", filter=Q(is_confirmed=True)))
        .order_by("day")
    )
    counts = {row["day"]: row for row in rows}
    span = DASHBOARD_PAST_DAYS + DASHBOARD_NEXT_DAYS
    days = []
    for offset in range(span):
        day = first + timedelta(days=offset)
        row = counts.get(day, {"total": 0, "confirmed": 0})
        days.append(DayCount(day, row["total"], row["confirmed"]))
    ahead = [d for d in days if d.day >= today]
    since = now - timedelta(days=NEW_PATIENT_DAYS)
    since_loaded = loaded_at is not None and loaded_at > since
    if since_loaded:
        since = loaded_at
    new = Patient.objects.of(practice).filter(first_seen_at__gt=since).count()
    return Dashboard(
        today=today,
        days=days,
        upcoming_total=sum(d.total for d in ahead),
        upcoming_confirmed=sum(d.confirmed for d in ahead),
        new_patients=new,
        new_since=since,
        new_since_loaded=since_loaded,
    )
