"""Fault injection per practice: deterministic (seeded) and changeable at runtime.

Request-level faults (one drawn per eligible request, or taken from `script`):

* "5xx": a 500/502/503 answer in the vendor's error shape;
* "429": 429 with Retry-After;
* "drop": the connection is closed without any answer;
* "timeout": no answer for `hang_seconds`, then the connection is closed;
* "timeout_after_write": the write IS applied, then as "timeout" (writes only);
* "truncate": a 200 whose JSON body is cut in half;
* "slow": the answer comes after `slow_seconds`;
* "office_down": the vendor's "the office cannot be reached" answer, nothing
  processed (Open Dental: a 400 explaining that the eConnector is not running,
  §4.1; other faces: 503);
* "malformed": records inside list answers are broken (missing id, a calendar-
  impossible date such as 2021-02-30 in a required date, unknown enum value, wrong
  type); its rate is the share of records.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .face import MalformHints

REQUEST_FAULTS = (
    "5xx",
    "429",
    "drop",
    "timeout",
    "timeout_after_write",
    "truncate",
    "slow",
    "office_down",
)
FAULT_KINDS = (*REQUEST_FAULTS, "malformed")
MUTATIONS = ("missing_id", "impossible_date", "unknown_enum", "wrong_type")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Not 0001-01-01: Open Dental reads that as "no value" (opendental-api.md §1.6).
IMPOSSIBLE_DATE = "2021-02-30"


@dataclass
class FaultConfig:
    """A practice's fault settings; JSON-able through `as_dict`/`from_dict`."""

    seed: int = 0
    rates: dict[str, float] = field(default_factory=dict)  # kind -> probability
    script: list[str] = field(default_factory=list)  # forced faults, next requests
    faces: list[str] = field(default_factory=list)  # only these faces (empty: all)
    methods: list[str] = field(default_factory=list)  # only these methods
    paths: list[str] = field(default_factory=list)  # only paths containing one
    error_status: int = 500  # the status of a "5xx" fault
    retry_after: float = 1.0
    slow_seconds: float = 2.0
    hang_seconds: float = 30.0
    mutations: list[str] = field(default_factory=lambda: list(MUTATIONS))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        """Build from JSON, refusing unknown keys and fault kinds."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        config = cls(**data)
        bad = set(config.rates) - set(FAULT_KINDS) | set(config.script) - set(
            FAULT_KINDS
        )
        if bad or set(config.mutations) - set(MUTATIONS):
            raise ValueError(f"unknown fault kinds: {sorted(bad)}")
        return config

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Decides, per request, which fault (if any) a practice's answer suffers."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace the settings and restart the seeded sequence."""
        with self._lock:
            self.config = config
            self.rng = random.Random(config.seed)
            self.script = list(config.script)

    def reset(self) -> None:
        """Switch every fault off and zero the counters."""
        self.configure(FaultConfig())
        self.injected.clear()

    def draw(self, face: str, method: str, path: str) -> str | None:
        """Return the request-level fault for this request, or None."""
        config = self.config
        if config.faces and face not in config.faces:
            return None
        if config.methods and method not in config.methods:
            return None
        if config.paths and not any(p in path for p in config.paths):
            return None
        is_write = method in WRITE_METHODS
        with self._lock:
            for i, kind in enumerate(self.script):
                if kind == "timeout_after_write" and not is_write:
                    continue
                del self.script[i]
                self.injected[kind] += 1
                return kind
            if not config.rates:
                return None
            roll, edge = self.rng.random(), 0.0
            for kind in REQUEST_FAULTS:
                edge += config.rates.get(kind, 0.0)
                if roll < edge:
                    if kind == "timeout_after_write" and not is_write:
                        return None
                    self.injected[kind] += 1
                    return kind
        return None

    def malform(
        self, records: list[Any], hints: MalformHints | None, *, force: bool
    ) -> int:
        """Break a share of `records` in place (at least one if `force`)."""
        rate = self.config.rates.get("malformed", 0.0)
        if not (force or rate) or not records:
            return 0
        broken = 0
        with self._lock:
            for i, record in enumerate(records):
                if not isinstance(record, dict):
                    continue
                if (force and i == 0) or self.rng.random() < rate:
                    how = self.rng.choice(self.config.mutations or MUTATIONS)
                    _break(record, how, hints or MalformHints())
                    broken += 1
            self.injected["malformed"] += broken
        return broken


def truncate(body: bytes) -> bytes:
    """Cut a JSON body in half (an unfinished transfer that still says 200)."""
    return body[: max(1, len(body) // 2)]


def _break(record: dict[str, Any], how: str, hints: MalformHints) -> None:
    id_key = hints.id_key or _first(record, _looks_like_id)
    if how == "missing_id" and id_key in record:
        record.pop(id_key)
    elif how == "impossible_date":
        key = hints.date_key or _first(
            record, lambda k, v: isinstance(v, str) and bool(_DATE.match(v))
        )
        if key is not None:
            old = str(record.get(key) or "")
            # Keep the field's own shape (time part, "T", zone) after the date.
            record[key] = IMPOSSIBLE_DATE + (old[10:] if _DATE.match(old) else "")
    elif how == "unknown_enum" and hints.enum_key:
        record[hints.enum_key] = "NotAKnownValue"
    else:  # wrong_type, or a fallback when the record lacks the field
        key = hints.int_key or id_key
        if key is not None:
            record[key] = {"unexpected": record.get(key)}


def _looks_like_id(key: str, value: Any) -> bool:
    return key == "id" or key.endswith(("Num", "_id", "Id"))


def _first(record: dict[str, Any], test: Any) -> str | None:
    return next((k for k, v in record.items() if test(k, v)), None)
