"""Run a module's ``main()`` as Ansible would, against the simulators, with one fault injected; and say how it ended.

``main()`` runs unchanged: only ``AnsibleModule`` is replaced by a stand-in
that validates the parameters with Ansible's own validator and turns
``exit_json`` and ``fail_json`` into exceptions.  Any other exception is a
traceback the user would have seen, and fails the test that ran the module.
"""

import re
import time

import requests
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

VALIDATOR_OPTIONS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


class Exited(Exception):
    def __init__(self, result):
        super().__init__("exit_json")
        self.result = result


class Failed(Exception):
    def __init__(self, msg, result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


def stand_in(params, check_mode=False):
    """An ``AnsibleModule`` class whose instances take ``params`` as the task's."""

    class TaskModule:
        def __init__(self, argument_spec, supports_check_mode=False, add_file_common_args=False, **rules):
            validator = ArgumentSpecValidator(argument_spec, **{key: rules[key] for key in VALIDATOR_OPTIONS if key in rules})
            validated = validator.validate(dict(params))
            if validated.error_messages:
                raise AssertionError("the matrix gave bad parameters: %s" % "; ".join(validated.error_messages))
            self.params = validated.validated_parameters
            self.check_mode = check_mode and supports_check_mode
            self.warnings = []

        def warn(self, message):
            self.warnings.append(message)

        def exit_json(self, **result):
            raise Exited(result)

        def fail_json(self, msg, **result):
            raise Failed(msg, result)

    return TaskModule


def run_main(module, params, monkeypatch):
    """Run ``module.main()`` with ``params``; returns the Exited or Failed it ended with (anything else propagates)."""
    with monkeypatch.context() as patch:
        patch.setattr(module, "AnsibleModule", stand_in(params))
        try:
            module.main()
        except (Exited, Failed) as ending:
            return ending
    raise AssertionError("%s.main() returned without exit_json or fail_json" % module.__name__)


class Sleeper:
    """Stands in for the client's and the resources' sleep: records each wait and sleeps at most ``cap`` seconds of it.

    A cap of zero keeps the matrix fast; a request slower than the timeout
    needs the lookups after a lost create to be spread a little in real time,
    so that the object the server is still making can appear.
    """

    def __init__(self, cap=0.0):
        self.cap = cap
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)
        if self.cap and seconds > 0:
            time.sleep(min(seconds, self.cap))


def inject(url, **fault):
    requests.post(url + "/_sim/faults", json=fault, timeout=5).raise_for_status()


def faults_left(simulator):
    with simulator.lock:
        return sum(fault.count for fault in simulator.faults)


def clear_faults(url):
    requests.delete(url + "/_sim/faults", timeout=5).raise_for_status()


OPERATION = re.compile(r"\((GET|POST|PUT|PATCH|DELETE) (/\S*?)(?:, HTTP (\d+))?\)")


def operation(message):
    """The ``(METHOD /path, HTTP nnn)`` a failure names: (method, path, status or None), or None when it names none."""
    found = OPERATION.search(message)
    if not found:
        return None
    return found.group(1), found.group(2), int(found.group(3)) if found.group(3) else None


def steady(message, urls):
    """A message as the table shows it: the simulators' addresses, which change with every run, named alike."""
    for url in urls:
        message = message.replace(url.split("://", 1)[-1], "<simulator>")
    return re.sub(r"127\.0\.0\.1:\d+", "<simulator>", message)
