"""Fixtures: every simulator served in-process once per session, reset before each test."""

import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from simulators.stack import start_stack  # noqa: E402  pylint: disable=wrong-import-position

from .service_client import Api  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def running_stack():
    with start_stack(base_port=0) as stack:
        initial = {name: requests.get(stack.url(name) + "/_sim/settings", timeout=5).json() for name in stack.servers}
        stack.initial_settings = initial
        yield stack


@pytest.fixture
def stack(running_stack):
    """The stack with every simulator reset and its settings as they were at start."""
    for name in running_stack.servers:
        url = running_stack.url(name)
        requests.post(url + "/_sim/reset", timeout=5).raise_for_status()
        requests.put(url + "/_sim/settings", json=running_stack.initial_settings[name], timeout=5).raise_for_status()
    return running_stack


@pytest.fixture
def conn(stack):
    return stack.connection()


@pytest.fixture
def control(stack):
    """The control API of one server by name: ``control("tickets").post("/reset")``."""

    def build(name):
        return Api(stack.url(name) + "/_sim")

    return build


@pytest.fixture
def itsm_token(conn):
    """A fresh access token of the default ITSM user, from the password grant."""
    options = conn["itsm"]
    reply = requests.post(options["url"] + "/api/oauth/token", auth=(options["client_id"], options["client_secret"]),
                          data={"grant_type": "password", "username": options["username"], "password": options["password"]}, timeout=5)
    reply.raise_for_status()
    return reply.json()


@pytest.fixture
def itsm(conn, itsm_token):
    return Api(conn["itsm"]["url"], {"Authorization": "Bearer " + itsm_token["access_token"]})


@pytest.fixture
def tickets(conn):
    return Api(conn["tickets"]["url"], {"Authorization": "Bearer " + conn["tickets"]["api_token"]})


@pytest.fixture
def oncall_token(conn):
    options = conn["oncall"]
    reply = requests.post(options["auth_url"] + "/v1/auth", json={"email": options["email"], "password": options["password"]}, timeout=5)
    reply.raise_for_status()
    return reply.json()["token"]


@pytest.fixture
def oncall_query(conn, oncall_token):
    return Api(conn["oncall"]["query_url"], {"Authorization": "Bearer " + oncall_token})


@pytest.fixture
def oncall_command(conn, oncall_token):
    return Api(conn["oncall"]["command_url"], {"Authorization": "Bearer " + oncall_token})


@pytest.fixture
def oncall_customer(conn, oncall_token):
    return Api(conn["oncall"]["customer_url"], {"Authorization": "Bearer " + oncall_token})
