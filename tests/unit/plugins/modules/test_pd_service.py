"""pd_service and pd_service_info through run() against the PagerDuty simulator."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty
from ansible_collections.incident.ops.plugins.module_utils.reconcile import CreateOutcomeUnknown, Resource
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_service, pd_service_info

from pd_runs import runner, seed, users

EVENTS = "events_api_v2_inbound_integration"
EMAIL = "generic_email_inbound_integration"
SERVICE = dict(name="Payments API", description="Card payments", escalation_policy="Payments escalation",
               acknowledgement_timeout=600, auto_resolve_timeout=0,
               integrations=[{"name": "Prometheus alerts", "type": EVENTS, "vendor": "Prometheus"}])


@pytest.fixture
def account(pagerduty):
    """Ada, team Payments, policies 'Payments escalation' (on the team) and 'Search escalation'; names -> ids."""
    ada = seed(pagerduty, users=users(("Ada Lovelace", "ada@example.com")))["users"][0]
    team = seed(pagerduty, teams=[{"type": "team", "name": "Payments"}])["teams"][0]
    rules = [{"escalation_delay_in_minutes": 10, "targets": [{"id": ada, "type": "user_reference"}]}]
    policies = seed(pagerduty, escalation_policies=[
        {"type": "escalation_policy", "name": "Payments escalation", "escalation_rules": rules,
         "teams": [{"id": team, "type": "team_reference"}]},
        {"type": "escalation_policy", "name": "Search escalation", "escalation_rules": rules}])["escalation_policies"]
    pagerduty.clear_log()
    return {"ada": ada, "Payments": team, "Payments escalation": policies[0], "Search escalation": policies[1]}


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_service)


@pytest.fixture
def info(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_service_info)


def stored(pagerduty, name="Payments API"):
    """The service as the simulator holds it, with its integrations, read through the API."""
    options = pagerduty.options
    api = PagerDuty(options["api_url"], options["api_token"])
    found = api.get("/services", params={"query": name, "include[]": ["integrations"]})["services"]
    return found[0] if found else None


def calls(pagerduty):
    return [(entry["method"], entry["path"]) for entry in pagerduty.requests()]


def test_check_mode_writes_nothing(pagerduty, account, run):
    changed, service, diff = run(check_mode=True, **SERVICE)
    assert changed and pagerduty.writes() == [] and stored(pagerduty) is None
    assert diff["after"]["escalation_policy"] == "Payments escalation"
    assert diff["after"]["integrations"] == [{"name": "Prometheus alerts", "type": EVENTS, "vendor": "Prometheus"}]
    assert service["integrations"][0]["name"] == "Prometheus alerts"


def test_create_then_idempotent_in_one_request(pagerduty, account, run):
    changed, service, _diff = run(**SERVICE)
    assert changed
    assert calls(pagerduty)[-2:] == [("POST", "/services"), ("POST", "/services/%s/integrations" % service["id"])]
    held = stored(pagerduty)
    assert held["escalation_policy"]["id"] == account["Payments escalation"]
    assert held["acknowledgement_timeout"] == 600 and held.get("auto_resolve_timeout") is None
    assert held["integrations"][0]["vendor"]["summary"] == "Prometheus"
    key = service["integrations"][0]["integration_key"]
    assert key == held["integrations"][0]["integration_key"] and len(key) == 32

    pagerduty.clear_log()
    changed, again, diff = run(**SERVICE)
    assert not changed and diff == {"before": {}, "after": {}}
    assert calls(pagerduty) == [("GET", "/services")]
    assert pagerduty.requests()[0]["query"]["include[]"] == "integrations"
    assert again["integrations"][0]["integration_key"] == key


def test_update_changes_only_what_differs(pagerduty, account, run):
    run(**SERVICE)
    rule = {"type": "use_support_hours", "during_support_hours": {"urgency": "high"},
            "outside_support_hours": {"urgency": "low"}}
    hours = {"time_zone": "Europe/London", "days_of_week": [5, 1, 2, 3, 4], "start_time": "9:00", "end_time": "17:00"}
    extra = {"name": "Mail", "type": EMAIL, "integration_email": "payments@acme.pagerduty.com"}
    changed, service, diff = run(**dict(SERVICE, escalation_policy="Search escalation", auto_resolve_timeout=3600,
                                        incident_urgency_rule=rule, support_hours=hours,
                                        integrations=SERVICE["integrations"] + [extra]))
    assert changed
    assert sorted(diff["after"]) == ["auto_resolve_timeout", "escalation_policy", "incident_urgency_rule",
                                     "integrations", "support_hours"]
    assert diff["before"]["auto_resolve_timeout"] == 0 and diff["before"]["escalation_policy"] == "Payments escalation"
    assert diff["after"]["integrations"] == [{"name": "Mail", "type": EMAIL, "integration_email": extra["integration_email"]}]
    held = stored(pagerduty)
    assert held["escalation_policy"]["id"] == account["Search escalation"]
    assert held["support_hours"]["start_time"] == "09:00:00" and held["support_hours"]["days_of_week"] == [1, 2, 3, 4, 5]
    assert sorted(item["name"] for item in held["integrations"]) == ["Mail", "Prometheus alerts"]
    assert [item["name"] for item in service["integrations"]] == ["Mail", "Prometheus alerts"]
    pagerduty.clear_log()
    same = dict(SERVICE, escalation_policy="Search escalation", auto_resolve_timeout=3600, incident_urgency_rule=rule,
                support_hours=dict(hours, start_time="09:00:00"), integrations=[extra])
    assert not run(**same)[0]
    assert pagerduty.writes() == []


def test_integration_vendor_and_address_are_updated_in_place(pagerduty, account, run):
    mail = {"name": "Mail", "type": EMAIL, "integration_email": "a@acme.pagerduty.com"}
    first = run(**dict(SERVICE, integrations=[mail]))[1]["integrations"][0]
    changed, service, diff = run(**dict(SERVICE, integrations=[dict(mail, integration_email="b@acme.pagerduty.com")]))
    assert changed and [entry["method"] for entry in pagerduty.writes()][-1] == "PUT"
    assert service["integrations"][0]["id"] == first["id"]
    assert stored(pagerduty)["integrations"][0]["integration_email"] == "b@acme.pagerduty.com"
    assert diff["before"]["integrations"][0]["integration_email"] == "a@acme.pagerduty.com"


def test_a_lost_integration_create_is_never_sent_again_and_a_rerun_converges(pagerduty, account, run, monkeypatch):
    monkeypatch.setattr(Resource, "settle_waits", (0.0, 0.0))
    service = run(**dict(SERVICE, integrations=[]))[1]
    requests.post(pagerduty.url + "/_sim/faults", json={"action": "drop", "method": "POST", "path": "/integrations$"},
                  timeout=5).raise_for_status()
    pagerduty.clear_log()
    with pytest.raises(CreateOutcomeUnknown, match="re-run to converge"):
        run(**SERVICE)
    path = "/services/%s" % service["id"]
    assert [call for call in calls(pagerduty) if call[0] != "GET"] == [("POST", path + "/integrations")]
    assert stored(pagerduty)["integrations"] == []
    assert run(**SERVICE)[0]
    assert [item["name"] for item in stored(pagerduty)["integrations"]] == ["Prometheus alerts"]
    assert service["id"] == stored(pagerduty)["id"]


@pytest.mark.parametrize("params,message", [
    (dict(escalation_policy="Nobody"), "'Nobody'"),
    (dict(integrations=[{"name": "X", "type": EVENTS, "vendor": "Nagios Classic"}]), "'Nagios Classic'"),
    (dict(acknowledgement_timeout=-1), "acknowledgement_timeout"),
    (dict(support_hours={"days_of_week": [1], "start_time": "09:00", "end_time": "17:00"}), "time_zone"),
    (dict(incident_urgency_rule={"type": "use_support_hours", "during_support_hours": {"urgency": "high"},
                                 "outside_support_hours": {"urgency": "low"}}), "support_hours"),
    (dict(integrations=[{"name": "Mail", "type": EMAIL}]), "integration_email"),
    (dict(integrations=[{"name": "A", "type": EVENTS}, {"name": "A", "type": EVENTS}]), "more than once"),
])
def test_bad_input_fails_before_any_write(pagerduty, account, run, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**dict(SERVICE, **params))
    assert pagerduty.writes() == []


def test_an_integration_type_cannot_change(pagerduty, account, run):
    run(**SERVICE)
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="cannot change an integration's type"):
        run(**dict(SERVICE, integrations=[{"name": "Prometheus alerts", "type": "generic_events_api_inbound_integration"}]))
    assert pagerduty.writes() == []


def test_unknown_integration_type_is_refused_by_the_spec(pd_module):
    from conftest import ModuleFailed
    with pytest.raises(ModuleFailed, match="integrations"):
        pd_module(pd_service.ARGUMENT_SPEC, **dict(SERVICE, integrations=[{"name": "X", "type": "carrier_pigeon"}]))


def test_removal_with_open_incidents_needs_force(pagerduty, account, run, pd_module, pd_api):
    service = run(**SERVICE)[1]
    pd_api.post("/incidents", {"incident": {"type": "incident", "title": "Down",
                                            "service": {"id": service["id"], "type": "service_reference"}}},
                headers=pd_api.acting_user())
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="1 open incidents"):
        run(name="Payments API", state="absent")
    assert pagerduty.writes() == []
    module = pd_module(pd_service.ARGUMENT_SPEC, name="Payments API", state="absent", force=True)
    warnings = []
    module.warn = warnings.append
    changed, result, diff = pd_service.run(module, pd_api)
    assert changed and result is None and diff["before"]["name"] == "Payments API"
    assert stored(pagerduty) is None and "resolves the 1 open incidents" in warnings[0]
    assert not run(name="Payments API", state="absent")[0]


def test_info_filters(pagerduty, account, run, info):
    run(**SERVICE)
    run(name="Search API", escalation_policy="Search escalation")
    everything = info()[1]
    assert [item["name"] for item in everything] == ["Payments API", "Search API"]
    assert everything[0]["integrations"][0]["integration_key"]
    assert [item["name"] for item in info(team="Payments")[1]] == ["Payments API"]
    assert [item["name"] for item in info(escalation_policy="Search escalation")[1]] == ["Search API"]
    assert [item["name"] for item in info(query="search")[1]] == ["Search API"]
    assert info(name="Payments")[1] == []
    with pytest.raises(InvalidInput, match="'Billing'"):
        info(team="Billing")


def test_purge_integrations_fails_before_any_write_when_one_is_not_listed(pagerduty, account, run):
    mail = {"name": "Mail", "type": EMAIL, "integration_email": "payments@acme.pagerduty.com"}
    run(**dict(SERVICE, integrations=SERVICE["integrations"] + [mail]))
    pagerduty.clear_log()
    for check_mode in (True, False):
        with pytest.raises(InvalidInput, match="'Mail' .*cannot delete an integration.*web UI"):
            run(check_mode=check_mode, purge_integrations=True, **dict(SERVICE, description="Changed"))
    assert pagerduty.writes() == []
    assert not run(purge_integrations=True, **dict(SERVICE, integrations=SERVICE["integrations"] + [mail]))[0]
    assert not run(**SERVICE)[0]
