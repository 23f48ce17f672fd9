"""The onboarding playbook run through ansible-runner, the engine AWX and ansible-navigator use.

The connection reaches the modules as AWX gives it to a job: environment variables,
set by the shipped credential types' injectors from a credential's input values.
"""

import os
import sys

import ansible_runner

from conftest import COLLECTION
from test_credential_types import render

TEAM_FILE = COLLECTION / "playbooks" / "teams" / "payments.yml"


def injected_environment(credential_types, connection):
    """Every service's credential rendered as AWX would: only the fields the credential type has."""
    environment = {}
    for service, credential_type in credential_types.items():
        fields = [field["id"] for field in credential_type["inputs"]["fields"]]
        given = connection[service]
        if service == "oncall":
            given = dict((key, value) for key, value in given.items() if key not in ("email", "password"))
        environment.update(render(credential_type, dict((key, value) for key, value in given.items() if key in fields)))
    return environment


def run_job(tmp_path, collections_root, environment, name):
    private = tmp_path / name
    private.mkdir()
    envvars = dict(environment, ANSIBLE_COLLECTIONS_PATH=str(collections_root), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
                   ANSIBLE_NOCOLOR="1", PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return ansible_runner.run(private_data_dir=str(private), project_dir=str(COLLECTION / "playbooks"), playbook="onboard.yml",
                              envvars=envvars, extravars={"team_file": str(TEAM_FILE)}, quiet=True)


def failures(job):
    return [event["event_data"].get("task") for event in job.events
            if event.get("event") in ("runner_on_failed", "runner_on_unreachable") and not event["event_data"].get("ignore_errors")]


def test_the_onboarding_job_converges_and_then_changes_nothing(tmp_path, collections_root, credential_types, stack):
    environment = injected_environment(credential_types, stack.connection())
    assert environment["PAGERDUTY_TOKEN"] == stack.connection()["pagerduty"]["api_token"]
    first = run_job(tmp_path, collections_root, environment, "first")
    assert failures(first) == [] and first.status == "successful", first.stdout.read()
    assert first.stats["changed"].get("localhost", 0) > 0
    pagerduty = stack.simulators["pagerduty"]
    assert "Payments" in [team["name"] for team in pagerduty.teams.values()]
    second = run_job(tmp_path, collections_root, environment, "second")
    assert failures(second) == [] and second.status == "successful", second.stdout.read()
    assert second.stats["changed"].get("localhost", 0) == 0
    assert second.stats["ok"].get("localhost", 0) > 0


def test_a_missing_token_fails_the_job_and_names_the_variable(tmp_path, collections_root, credential_types, stack):
    environment = injected_environment(credential_types, stack.connection())
    del environment["PAGERDUTY_TOKEN"]
    job = run_job(tmp_path, collections_root, environment, "no-token")
    assert job.status == "failed"
    assert failures(job), "a task failed"
    messages = [event["event_data"]["res"].get("msg", "") for event in job.events
                if event.get("event") in ("runner_on_failed", "runner_item_on_failed")]
    assert any("api_token" in message for message in messages), messages
