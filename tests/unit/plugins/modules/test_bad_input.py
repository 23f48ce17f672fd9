"""Every module refuses bad input with a clear message, before it writes anything.

Each case is a row: the module, what is changed in (or ``DROP``-ped from) a
valid task, and a pattern the failure message must match. The message comes
from Ansible's own argument validation (with the module's ``mutually_exclusive``,
``required_one_of`` and ``required_by``), or from ``connect()`` and ``run()``
(``InvalidInput``, or an ``ApiError`` for a reference only the API can check);
any other exception is a traceback and fails the case. Afterwards the
service's simulators must have logged no request but GETs.

``SERVICE_CASES`` apply to every module of a service (the connection options),
``MODULE_CASES`` to one module. A new module is a ``BASE`` entry, a ``SERVICE``
entry and its rows.
"""

import importlib
import re
from pathlib import Path

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.incident.ops.plugins import modules
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

from conftest import ModuleFailed
from pd_runs import seed, users

DROP = object()
READ_ONLY_POSTS = re.compile(r"/search/byqual$|/oauth/token$|/v1/auth$")
CUSTOMER = "c03b02ec-244f-4d2c-8f68-3910071ed5c8"
TEAM = "445a5c1f-c0eb-403a-96d7-3976e5dc74ed"
AVERY = "7d1e5a7c-3f0b-4c8e-9a51-2b6f4d9e0c11"
NEW_TICKET = dict(title="VPN down", description="Nobody can reach the VPN", organisation_id="ORG-12333",
                  contract_id="CON-123562", tenant_id="123", reporter_id="USR-12453",
                  attributes={"main_email": "it@acme.example", "preferred_contact_method": "email"})
SHIFT = dict(team_member_id=AVERY, week_days=[1, 2], start_time="08:00:00", end_time="12:00:00")

# A valid task of each module; each case changes one thing in it.
BASE = {
    "pd_user": dict(email="grace@example.com", name="Grace Hopper"),
    "pd_users": dict(users=[dict(email="grace@example.com", name="Grace Hopper")]),
    "pd_user_info": dict(),
    "pd_team": dict(name="Payments"),
    "pd_team_info": dict(),
    "pd_escalation_policy": dict(name="Payments escalation", rules=[
        {"escalation_delay_in_minutes": 30, "targets": [{"type": "user", "name": "owner@incident-ops.example.com"}]}]),
    "pd_escalation_policy_info": dict(),
    "pd_schedule": dict(name="Payments primary", time_zone="Europe/Paris", layers=[
        {"name": "Weekly", "rotation_virtual_start": "2026-01-05T09:00:00+01:00", "rotation_turn_length_seconds": 604800,
         "users": ["owner@incident-ops.example.com"]}]),
    "pd_schedule_info": dict(),
    "pd_oncall_info": dict(),
    "pd_service": dict(name="Payments API", escalation_policy="Default"),
    "pd_service_info": dict(),
    "pd_maintenance_window": dict(services=["Checkout"], description="Deploy", duration_minutes=60),
    "pd_maintenance_window_info": dict(),
    "pd_webhook_subscription": dict(url="https://eda.example.com/pagerduty", events=["incident.triggered"]),
    "pd_extension": dict(name="Payments events", schema="Generic V2 Webhook", endpoint_url="https://hooks.example.com/pd",
                         services=["Checkout"]),
    "pd_extension_info": dict(),
    "pd_extension_schema_info": dict(),
    "pd_incident": dict(incident_key="db-failover", title="Database failover", service="Checkout"),
    "pd_incident_info": dict(),
    "pd_event": dict(routing_key="R" * 32, dedup_key="disk-1", summary="Disk full", source="db-1", severity="critical"),
    "itsm_incident": dict(subject="Orders database unreachable", requester_email="tim@acme.com"),
    "itsm_incident_info": dict(subject="Orders database unreachable"),
    "ticket": dict(NEW_TICKET),
    "ticket_user": dict(email="sam.agent@example.com", name="Sam Agent"),
    "ticket_info": dict(organisation_id="ORG-12333"),
    "ticket_report_info": dict(period="weekly", format="json"),
    "oncall_schedule": dict(customer_id=CUSTOMER, team_id=TEAM, **SHIFT),
    "oncall_schedule_info": dict(customer_id=CUSTOMER, team_id=TEAM),
}

