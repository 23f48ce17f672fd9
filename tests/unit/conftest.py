"""Fixtures shared by the unit tests: clients that never really sleep, and the bundled simulators."""

import sys
from pathlib import Path

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.client import Client, RetryPolicy
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty
from ansible_collections.incident.ops.plugins.module_utils.tickets.api import Tickets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulators import oncall as oncall_sim  # noqa: E402  pylint: disable=wrong-import-position
from simulators.core import RunningServer  # noqa: E402  pylint: disable=wrong-import-position
from simulators.itsm import ItsmSimulator  # noqa: E402  pylint: disable=wrong-import-position
from simulators.pagerduty import PagerDutySimulator  # noqa: E402  pylint: disable=wrong-import-position
from simulators.pagerduty.events import PagerDutyEventsSimulator  # noqa: E402  pylint: disable=wrong-import-position
from simulators.tickets import TicketsSimulator  # noqa: E402  pylint: disable=wrong-import-position


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


class Sim:
    """A running simulator and what tests read from it."""

    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.options = server.simulator.connection_options(server.url)

    def reset(self):
        requests.post(self.url + "/_sim/reset", timeout=5).raise_for_status()

    def requests(self):
        return requests.get(self.url + "/_sim/requests", timeout=5).json()["requests"]

    def writes(self):
        return [entry for entry in self.requests() if entry["method"] != "GET"]

    def clear_log(self):
        requests.delete(self.url + "/_sim/requests", timeout=5)

    def control(self, method, action, **kwargs):
        """Call the control API (``/_sim/<action>``) and return its JSON answer, if any."""
        reply = requests.request(method, self.url + "/_sim/" + action, timeout=10, **kwargs)
        reply.raise_for_status()
        return reply.json() if reply.content else None


@pytest.fixture(scope="session")
def pagerduty_server():
    server = RunningServer(PagerDutySimulator()).start()
    yield Sim(server)
    server.stop()


@pytest.fixture(scope="session")
def pagerduty_events_server(pagerduty_server):
    """The Events API v2 on its own port, over the account of ``pagerduty_server``."""
    server = RunningServer(PagerDutyEventsSimulator(pagerduty_server.server.simulator)).start()
    yield Sim(server)
    server.stop()


@pytest.fixture
def pagerduty_events(pagerduty, pagerduty_events_server):
    """The Events API over the fresh account of ``pagerduty``, with an empty request log."""
    pagerduty_events_server.clear_log()
    return pagerduty_events_server


@pytest.fixture
def pagerduty(pagerduty_server):
    """The PagerDuty simulator, fresh for each test."""
    pagerduty_server.reset()
    return pagerduty_server


@pytest.fixture
def pd_api(pagerduty):
    options = pagerduty.options
    return PagerDuty(options["api_url"], options["api_token"], from_email=options["from_email"])


@pytest.fixture(scope="session")
def itsm_server():
    server = RunningServer(ItsmSimulator()).start()
    initial = requests.get(server.url + "/_sim/settings", timeout=5).json()
    yield Sim(server), initial
    server.stop()


@pytest.fixture(scope="session")
def tickets_server():
    server = RunningServer(TicketsSimulator()).start()
    yield Sim(server)
    server.stop()


@pytest.fixture
def itsm_sim(itsm_server):
    """The ITSM desk simulator, fresh and with its first settings, for each test."""
    sim, initial = itsm_server
    sim.reset()
    sim.control("PUT", "settings", json=initial)
    return sim


@pytest.fixture
def tickets_sim(tickets_server):
    """The tickets simulator, fresh for each test, its clock running and single tickets read as objects."""
    tickets_server.reset()
    requests.put(tickets_server.url + "/_sim/settings", json={"frozen_now": None, "single_ticket_as_list": False},
                 timeout=5).raise_for_status()
    return tickets_server


@pytest.fixture
def tickets_api(tickets_sim):
    return Tickets(tickets_sim.options["url"], tickets_sim.options["api_token"])


class OncallSims:
    """The on-call service's four hosts over one store, and what tests read from them."""

    HOSTS = {"query_url": oncall_sim.OncallQuerySimulator, "command_url": oncall_sim.OncallCommandSimulator,
             "customer_url": oncall_sim.OncallCustomerSimulator, "auth_url": oncall_sim.OncallAuthSimulator}

    def __init__(self):
        store = oncall_sim.OncallStore()
        self.servers = {key: RunningServer(host(store)).start() for key, host in self.HOSTS.items()}
        self.options = dict({key: server.url for key, server in self.servers.items()}, api_token=oncall_sim.DEFAULT_API_TOKEN,
                            email=oncall_sim.DEFAULT_EMAIL, password=oncall_sim.DEFAULT_PASSWORD)

    def control(self, key, method, action, **kwargs):
        reply = requests.request(method, self.servers[key].url + "/_sim/" + action, timeout=5, **kwargs)
        reply.raise_for_status()
        return reply.json() if reply.content else None

    def reset(self):
        self.control("query_url", "POST", "reset")
        self.control("query_url", "PUT", "settings", json={"token_ttl": 3600, "plain_messages": False})
        for key in self.servers:
            self.control(key, "DELETE", "requests")

    def requests(self, key="command_url"):
        return self.control(key, "GET", "requests")["requests"]

    def log(self):
        """Every host's requests as (host, method, status), host by host."""
        return [(key[:-4], entry["method"], entry["status"]) for key in self.servers for entry in self.requests(key)]

    def clear_log(self):
        for key in self.servers:
            self.control(key, "DELETE", "requests")

    def stored(self):
        """Every entry, straight from the store the hosts share."""
        store = self.servers["query_url"].simulator.store
        with store.lock:
            return [dict(entry) for entries in store.entries.values() for entry in entries]

    def stop(self):
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def oncall_servers():
    sims = OncallSims()
    yield sims
    sims.stop()


@pytest.fixture
def oncall(oncall_servers):
    """The on-call simulators, fresh for each test."""
    oncall_servers.reset()
    return oncall_servers
