"""What every mirror page shares: permission, the practice's freshness, the banner."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from practices.models import Practice
from practices.views import managed_practice_or_404
from syncjobs.status import freshness

MirrorView = Callable[..., HttpResponse]


def mirror_page(*methods: str) -> Callable[[MirrorView], Callable]:
    """Like practices' practice_page, also passing the URL's other arguments."""

    def decorator(view: MirrorView) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, practice_id: int, **kwargs: Any
        ) -> HttpResponse:
            practice = managed_practice_or_404(request, practice_id)
            allowed = [*methods, "HEAD"] if "GET" in methods else list(methods)
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            return view(request, practice, **kwargs)

        return wrapper

    return decorator


def render_mirror_page(
    request: HttpRequest, template: str, practice: Practice, **context: Any
) -> HttpResponse:
    """Render a mirror page with the practice's freshness for the banner."""
    if "freshness" not in context:
        context["freshness"] = freshness(practice)
    context["practice"] = practice
    return render(request, template, context)