SERVICE = dict.fromkeys([name for name in BASE if name.startswith("pd_")], "pagerduty")
SERVICE.update(itsm_incident="itsm", itsm_incident_info="itsm", ticket="tickets", ticket_user="tickets",
               ticket_info="tickets", ticket_report_info="tickets", oncall_schedule="oncall", oncall_schedule_info="oncall")

SERVICE_CASES = {
    "pagerduty": [
        ("no token", dict(api_token=DROP), r"api_token \(or the PAGERDUTY_TOKEN environment variable\)"),
        ("URL without a scheme", dict(api_url="api.pagerduty.example"), r"api_url .*is not an API URL"),
        ("timeout not a number", dict(timeout="soon"), r"timeout.*float"),
    ],
    "itsm": [
        ("no credentials", dict(client_secret=DROP, api_key=DROP), r"Set api_key, or all of .*missing: client_secret"),
        ("URL without a host", dict(url="https:///desk"), r"url .*is not an API URL"),
        ("retries not a number", dict(max_retries="many"), r"max_retries.*int"),
    ],
    "tickets": [
        ("no token", dict(api_token=DROP), r"api_token \(or the TICKETS_TOKEN environment variable\)"),
        ("URL of another scheme", dict(url="ftp://tickets.example.com/api"), r"url .*is not an API URL"),
        ("certificate check not a boolean", dict(validate_certs="perhaps"), r"validate_certs.*bool"),
    ],
    "oncall": [
        ("no credentials", dict(api_token=DROP, password=DROP), r"Give api_token, or email and password"),
        ("URL without a scheme", dict(command_url="incident-cmd.example.com", query_url="incident-query.example.com"),
         r"(query|command)_url .*is not an API URL"),
        ("timeout not a number", dict(timeout="soon"), r"timeout.*float"),
    ],
}

