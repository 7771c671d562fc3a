"""How the contract suite reaches each PMS face of the simulator.

One entry per PMS type: which simulator face serves it, which simulator
credentials become the connection's credentials, and any ConnectionConfig
overrides the face needs in tests. A connector registered in
pms.registry.CONNECTORS whose type is listed here runs the whole contract suite
(tests/pms/test_contract.py). To add a face, add a FaceHooks line.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pms.base import ConnectionConfig
from pms.registry import CONNECTORS

_ids = itertools.count(900_000)


@dataclass(frozen=True)
class FaceHooks:
    pms_type: str
    sim_face: str  # a key of SimPractice.base_urls
    credentials: Callable[[dict[str, str]], dict[str, str]]
    config_overrides: dict[str, Any] = field(default_factory=dict)
    # The PMS id a face shows for a simulator store id.
    pms_id: Callable[[int], str] = str
    # Whether list endpoints show soft-deleted rows (Ascend's omit them: they
    # leave through its deletion feed instead).
    lists_deleted: bool = True

    def config(self, sim: Any, **overrides: Any) -> ConnectionConfig:
        """Return a ConnectionConfig reaching `sim` (a SimPractice) via this face."""
        from zoneinfo import ZoneInfo

        values: dict[str, Any] = {
            "connection_id": next(_ids),  # a budget of its own per connector
            "pms_type": self.pms_type,
            "base_url": sim.base_urls[self.sim_face],
            "credentials": self.credentials(sim.credentials),
            "time_zone": ZoneInfo(str(sim.store.clock.tz)),
            "request_interval_ms": 0,  # fixture practices are unthrottled
            "read_timeout": 5.0,
            **self.config_overrides,
            **overrides,
        }
        return ConnectionConfig(**values)


FACES: dict[str, FaceHooks] = {
    hooks.pms_type: hooks
    for hooks in (
        FaceHooks(
            "open_dental",
            "opendental",
            lambda c: {
                "developer_key": c["od_developer_key"],
                "customer_key": c["od_customer_key"],
            },
        ),
        FaceHooks(
            "dentrix_ascend",
            "dentrix_ascend",
            lambda c: {
                "client_id": c["ascend_client_id"],
                "client_secret": c["ascend_client_secret"],
                "organization_id": c["ascend_organization_id"],
            },
            # Ascend ids are 13-digit strings beginning 7000000 (facts §1.3).
            pms_id=lambda n: str(7_000_000_000_000 + n),
            lists_deleted=False,  # facts §1.9
        ),
        FaceHooks(
            "eaglesoft",
            "eaglesoft",
            lambda c: {"agent_token": c["eaglesoft_agent_token"]},
            # Pages of 100 (the agent allows up to 500), so a walk crosses pages.
            config_overrides={"page_size": 100},
        ),
        FaceHooks(
            "dentrix",
            "dentrix",
            lambda c: {"agent_token": c["dentrix_agent_token"]},
            # Pages of 100 (the agent allows up to 500), so a walk crosses pages.
            config_overrides={"page_size": 100},
        ),
    )
}


def contract_faces() -> list[str]:
    """Return the PMS types with both a registered connector and face hooks."""
    return sorted(t for t in CONNECTORS if t in FACES)
