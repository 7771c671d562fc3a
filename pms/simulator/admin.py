"""The /_sim admin API: practices, faults, violations and lateness, requests, clock,
changes."""

from __future__ import annotations

import base64
import json
from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .face import JsonResult
from .faults import FaultConfig
from .practice import Practice
from .store import StoreError

if TYPE_CHECKING:
    from .server import SimulatorApp

P = "/_sim/practices/<key>"
RULES = [
    Rule("/_sim/health", endpoint="health"),
    Rule("/_sim/faces", endpoint="faces"),
    Rule("/_sim/practices", endpoint="practices", methods=["GET", "POST"]),
    Rule(P, endpoint="practice", methods=["GET", "DELETE"]),
    Rule(f"{P}/faults", endpoint="faults", methods=["GET", "PUT", "DELETE"]),
    Rule(f"{P}/violations", endpoint="violations", methods=["GET", "DELETE"]),
    Rule(f"{P}/lateness", endpoint="lateness"),
    Rule(f"{P}/requests", endpoint="requests", methods=["GET", "DELETE"]),
    Rule(f"{P}/settings", endpoint="settings", methods=["GET", "PUT"]),
    Rule(f"{P}/clock", endpoint="clock", methods=["GET", "PUT"]),
    Rule(f"{P}/changes", endpoint="changes", methods=["POST"]),
    Rule(f"{P}/delete", endpoint="delete", methods=["POST"]),
    Rule(f"{P}/records/<kind>/<int:record_id>", endpoint="record"),
]


def record_json(record: Any) -> dict[str, Any]:
    """Return a store record as plain JSON (times ISO, bytes base64)."""
    data = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, datetime | date):
            value = (
                value.isoformat(sep=" ")
                if isinstance(value, datetime)
                else (value.isoformat())
            )
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data


class AdminApi:
    """Handlers for /_sim; JSON in, JSON out."""

    def __init__(self, app: SimulatorApp) -> None:
        self.app = app
        self.sim = app.sim
        self.url_map = Map(RULES, strict_slashes=False)

    def handle(self, request: Request) -> Response:
        """Dispatch one admin request."""
        try:
            endpoint, values = self.url_map.bind_to_environ(request.environ).match()
            practice = None
            if "key" in values:
                practice = self.sim.get(values.pop("key"))
                if practice is None:
                    return _json({"error": "no such practice"}, 404)
            handler = getattr(self, f"do_{endpoint}")
            return (
                handler(request, practice, **values)
                if practice
                else handler(request, **values)
            )
        except (ValueError, TypeError, StoreError) as exc:
            return _json({"error": str(exc)}, 400)
        except HTTPException as exc:
            return _json({"error": exc.description}, exc.code or 400)

    def summary(self, request: Request, practice: Practice) -> dict[str, Any]:
        return practice.summary(self.app.base_urls(request.host_url))

    def do_health(self, request: Request) -> Response:
        return _json({"ok": True, "practices": len(self.sim.practices())})

    def do_faces(self, request: Request) -> Response:
        return _json([{"name": f.name, "prefix": f.prefix} for f in self.app.faces])

    def do_practices(self, request: Request) -> Response:
        if request.method == "GET":
            return _json([self.summary(request, p) for p in self.sim.practices()])
        body = _body(request)
        today = body.pop("today", None)
        faults = body.pop("faults", None)
        practice = self.sim.add_practice(
            today=date.fromisoformat(today) if today else None, **body
        )
        if faults:
            practice.faults.configure(FaultConfig.from_dict(faults))
        return _json(self.summary(request, practice), 201)

    def do_practice(self, request: Request, practice: Practice) -> Response:
        if request.method == "DELETE":
            self.sim.remove(practice.id)
            return _json({"removed": practice.id})
        return _json(self.summary(request, practice))

    def do_faults(self, request: Request, practice: Practice) -> Response:
        if request.method == "PUT":
            practice.faults.configure(FaultConfig.from_dict(_body(request)))
        elif request.method == "DELETE":
            practice.faults.reset()
        injector = practice.faults
        return _json(
            {"config": injector.config.as_dict(), "injected": dict(injector.injected)}
        )

    def do_violations(self, request: Request, practice: Practice) -> Response:
        if request.method == "DELETE":
            practice.reset_violations()
        window = {
            name: float(request.args[name])
            for name in ("since", "until")
            if request.args.get(name)
        }
        return _json(practice.violations(**window))

    def do_lateness(self, request: Request, practice: Practice) -> Response:
        try:
            since, until = (float(request.args[name]) for name in ("since", "until"))
        except (KeyError, ValueError):
            raise BadRequest("since and until (epoch seconds) are required") from None
        face = request.args.get("face", "opendental")
        served = [f.name for f in self.app.faces]
        if face not in served:
            raise NotFound(
                f"no face {face!r}; the simulator serves {', '.join(served)}"
            )
        return _json(practice.lateness(face, since, until))

    def do_requests(self, request: Request, practice: Practice) -> Response:
        if request.method == "DELETE":
            practice.requests.clear()
        limit = int(request.args.get("limit", 100))
        return _json(list(practice.requests)[-limit:] if limit else [])

    def do_settings(self, request: Request, practice: Practice) -> Response:
        if request.method == "PUT":
            body = _body(request)
            rate = body.pop("change_rate", None)
            practice.settings.update(body)
            if rate is not None:
                practice.start_changes(float(rate))
        return _json(practice.settings.as_dict())

    def do_clock(self, request: Request, practice: Practice) -> Response:
        clock = practice.store.clock
        if request.method == "PUT":
            body = _body(request)
            if "offset_seconds" in body:
                clock.offset = timedelta(seconds=float(body["offset_seconds"]))
            if "frozen" in body:
                frozen = body["frozen"]
                clock.frozen = datetime.fromisoformat(frozen) if frozen else None
        return _json(
            {
                "now": practice.store.now().isoformat(sep=" "),
                "offset_seconds": clock.offset.total_seconds(),
                "frozen": clock.frozen.isoformat(sep=" ") if clock.frozen else None,
            }
        )

    def do_changes(self, request: Request, practice: Practice) -> Response:
        body = _body(request)
        made = practice.store.apply_random_changes(
            int(body.get("count", 1)), same_second=bool(body.get("same_second"))
        )
        return _json(
            [
                {
                    "seq": c.seq,
                    "at": c.at.isoformat(sep=" "),
                    "kind": c.kind,
                    "id": c.id,
                    "action": c.action,
                    "fields": list(c.fields),
                }
                for c in made
            ]
        )

    def do_delete(self, request: Request, practice: Practice) -> Response:
        body = _body(request)
        stone = practice.store.delete(body["kind"], int(body["id"]))
        return _json(
            {
                "kind": stone.kind,
                "id": stone.id,
                "seq": stone.seq,
                "deleted_at": stone.deleted_at.isoformat(sep=" "),
            }
        )

    def do_record(
        self, request: Request, practice: Practice, kind: str, record_id: int
    ) -> Response:
        record = practice.store.get(kind, record_id)
        if record is None:
            return _json({"error": f"{kind} {record_id} not found"}, 404)
        return _json(record_json(record))


def _body(request: Request) -> dict[str, Any]:
    """Return the request's JSON object, whatever its Content-Type says (`curl -d`
    sends a form type: read as a form, its body was dropped and a PUT reset faults
    and settings instead of setting them)."""
    raw = request.get_data(parse_form_data=False)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequest("a JSON object is required")
    return data


def _json(data: Any, status: int = 200) -> Response:
    return JsonResult(data, status).to_response()