MODULE_CASES = [
    ("pd_user", "malformed email", dict(email="ada-at-example.com"), r"'ada-at-example.com' is not an email address"),
    ("pd_user", "invalid role", dict(role="wizard"), r"role must be one of"),
    ("pd_user", "unknown time zone", dict(time_zone="Mars/Olympus"), r"'Mars/Olympus' is not an IANA time zone"),
    ("pd_user", "unknown team", dict(teams=["No Such Team"]), r"No Such Team"),
    ("pd_user", "missing email", dict(email=DROP), r"email"),
    ("pd_user", "contact method of no kind", dict(contact_methods=[{"type": "pigeon", "address": "loft 3"}]),
     r"type must be one of"),
    ("pd_users", "missing users", dict(users=DROP), r"missing required arguments: users"),
    ("pd_users", "users not a list of dicts", dict(users=["grace@example.com"]), r"users"),
    ("pd_users", "malformed email", dict(users=[dict(email="ada-at-example.com", name="Ada")]),
     r"'ada-at-example.com' is not an email address"),
    ("pd_users", "a user listed twice", dict(users=[dict(email="ada@example.com", name="Ada"),
                                                    dict(email="ADA@example.com", name="Ada L")]), r"more than once"),
    ("pd_users", "invalid role", dict(users=[dict(email="ada@example.com", name="Ada", role="wizard")]), r"role must be one of"),
    ("pd_users", "unknown team", dict(users=[dict(email="ada@example.com", name="Ada", teams=["No Such Team"])]),
     r"No Such Team"),
    ("pd_users", "no concurrency", dict(concurrency=0), r"concurrency and rate_limit must be at least 1"),
    ("pd_user_info", "email and query", dict(email="ada@example.com", query="ada"), r"mutually exclusive"),
    ("pd_user_info", "malformed email", dict(email="ada-at-example.com"), r"not an email address"),
    ("pd_user_info", "unknown option", dict(emial="ada@example.com"), r"emial\. Supported parameters include"),
    ("pd_team", "missing name", dict(name=DROP), r"missing required arguments: name"),
    ("pd_team", "invalid member role", dict(members=[{"email": "owner@incident-ops.example.com", "role": "boss"}]),
     r"role must be one of"),
    ("pd_team", "unknown member", dict(members=[{"email": "nobody@example.com"}]), r"nobody@example.com"),
    ("pd_team", "malformed member email", dict(members=[{"email": "nobody"}]), r"'nobody' is not an email address"),
    ("pd_team", "blank name", dict(name="  "), r"name must not be empty"),
    ("pd_team_info", "name and query", dict(name="Payments", query="pay"), r"mutually exclusive"),
    ("pd_team_info", "unknown option", dict(members=True), r"members\. Supported parameters include"),
    ("pd_escalation_policy", "missing rule targets", dict(rules=[{"escalation_delay_in_minutes": 30}]),
     r"missing required arguments: targets"),
    ("pd_escalation_policy", "invalid target type",
     dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [{"type": "team", "name": "Payments"}]}]), r"type must be one of"),
    ("pd_escalation_policy", "unknown user",
     dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [{"type": "user", "name": "nobody@example.com"}]}]),
     r"nobody@example.com"),
    ("pd_escalation_policy", "unknown schedule",
     dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [{"type": "schedule", "name": "No Such Rota"}]}]),
     r"No Such Rota"),
    ("pd_escalation_policy", "delay not a number",
     dict(rules=[{"escalation_delay_in_minutes": "soon", "targets": [{"type": "user", "name": "owner@incident-ops.example.com"}]}]),
     r"escalation_delay_in_minutes.*int"),
    ("pd_escalation_policy", "unknown team", dict(teams=["No Such Team"]), r"No Such Team"),
    ("pd_escalation_policy_info", "name and query", dict(name="EP", query="E"), r"mutually exclusive"),
    ("pd_escalation_policy_info", "unknown user", dict(user="nobody@example.com"), r"nobody@example.com"),
    ("pd_escalation_policy_info", "unknown team", dict(team="No Such Team"), r"No Such Team"),
    ("pd_schedule", "unknown time zone", dict(time_zone="Europe/Atlantis"), r"'Europe/Atlantis' is not an IANA time zone"),
    ("pd_schedule", "malformed start", dict(layers=[dict(BASE["pd_schedule"]["layers"][0], rotation_virtual_start="next monday")]),
     r"next monday"),
    ("pd_schedule", "unknown user", dict(layers=[dict(BASE["pd_schedule"]["layers"][0], users=["nobody@example.com"])]),
     r"nobody@example.com"),
    ("pd_schedule", "invalid restriction type", dict(layers=[dict(BASE["pd_schedule"]["layers"][0], restrictions=[
        {"type": "monthly_restriction", "start_time_of_day": "09:00", "duration_seconds": 3600}])]), r"type must be one of"),
    ("pd_schedule", "malformed restriction time", dict(layers=[dict(BASE["pd_schedule"]["layers"][0], restrictions=[
        {"type": "daily_restriction", "start_time_of_day": "25:99", "duration_seconds": 3600}])]), r"25:99"),
    ("pd_schedule_info", "malformed since", dict(name="Rota", since="yesterday"), r"yesterday"),
    ("pd_schedule_info", "until before since", dict(since="2026-02-01T00:00:00Z", until="2026-01-01T00:00:00Z"),
     r"until .* is not after since"),
    ("pd_schedule_info", "overflow not a boolean", dict(overflow="maybe"), r"overflow.*bool"),
    ("pd_oncall_info", "malformed time", dict(at="teatime"), r"teatime"),
    ("pd_oncall_info", "unknown schedule", dict(schedules=["No Such Rota"]), r"No Such Rota"),
    ("pd_oncall_info", "unknown user", dict(user="nobody@example.com"), r"nobody@example.com"),
    ("pd_service", "unknown escalation policy", dict(escalation_policy="No Such Policy"), r"No Such Policy"),
    ("pd_service", "invalid urgency rule", dict(incident_urgency_rule={"type": "sometimes"}), r"type must be one of"),
    ("pd_service", "malformed support hours", dict(support_hours={"time_zone": "Europe/London", "days_of_week": [1], "start_time": "9am", "end_time": "17:00"},
                                                   incident_urgency_rule={"type": "use_support_hours"}), r"9am"),
    ("pd_service", "timeout not a number", dict(acknowledgement_timeout="ten minutes"), r"acknowledgement_timeout.*int"),
    ("pd_service", "missing name", dict(name=DROP), r"missing required arguments: name"),
    ("pd_service_info", "name and query", dict(name="Payments API", query="pay"), r"mutually exclusive"),
    ("pd_service_info", "unknown team", dict(team="No Such Team"), r"No Such Team"),
    ("pd_service_info", "unknown escalation policy", dict(escalation_policy="No Such Policy"), r"No Such Policy"),
    ("pd_maintenance_window", "unknown service", dict(services=["No Such Service"]), r"No Such Service"),
    ("pd_maintenance_window", "malformed start", dict(duration_minutes=DROP, start="tonight", end="2030-01-01T00:00:00Z"),
     r"tonight"),
    ("pd_maintenance_window", "duration and end", dict(end="2030-01-01T00:00:00Z"), r"mutually exclusive"),
    ("pd_maintenance_window", "missing services", dict(services=DROP), r"missing required arguments: services"),
    ("pd_maintenance_window", "invalid state", dict(state="paused"), r"state must be one of"),
    ("pd_maintenance_window_info", "invalid when", dict(when="someday"), r"when must be one of"),
    ("pd_maintenance_window_info", "unknown service", dict(services=["No Such Service"]), r"No Such Service"),
    ("pd_maintenance_window_info", "unknown team", dict(team="No Such Team"), r"No Such Team"),
    ("pd_webhook_subscription", "malformed URL", dict(url="eda.example.com/pagerduty"), r"eda.example.com/pagerduty"),
    ("pd_webhook_subscription", "unknown service", dict(service="No Such Service"), r"No Such Service"),
    ("pd_webhook_subscription", "service and team", dict(service="Checkout", team="Payments"), r"mutually exclusive"),
    ("pd_webhook_subscription", "unknown event type", dict(events=["incident.exploded"]), r"events must be one or more of"),
    ("pd_webhook_subscription", "active not a boolean", dict(active="sometimes"), r"active.*bool"),
    ("pd_extension", "unknown schema", dict(schema="Carrier Pigeon"), r"Carrier Pigeon"),
    ("pd_extension", "unknown service", dict(services=["No Such Service"]), r"No Such Service"),
    ("pd_extension", "malformed endpoint URL", dict(endpoint_url="hooks.example.com"), r"hooks.example.com"),
    ("pd_extension", "invalid update_secrets", dict(update_secrets="never"), r"update_secrets must be one of"),
    ("pd_extension", "config not a mapping", dict(config=["a", "b"]), r"config.*dict"),
    ("pd_extension_info", "unknown service", dict(service="No Such Service"), r"No Such Service"),
    ("pd_extension_info", "unknown schema", dict(schema="Carrier Pigeon"), r"Carrier Pigeon"),
    ("pd_extension_schema_info", "unknown option", dict(name="Generic V2 Webhook"), r"name\. Supported parameters include"),
    ("pd_extension_schema_info", "retries not a number", dict(max_retries="a few"), r"max_retries.*int"),
    ("pd_incident", "unknown service", dict(service="No Such Service"), r"No Such Service"),
    ("pd_incident", "invalid urgency", dict(urgency="whenever"), r"urgency must be one of"),
    ("pd_incident", "unknown assignee", dict(assignees=["nobody@example.com"]), r"nobody@example.com"),
    ("pd_incident", "assignees and policy", dict(assignees=["owner@incident-ops.example.com"], escalation_policy="Default"),
     r"mutually exclusive"),
    ("pd_incident", "snooze not a number", dict(snooze_minutes="a while"), r"snooze_minutes.*int"),
    ("pd_incident", "invalid state", dict(state="closed"), r"state must be one of"),
    ("pd_incident_info", "malformed since", dict(since="last week"), r"last week"),
    ("pd_incident_info", "invalid status", dict(statuses=["open"]), r"statuses must be one or more of"),
    ("pd_incident_info", "unknown service", dict(services=["No Such Service"]), r"No Such Service"),
    ("pd_incident_info", "id and incident_key", dict(id="P123456", incident_key="k"), r"mutually exclusive"),
    ("pd_event", "invalid severity", dict(severity="apocalyptic"), r"severity must be one of"),
    ("pd_event", "trigger without a summary", dict(summary=DROP), r"summary"),
    ("pd_event", "malformed timestamp", dict(timestamp="just now"), r"just now"),
    ("pd_event", "routing key of the wrong length", dict(routing_key="short"), r"routing_key"),
    ("pd_event", "change event with a severity", dict(event_action="change", dedup_key=DROP), r"A change event has no"),
    ("pd_event", "malformed events URL", dict(events_url="events.example.com"), r"events_url .*is not an API URL"),
    ("pd_event", "no routing key", dict(routing_key=DROP), r"routing_key \(or the PAGERDUTY_ROUTING_KEY environment variable\)"),
    ("itsm_incident", "malformed requester email", dict(requester_email="tim-at-acme"), r"'tim-at-acme' is not an email address"),
    ("itsm_incident", "invalid impact", dict(impact="huge"), r"impact must be one of"),
    ("itsm_incident", "unknown category", dict(category="No Such Category"), r"No Such Category"),
    ("itsm_incident", "unknown custom field", dict(custom_fields={"No Such Field": 1}), r"No Such Field"),
    ("itsm_incident", "missing attachment", dict(attachments=["/nonexistent/error.log"]), r"/nonexistent/error.log"),
    ("itsm_incident", "malformed cc email", dict(cc_emails=["ops"]), r"'ops' is not an email address"),
    ("itsm_incident", "id not a number", dict(id="INC-7"), r"id.*int"),
    ("itsm_incident_info", "id and subject", dict(id=7), r"mutually exclusive"),
    ("itsm_incident_info", "invalid status", dict(status="stalled"), r"status must be one of"),
    ("itsm_incident_info", "malformed requester email", dict(requester_email="tim-at-acme"), r"not an email address"),
    ("ticket", "invalid contact method", dict(attributes={"preferred_contact_method": "pigeon"}),
     r"preferred_contact_method must be one of"),
    ("ticket", "malformed main email", dict(attributes={"main_email": "it-at-acme", "preferred_contact_method": "email"}),
     r"'it-at-acme' is not an email address"),
    ("ticket", "unknown organisation", dict(organisation_id="ORG-404"), r"organisationHumanId is invalid"),
    ("ticket", "missing description", dict(description=DROP), r"description"),
    ("ticket", "comment without an author", dict(comments=[{"description": "Looking"}]), r"missing required arguments: user_id"),
    ("ticket", "unknown option", dict(priority="P1"), r"priority\. Supported parameters include"),
    ("ticket_user", "malformed email", dict(email="sam-at-example"), r"'sam-at-example' is not an email address"),
    ("ticket_user", "missing email", dict(email=DROP), r"email"),
    ("ticket_user", "admin not a boolean", dict(admin="sometimes"), r"admin.*bool"),
    ("ticket_user", "unknown organisation", dict(organisation_id="ORG-404"), r"organisation id is invalid"),
    ("ticket_user", "invalid state", dict(state="suspended"), r"state must be one of"),
    ("ticket_info", "invalid gather", dict(gather=["everything"]), r"gather must be one or more of"),
    ("ticket_info", "invalid state type", dict(gather=["states"], state_type="colour"), r"state_type must be one of"),
    ("ticket_info", "details not a boolean", dict(details="some"), r"details.*bool"),
    ("ticket_report_info", "invalid period", dict(period="daily"), r"period must be one of"),
    ("ticket_report_info", "missing period", dict(period=DROP), r"missing required arguments: period"),
    ("ticket_report_info", "dest with JSON", dict(dest="/nonexistent/report.csv"), r"dest saves the CSV report"),
    ("ticket_report_info", "dest in a missing folder", dict(format="csv", dest="/nonexistent/report.csv"),
     r"folder of dest .* does not exist"),
    ("oncall_schedule", "malformed start time", dict(start_time="8am"), r"8am"),
    ("oncall_schedule", "malformed start date", dict(start_date="1st of May"), r"1st of May"),
    ("oncall_schedule", "week day out of range", dict(week_days=[7]), r"week_days"),
    ("oncall_schedule", "unknown member", dict(team_member_id=DROP, team_member_email="nobody@example.com"), r"nobody@example.com"),
    ("oncall_schedule", "missing team", dict(team_id=DROP), r"missing required arguments: team_id"),
    ("oncall_schedule", "invalid state", dict(state="paused"), r"state must be one of"),
    ("oncall_schedule", "unknown team", dict(team_id="00000000-0000-0000-0000-000000000000"), r"Team not found"),
    ("oncall_schedule_info", "malformed expand", dict(expand={"from": "monday", "to": "2026-03-08T00:00:00Z"}), r"monday"),
    ("oncall_schedule_info", "expand without an end", dict(expand={"from": "2026-03-01T00:00:00Z"}), r"missing required arguments: to"),
    ("oncall_schedule_info", "member email without a team", dict(team_id=DROP, team_member_email="avery@example.com"),
     r"team_id"),
    ("oncall_schedule_info", "unknown member", dict(team_member_email="nobody@example.com"), r"nobody@example.com"),
]

