from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Practice


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """List the practices this user manages."""
    practices = Practice.objects.managed_by(request.user)
    return render(request, "practices/home.html", {"practices": practices})
