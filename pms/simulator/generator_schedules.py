"""Generate the schedule around "today": provider hours, blockouts, practice notes.

Open Dental keeps concrete schedule rows per day (usually made from templates weeks
ahead), so the generator writes rows for a window around today rather than the
whole history: dentists and hygienists with weekly hours split by lunch, a weekly
staff meeting and some emergency blocks, a closed holiday, and a few employee rows
(which a provider-availability sync must skip).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from . import records as r

DAYS_BEFORE, DAYS_AFTER = 14, 120  # the window of generated schedule rows

# (weekday -> [(start, stop)]): Monday 0 ... Friday 4; weekends closed.
DENTIST_HOURS = {
    **{d: [(time(8), time(12)), (time(13), time(17))] for d in range(4)},
    4: [(time(8), time(13))],
}
HYGIENIST_HOURS = [(time(7, 30), time(11, 30)), (time(12, 30), time(16, 30))]
MEETING = (1, time(12), time(13))  # Tuesdays, the lunch hour
EMERGENCY = (time(14), time(15))
ALL_DAY = time(0)


def make_schedules(
    providers: list[r.Provider],
    operatories: list[r.Operatory],
    now: datetime,
    floor: datetime,
    by_code: dict[tuple[str, str], int],
    seed: int,
) -> list[r.Schedule]:
    """Return schedule rows for DAYS_BEFORE days before to DAYS_AFTER after today."""
    rng = random.Random(f"pbnsync-sim/{seed}/schedules")
    today = now.date()
    visible = [o for o in operatories if not o.is_hidden]
    meeting = by_code[(r.BLOCKOUT_TYPE, "meeting")]
    emergency = by_code[(r.BLOCKOUT_TYPE, "emergency")]
    working = [p for p in providers if not p.is_hidden and not p.is_not_person]
    rows: list[r.Schedule] = []

    def add(day: date, start: time, stop: time, **values) -> None:
        # Rows are made from templates some weeks ahead, never in the future.
        made = datetime.combine(day - timedelta(days=rng.randrange(21, 60)), time(7))
        stamp = max(floor, min(made, now - timedelta(hours=1)))
        rows.append(
            r.Schedule(
                id=len(rows) + 1,
                modified_at=stamp,
                date=day,
                start=start,
                stop=stop,
                **values,
            )
        )

    for offset in range(-DAYS_BEFORE, DAYS_AFTER + 1):
        day = today + timedelta(days=offset)
        holiday = holiday_name(day)
        if holiday:
            add(day, ALL_DAY, ALL_DAY, type="practice", note=f"Closed: {holiday}")
            continue
        if day.weekday() >= 5:
            continue
        for n, provider in enumerate(working):
            if rng.random() < 0.04:
                continue  # a day off
            ops = tuple(
                o.id
                for o in visible
                if provider.id == (o.hygienist_id if o.is_hygiene else o.provider_id)
            )
            if provider.is_hygienist:
                if day.weekday() == n % 5:
                    continue  # each hygienist has one weekday off
                hours = HYGIENIST_HOURS
            else:
                hours = DENTIST_HOURS[day.weekday()]
            for start, stop in hours:
                add(
                    day,
                    start,
                    stop,
                    type="provider",
                    provider_id=provider.id,
                    operatory_ids=ops,
                )
        if day.weekday() == MEETING[0]:
            add(
                day,
                MEETING[1],
                MEETING[2],
                type="blockout",
                blockout_type_id=meeting,
                operatory_ids=tuple(o.id for o in visible),
                note="Weekly meeting",
            )
        if visible and rng.random() < 0.3:
            chair = rng.choice(visible[:2])
            add(
                day,
                *EMERGENCY,
                type="blockout",
                blockout_type_id=emergency,
                operatory_ids=(chair.id,),
                note="Keep open for emergencies",
            )
        if day.weekday() == 4:
            add(
                day,
                time(15, 30),
                time(16),
                type="employee",
                employee_id=1,
                note="Leaving early",
            )
    return rows


def holiday_name(day: date) -> str:
    """Return the US holiday the office closes for on `day`, or ""."""
    fixed = {
        (1, 1): "New Year's Day",
        (7, 4): "Independence Day",
        (12, 25): "Christmas Day",
    }
    if (day.month, day.day) in fixed:
        return fixed[(day.month, day.day)]
    nth = (day.day - 1) // 7 + 1
    last = (day + timedelta(days=7)).month != day.month
    if day.month == 5 and day.weekday() == 0 and last:
        return "Memorial Day"
    if day.month == 9 and day.weekday() == 0 and nth == 1:
        return "Labor Day"
    if day.month == 11 and day.weekday() == 3 and nth == 4:
        return "Thanksgiving"
    return ""