# pd_event's REST token is optional (it only lets the module skip an event that would change nothing).
NOT_APPLICABLE = {("pd_event", "no token")}

# References that only the API can check, since it offers no way to look them up first: the write is
# sent and refused (HTTP 4xx), and nothing is stored.
API_REFUSED = {("ticket", "unknown organisation"), ("ticket_user", "unknown organisation"), ("oncall_schedule", "unknown team")}

CASES = list(MODULE_CASES) + [(module, label, change, pattern) for module in BASE
                              for label, change, pattern in SERVICE_CASES[SERVICE[module]] if (module, label) not in NOT_APPLICABLE]


class Service:
    """A service's simulators as the bad-input cases see them: connection options and the writes they logged."""

    def __init__(self, options, sims):
        self.options = options
        self.sims = sims

    def writes(self):
        """Every request but reads: GETs, the ITSM desk's searches and sign-ins, which change nothing."""
        return [(entry["method"], entry["path"], entry["status"]) for sim in self.sims for entry in sim.requests()
                if entry["method"] != "GET" and not READ_ONLY_POSTS.search(entry["path"])]


def pagerduty_service(request):
    """Fresh PagerDuty with the Checkout service (and its policy Default), the team Payments and a user."""
    pagerduty = request.getfixturevalue("pagerduty")
    events = request.getfixturevalue("pagerduty_events")
    ada = seed(pagerduty, users=users(("Ada Lovelace", "ada@example.com")), teams=[{"type": "team", "name": "Payments"}])
    policy = seed(pagerduty, escalation_policies=[{"type": "escalation_policy", "name": "Default", "escalation_rules": [
        {"escalation_delay_in_minutes": 10, "targets": [{"id": ada["users"][0], "type": "user_reference"}]}]}])
    seed(pagerduty, services=[{"type": "service", "name": "Checkout", "escalation_policy": {
        "id": policy["escalation_policies"][0], "type": "escalation_policy_reference"}}])
    pagerduty.clear_log()
    return Service(dict(pagerduty.options, events_url=events.url), [pagerduty, events])


