"""The JSON API other services use to submit activities and read their status."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from practices.models import Practice

from .forms import ActivityForm
from .intake import IntakeError, submit_activity
from .models import OutboxJob, ServiceToken


def errors(fields: dict[str, list[str]], status: int) -> JsonResponse:
    return JsonResponse({"errors": fields}, status=status)


def describe(job: OutboxJob) -> dict:
    """Return the job as the API shows it."""
    return {
        "id": job.pk,
        "practice_id": job.practice_id,
        "kind": job.kind,
        "idempotency_key": job.idempotency_key,
        "status": job.status,
        "status_reason": job.status_reason,
        "display_status": job.display_status,
        "pms_id": job.pms_id,
        "fee_pms_id": job.fee_pms_id,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
        "written_at": job.written_at.isoformat() if job.written_at else None,
        "verified_at": job.verified_at.isoformat() if job.verified_at else None,
    }


def token_required(view: Callable) -> Callable:
    """Authenticate `Authorization: Bearer <token>` and pass the token to the view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = (
            ServiceToken.objects.authenticate(value.strip())
            if scheme.lower() == "bearer"
            else None
        )
        if token is None:
            response = errors(
                {"authorization": ["A valid bearer token is required."]}, 401
            )
            response["WWW-Authenticate"] = 'Bearer realm="pbnsync"'
            return response
        token.touch()
        return view(request, token, *args, **kwargs)

    return wrapper


@csrf_exempt
@require_POST
@token_required
def submit(request: HttpRequest, token: ServiceToken) -> JsonResponse:
    """Accept one activity; a repeated idempotency key returns the first result."""
    try:
        body = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return errors({"body": ["Not valid JSON."]}, 400)
    if not isinstance(body, dict):
        return errors({"body": ["Must be a JSON object."]}, 400)
    form = ActivityForm(data=body)
    if not form.is_valid():
        return errors({k: list(v) for k, v in form.errors.items()}, 400)
    data = form.cleaned_data
    if not token.can_submit(data["kind"]):
        message = f"This token may not submit {data['kind']} activities."
        return errors({"kind": [message]}, 403)
    practice = token.practices.filter(pk=data["practice_id"]).first()
    if practice is None:  # not ours to know whether it exists
        return errors({"practice_id": ["No such practice."]}, 404)
    try:
        result = submit_activity(
            practice=practice,
            kind=data["kind"],
            payload=data["payload"],
            service=token.service,
            idempotency_key=data["idempotency_key"],
        )
    except IntakeError as exc:
        return errors(exc.errors, exc.status)
    return JsonResponse(describe(result.job), status=201 if result.created else 200)


@require_GET
@token_required
def status(request: HttpRequest, token: ServiceToken, job_id: int) -> JsonResponse:
    """Return one activity this service submitted for a practice it may see."""
    job = OutboxJob.objects.filter(
        pk=job_id,
        service=token.service,
        practice__in=Practice.objects.filter(writeback_tokens=token),
    ).first()
    if job is None:
        return errors({"id": ["No such activity."]}, 404)
    return JsonResponse(describe(job))
