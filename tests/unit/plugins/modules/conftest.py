"""Fixtures for testing modules through ``run()`` against the bundled simulators."""

import sys
from pathlib import Path

import pytest
import requests
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from simulators.core import RunningServer  # noqa: E402  pylint: disable=wrong-import-position
from simulators.pagerduty import PagerDutySimulator  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.incident.ops.plugins.module_utils.pagerduty import PagerDuty  # noqa: E402  pylint: disable=wrong-import-position


class ModuleFailed(Exception):
    pass


class FakeModule:
    """What ``run()`` uses of AnsibleModule, with params validated by Ansible's own validator."""

    def __init__(self, argument_spec, params, check_mode=False):
        result = ArgumentSpecValidator(argument_spec).validate(params)
        if result.error_messages:
            raise ModuleFailed("; ".join(result.error_messages))
        self.params = result.validated_parameters
        self.check_mode = check_mode

    def fail_json(self, msg, **kwargs):
        raise ModuleFailed(msg)


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


@pytest.fixture(scope="session")
def pagerduty_server():
    server = RunningServer(PagerDutySimulator()).start()
    yield Sim(server)
    server.stop()


@pytest.fixture
def pagerduty(pagerduty_server):
    """The PagerDuty simulator, fresh for each test."""
    pagerduty_server.reset()
    return pagerduty_server


@pytest.fixture
def pd_api(pagerduty):
    options = pagerduty.options
    return PagerDuty(options["api_url"], options["api_token"], from_email=options["from_email"])


@pytest.fixture
def pd_module(pagerduty):
    """Build a module for ``argument_spec`` whose connection options point at the simulator."""

    def build(argument_spec, check_mode=False, **params):
        return FakeModule(argument_spec, dict(pagerduty.options, **params), check_mode=check_mode)

    return build
