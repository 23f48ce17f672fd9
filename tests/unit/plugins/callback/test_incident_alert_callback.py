"""The callback's glue: which failures it keeps, when it opens or resolves, and that a failure of its own is a warning."""

from types import SimpleNamespace

import pytest
import yaml

from ansible_collections.incident.ops.plugins.callback import incident_alert
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError

DOC_OPTIONS = yaml.safe_load(incident_alert.DOCUMENTATION)["options"]


class Display:
    def __init__(self):
        self.warnings = []
        self.lines = []

    def warning(self, message):
        self.warnings.append(message)

    def display(self, message):
        self.lines.append(message)

    verbosity = 0


class Target:
    """Stands in for a connected target: records what the callback asks, or fails as told."""

    def __init__(self, error=None):
        self.error = error
        self.opened = []
        self.resolved = []

    def open(self, report):
        if self.error:
            raise self.error
        self.opened.append(report)
        return "opened"

    def resolve(self, key, title):
        self.resolved.append((key, title))
        return "resolved"


def task_result(host, msg, no_log=False, name="Check disk"):
    task = SimpleNamespace(no_log=no_log, action="ansible.builtin.fail", get_name=lambda: name)
    return SimpleNamespace(host=SimpleNamespace(get_name=lambda: host), task=task, result={"msg": msg, "failed": True})


@pytest.fixture
def callback(monkeypatch, tmp_path):
    """The callback after a playbook start, with options given and every connection going to ``target``."""
    plugin = incident_alert.CallbackModule(display=Display())
    plugin.settings = {"target": "pagerduty_events", "routing_key": "R" * 32, "max_failures": 20,
                       "resolve_on_success": False, "key": None}
    monkeypatch.setattr(plugin, "options", lambda: dict(plugin.settings))
    monkeypatch.setattr(plugin, "secrets", lambda: ["R" * 32])
    plugin.target = Target()
    monkeypatch.setattr(incident_alert.alert, "connect", lambda options, source: plugin.target)
    monkeypatch.setattr(incident_alert.context, "CLIARGS", {"inventory": ("web1,web2,",)})
    plugin.v2_playbook_on_start(SimpleNamespace(_file_name=str(tmp_path / "nightly.yml")))
    return plugin


def stats(failures=None, dark=None):
    return SimpleNamespace(failures=failures or {}, dark=dark or {})


def test_a_failing_run_opens_one_incident_of_the_failing_hosts(callback):
    callback.v2_runner_on_failed(task_result("web1", "disk full"))
    callback.v2_runner_on_failed(task_result("web2", "ignored"), ignore_errors=True)
    callback.v2_runner_on_failed(task_result("web2", "rescued later"))
    callback.v2_runner_on_unreachable(task_result("db1", "Connection refused"))
    callback.v2_playbook_on_stats(stats({"web1": 1, "web2": 0}, {"db1": 1}))
    [report] = callback.target.opened
    assert [(item.host, item.message, item.unreachable) for item in report.failures] == [
        ("web1", "disk full", False), ("db1", "Connection refused", True)]
    assert report.failed_hosts == ["web1"] and report.unreachable_hosts == ["db1"]
    assert report.key.startswith("ansible-nightly-") and report.inventories == ["web1,web2,"]
    assert callback._display.warnings == [] and callback._display.lines == ["incident.ops.incident_alert: opened"]


def test_a_no_log_task_is_listed_without_its_message(callback):
    callback.v2_runner_on_failed(task_result("web1", "password hunter2", no_log=True))
    callback.v2_playbook_on_stats(stats({"web1": 1}))
    assert callback.target.opened[0].failures[0].message == incident_alert.alert.HIDDEN


def test_a_clean_run_resolves_only_when_asked(callback):
    callback.v2_playbook_on_stats(stats({"web1": 0}))
    assert callback.target.resolved == [] and callback.target.opened == []
    callback.settings["resolve_on_success"] = True
    callback.v2_playbook_on_stats(stats({"web1": 0}))
    [(key, title)] = callback.target.resolved
    assert key in title and "nightly.yml" in title


@pytest.mark.parametrize("error", [
    ApiError("The API refused the request", "POST", "/v2/enqueue", 400, "Invalid routing key " + "R" * 32),
    RuntimeError("something unexpected with " + "R" * 32),
])
def test_a_failure_of_the_callback_is_a_warning_without_secrets(callback, error):
    callback.target = Target(error)
    callback.v2_runner_on_failed(task_result("web1", "disk full"))
    callback.v2_playbook_on_stats(stats({"web1": 1}))
    [warning] = callback._display.warnings
    assert warning.startswith("incident.ops.incident_alert could not open or resolve the run's incident: ")
    assert "R" * 32 not in warning


def test_a_bad_configuration_warns_at_the_start_and_sends_nothing(monkeypatch, tmp_path):
    plugin = incident_alert.CallbackModule(display=Display())
    monkeypatch.setattr(plugin, "options", lambda: {"target": "pagerduty"})
    monkeypatch.setattr(plugin, "secrets", lambda: [])
    monkeypatch.setattr(incident_alert.alert, "connect", pytest.fail)
    plugin.v2_playbook_on_start(SimpleNamespace(_file_name=str(tmp_path / "nightly.yml")))
    plugin.v2_runner_on_failed(task_result("web1", "disk full"))
    plugin.v2_playbook_on_stats(stats({"web1": 1}))
    [warning] = plugin._display.warnings
    assert "cannot report this run's failures: target pagerduty needs pagerduty_service" in warning


def test_secrets_are_the_values_of_the_options_documented_secret(monkeypatch):
    plugin = incident_alert.CallbackModule(display=Display())
    monkeypatch.setattr(incident_alert.C.config, "get_configuration_definitions", lambda kind, name: DOC_OPTIONS)
    values = dict((name, "value-of-%s" % name) for name in DOC_OPTIONS)
    monkeypatch.setattr(plugin, "get_option", values.get)
    assert sorted(plugin.secrets()) == ["value-of-itsm_api_key", "value-of-itsm_client_secret", "value-of-itsm_password",
                                        "value-of-pagerduty_api_token", "value-of-routing_key"]


def test_every_option_is_configurable_in_the_ini_section_and_the_environment():
    for name, option in DOC_OPTIONS.items():
        assert option["ini"] == [{"section": "callback_incident_alert", "key": name}], name
        assert option["env"], name
