"""Fixtures for the PagerDuty simulator tests: one server per session, reset for every test.

Test modules import the fixtures they use explicitly (the package's conftest
belongs to the shared stack).
"""

import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from simulators.core import RunningServer  # noqa: E402  pylint: disable=wrong-import-position
from simulators.pagerduty import ADMIN_EMAIL, API_TOKEN, PagerDutySimulator  # noqa: E402  pylint: disable=wrong-import-position

from .service_client import Api  # noqa: E402  pylint: disable=wrong-import-position

MEDIA_TYPE = "application/vnd.pagerduty+json;version=2"
DAY = 86400
DEFAULT_SETTINGS = {"latency_ms": 0, "rate_limit": 0, "account_time_zone": "Etc/UTC", "offboarding": False, "api_token": API_TOKEN}


class PagerDutyClient(Api):
    """A keep-alive session that sends what PagerDuty expects, with helpers that build test data."""

    def __init__(self, server):
        super().__init__(server.url, {"Authorization": "Token token=" + API_TOKEN, "Accept": MEDIA_TYPE,
                                      "Content-Type": "application/json", "From": ADMIN_EMAIL})
        self.server = server
        self.sim = server.simulator
        self.url = server.url

    def created(self, path, key, body):
        reply = self.post(path, json={key: body})
        assert reply.status_code == 201, reply.text
        return reply.json()[key]

    def user(self, name, email=None, **fields):
        email = email or name.lower().replace(" ", ".") + "@example.com"
        return self.created("/users", "user", dict({"type": "user", "name": name, "email": email}, **fields))

    def team(self, name):
        return self.created("/teams", "team", {"type": "team", "name": name})

    def schedule(self, name, user_ids, start="2024-01-01T00:00:00Z", turn=DAY, **fields):
        layer = {"start": start, "rotation_virtual_start": start, "rotation_turn_length_seconds": turn,
                 "users": [{"user": {"id": user_id, "type": "user_reference"}} for user_id in user_ids]}
        layer.update(fields.pop("layer", {}))
        return self.created("/schedules", "schedule", dict({"type": "schedule", "name": name, "time_zone": "Etc/UTC",
                                                           "schedule_layers": [layer]}, **fields))

    def policy(self, name, *targets, **fields):
        rules = [{"escalation_delay_in_minutes": 30, "targets": [{"id": target_id, "type": kind}]}
                 for kind, target_id in targets]
        return self.created("/escalation_policies", "escalation_policy",
                            dict({"type": "escalation_policy", "name": name, "escalation_rules": rules}, **fields))

    def service(self, name, policy_id, **fields):
        return self.created("/services", "service", dict({"type": "service", "name": name, "escalation_policy": {
            "id": policy_id, "type": "escalation_policy_reference"}}, **fields))

    def incident(self, title, service_id, **fields):
        return self.created("/incidents", "incident", dict({"type": "incident", "title": title, "service": {
            "id": service_id, "type": "service_reference"}}, **fields))

    def admin(self):
        return self.sim.user_by_email(ADMIN_EMAIL)


def error_of(reply):
    """PagerDuty's error object of a reply, checked for its shape."""
    error = reply.json()["error"]
    assert isinstance(error["code"], int) and isinstance(error["message"], str) and isinstance(error["errors"], list)
    return error


@pytest.fixture(name="pd_server", scope="session")
def pd_server_fixture():
    server = RunningServer(PagerDutySimulator()).start()
    yield server
    server.stop()


@pytest.fixture(name="pd")
def pd_fixture(pd_server):
    """A client on a freshly reset simulator with its clock running."""
    requests.post(pd_server.url + "/_sim/reset", timeout=5).raise_for_status()
    pd_server.simulator.frozen_now = None
    requests.put(pd_server.url + "/_sim/settings", json=DEFAULT_SETTINGS, timeout=5).raise_for_status()
    return PagerDutyClient(pd_server)
