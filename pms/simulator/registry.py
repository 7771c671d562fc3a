"""The set of simulated practices one simulator process serves."""

from __future__ import annotations

import gc
import threading
from datetime import date
from typing import Any

from .generator import SIZES, generate
from .practice import Credentials, Practice, PracticeSettings
from .store import Store

TIME_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)


class Simulator:
    """Practices by id and by every credential, plus per-face global state."""

    def __init__(self, seed: int = 1) -> None:
        self.seed = seed
        self._practices: dict[str, Practice] = {}
        self._by_credential: dict[tuple[str, str], Practice] = {}
        self._state: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()
        self._next_index = 1

    def add_practice(
        self,
        size: str = "small",
        *,
        seed: int | None = None,
        name: str | None = None,
        years: float | None = None,
        today: date | None = None,
        time_zone: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> Practice:
        """Generate a practice, register it and return it.

        Practice `index` (1, 2, ...) gets credentials derived from the simulator's
        seed and its index; its data seed defaults to seed * 1000 + index.
        """
        if size not in SIZES:
            raise ValueError(f"size must be one of {sorted(SIZES)}")
        with self._lock:
            index = self._next_index
            self._next_index += 1
        data_seed = self.seed * 1000 + index if seed is None else seed
        tz = time_zone or TIME_ZONES[(index - 1) % len(TIME_ZONES)]
        store = Store(tz, seed=data_seed)
        generate(store, size, data_seed, years=years, today=today)
        if size != "small":  # keep the cyclic GC from rescanning a million records
            gc.collect()
            gc.freeze()
        practice = Practice(
            id=f"p{index}",
            index=index,
            name=name or f"Simulated {size.title()} Dental {index}",
            size=size,
            seed=data_seed,
            credentials=Credentials.derive(self.seed, index),
            store=store,
            settings=PracticeSettings(),
        )
        if settings:
            practice.settings.update(settings)
        with self._lock:
            self._practices[practice.id] = practice
            for key, value in practice.credentials.as_dict().items():
                if key != "od_developer_key":
                    self._by_credential[(key, value)] = practice
        if practice.settings.change_rate:
            practice.start_changes(practice.settings.change_rate)
        return practice

    def practices(self) -> list[Practice]:
        """Return every practice in creation order."""
        with self._lock:
            return sorted(self._practices.values(), key=lambda p: p.index)

    def get(self, key: str) -> Practice | None:
        """Return a practice by its id or by any of its credentials."""
        with self._lock:
            found = self._practices.get(key)
            if found is not None:
                return found
            return next(
                (p for (_, value), p in self._by_credential.items() if value == key),
                None,
            )

    def find(self, credential: str, value: str) -> Practice | None:
        """Return the practice whose credential `credential` equals `value`."""
        with self._lock:
            return self._by_credential.get((credential, value))

    def remove(self, key: str) -> bool:
        """Forget a practice (and stop its change generator)."""
        with self._lock:
            practice = self.get(key)
            if practice is None:
                return False
            del self._practices[practice.id]
            for cred in practice.credentials.as_dict().items():
                self._by_credential.pop(cred, None)
        practice.start_changes(0)
        return True

    def state(self, face: str) -> dict[str, Any]:
        """Return a face's process-wide state dict (e.g. token -> practice id)."""
        with self._lock:
            return self._state.setdefault(face, {})

    def stop(self) -> None:
        """Stop every background change generator."""
        for practice in self.practices():
            practice.start_changes(0)
