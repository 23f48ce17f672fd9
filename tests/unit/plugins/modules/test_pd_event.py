"""pd_event through run() against the Events API and REST simulators."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_event

from pd_runs import seed, users


@pytest.fixture
def routing_key(pagerduty, pd_api):
    """The integration key of an Events API v2 integration on the Checkout service."""
    ada = seed(pagerduty, users=users(("Ada Lovelace", "ada@example.com")))["users"][0]
    policy = seed(pagerduty, escalation_policies=[{"type": "escalation_policy", "name": "EP", "escalation_rules": [
        {"escalation_delay_in_minutes": 10, "targets": [{"id": ada, "type": "user_reference"}]}]}])["escalation_policies"][0]
    service = seed(pagerduty, services=[{"type": "service", "name": "Checkout", "escalation_policy": {
        "id": policy, "type": "escalation_policy_reference"}}])["services"][0]
    integration = pd_api.post("/services/%s/integrations" % service, {"integration": {
        "type": "events_api_v2_inbound_integration", "name": "Events"}})["integration"]
    return integration["integration_key"]


@pytest.fixture
def run(pagerduty, pagerduty_events, pd_module, routing_key):
    """Run pd_event as a task would; ``rest=False`` leaves the REST token out."""
    def call(check_mode=False, rest=True, **params):
        params = dict(params, events_url=pagerduty_events.url, routing_key=params.get("routing_key", routing_key))
        if not rest:
            params["api_token"] = None
        module = pd_module(pd_event.ARGUMENT_SPEC, check_mode=check_mode, **params)
        return pd_event.run(module, pd_event.connect(module))
    return call


TRIGGER = dict(dedup_key="disk-1", summary="Disk full", source="db-1", severity="critical",
               custom_details={"free": "2%"}, links=[{"href": "https://grafana.example.com", "text": "Dashboard"}])


def incidents_of(pagerduty):
    return sorted(pagerduty.server.simulator.incidents.values(), key=lambda item: item["incident_number"])


def test_trigger_check_then_send_then_skipped_while_open(pagerduty, pagerduty_events, run):
    changed, event, diff = run(check_mode=True, **TRIGGER)
    assert changed and not event["sent"] and event["body"]["payload"]["severity"] == "critical"
    assert "routing_key" not in event["body"] and diff["after"]["dedup_key"] == "disk-1"
    assert pagerduty_events.requests() == [] and incidents_of(pagerduty) == []

    changed, event, _diff = run(**TRIGGER)
    assert changed and event["sent"] and event["dedup_key"] == "disk-1" and event["message"] == "Event processed"
    [incident] = incidents_of(pagerduty)
    assert incident["incident_key"] == "disk-1" and incident["_alert_records"][0]["body"]["details"] == {"free": "2%"}

    pagerduty.clear_log()
    pagerduty_events.clear_log()
    changed, event, _diff = run(**TRIGGER)
    assert not changed and not event["sent"] and event["incident"]["id"] == incident["id"]
    assert pagerduty_events.requests() == [] and [entry["path"] for entry in pagerduty.requests()] == ["/incidents"]


def test_without_a_token_it_cannot_know_and_sends(pagerduty, pagerduty_events, run):
    run(**TRIGGER)
    pagerduty.clear_log()
    changed, event, _diff = run(rest=False, **TRIGGER)
    assert changed and event["sent"] and pagerduty.requests() == []
    assert len(incidents_of(pagerduty)) == 1, "PagerDuty de-duplicated the trigger"


def test_acknowledge_and_resolve_once(pagerduty, pagerduty_events, run):
    run(**TRIGGER)
    assert run(event_action="acknowledge", dedup_key="disk-1")[0]
    assert incidents_of(pagerduty)[0]["status"] == "acknowledged"
    assert not run(event_action="acknowledge", dedup_key="disk-1")[0]
    assert run(event_action="resolve", dedup_key="disk-1")[0]
    assert incidents_of(pagerduty)[0]["status"] == "resolved"
    pagerduty_events.clear_log()
    assert not run(event_action="resolve", dedup_key="disk-1")[0]
    assert not run(event_action="acknowledge", dedup_key="unknown")[0]
    assert pagerduty_events.requests() == []


def test_change_events_are_always_sent(pagerduty, pagerduty_events, run):
    for _round in range(2):
        changed, event, _diff = run(event_action="change", summary="Deployed 2.4.1", source="ci", timestamp="2026-01-05T10:00:00+01:00")
        assert changed and event["sent"] and event["body"]["payload"]["timestamp"] == "2026-01-05T09:00:00Z"
    assert len(pagerduty.server.simulator.change_events) == 2


@pytest.mark.parametrize("params, message", [
    (dict(routing_key="short"), "32 letters and digits"),
    (dict(event_action="acknowledge"), "needs dedup_key"),
    (dict(summary="x", source="y"), "needs severity"),
    (dict(event_action="change", summary="x", severity="info"), "A change event has no severity"),
    (dict(summary="x", source="y", severity="info", timestamp="yesterday"), "not an ISO 8601"),
])
def test_bad_input_fails_before_any_request(pagerduty, pagerduty_events, run, params, message):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=message):
        run(**params)
    assert pagerduty_events.requests() == [] and pagerduty.requests() == []


def test_a_severity_outside_the_list_is_refused_by_the_argument_spec(run):
    with pytest.raises(Exception, match="severity"):
        run(summary="x", source="y", severity="fatal")


def test_an_unknown_routing_key_is_the_apis_error_without_the_key(pagerduty_events, run):
    with pytest.raises(ApiError) as caught:
        run(rest=False, routing_key="0" * 32, **TRIGGER)
    assert "Invalid routing key" in str(caught.value) and "0" * 32 not in str(caught.value)
