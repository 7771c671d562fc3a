from django.http import HttpRequest

from .models import Practice


def practice_switcher(request: HttpRequest) -> dict:
    """Offer the practices the signed-in user manages, for the switcher in the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"managed_practices": []}
    return {"managed_practices": list(Practice.objects.managed_by(user))}
