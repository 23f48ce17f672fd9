"""Fixtures for testing modules through ``run()``; the simulators come from tests/unit/conftest.py."""

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator


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


@pytest.fixture
def pd_module(pagerduty):
    """Build a module for ``argument_spec`` whose connection options point at the simulator."""

    def build(argument_spec, check_mode=False, **params):
        return FakeModule(argument_spec, dict(pagerduty.options, **params), check_mode=check_mode)

    return build


@pytest.fixture
def itsm_module(itsm_sim):
    """Build a module for ``argument_spec`` whose connection options point at the ITSM desk simulator."""

    def build(argument_spec, check_mode=False, **params):
        return FakeModule(argument_spec, dict(itsm_sim.options, **params), check_mode=check_mode)

    return build


@pytest.fixture
def tickets_module(tickets_sim):
    """Build a module for ``argument_spec`` whose connection options point at the tickets simulator."""

    def build(argument_spec, check_mode=False, **params):
        return FakeModule(argument_spec, dict(tickets_sim.options, **params), check_mode=check_mode)

    return build


@pytest.fixture
def oncall_module(oncall):
    """Build a module for ``argument_spec`` whose connection options point at the on-call simulators."""

    def build(argument_spec, check_mode=False, **params):
        return FakeModule(argument_spec, dict(oncall.options, **params), check_mode=check_mode)

    return build
