"""The Open Dental face: auth, errors, paging and filter parsing (opendental-api.md)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from ...face import ApiError, Ctx, Face, JsonResult
from ...practice import DEVELOPER_KEY, Practice
from ...registry import Simulator

PREFIX = "/opendental/api/v1"
_AUTH = re.compile(r"^ODFHIR\s+([^/\s]+)/(\S+)$")


def error(status: int, message: str) -> Response:
    """Answer with a bare JSON string explanation (§4.1: "(with explanation)")."""
    return JsonResult(message, status=status).to_response()


def authenticate(request: Request, sim: Simulator) -> Practice | Response:
    """Check `Authorization: ODFHIR {dev}/{cust}` (§1.3) and the Content-Type (§1.4)."""
    match = _AUTH.match(request.headers.get("Authorization", "").strip())
    practice = None
    if match and match.group(1) == DEVELOPER_KEY:
        practice = sim.find("od_customer_key", match.group(2))
    if practice is None:
        # §1.3/§4.1: a bad, unassigned or disabled key is a 401.
        return error(
            401, "Invalid Authorization header: ODFHIR DeveloperKey/CustomerKey"
        )
    if request.mimetype != "application/json":
        # §1.4: every request, GETs included, must send application/json.
        return error(400, "Content-Type must be application/json")
    return practice


# §4.1: a 400 also means the office's eConnector is down; the doc gives no
# wording, so this one is ours.
ECONNECTOR_DOWN = (
    400,
    "The eConnector is not running at the office, so the request could not be "
    "relayed. Start the eConnector service on the office server.",
)
face = Face(
    "opendental", PREFIX, authenticate, error=error, office_down=ECONNECTOR_DOWN
)


def requires(group: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse (401, §4.2) unless the customer key has permission group `group`."""

    def wrap(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def checked(ctx: Ctx, **values: Any) -> Any:
            if group not in ctx.practice.settings.od_permissions:
                raise ApiError(
                    401, f"This API key does not have the {group} permission"
                )
            return handler(ctx, **values)

        return checked

    return wrap


def page(ctx: Ctx) -> tuple[int, int]:
    """Return (offset, limit) from Limit/Offset, capped at the mode's maximum (§2)."""
    settings = ctx.practice.settings
    remote = settings.od_mode == "remote"
    cap = (
        (1000 if remote else 10_000)
        if settings.od_enterprise
        else (100 if remote else 1000)
    )
    limit = _int_arg(ctx, "Limit", cap)
    offset = _int_arg(ctx, "Offset", 0)
    if limit < 1 or offset < 0:
        raise ApiError(400, "Limit and Offset must be positive")
    return offset, min(limit, cap)  # above the cap: treated as capped (§2)


def stamp_filter(ctx: Ctx, name: str, documented_inclusive: bool) -> tuple[Any, bool]:
    """Return (since, inclusive) for a DateTStamp-style param (§3.1), or (None, _).

    The wording differs per endpoint ("after" is >, "on or after" is >=); the
    practice's `stamp_filter` setting can force either for every endpoint.
    """
    raw = ctx.request.args.get(name)
    if raw is None or raw == "":
        return None, False
    since = parse_datetime(raw, name)
    mode = ctx.practice.settings.stamp_filter
    inclusive = documented_inclusive if mode == "documented" else mode == "inclusive"
    return since, inclusive


def parse_datetime(raw: str, name: str) -> datetime:
    """Parse "yyyy-MM-dd HH:mm:ss" (or a bare date), else 400 (§3.1 providers)."""
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), fmt)
        except ValueError:
            continue
    raise ApiError(400, f"{name} format must be yyyy-MM-dd HH:mm:ss")


def parse_date(raw: str, name: str) -> date:
    """Parse "yyyy-MM-dd", else 400."""
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ApiError(400, f"{name} format must be yyyy-MM-dd") from None


def int_param(ctx: Ctx, name: str) -> int | None:
    """Return an optional integer query parameter (400 when not a number)."""
    raw = ctx.request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a number") from None


def body(ctx: Ctx) -> dict[str, Any]:
    """Return the JSON object body (400 when missing or not an object)."""
    data = ctx.request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return data


def body_int(data: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    """Return an id from a body, accepting a number or a numeric string (§1.6)."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, f"{name} is required.")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be a number") from None


def body_bool(data: dict[str, Any], name: str, default: bool = False) -> bool:
    """Return a "true"/"false" string (any case, §1.6) from a body."""
    value = data.get(name)
    if value is None:
        return default
    text = str(value).lower()
    if text not in ("true", "false"):
        raise ApiError(400, f"{name} must be true or false")
    return text == "true"


def created(ctx: Ctx, path: str, data: dict[str, Any]) -> JsonResult:
    """Answer 201 with a `location` header and the object (§1.8)."""
    return JsonResult(data, status=201, headers={"Location": ctx.url(path)})


def _int_arg(ctx: Ctx, name: str, default: int) -> int:
    value = int_param(ctx, name)
    return default if value is None else value
