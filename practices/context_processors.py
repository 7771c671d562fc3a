from django.http import HttpRequest

from .models import Practice


def practice_switcher(request: HttpRequest) -> dict:
    """Offer the practices the signed-in user manages, for the header's switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"managed_practices": []}
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    return {
        "managed_practices": list(Practice.objects.managed_by(user)),
        "current_practice_id": kwargs.get("practice_id"),
        "switch_to": "settings"
        if match and match.url_name == "practice_settings"
        else "",
    }
