"""Recommend an incremental sync interval from the practice's own volume."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from records.models import Appointment

from .models import Practice

LOOKBACK_DAYS = 28


@dataclass(frozen=True)
class IntervalRecommendation:
    appointments_per_day: float | None
    tier: str
    minutes: tuple[int, int]

    @property
    def text(self) -> str:
        low, high = self.minutes
        if self.appointments_per_day is None:
            return (
                "No appointment data yet; recommended interval follows practice size."
            )
        return (
            f"{self.tier} practice ({self.appointments_per_day:.0f} appointments/day "
            f"over the last {LOOKBACK_DAYS} days): {low}–{high} minutes recommended."
        )


def tier_for(per_day: float) -> tuple[str, tuple[int, int]]:
    """Return the help center's tier and interval range for a daily volume."""
    if per_day < 50:
        return "Small", (30, 60)
    if per_day <= 150:
        return "Medium", (10, 15)
    return "Large", (5, 10)


def recommend_interval(practice: Practice) -> IntervalRecommendation:
    """Average the practice's appointments per working day (days with any) recently."""
    now = timezone.now()
    totals = (
        Appointment.objects.live()
        .filter(
            practice=practice,
            on_schedule=True,  # visits, not planned ones, notes or the unscheduled list
            start_at__gte=now - timedelta(days=LOOKBACK_DAYS),
            start_at__lt=now,
        )
        .aggregate(
            appointments=Count("id"),
            days=Count(TruncDate("start_at", tzinfo=practice.tzinfo), distinct=True),
        )
    )
    if not totals["appointments"]:
        return IntervalRecommendation(None, "Unknown", (10, 15))
    per_day = totals["appointments"] / totals["days"]
    tier, minutes = tier_for(per_day)
    return IntervalRecommendation(per_day, tier, minutes)
