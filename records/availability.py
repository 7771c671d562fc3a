"""What the schedule page shows of provider availability: hours, blockouts, notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from pms.base import Capability
from pms.registry import CONNECTORS
from practices.models import PmsConnection, Practice, ReferenceItem, ReferenceKind

from .models import Operatory, Provider, ScheduleBlock, ScheduleKind, ScheduleWindow


@dataclass(frozen=True)
class Span:
    """One stretch of a day, with the operatories it covers."""

    start: time
    stop: time
    operatories: list[str]
    label: str = ""  # blockouts: the type, e.g. "Staff Meeting"
    note: str = ""


@dataclass(frozen=True)
class ProviderDay:
    """One provider's working hours on a day."""

    pms_id: str
    name: str
    spans: list[Span]

    @property
    def operatories(self) -> list[str]:
        """Return the operatories of all the day's spans, in order, once each."""
        return list(dict.fromkeys(o for span in self.spans for o in span.operatories))


@dataclass(frozen=True)
class DayAvailability:
    """Provider hours, blockouts and practice notes of one day, and how current."""

    offered: bool  # the practice's PMS offers schedules through its API
    pms_label: str
    window: ScheduleWindow | None
    providers: list[ProviderDay] = field(default_factory=list)
    blockouts: list[Span] = field(default_factory=list)
    notes: list[Span] = field(default_factory=list)

    @property
    def as_of(self) -> datetime | None:
        return self.window.synced_at if self.window else None

    def covers(self, day: date) -> bool:
        return self.window is not None and self.window.covers(day)


def day_availability(practice: Practice, day: date) -> DayAvailability:
    """Return the day's mirrored schedule with provider names and operatory labels."""
    connection = PmsConnection.objects.filter(practice=practice).first()
    connector = CONNECTORS.get(connection.pms_type) if connection else None
    # Not connected: nothing to say about the PMS; the window tells the rest.
    offered = connector is None or Capability.READ_SCHEDULES in connector.capabilities
    label = connector.label if connector else "the PMS"
    window = ScheduleWindow.objects.filter(practice=practice).first()
    blocks = list(
        ScheduleBlock.objects.of(practice)
        .filter(day=day)
        .order_by("start_time", "stop_time", "pms_id")
    )
    if not blocks:
        return DayAvailability(offered, label, window)
    names = _provider_names(practice, {b.provider_pms_id for b in blocks})
    ops = _operatory_labels(practice, {o for b in blocks for o in b.operatory_pms_ids})
    providers: dict[str, list[Span]] = {}
    blockouts, notes = [], []
    for block in blocks:
        span = Span(
            block.start_time,
            block.stop_time,
            [ops.get(o, o) for o in block.operatory_pms_ids],
            block.blockout_type,
            block.note,
        )
        if block.kind == ScheduleKind.PROVIDER:
            providers.setdefault(block.provider_pms_id, []).append(span)
        elif block.kind == ScheduleKind.BLOCKOUT:
            blockouts.append(span)
        else:
            notes.append(span)
    days = [
        ProviderDay(pms_id, names.get(pms_id, f"Provider {pms_id}"), spans)
        for pms_id, spans in providers.items()
    ]
    days.sort(key=lambda p: (p.spans[0].start, p.name))
    return DayAvailability(offered, label, window, days, blockouts, notes)


def _provider_names(practice: Practice, pms_ids: set[str]) -> dict[str, str]:
    """Return names from the mirror, else the provider list's labels."""
    listed = ReferenceItem.objects.filter(
        practice=practice, kind=ReferenceKind.PROVIDER, pms_id__in=pms_ids
    )
    names = dict(listed.values_list("pms_id", "label"))
    for p in Provider.objects.of(practice).filter(pms_id__in=pms_ids):
        full = " ".join(filter(None, [p.first_name, p.last_name]))
        names[p.pms_id] = full or p.abbreviation or names.get(p.pms_id, p.pms_id)
    return names


def _operatory_labels(practice: Practice, pms_ids: set[str]) -> dict[str, str]:
    rows = Operatory.objects.of(practice).filter(pms_id__in=pms_ids)
    return {o.pms_id: o.label or o.pms_id for o in rows}
