"""The simulator's HTTP server: one WSGI app, the faces under their prefixes.

Every face request runs the same pipeline: match the route, authenticate (the face
names the practice), record the request, draw a fault, apply the practice's rate
limit, run the handler, then apply post-handler faults (timeout after the write,
truncated JSON, malformed records).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request

from .admin import AdminApi
from .arrivals import arrival, stamp_arrivals, stamped_reader
from .face import ApiError, Ctx, Face, JsonResult, dump_json
from .faces import load_faces
from .faults import truncate
from .practice import Practice
from .registry import Simulator
from .store import StoreError

log = logging.getLogger(__name__)
DROP = object()  # close the connection without an answer
ARRIVED = "pbnsync.sim.arrived"  # environ: time.monotonic() of the request line


class SimulatorApp:
    """The WSGI application serving every face and the /_sim admin API."""

    def __init__(self, sim: Simulator, faces: list[Face] | None = None) -> None:
        self.sim = sim
        self.faces = sorted(
            load_faces() if faces is None else faces, key=lambda f: -len(f.prefix)
        )
        self.admin = AdminApi(self)
        self.stopping = threading.Event()  # wakes hanging faults on shutdown

    def base_urls(self, root: str) -> dict[str, str]:
        """Return each face's base URL under `root` (e.g. http://127.0.0.1:8765)."""
        return {face.name: root.rstrip("/") + face.prefix for face in self.faces}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        if response is DROP:
            start_response("500 Dropped", [("Content-Length", "0")])
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return []
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Any:
        """Route a request to the admin API or a face."""
        path = request.path
        if path == "/_sim" or path.startswith("/_sim/"):
            return self.admin.handle(request)
        for face in self.faces:
            if path == face.prefix or path.startswith(face.prefix + "/"):
                return self.serve_face(face, request, path[len(face.prefix) :] or "/")
        return JsonResult(
            {"error": f"no simulator face serves {path}"}, 404
        ).to_response()

    def serve_face(self, face: Face, request: Request, path: str) -> Any:
        """Authenticate and run one face request through the fault pipeline."""
        adapter = face.url_map.bind("simulator", "/")
        try:
            endpoint, values = adapter.match(path, method=request.method)
        except MethodNotAllowed:
            return face.error(405, f"Method {request.method} not allowed")
        except NotFound:
            return face.error(404, "Not found")
        route = face.routes[endpoint]
        found = (route.authenticate or face.authenticate)(request, self.sim)
        if not isinstance(found, Practice):
            return found
        practice, started = found, time.monotonic()
        fault = practice.faults.draw(face.name, request.method, path)
        response: Any = None
        try:
            if route.limited:
                limiter = practice.limiter(face.name, face.rate_mode)
                retry_after = limiter.admit(request.environ.get(ARRIVED))
                if retry_after is not None:
                    response = face.rate_limited(retry_after)
                    return response
            ctx = Ctx(request, self.sim, practice, face)
            response = self.run(ctx, route.handler, values, fault)
            return response
        finally:
            practice.record_request(
                {
                    "at": time.time(),
                    "face": face.name,
                    "method": request.method,
                    "path": path,
                    "query": request.query_string.decode(errors="replace"),
                    "headers": dict(request.headers),
                    "status": "dropped"
                    if response is DROP
                    else (response.status_code if response is not None else None),
                    "fault": fault,
                    "ms": round((time.monotonic() - started) * 1000, 2),
                }
            )

    def run(
        self, ctx: Ctx, handler: Any, values: dict[str, Any], fault: str | None
    ) -> Any:
        """Apply `fault` around the handler and return the response (or DROP)."""
        face, config = ctx.face, ctx.practice.faults.config
        if fault == "5xx":
            return face.error(config.error_status, "Simulated server error")
        if fault == "429":
            return face.rate_limited(config.retry_after)
        if fault == "drop":
            return DROP
        if fault == "office_down":
            return face.office_down()
        if fault == "timeout":
            self.stopping.wait(config.hang_seconds)
            return DROP
        if fault == "slow":
            self.stopping.wait(config.slow_seconds)
        result = self.call(ctx, handler, values)
        if fault == "timeout_after_write":
            self.stopping.wait(config.hang_seconds)
            return DROP
        if not isinstance(result, JsonResult):
            return result
        if result.status < 300:
            records = (
                result.data
                if result.records_key is None
                else (
                    result.data.get(result.records_key)
                    if isinstance(result.data, dict)
                    else None
                )
            )
            if isinstance(records, list):
                ctx.practice.faults.malform(
                    records, result.hints, force=fault == "malformed"
                )
        if fault == "truncate":
            return result.to_response(truncate(dump_json(result.data)))
        return result.to_response()

    def call(self, ctx: Ctx, handler: Any, values: dict[str, Any]) -> Any:
        """Run a handler, mapping its errors to the face's error shape."""
        try:
            return handler(ctx, **values)
        except ApiError as exc:
            return ctx.face.error(exc.status, exc.message)
        except StoreError as exc:
            return ctx.face.error(404, str(exc))
        except HTTPException as exc:
            return ctx.face.error(exc.code or 400, exc.description or exc.name)
        except Exception:
            log.exception("simulator handler failed: %s", ctx.request.path)
            return ctx.face.error(500, "Internal simulator error")


class _QuietHandler(WSGIRequestHandler):
    """Log requests only when the simulator runs verbosely; stamp each arrival."""

    verbose = False
    arrived = 0.0

    def setup(self) -> None:
        super().setup()
        stamped = stamped_reader(self.connection, self.rbufsize)
        if stamped is not None:
            self.rfile = stamped

    def parse_request(self) -> bool:
        # The request line has just been read: the rate limit's clock is when its
        # bytes reached the machine, or else now.
        self.arrived = arrival(self.rfile) or time.monotonic()
        return super().parse_request()

    def make_environ(self) -> Any:
        environ = super().make_environ()
        environ[ARRIVED] = self.arrived
        return environ

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if self.verbose:
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:
        if self.verbose:
            super().log_error(format, *args)


class _VerboseHandler(_QuietHandler):
    verbose = True


@dataclass
class ServerHandle:
    """A running simulator server."""

    server: BaseWSGIServer
    app: SimulatorApp
    thread: threading.Thread | None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving, wake hanging faults and stop the change generators."""
        self.app.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.app.sim.stop()
        if self.thread is not None:
            self.thread.join(timeout=5)


def start_server(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    background: bool = True,
    verbose: bool = False,
) -> ServerHandle:
    """Serve `sim` on host:port (0: a free port), threaded, in a daemon thread."""
    app = SimulatorApp(sim)
    handler = _VerboseHandler if verbose else _QuietHandler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    server.daemon_threads = True
    stamp_arrivals(server.socket)
    thread = None
    if background:
        thread = threading.Thread(
            target=server.serve_forever, name="pms-simulator", daemon=True
        )
        thread.start()
    return ServerHandle(server, app, thread)
