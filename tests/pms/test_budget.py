"""The request budget, with real concurrent threads on the database and on Redis."""

import threading
import time
from contextlib import contextmanager
from itertools import pairwise

import pytest
from django.db import connections

from pms.base import Lane, PmsError
from pms.budget import DatabaseStore, RedisStore, RequestBudget, budget_for
from pms.budget import pacing as budget_module
from pms.models import BudgetState, BudgetWaiter

from .pacing import assert_paced


@pytest.fixture(params=["database", "redis"])
def store(request, transactional_db, budget_key):
    if request.param == "redis":
        yield RedisStore(request.getfixturevalue("redis_url"))
    else:
        store = DatabaseStore()
        yield store
        store.close()
        BudgetState.objects.filter(key=budget_key).delete()
        BudgetWaiter.objects.filter(key=budget_key).delete()


def run_threads(targets):
    """Run callables in threads at once; re-raise the first failure."""
    failures = []

    def wrap(target):
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if failures:
        raise failures[0]


def test_calls_never_exceed_the_rate_across_threads(store, budget_key):
    interval = 0.12
    budget = RequestBudget(budget_key, interval, store, lease_s=5)
    calls: list[tuple[float, float]] = []
    lock = threading.Lock()

    def worker(lane):
        def run():
            for _ in range(3):
                with budget.slot(lane):
                    began = time.time()
                    time.sleep(0.01)
                    with lock:
                        calls.append((began, time.time()))

        return run

    lanes = [Lane.INITIAL, Lane.INCREMENTAL, Lane.FAST, Lane.WRITE_BACK, Lane.INITIAL]
    run_threads([worker(lane) for lane in lanes])

    calls.sort()
    assert len(calls) == 15
    for (_, ended), (next_began, _) in zip(calls, calls[1:], strict=False):
        assert next_began >= ended  # never two calls in flight
    assert_paced([began for began, _ in calls], interval)


def test_a_fast_caller_is_served_before_queued_initial_callers(store, budget_key):
    interval = 0.25
    budget = RequestBudget(budget_key, interval, store, lease_s=5)
    grants: list[tuple[str, float]] = []
    lock = threading.Lock()
    fast_arrived = threading.Event()

    def caller(name, lane, delay=0.0):
        def run():
            time.sleep(delay)
            if lane == Lane.FAST:
                fast_arrived.set()
            with budget.slot(lane):
                with lock:
                    grants.append((name, time.time()))

        return run

    backfill = [caller(f"initial-{i}", Lane.INITIAL, i * 0.01) for i in range(5)]
    run_threads([*backfill, caller("fast", Lane.FAST, 0.35)])

    order = [name for name, _ in sorted(grants, key=lambda g: g[1])]
    fast_at = order.index("fast")
    # When FAST arrived (~0.35 s) at most two backfill calls had started; the
    # one whose slot was being taken at that instant may go first, no more.
    assert fast_at <= 3
    assert len(order) - fast_at - 1 >= 2  # it overtook backfill still queued


def test_waiting_callers_are_served_by_lane_then_arrival(store, budget_key):
    # Everyone arrives while "first" holds the slot; arrivals are far enough apart
    # that a loaded machine cannot swap two callers of one lane.
    budget = RequestBudget(budget_key, 0.8, store, lease_s=5)
    grants: list[str] = []
    lock = threading.Lock()

    def caller(name, lane, delay):
        def run():
            time.sleep(delay)
            with budget.slot(lane):
                with lock:
                    grants.append(name)

        return run

    run_threads(
        [
            caller("first", Lane.INITIAL, 0),
            caller("initial", Lane.INITIAL, 0.1),
            caller("incremental", Lane.INCREMENTAL, 0.2),
            caller("fast-1", Lane.FAST, 0.3),
            caller("write-back", Lane.WRITE_BACK, 0.4),
            caller("fast-2", Lane.FAST, 0.55),
        ]
    )

    assert grants == [
        "first",
        "write-back",
        "fast-1",
        "fast-2",
        "incremental",
        "initial",
    ]


