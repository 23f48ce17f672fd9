"""How run() outcomes and failures become an Ansible result."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils import entrypoint
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput


class Exited(Exception):
    pass


class RecordingModule:
    """Records what the module would hand to Ansible, and stops like the real one does."""

    params = {}
    check_mode = False

    def __init__(self):
        self.outcome = None
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **result):
        self.outcome = ("exit", result)
        raise Exited()

    def fail_json(self, **result):
        self.outcome = ("fail", result)
        raise Exited()


def execute(run):
    module = RecordingModule()
    with pytest.raises(Exited):
        entrypoint.execute(module, lambda m: "api", run, "thing")
    return module.outcome


def test_success_returns_changed_result_and_diff():
    diff = {"before": {"name": "a"}, "after": {"name": "b"}}
    assert execute(lambda module, api: (True, {"api": api}, diff)) == ("exit", {"changed": True, "thing": {"api": "api"}, "diff": diff})


def test_info_modules_return_no_diff():
    assert execute(lambda module, api: (False, [1, 2], None)) == ("exit", {"changed": False, "thing": [1, 2]})


def test_an_api_error_fails_with_its_message_and_status():
    def refuse(module, api):
        raise ApiError("The API refused the request", method="PUT", path="/users/P1", status=400, api_message="Role is not valid")

    assert execute(refuse) == ("fail", {"msg": "The API refused the request (PUT /users/P1, HTTP 400) - API said: Role is not valid",
                                        "status": 400})


def test_bad_input_fails_with_its_message():
    def reject(module, api):
        raise InvalidInput("time_zone 'Mars' is not an IANA time zone name")

    assert execute(reject) == ("fail", {"msg": "time_zone 'Mars' is not an IANA time zone name"})


class WarningApi:
    warnings = ["No PagerDuty team is named 'Payments': assumed to be created by an earlier task"]


def raising(error):
    def run(module, api):
        raise error
    return run


@pytest.mark.parametrize("run, kind", [
    (lambda module, api: (True, {}, None), "exit"),
    (raising(InvalidInput("bad")), "fail"),
    (raising(ApiError("refused", status=400)), "fail"),
])
def test_the_clients_warnings_are_shown_whether_the_run_succeeds_or_fails(run, kind):
    module = RecordingModule()
    with pytest.raises(Exited):
        entrypoint.execute(module, lambda m: WarningApi(), run, "thing")
    assert module.outcome[0] == kind
    assert module.warnings == WarningApi.warnings


def test_a_connection_option_refused_while_connecting_fails_cleanly():
    def connect(module):
        raise InvalidInput("missing required connection option: api_token (or the PAGERDUTY_TOKEN environment variable)")

    module = RecordingModule()
    with pytest.raises(Exited):
        entrypoint.execute(module, connect, lambda module, api: pytest.fail("must not run"), "thing")
    assert module.outcome == ("fail", {"msg": "missing required connection option: api_token (or the PAGERDUTY_TOKEN "
                                              "environment variable)"})
