"""No secret is ever shown: every module and the oncall lookup at -vvvv, in runs that succeed and runs that fail.

The simulators are given distinctive credentials (a PagerDuty token, an events
routing key, an ITSM client secret, password and API key, a tickets token, an
on-call token and password) and the play writes an extension's secret header;
wrong credentials are distinctive too. None of them, nor any token the services
issued during the run (ITSM access and refresh tokens, on-call sign-in tokens),
may appear in ansible-playbook's output or in the report file the play writes.
"""

import secrets

import requests

from conftest import PLAYBOOKS

ROUTING_KEY_LENGTH = 32


def distinctive(service, what):
    return "S3cr3t-%s-%s-%s" % (service, what, secrets.token_hex(6))


def routing_key():
    """An Events API routing key: 32 letters and digits, as PagerDuty requires."""
    key = "S3cr3tRouting" + secrets.token_hex(16)
    return key[:ROUTING_KEY_LENGTH]


def checkout_with_events_integration(stack, key):
    """The Checkout service (paged through a policy on the account owner) whose events integration has ``key``."""
    pagerduty = stack.simulators["pagerduty"]
    base = stack.url("pagerduty")
    seeded = requests.post(base + "/_sim/seed", json={"escalation_policies": [{
        "type": "escalation_policy", "name": "Checkout policy", "escalation_rules": [{"escalation_delay_in_minutes": 10, "targets": [
            {"id": pagerduty.user_by_email("owner@incident-ops.example.com")["id"], "type": "user_reference"}]}]}]}, timeout=10)
    seeded.raise_for_status()
    policy = seeded.json()["escalation_policies"][0]
    service = requests.post(base + "/_sim/seed", json={"services": [{
        "type": "service", "name": "Checkout", "escalation_policy": {"id": policy, "type": "escalation_policy_reference"}}]},
        timeout=10)
    service.raise_for_status()
    with pagerduty.lock:
        integration = pagerduty.create_integration(service.json()["services"][0],
                                                   {"type": "events_api_v2_inbound_integration", "name": "Alerts"})
        integration["integration_key"] = key


def configure(stack, tmp_path):
    """Give every simulator distinctive credentials; return the play's variables and every secret they hold."""
    given = {
        "pagerduty": distinctive("pagerduty", "token"),
        "routing_key": routing_key(),
        "itsm_client_secret": distinctive("itsm", "client-secret"),
        "itsm_password": distinctive("itsm", "password"),
        "itsm_api_key": distinctive("itsm", "api-key"),
        "tickets": distinctive("tickets", "token"),
        "oncall": distinctive("oncall", "token"),
        "oncall_password": distinctive("oncall", "password"),
        "webhook_token": distinctive("pagerduty", "webhook"),
    }
    wrong = dict((name, distinctive("wrong", name)) for name in (
        "pagerduty", "itsm_client_secret", "itsm_password", "itsm_api_key", "tickets", "oncall", "oncall_password"))
    wrong["routing_key"] = routing_key()
    requests.put(stack.url("pagerduty") + "/_sim/settings", json={"api_token": given["pagerduty"]}, timeout=10).raise_for_status()
    checkout_with_events_integration(stack, given["routing_key"])
    stack.simulators["itsm"].client_secret = given["itsm_client_secret"]
    requests.post(stack.url("itsm") + "/_sim/seed", json={
        "users": [{"username": "ops@acme.com", "password": given["itsm_password"], "name": "Ops Robot"}],
        "api_keys": {given["itsm_api_key"]: "ops@acme.com"}}, timeout=10).raise_for_status()
    requests.post(stack.url("tickets") + "/_sim/seed", json={"tokens": {given["tickets"]: 1}}, timeout=10).raise_for_status()
    requests.post(stack.url("oncall_auth") + "/_sim/seed", json={
        "accounts": [{"email": "ops@example.com", "password": given["oncall_password"]}],
        "tokens": {given["oncall"]: None}}, timeout=10).raise_for_status()

    connection = stack.connection()
    itsm = dict(connection["itsm"], client_secret=given["itsm_client_secret"], username="ops@acme.com",
                password=given["itsm_password"])
    oncall = dict((key, value) for key, value in connection["oncall"].items() if key not in ("email", "password"))
    variables = {
        "pagerduty": connection["pagerduty"], "events_url": connection["pagerduty_events"]["events_url"],
        "routing_key": given["routing_key"], "webhook_token": given["webhook_token"],
        "itsm": itsm, "itsm_api_key": given["itsm_api_key"],
        "tickets": dict(connection["tickets"], api_token=given["tickets"]),
        "oncall": dict(oncall, api_token=given["oncall"]),
        "oncall_account": {"email": "ops@example.com", "password": given["oncall_password"]},
        "oncall_seed": connection["oncall_seed"],
        "report_dest": str(tmp_path / "report.csv"),
        "wrong": wrong,
    }
    assert variables["pagerduty"]["api_token"] == given["pagerduty"]
    return variables, list(given.values()) + list(wrong.values())


def issued_tokens(stack):
    """The tokens the services handed out during the run: secrets of the run, as much as the configured ones."""
    itsm = stack.simulators["itsm"]
    store = stack.simulators["oncall_auth"].store
    with itsm.lock, store.lock:
        found = list(itsm.access_tokens) + list(itsm.refresh_tokens)
        found += [token for token, expires in store.tokens.items() if expires is not None]
    return found


def test_no_secret_in_the_output_the_results_or_the_report(stack, playbook, tmp_path):
    variables, given = configure(stack, tmp_path)
    run = playbook("secrets.yml", variables, verbosity=4)

    recap = run.recap["localhost"]
    assert recap["failed"] == 0, run.output[-6000:]
    play = (PLAYBOOKS / "secrets.yml").read_text()
    assert recap["rescued"] == play.count("rescue:") and recap["ignored"] == 0, recap
    # a task meant to fail that did not has no msg, and fails the play: recap["failed"] is 0 above
    issued = issued_tokens(stack)
    assert issued, "the ITSM desk and the on-call service issued tokens"
    report = (tmp_path / "report.csv").read_text()
    assert "Nobody can reach the VPN" in report

    leaked = [value for value in given + issued if value in run.output or value in report]
    assert leaked == [], "secrets shown: %s" % leaked
    # every failure in the play was a clean failure, never a traceback
    assert "Traceback" not in run.output and "MODULE FAILURE" not in run.output
    # the secrets were used: a masked module argument shows where each went
    assert run.output.count("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER") >= 20
