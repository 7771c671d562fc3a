"""The Dentrix Ascend face: OAuth tokens, bearer + Organization-ID checks, errors.

Facts: other-pms-facts §1.2 (token), §1.3 (headers, LinkedOrgs). The token path
`oauth/client_credential/accesstoken` is Apigee's default OAuth proxy, so the 401
bodies copy Apigee's `fault` and `ErrorCode` shapes (assumed, not in the facts).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from werkzeug.wrappers import Request, Response

from ...face import Ctx, Face, JsonResult
from ...practice import Practice
from ...registry import Simulator

PREFIX = "/dentrixascend"
NAME = "dentrix_ascend"
DEFAULT_TOKEN_LIFETIME_S = 3600  # no public source states it (§1.2)


def error(status: int, message: str) -> Response:
    """Answer in the assumed envelope of resource errors."""
    return JsonResult({"statusCode": status, "message": message}, status).to_response()


def _fault(status: int, text: str, code: str) -> Response:
    body = {"fault": {"faultstring": text, "detail": {"errorcode": code}}}
    return JsonResult(body, status).to_response()


def token_lifetime(practice: Practice) -> float:
    """Return how long this practice's tokens live (tests shorten it)."""
    return float(practice.state(NAME).get("token_lifetime", DEFAULT_TOKEN_LIFETIME_S))


def configure(
    practice: Practice,
    *,
    token_lifetime: float | None = None,
    stream_api: bool | None = None,
) -> None:
    """Set the token lifetime (seconds) or switch the Stream API feed on or off."""
    state = practice.state(NAME)
    if token_lifetime is not None:
        state["token_lifetime"] = token_lifetime
    if stream_api is not None:
        state["stream_api"] = stream_api


def stream_api_enabled(practice: Practice) -> bool:
    """Return whether the practice's client has the Stream API (§1.9: not always)."""
    return bool(practice.state(NAME).get("stream_api", True))


def revoke_tokens(sim: Simulator, practice: Practice) -> None:
    """Invalidate every token issued to `practice` (the next call gets a 401)."""
    tokens = sim.state(NAME).setdefault("tokens", {})
    for value, (owner, _) in list(tokens.items()):
        if owner == practice.id:
            del tokens[value]
    practice.state(NAME).pop("token", None)


def bearer(request: Request, sim: Simulator) -> Practice | Response:
    """Return the practice of a live bearer token, or Apigee's 401 (§1.3)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    found = sim.state(NAME).get("tokens", {}).get(value.strip())
    if scheme.lower() != "bearer" or found is None:
        return _fault(
            401, "Invalid Access Token", "keymanagement.service.invalid_access_token"
        )
    practice_id, expires_at = found
    if time.monotonic() >= expires_at:
        return _fault(
            401, "Access Token expired", "keymanagement.service.access_token_expired"
        )
    practice = sim.get(practice_id)
    if practice is None:
        return _fault(
            401, "Invalid Access Token", "keymanagement.service.invalid_access_token"
        )
    return practice


def authenticate(request: Request, sim: Simulator) -> Practice | Response:
    """Require a live bearer token and the matching `Organization-ID` (§1.3)."""
    found = bearer(request, sim)
    if not isinstance(found, Practice):
        return found
    # Header names are case-insensitive: Organization-Id and -ID both work (§1.3).
    org = request.headers.get("Organization-ID", "").strip()
    if not org:
        return error(403, "Organization-ID header is required")
    if org != found.credentials.ascend_organization_id:
        return error(403, f"Organization {org} is not linked to this client")
    return found


def client_credentials(request: Request, sim: Simulator) -> Practice | Response:
    """Authenticate the token call by form-encoded client_id/secret (§1.2)."""
    grant = request.args.get("grant_type") or request.form.get("grant_type")
    if grant != "client_credentials":
        return JsonResult(
            {
                "ErrorCode": "invalid_request",
                "Error": f"Unsupported grant type : {grant}",
            },
            400,
        ).to_response()
    client_id = request.form.get("client_id", "")
    practice = sim.find("ascend_client_id", client_id) if client_id else None
    if practice is None or not secrets.compare_digest(
        request.form.get("client_secret", ""),
        practice.credentials.ascend_client_secret,
    ):
        return JsonResult(
            {"ErrorCode": "invalid_client", "Error": "ClientId is Invalid"}, 401
        ).to_response()
    return practice


# §1.8: over the limit Ascend answers 429 with Retry-After, never holds a call.
face = Face(NAME, PREFIX, authenticate, error=error, rate_mode="reject")


@face.route(
    "/oauth/client_credential/accesstoken",
    methods=("POST",),
    authenticate=client_credentials,
    limited=False,
)
def access_token(ctx: Ctx) -> JsonResult:
    """Issue a bearer token; a live one is handed out again (S1, §1.2)."""
    lifetime = token_lifetime(ctx.practice)
    tokens: dict[str, Any] = ctx.sim.state(NAME).setdefault("tokens", {})
    now = time.monotonic()
    current = ctx.state.get("token")
    entry = tokens.get(current) if current else None
    # Reuse until the last quarter of its life, then mint a new one (S1:
    # "refreshes them near expiry"); clients refetch in the last fifth.
    if entry is None or entry[1] - now < lifetime / 4:
        current = "sim." + secrets.token_urlsafe(24)
        tokens[current] = (ctx.practice.id, now + lifetime)
        ctx.state["token"] = current
        # A new token reports its whole lifetime: (now + lifetime) - now can
        # round to 3599.99..., which int() would floor to 3599.
        remaining = lifetime
    else:
        remaining = entry[1] - now
    return JsonResult(
        {
            "access_token": current,
            "token_type": "BearerToken",
            "expires_in": str(max(1, int(remaining))),  # Apigee sends a string
            "client_id": ctx.practice.credentials.ascend_client_id,
            "status": "approved",
        }
    )


@face.route("/orgmapper/LinkedOrgs", authenticate=bearer)
def linked_orgs(ctx: Ctx) -> JsonResult:
    """List the organizations the token may address (§1.3)."""
    return JsonResult(
        {"organizations": [ctx.practice.credentials.ascend_organization_id]}
    )


@face.route("/ascend-gateway/api/v0/organizations")
def organizations(ctx: Ctx) -> JsonResult:
    """Return the organization (name read from data[0].name, §1.3)."""
    org = ctx.practice.credentials.ascend_organization_id
    return JsonResult(
        {
            "statusCode": 200,
            "data": [{"id": org, "type": "Organization", "name": ctx.practice.name}],
        }
    )
