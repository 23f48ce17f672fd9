"""Fixtures shared by the unit tests: clients that never really sleep."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import Client, RetryPolicy


class FakeClock:
    """A monotonic clock that only moves when the client sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(httpserver, clock):
    """A client on the local test server whose waits are recorded, not slept."""

    def build(auth=None, secrets=(), retry=None, base_url=None, **kwargs):
        return Client(base_url or httpserver.url_for("/"), auth=auth, secrets=secrets,
                      retry=retry or RetryPolicy(max_retries=3, base_delay=0.5, max_delay=8.0, budget=60.0, jitter=lambda: 1.0),
                      sleep=clock.sleep, clock=clock, timeout=2, **kwargs)

    return build