def itsm_service(request):
    sim = request.getfixturevalue("itsm_sim")
    return Service(sim.options, [sim])


def tickets_service(request):
    sim = request.getfixturevalue("tickets_sim")
    return Service(sim.options, [sim])


def oncall_service(request):
    oncall = request.getfixturevalue("oncall")
    return Service(oncall.options, [_OncallHost(oncall, key) for key in oncall.servers])


# Each service's fresh simulators, started only for the cases of its modules.
SERVICES = {"pagerduty": pagerduty_service, "itsm": itsm_service, "tickets": tickets_service, "oncall": oncall_service}


class _OncallHost:
    def __init__(self, oncall, key):
        self.oncall = oncall
        self.key = key

    def requests(self):
        return self.oncall.requests(self.key)


def validated(module, params):
    """The parameters as AnsibleModule would pass them on, or ModuleFailed with Ansible's own message."""
    constraints = dict((name.lower(), getattr(module, name)) for name in ("MUTUALLY_EXCLUSIVE", "REQUIRED_ONE_OF", "REQUIRED_BY")
                       if hasattr(module, name))
    result = ArgumentSpecValidator(module.ARGUMENT_SPEC, **constraints).validate(params)
    if result.error_messages:
        raise ModuleFailed("; ".join(result.error_messages))
    return result.validated_parameters


