"""How a vendor face plugs into the simulator: routes, auth and response hooks.

A face module lives in `pms/simulator/faces/` and exposes a module-level `face`
(or a list `faces`); the server imports every module there and mounts each face
under its prefix. See docs/simulator.md, "How to add a face".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from .practice import Practice
    from .registry import Simulator
    from .store import Store


class ApiError(Exception):
    """Raise in a handler to answer `status` with the face's error shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class MalformHints:
    """Which fields of a record the "malformed" fault should break."""

    id_key: str | None = None  # dropped ("missing id")
    date_key: str | None = None  # set to an impossible 2021-02-30 value
    enum_key: str | None = None  # set to an unknown enum value
    int_key: str | None = None  # given a wrong type


@dataclass
class JsonResult:
    """A handler's JSON answer; faults may truncate it or malform its records."""

    data: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    records_key: str | None = None  # where the record list sits; None: data itself
    hints: MalformHints | None = None

    def to_response(self, body: bytes | None = None) -> Response:
        """Render as an application/json response (optionally with a given body)."""
        if body is None:
            body = dump_json(self.data)
        return Response(
            body,
            status=self.status,
            headers=self.headers,
            content_type="application/json; charset=utf-8",
        )


def dump_json(data: Any) -> bytes:
    """Encode JSON compactly."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Ctx:
    """What a route handler gets: the request and the practice it addresses."""

    request: Request
    sim: Simulator
    practice: Practice
    face: Face

    @property
    def store(self) -> Store:
        return self.practice.store

    @property
    def state(self) -> dict[str, Any]:
        """Return this face's private per-practice state (tokens, queues...)."""
        return self.practice.state(self.face.name)

    def url(self, path: str) -> str:
        """Return the absolute URL of `path` under this face's prefix."""
        return self.request.host_url.rstrip("/") + self.face.prefix + path


Handler = Callable[..., "Response | JsonResult"]
Authenticator = Callable[[Request, "Simulator"], "Practice | Response"]


@dataclass
class Route:
    handler: Handler
    authenticate: Authenticator | None
    limited: bool


class Face:
    """One vendor API face: a prefix, an authenticator and routes."""

    def __init__(
        self,
        name: str,
        prefix: str,
        authenticate: Authenticator,
        *,
        error: Callable[[int, str], Response] | None = None,
        office_down: tuple[int, str] = (503, "The practice's server cannot be reached"),
        rate_mode: str | None = None,
    ) -> None:
        self.name = name
        self.office_down_answer = office_down
        # A vendor that always answers 429 (Dentrix Ascend) overrides the
        # practice's rate mode; None follows the practice setting.
        self.rate_mode = rate_mode
        self.prefix = prefix.rstrip("/")
        self.authenticate = authenticate
        self.url_map = Map(strict_slashes=False, merge_slashes=False)
        self.routes: dict[str, Route] = {}
        self._error = error

    def route(
        self,
        path: str,
        methods: tuple[str, ...] = ("GET",),
        *,
        authenticate: Authenticator | None = None,
        limited: bool = True,
    ) -> Callable[[Handler], Handler]:
        """Register `handler(ctx, **url_values)` for `path` (werkzeug rule syntax).

        `authenticate` overrides the face's authenticator for this route (e.g. a
        token endpoint); `limited=False` exempts it from the rate limit.
        """

        def register(handler: Handler) -> Handler:
            endpoint = f"{handler.__module__}.{handler.__qualname__}:{path}"
            self.url_map.add(Rule(path, endpoint=endpoint, methods=list(methods)))
            self.routes[endpoint] = Route(handler, authenticate, limited)
            return handler

        return register

    def error(self, status: int, message: str) -> Response:
        """Return this vendor's error response."""
        if self._error is not None:
            return self._error(status, message)
        return JsonResult({"error": message}, status=status).to_response()

    def office_down(self) -> Response:
        """Return this vendor's answer when the practice's side is unreachable."""
        return self.error(*self.office_down_answer)

    def rate_limited(self, retry_after: float) -> Response:
        """Return this vendor's over-the-limit response (429 + Retry-After)."""
        response = self.error(429, "Too many requests")
        response.headers["Retry-After"] = str(max(1, round(retry_after + 0.499)))
        return response
