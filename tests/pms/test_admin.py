"""Staff read the request budgets' shared state in admin; nobody edits it there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from pms.base import Lane
from pms.budget import DatabaseStore
from pms.models import BudgetState, BudgetWaiter

MODELS = [BudgetState, BudgetWaiter]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:pms_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def busy_budget(transactional_db, budget_key) -> str:
    """Return a budget key held by one caller while a fast-lane caller waits."""
    store = DatabaseStore()
    with store.session() as session:
        assert session.try_acquire(
            budget_key, Lane.INCREMENTAL, "holder", 1, 60
        ).granted
        assert not session.try_acquire(budget_key, Lane.FAST, "waiter", 1, 60).granted
    store.close()
    return budget_key


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_model_is_registered_with_list_filter_and_search(model):
    model_admin = admin.site._registry[model]
    assert model_admin.list_display != ("__str__",)
    assert model_admin.list_filter
    assert model_admin.search_fields


def test_staff_see_who_holds_a_budget(staff_client, busy_budget):
    response = staff_client.get(url(BudgetState, "changelist"), {"q": busy_budget})
    assert response.status_code == 200
    body = response.content.decode()
    assert busy_budget in body
    assert "holder" in body
    assert " UTC" in body  # epoch seconds shown as a time


def test_staff_see_who_waits_on_a_budget_and_in_which_lane(staff_client, busy_budget):
    response = staff_client.get(
        url(BudgetWaiter, "changelist"), {"q": busy_budget, "lane": int(Lane.FAST)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "waiter" in body
    assert "1 fast" in body


def test_the_busy_filter_lists_only_held_budgets(staff_client, busy_budget):
    BudgetState.objects.create(key="idle-connection")
    response = staff_client.get(
        url(BudgetState, "changelist"), {"busy_token__isempty": "0"}
    )
    body = response.content.decode()
    assert busy_budget in body
    assert "idle-connection" not in body


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_staff_cannot_add_change_or_delete(staff_client, busy_budget, model):
    row = model.objects.get(key=busy_budget)
    before = model.objects.filter(pk=row.pk).values().get()

    assert staff_client.get(url(model, "add")).status_code == 403
    assert staff_client.post(url(model, "add"), {"key": "forged"}).status_code == 403
    change = staff_client.get(url(model, "change", row.pk))
    assert change.status_code == 200  # a view page, without a save button
    assert 'name="_save"' not in change.content.decode()
    response = staff_client.post(url(model, "change", row.pk), {"key": "tampered"})
    assert response.status_code == 403
    delete = url(model, "delete", row.pk)
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403

    assert model.objects.filter(pk=row.pk).values().get() == before
    assert not model.objects.filter(key__in=["forged", "tampered"]).exists()