class _Module:
    """What ``connect()`` and ``run()`` use of AnsibleModule."""

    def __init__(self, params):
        self.params = params
        self.check_mode = False

    def fail_json(self, msg, **kwargs):
        raise ModuleFailed(msg)


def module_of(name):
    return importlib.import_module("ansible_collections.incident.ops.plugins.modules." + name)


def attempt(name, params):
    module = module_of(name)
    task = _Module(validated(module, params))
    module.run(task, module.connect(task))


@pytest.mark.parametrize("name, label, change, pattern", CASES, ids=["%s: %s" % (case[0], case[1]) for case in CASES])
def test_bad_input_fails_clearly_before_any_write(request, monkeypatch, name, label, change, pattern):
    for variable in ("PAGERDUTY_TOKEN", "PAGERDUTY_ROUTING_KEY", "ITSM_API_KEY", "ITSM_CLIENT_SECRET", "TICKETS_TOKEN",
                     "ONCALL_TOKEN", "ONCALL_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    service = SERVICES[SERVICE[name]](request)
    spec = module_of(name).ARGUMENT_SPEC
    params = dict((key, value) for key, value in service.options.items() if key in spec)
    params.update(BASE[name])
    params.update(change)
    params = dict((key, value) for key, value in params.items() if value is not DROP)
    with pytest.raises((ModuleFailed, InvalidInput, ApiError)) as failure:
        attempt(name, params)
    assert re.search(pattern, str(failure.value)), "%s: %s" % (label, failure.value)
    if (name, label) in API_REFUSED:
        assert [status for _method, _path, status in service.writes()] == [failure.value.status] and 400 <= failure.value.status < 500
    else:
        assert service.writes() == []


def test_every_module_has_at_least_five_cases():
    names = sorted(path.stem for path in _module_files())
    assert sorted(BASE) == names, "a module without bad-input cases"
    counts = dict((name, sum(1 for case in CASES if case[0] == name)) for name in names)
    assert [name for name, count in counts.items() if count < 5] == []


def _module_files():
    return [path for path in Path(modules.__path__[0]).glob("*.py") if path.stem != "__init__"]
