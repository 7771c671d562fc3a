"""Force Sync Now queues one incremental run and refuses a second while it is on."""

from django.test import Client
from django.utils import timezone

from syncjobs.models import StreamKind, SyncStream, Trigger
from tests.browser import cast


def force_url(practice) -> str:
    return f"/practices/{practice.pk}/sync/force/"


def incremental(practice) -> SyncStream:
    return SyncStream.objects.get(practice=practice, kind=StreamKind.INCREMENTAL)


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_it_makes_the_incremental_sync_due_now(client, admin_a, practice_a):
    cast.connect(practice_a)
    before = timezone.now()
    response = cast.login(client, admin_a).post(force_url(practice_a), follow=True)
    assert response.redirect_chain == [(f"/practices/{practice_a.pk}/sync/", 302)]
    assert flashed(response) == ["Sync started; fresh data arrives within a minute."]
    stream = incremental(practice_a)
    assert stream.pending_trigger == Trigger.FORCE
    assert stream.next_due_at >= before
    due = SyncStream.objects.due(timezone.now()).filter(practice=practice_a)
    assert list(due.filter(kind=StreamKind.INCREMENTAL)) == [stream]


def test_it_refuses_a_second_while_one_is_queued_or_running(
    client, admin_a, practice_a
):
    cast.connect(practice_a)
    cast.login(client, admin_a).post(force_url(practice_a), follow=True)
    response = client.post(force_url(practice_a), follow=True)
    assert flashed(response) == ["A sync is already running; it will finish shortly."]
    assert 'class="messages"' in response.content.decode()
    assert incremental(practice_a).pending_trigger == Trigger.FORCE


def test_it_refuses_while_the_initial_sync_runs(client, admin_a, practice_a):
    cast.connect(practice_a, loaded=False)
    response = cast.login(client, admin_a).post(force_url(practice_a), follow=True)
    assert flashed(response) == ["The initial sync is still running; data is loading."]
    assert incremental(practice_a).pending_trigger == ""


def test_it_needs_a_csrf_token(admin_a, practice_a):
    cast.connect(practice_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    assert client.post(force_url(practice_a)).status_code == 403
    assert incremental(practice_a).pending_trigger == ""
    page = client.get(f"/practices/{practice_a.pk}/sync/")
    token = page.context["csrf_token"]
    response = client.post(force_url(practice_a), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert incremental(practice_a).pending_trigger == Trigger.FORCE


def test_it_only_accepts_post(client, admin_a, practice_a):
    cast.connect(practice_a)
    assert cast.login(client, admin_a).get(force_url(practice_a)).status_code == 405