def test_a_free_slot_goes_to_the_queue_head_or_a_better_lane(store, budget_key):
    with store.session() as session:
        holder = "holder"
        assert session.try_acquire(budget_key, int(Lane.INITIAL), holder, 0, 5).granted
        # While the slot is held, a backfill caller queues.
        assert not session.try_acquire(
            budget_key, int(Lane.INITIAL), "queued", 0, 5
        ).granted
        session.release(budget_key, holder)

        # The slot is free now: a later backfill caller may not jump the queue,
        # a status check may.
        assert not session.try_acquire(
            budget_key, int(Lane.INITIAL), "late", 0, 5
        ).granted
        assert session.try_acquire(budget_key, int(Lane.FAST), "fast", 0, 5).granted
        session.release(budget_key, "fast")
        assert not session.try_acquire(
            budget_key, int(Lane.INITIAL), "late", 0, 5
        ).granted
        assert session.try_acquire(
            budget_key, int(Lane.INITIAL), "queued", 0, 5
        ).granted
        session.release(budget_key, "queued")
        assert session.try_acquire(budget_key, int(Lane.INITIAL), "late", 0, 5).granted


def test_the_next_call_waits_an_interval_after_this_one_left(store, budget_key):
    budget = RequestBudget(budget_key, 0.3, store, lease_s=5)
    token = budget.acquire(Lane.INITIAL)
    time.sleep(0.2)  # the call leaves late: a loaded worker, a slow commit
    sent = time.monotonic()
    budget.release(token, sent)

    budget.release(budget.acquire(Lane.INITIAL))

    # Counted from the grant, the next call could have left 0.1 s after this one.
    assert time.monotonic() - sent >= 0.3 - 0.005


