"""One simulated practice: its store, credentials, settings, budgets and faults."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from dataclasses import asdict, dataclass, fields
from typing import Any

from .faults import FaultInjector
from .ratelimit import RateLimiter, lateness
from .records import KINDS
from .store import Store

DEVELOPER_KEY = "sim-developer-key"  # Open Dental developer key, shared by all
OD_MODES = ("remote", "local", "service")
STAMP_FILTERS = ("documented", "inclusive", "exclusive")
HIST_DATES = ("stamp", "appointment")  # what histappointments' dates filter (§3.6)
RATE_MODES = ("delay", "reject")
# Open Dental API permission groups (opendental-api.md §6).
OD_PERMISSIONS = frozenset(
    {
        "ReadAll",
        "Comm",
        "Documents",
        "Appointments",
        "Patients",
        "Payments",
        "ProcedureLogs",
        "Setup",
        "AllOthers",
    }
)


@dataclass(frozen=True)
class Credentials:
    """Every secret a client needs to reach this practice through any face."""

    od_developer_key: str
    od_customer_key: str
    ascend_client_id: str
    ascend_client_secret: str
    ascend_organization_id: str
    eaglesoft_agent_token: str
    dentrix_agent_token: str

    @classmethod
    def derive(cls, seed: int, index: int) -> Credentials:
        """Return the deterministic credentials of practice `index` (from 1)."""

        def digest(label: str, length: int) -> str:
            text = f"pbnsync-sim/{seed}/{index}/{label}"
            return hashlib.sha256(text.encode()).hexdigest()[:length]

        return cls(
            od_developer_key=DEVELOPER_KEY,
            # Practice 1's key is the demo's (practices/.../seed_demo.py).
            od_customer_key=f"sim-customer-key-{index}",
            ascend_client_id=f"sim-ascend-client-{index}",
            ascend_client_secret=digest("ascend-secret", 32),
            ascend_organization_id=digest("ascend-org", 24),
            eaglesoft_agent_token=f"sim-es-agent-{index}-{digest('eaglesoft', 12)}",
            dentrix_agent_token=f"sim-dtx-agent-{index}-{digest('dentrix', 12)}",
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class PracticeSettings:
    """Runtime behaviour of a practice's faces; changeable through /_sim."""

    od_mode: str = "remote"  # remote: pages of 100; local/service: 1000 (§2)
    od_enterprise: bool = False  # 1000 remote / 10,000 local pages (§2)
    od_permissions: frozenset[str] = OD_PERMISSIONS
    od_simple_includes_deleted: bool = True  # /patients/Simple shows Deleted rows
    # §3.6 leaves open whether histappointments' dateStart/dateEnd match
    # HistDateTStamp ("stamp") or AptDateTime ("appointment").
    od_hist_dates: str = "stamp"
    stamp_filter: str = "documented"  # DateTStamp filters: as worded, or forced
    rate_interval_ms: int = 0  # 0: unthrottled
    rate_mode: str = "delay"  # delay | reject (429 + Retry-After)
    change_rate: float = 0.0  # background random changes per second

    def update(self, data: dict[str, Any]) -> None:
        """Apply JSON changes, refusing unknown keys and bad values."""
        known = {f.name for f in fields(self)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        checks = {
            "od_mode": OD_MODES,
            "stamp_filter": STAMP_FILTERS,
            "od_hist_dates": HIST_DATES,
            "rate_mode": RATE_MODES,
        }
        for key, allowed in checks.items():
            if key in data and data[key] not in allowed:
                raise ValueError(f"{key} must be one of {allowed}")
        for key, value in data.items():
            if key == "od_permissions":
                value = frozenset(value)
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["od_permissions"] = sorted(self.od_permissions)
        return data


class Practice:
    """A simulated practice as every face and the admin API see it."""

    def __init__(
        self,
        *,
        id: str,
        index: int,
        name: str,
        size: str,
        seed: int,
        credentials: Credentials,
        store: Store,
        settings: PracticeSettings | None = None,
    ) -> None:
        self.id = id
        self.index = index
        self.name = name
        self.size = size
        self.seed = seed
        self.credentials = credentials
        self.store = store
        self.settings = settings or PracticeSettings()
        self.faults = FaultInjector()
        self.requests: deque[dict[str, Any]] = deque(maxlen=500)
        self.driver: Any = None  # changes.ChangeDriver while running
        self._limiters: dict[str, RateLimiter] = {}
        self._state: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def limiter(self, face: str, mode: str | None = None) -> RateLimiter:
        """Return the request budget of `face`; `mode` overrides the practice's."""
        with self._lock:
            limiter = self._limiters.get(face)
            if limiter is None:
                limiter = self._limiters[face] = RateLimiter()
            limiter.interval = self.settings.rate_interval_ms / 1000
            limiter.mode = mode or self.settings.rate_mode
            return limiter

    def violations(
        self, since: float | None = None, until: float | None = None
    ) -> dict[str, int]:
        """Return rate-limit violations per face, their "total", and "calls": how
        many calls the limits counted since the last reset (or that arrived
        between the epoch times `since` and `until`)."""
        with self._lock:
            limiters = dict(self._limiters)
        counts = {face: lim.violations for face, lim in limiters.items()}
        counts["total"] = sum(counts.values())
        if since is None and until is None:
            calls = [lim.calls for lim in limiters.values()]
        else:
            window = (since or 0.0, until if until is not None else float("inf"))
            calls = [len(lim.arrivals_between(*window)) for lim in limiters.values()]
        counts["calls"] = sum(calls)
        return counts

    def lateness(self, face: str, since: float, until: float) -> dict[str, Any]:
        """Return where the time between two epoch times went beyond one interval
        per call of `face` (see `ratelimit.lateness`), and the calls counted."""
        limiter = self.limiter(face)
        arrivals = limiter.arrivals_between(since, until)
        return {
            "calls": len(arrivals),
            "interval": limiter.interval,
            **lateness(arrivals, limiter.interval, since, until),
        }

    def reset_violations(self) -> None:
        """Zero every face's violation count and budget slot."""
        with self._lock:
            for limiter in self._limiters.values():
                limiter.reset()

    def state(self, face: str) -> dict[str, Any]:
        """Return a face's private per-practice state dict."""
        with self._lock:
            return self._state.setdefault(face, {})

    def record_request(self, entry: dict[str, Any]) -> None:
        """Remember a request (method, path, headers, status, fault)."""
        self.requests.append(entry)

    def start_changes(self, rate: float) -> None:
        """Run (rate > 0) or stop (rate 0) the background change generator."""
        from .changes import ChangeDriver

        self.settings.change_rate = rate
        if self.driver is not None:
            self.driver.stop()
            self.driver = None
        if rate > 0:
            self.driver = ChangeDriver(self.store, rate)
            self.driver.start()

    def summary(self, base_urls: dict[str, str] | None = None) -> dict[str, Any]:
        """Return the practice as the admin API and the CLI list it."""
        store = self.store
        return {
            "id": self.id,
            "index": self.index,
            "name": self.name,
            "size": self.size,
            "seed": self.seed,
            "time_zone": str(store.clock.tz),
            "credentials": self.credentials.as_dict(),
            "base_urls": base_urls or {},
            "counts": {kind: store.count(kind) for kind in KINDS},
            "max_seq": store.max_seq,
            "settings": self.settings.as_dict(),
        }
