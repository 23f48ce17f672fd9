"""The request budget and the bounded worker pool of the bulk modules."""

import threading

import pytest

from ansible_collections.incident.ops.plugins.module_utils.concurrency import RequestBudget, run_each


class FakeTime:
    """A clock that moves only when something sleeps."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def test_a_budget_lets_its_requests_start_at_once_then_waits_for_the_window():
    time = FakeTime()
    budget = RequestBudget(3, window=60.0, clock=time.clock, sleep=time.sleep)
    for unused in range(3):
        budget.acquire()
    assert time.sleeps == []
    time.now += 10
    budget.acquire()
    assert time.sleeps == [50.0], "the fourth request waits until the first one leaves the minute"


def test_a_hold_after_429_stops_every_request_until_it_ends():
    time = FakeTime()
    budget = RequestBudget(100, clock=time.clock, sleep=time.sleep)
    budget.hold(7)
    budget.acquire()
    assert time.sleeps == [7.0]
    budget.hold(None)
    budget.acquire()
    assert time.sleeps == [7.0, 1.0], "without a hint the pause is a second"


def test_a_budget_needs_a_request_a_minute():
    with pytest.raises(ValueError):
        RequestBudget(0)


def test_run_each_keeps_the_order_and_bounds_the_threads():
    running, most = [0], [0]
    lock = threading.Lock()
    gate = threading.Barrier(3, timeout=5)

    def work(item):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        if item < 3:
            gate.wait()
        with lock:
            running[0] -= 1
        return item * 10

    outcomes = run_each(range(9), work, workers=3)
    assert [result for unused, result, unused_error in outcomes] == [item * 10 for item in range(9)]
    assert most[0] == 3


def test_run_each_returns_expected_errors_with_their_item_and_raises_others():
    def work(item):
        if item == 1:
            raise KeyError("expected")
        if item == 5:
            raise ZeroDivisionError("a bug")
        return item

    outcomes = run_each([0, 1, 2], work, workers=2, expected=(KeyError,))
    assert [(item, result, type(error).__name__ if error else None) for item, result, error in outcomes] == [
        (0, 0, None), (1, None, "KeyError"), (2, 2, None)]
    with pytest.raises(ZeroDivisionError):
        run_each([4, 5], work, workers=2, expected=(KeyError,))
