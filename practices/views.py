"""Pages for practice admins; each practice is visible only to its own admins."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from .models import Practice, SettingChange
from .settings_page import load_settings_page, save_settings

RECENT_CHANGES = 25
PracticeView = Callable[[HttpRequest, Practice], HttpResponse]


def managed_practice_or_404(request: HttpRequest, practice_id: int) -> Practice:
    """Return the practice if the user may manage it; 404 so existence never leaks."""
    return get_object_or_404(Practice.objects.managed_by(request.user), pk=practice_id)


def practice_page(*methods: str) -> Callable[[PracticeView], Callable]:
    """Log in, then 404 unless the user manages the practice, then check the method."""

    def decorator(view: PracticeView) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, practice_id: int) -> HttpResponse:
            practice = managed_practice_or_404(request, practice_id)
            allowed = [*methods, "HEAD"] if "GET" in methods else list(methods)
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            return view(request, practice)

        return wrapper

    return decorator


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """List the practices this user manages."""
    practices = Practice.objects.managed_by(request.user).select_related("connection")
    return render(request, "practices/home.html", {"practices": practices})


@login_required
@require_GET
def switch_practice(request: HttpRequest) -> HttpResponse:
    """Go to the chosen practice's page (the same kind of page when possible)."""
    practice_id = request.GET.get("practice", "")
    if not practice_id.isdigit():
        raise Http404("No practice chosen.")
    practice = managed_practice_or_404(request, int(practice_id))
    target = "practice_settings" if request.GET.get("to") == "settings" else "practice"
    return redirect(target, practice_id=practice.pk)


@practice_page("GET")
def practice_detail(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Show a practice's connection, write-back readiness and recent changes."""
    changes = SettingChange.objects.filter(practice=practice).select_related("user")
    context = {
        "practice": practice,
        "connection": getattr(practice, "connection", None),
        "writeback": getattr(practice, "writeback_settings", None),
        "changes": changes[:RECENT_CHANGES],
    }
    return render(request, "practices/practice.html", context)


@practice_page("GET", "POST")
def practice_settings(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Show and save the PMS Sync & Write-Back Settings page."""
    if request.method == "POST":
        page = save_settings(practice, request.user, request.POST)
        if page.saved:
            count = len(page.changes)
            messages.success(
                request,
                f"Saved: {count} setting{'s' if count != 1 else ''} changed."
                if count
                else "Nothing changed.",
            )
            return redirect("practice_settings", practice_id=practice.pk)
    else:
        page = load_settings_page(practice)
    return render(
        request, "practices/settings.html", {"page": page, "practice": practice}
    )
