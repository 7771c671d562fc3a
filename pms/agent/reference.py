"""Map the agent's reference lists (docs/agent-protocol.md §6) to ReferenceValues."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..base import ReferenceValue
from .values import Row, RowError, text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefList:
    """One list of `GET reference`: where its id and label sit, what "active" is."""

    name: str  # the list's key in the answer, e.g. "payment_types"
    kind: str  # practices.models.ReferenceKind value
    id_column: str
    label_column: str
    active: Callable[[Row], bool] | None = None


def reference_values(
    lists: dict[str, Any], specs: tuple[RefList, ...], label: str
) -> list[ReferenceValue]:
    """Return every readable entry; an unreadable one is logged and skipped."""
    values = []
    for spec in specs:
        rows = lists.get(spec.name)
        if not isinstance(rows, list):
            log.warning("The %s agent sent no %s list", label, spec.name)
            continue
        for row in rows:
            try:
                values.append(_value(spec, row))
            except RowError as exc:
                log.warning("Skipping an unreadable %s %s: %s", label, spec.kind, exc)
    return values


def provider_label(code: str, first: str, last: str) -> str:
    """Return "DOC1 (Ann Smith)", or just the code when the name is blank."""
    name = " ".join(part for part in (first, last) if part)
    return f"{code} ({name})" if name else code


def _value(spec: RefList, row: Any) -> ReferenceValue:
    if not isinstance(row, dict):
        raise RowError(spec.name, row, "has an entry that is not an object")
    raw = row.get(spec.id_column)
    # A code of 0 is a real entry here (Eaglesoft confirmation_status 0).
    if isinstance(raw, bool) or not isinstance(raw, int | str) or raw == "":
        raise RowError(spec.id_column, raw, "is not an id")
    pms_id = str(raw).strip()
    if spec.kind == "provider":
        name = provider_label(
            pms_id, text(row, "first_name"), text(row, spec.label_column)
        )
    else:
        name = text(row, spec.label_column, required=True)
    active = bool(spec.active(row)) if spec.active is not None else True
    return ReferenceValue(spec.kind, pms_id, name, active=active)
