"""Read-only admin for the request budgets' shared state (see pms/budget/).

The rows belong to the budget: staff read them to see who waits on a connection,
and never edit them here.
"""

from datetime import UTC, datetime

from django.contrib import admin

from pbnsync.admin import ReadOnlyAdmin

from .base import Lane
from .models import BudgetState, BudgetWaiter


def _when(epoch: float) -> str:
    """Return epoch seconds (the budget's clock) as a UTC time, "—" when unset."""
    if not epoch:
        return "—"
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


@admin.register(BudgetState)
class BudgetStateAdmin(ReadOnlyAdmin):
    list_display = ["key", "next_start", "busy_token", "busy_until_at"]
    list_filter = [("busy_token", admin.EmptyFieldListFilter)]
    search_fields = ["key", "busy_token"]

    @admin.display(description="next call may start", ordering="next_start_at")
    def next_start(self, obj: BudgetState) -> str:
        return _when(obj.next_start_at)

    @admin.display(description="busy until", ordering="busy_until")
    def busy_until_at(self, obj: BudgetState) -> str:
        return _when(obj.busy_until)


@admin.register(BudgetWaiter)
class BudgetWaiterAdmin(ReadOnlyAdmin):
    list_display = ["key", "lane_name", "token", "expires"]
    list_filter = ["lane", "key"]
    search_fields = ["key", "token"]
    ordering = ["key", "lane", "id"]  # the order the budget serves them in

    @admin.display(description="lane", ordering="lane")
    def lane_name(self, obj: BudgetWaiter) -> str:
        try:
            return f"{obj.lane} {Lane(obj.lane).name.lower().replace('_', '-')}"
        except ValueError:
            return str(obj.lane)

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, obj: BudgetWaiter) -> str:
        return _when(obj.expires_at)
