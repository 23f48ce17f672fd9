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