def test_a_short_interval_is_kept_to_the_tenth_of_a_millisecond(store, budget_key):
    # A scaled-down budget (20.5 ms, as the paced benchmark uses) must not be
    # rounded: whole milliseconds would let calls start up to 2 ms early.
    interval = 0.0205
    budget = RequestBudget(budget_key, interval, store, lease_s=5)
    starts = []
    for _ in range(15):
        with budget.slot(Lane.INITIAL) as call:
            # The slot's own start (read as it was granted): a clock read here
            # could be preempted by more than the tolerance on a loaded machine.
            starts.append(call.sent_at)

    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert min(gaps) >= interval - 0.00002
    # A reserved slot starts on time: the walk loses no slot to a round trip.
    assert sorted(gaps)[len(gaps) // 2] < interval + 0.003


class SlowStore:
    """A store a round trip of 2 x `delay` away (a loaded node, a remote Redis)."""

    def __init__(self, store, delay: float) -> None:
        self.store, self.delay = store, delay

    @contextmanager
    def session(self):
        with self.store.session() as session:
            yield SlowSession(session, self.delay)

    def close(self) -> None:
        self.store.close()


class SlowSession:
    def __init__(self, session, delay: float) -> None:
        self.session, self.delay = session, delay

    def __getattr__(self, name):
        step = getattr(self.session, name)

        def slow(*args, **kwargs):
            time.sleep(self.delay)
            try:
                return step(*args, **kwargs)
            finally:
                time.sleep(self.delay)

        return slow


def test_a_budget_paces_its_own_calls_on_its_own_clock(store, budget_key):
    # Converting to the store's clock and back costs a round trip each way; after
    # its own call a budget needs neither, however far away the store is.
    interval = 0.1
    budget = RequestBudget(budget_key, interval, SlowStore(store, 0.005), lease_s=5)
    starts = []
    for _ in range(6):
        with budget.slot(Lane.INITIAL) as call:
            starts.append(call.sent_at)  # the slot's start, not a later clock read

    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert min(gaps) >= interval
    # Not interval + 2 round trips (+10 ms) each time; the median, since one wake-up
    # on a loaded machine can be a few milliseconds late.
    assert sorted(gaps)[len(gaps) // 2] < interval + 0.004


def test_after_another_budget_s_call_the_store_s_clock_decides(store, budget_key):
    interval = 0.1
    ours = RequestBudget(budget_key, interval, SlowStore(store, 0.005), lease_s=5)
    theirs = RequestBudget(budget_key, interval, store, lease_s=5)
    with ours.slot(Lane.INITIAL):
        pass
    with theirs.slot(Lane.FAST) as call:
        theirs_left = call.sent_at
    with ours.slot(Lane.INITIAL) as call:
        ours_left = call.sent_at

    # One interval after our own last call would have been right after theirs.
    assert ours_left - theirs_left >= interval


def test_a_reserved_start_is_kept_to_the_microsecond_not_the_timer_slack():
    lateness = []
    for _ in range(25):
        moment = time.monotonic() + 0.003
        budget_module._sleep_until(moment)
        lateness.append(time.monotonic() - moment)

    assert min(lateness) >= 0  # never early
    # A plain sleep wakes 50 us or more late (the kernel's timer slack alone).
    assert sorted(lateness)[len(lateness) // 2] < 0.00003


def test_a_caller_that_stops_waiting_leaves_the_queue(store, budget_key, monkeypatch):
    monkeypatch.setattr(budget_module, "WAITER_TTL_S", 0.6)
    budget = RequestBudget(budget_key, 0.05, store, lease_s=5)
    holder = budget.acquire(Lane.INITIAL)
    with store.session() as session:
        # A FAST caller registers, then its worker dies without leaving.
        assert not session.try_acquire(
            budget_key, int(Lane.FAST), "ghost", 0.05, 5
        ).granted
    budget.release(holder)

    started = time.monotonic()
    with budget.slot(Lane.INITIAL):
        waited = time.monotonic() - started

    assert 0.3 <= waited < 3


def test_a_call_that_never_releases_holds_the_connection_only_for_its_lease(
    store, budget_key
):
    budget = RequestBudget(budget_key, 0.01, store, lease_s=0.5)
    budget.acquire(Lane.INITIAL)  # its worker crashes mid-call

    started = time.monotonic()
    with budget.slot(Lane.FAST):
        waited = time.monotonic() - started

    assert 0.35 <= waited < 3


def test_a_deferral_holds_back_the_next_call_of_the_budget_that_called_last(
    store, budget_key
):
    budget = RequestBudget(budget_key, 0.2, store, lease_s=5)
    with budget.slot(Lane.INITIAL):
        pass
    budget.defer(0.5)  # e.g. a 429 with Retry-After
    started = time.monotonic()
    with budget.slot(Lane.INITIAL):
        waited = time.monotonic() - started

    # Its own pace alone would have let it start 0.2 s after its last call.
    assert waited >= 0.48


def test_defer_holds_every_caller_back(store, budget_key):
    budget = RequestBudget(budget_key, 0.01, store, lease_s=5)
    with budget.slot(Lane.FAST):
        pass
    budget.defer(0.5)

    started = time.monotonic()
    with budget.slot(Lane.WRITE_BACK):
        waited = time.monotonic() - started

    assert waited >= 0.4


def test_it_gives_up_with_a_transient_error_after_the_longest_wait(store, budget_key):
    budget = RequestBudget(budget_key, 5, store, lease_s=5, max_wait_s=0.3)
    with budget.slot(Lane.FAST):
        pass

    with pytest.raises(PmsError) as caught:
        budget.acquire(Lane.INITIAL)

    assert caught.value.permanent is False
    assert "Waited" in str(caught.value)


def test_an_unthrottled_connection_has_no_budget(db):
    assert budget_for("x", 0) is None


def test_the_store_follows_the_cluster_broker(db, settings, redis_url):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": redis_url}
    assert isinstance(budget_for("x", 1000).store, RedisStore)
    settings.Q_CLUSTER = {k: v for k, v in settings.Q_CLUSTER.items() if k != "redis"}
    assert isinstance(budget_for("x", 1000).store, DatabaseStore)


def test_a_database_budget_keeps_one_connection_and_replaces_a_dropped_one(
    transactional_db, budget_key
):
    """Connecting costs milliseconds, so calls reuse one private connection (on
    SQLite: the caller's own); one the server dropped is replaced without failing
    the call, and close() releases it."""
    from django.db import connection

    store = DatabaseStore()
    budget = RequestBudget(budget_key, 0.001, store, lease_s=5)

    def backend() -> int | None:
        with budget.slot(Lane.INCREMENTAL):
            private = store._private
            return private.connection.info.backend_pid if private else None

    first = {backend() for _ in range(3)}
    if connection.vendor == "sqlite":
        assert first == {None}
        return
    assert len(first) == 1

    def durability() -> str:
        with store._private.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    # Budget state is short-lived: its commits do not wait for a WAL flush.
    assert durability() == "off"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", list(first))
    replaced = backend()
    assert replaced not in first and backend() == replaced
    assert durability() == "off"
    store.close()
    assert store._private is None
    # The server ends a closed session's backend a moment later.
    deadline = time.monotonic() + 5
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [replaced]
            )
            if cursor.fetchone()[0] == 0:
                break
        assert time.monotonic() < deadline, "the closed connection's backend lives on"
        time.sleep(0.02)


_sleep_until = budget_module._sleep_until


def paced_writes(budget, paths: list[float]) -> list[float]:
    """Make one call per entry of `paths`, each written that many seconds after
    its slot began (a connection and the request's bytes); return the writes."""
    written = []
    for path in paths:
        with budget.slot(Lane.INITIAL) as call:
            _sleep_until(time.monotonic() + path)
            call.sent_at = time.monotonic()
            written.append(call.sent_at)
    return written


def test_an_own_paced_start_comes_early_by_the_shortest_path_to_the_write(
    store, budget_key, monkeypatch
):
    # 100 ms of the PMS's interval and a 5 ms margin; calls take 4 or 3 ms from
    # their start to their request being written.
    sleeps, planned = [], []  # every sleep's end; the one each turn began at

    def sleep_until(moment):
        sleeps.append(moment)
        _sleep_until(moment)

    monkeypatch.setattr(budget_module, "_sleep_until", sleep_until)
    budget = RequestBudget(budget_key, 0.105, store, lease_s=5, margin_s=0.005)
    acquire = budget.acquire

    def acquire_noting_the_start(lane):
        token = acquire(lane)
        planned.append(sleeps[-1])  # a turn is granted, then slept up to
        return token

    monkeypatch.setattr(budget, "acquire", acquire_noting_the_start)
    written = paced_writes(budget, [0.004, 0.003, 0.004, 0.004, 0.004])

    # The budget measured each call's path (more than asked, on a loaded
    # machine); each later start was planned one interval after the last write,
    # early by the shortest path of the calls before it (not the last one's).
    paths = list(budget._leads)
    assert len(paths) == 5 and min(paths) >= 0.003
    for n in range(1, 5):
        early = written[n - 1] + 0.105 - planned[n]
        assert early == pytest.approx(min(*paths[:n], 0.005), abs=1e-9)
    # However late the machine wakes, no two writes come closer than the PMS's
    # interval.
    assert min(b - a for a, b in pairwise(written)) >= 0.100


def test_an_early_start_never_takes_more_than_the_margin(store, budget_key):
    # The first call's path is long (a TLS handshake, say: 30 ms), the next ones
    # are short (a kept-alive connection): the next request must still leave a
    # full PMS interval (100 ms) after the last, though the budget expected 30 ms.
    budget = RequestBudget(budget_key, 0.105, store, lease_s=5, margin_s=0.005)
    written = paced_writes(budget, [0.030, 0.030, 0.0005, 0.0005])

    gaps = [later - earlier for earlier, later in pairwise(written)]
    assert min(gaps) >= 0.100
