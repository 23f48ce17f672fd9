"""The Events API v2 on its own port: alerts open, acknowledge and resolve incidents of the REST account."""

import pytest
import requests

from simulators.core import RunningServer
from simulators.pagerduty.events import PagerDutyEventsSimulator

from .pagerduty_fixtures import pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import
from .service_client import Api


@pytest.fixture(name="events_server", scope="module")
def events_server_fixture(pd_server):
    server = RunningServer(PagerDutyEventsSimulator(pd_server.simulator)).start()
    yield server
    server.stop()


@pytest.fixture(name="events")
def events_fixture(pd, events_server):
    """The Events API over the freshly reset account of ``pd``, with an empty request log."""
    requests.delete(events_server.url + "/_sim/requests", timeout=5)
    return Api(events_server.url, {"Content-Type": "application/json"})


def events_service(pd):
    """A service paging Alice, with an Events API v2 integration; returns (service id, routing key)."""
    alice = pd.user("Alice")["id"]
    policy = pd.policy("EP", ("user_reference", alice))
    service = pd.service("Checkout", policy["id"])["id"]
    integration = pd.created("/services/%s/integrations" % service, "integration",
                             {"type": "events_api_v2_inbound_integration", "name": "Events"})
    return service, integration["integration_key"]


def trigger(key, dedup_key=None, **payload):
    event = {"routing_key": key, "event_action": "trigger",
             "payload": dict({"summary": "Disk full", "source": "db-1", "severity": "critical"}, **payload)}
    if dedup_key:
        event["dedup_key"] = dedup_key
    return event


def incidents_with_key(pd, key):
    return pd.get("/incidents", params={"incident_key": key, "date_range": "all"}).json()["incidents"]


def test_trigger_opens_an_alert_and_an_incident_keyed_by_dedup_key(pd, events):
    service, key = events_service(pd)
    reply = events.post("/v2/enqueue", json=trigger(key, "disk-1", custom_details={"free": "2%"}))
    assert reply.status_code == 202
    assert reply.json() == {"status": "success", "message": "Event processed", "dedup_key": "disk-1"}
    [incident] = incidents_with_key(pd, "disk-1")
    assert incident["status"] == "triggered" and incident["title"] == "Disk full"
    assert incident["service"]["id"] == service and incident["alert_counts"]["all"] == 1
    assert incident["last_status_change_by"]["type"] == "service_reference"
    [alert] = pd.get("/incidents/%s/alerts" % incident["id"]).json()["alerts"]
    assert alert["alert_key"] == "disk-1" and alert["severity"] == "critical" and alert["status"] == "triggered"
    assert alert["body"]["details"] == {"free": "2%"} and alert["incident"]["id"] == incident["id"]


def test_a_trigger_for_an_open_key_is_deduplicated(pd, events):
    key = events_service(pd)[1]
    events.post("/v2/enqueue", json=trigger(key, "disk-1"))
    assert events.post("/v2/enqueue", json=trigger(key, "disk-1", summary="Again")).status_code == 202
    [incident] = incidents_with_key(pd, "disk-1")
    assert incident["title"] == "Disk full" and incident["alert_counts"]["all"] == 1


def test_trigger_without_dedup_key_gets_a_fresh_one(pd, events):
    key = events_service(pd)[1]
    first = events.post("/v2/enqueue", json=trigger(key)).json()["dedup_key"]
    second = events.post("/v2/enqueue", json=trigger(key)).json()["dedup_key"]
    assert first != second and len(first) == 32
    assert len(pd.get("/incidents").json()["incidents"]) == 2


def test_acknowledge_then_resolve_act_on_the_incident(pd, events):
    key = events_service(pd)[1]
    events.post("/v2/enqueue", json=trigger(key, "disk-1"))
    ack = {"routing_key": key, "event_action": "acknowledge", "dedup_key": "disk-1"}
    assert events.post("/v2/enqueue", json=ack).status_code == 202
    [incident] = incidents_with_key(pd, "disk-1")
    assert incident["status"] == "acknowledged"
    assert incident["acknowledgements"][0]["acknowledger"]["type"] == "service_reference"
    assert events.post("/v2/enqueue", json=dict(ack, event_action="resolve")).status_code == 202
    [incident] = incidents_with_key(pd, "disk-1")
    assert incident["status"] == "resolved" and incident["resolved_at"]
    [alert] = pd.get("/incidents/%s/alerts" % incident["id"]).json()["alerts"]
    assert alert["status"] == "resolved"
    events.post("/v2/enqueue", json=trigger(key, "disk-1"))
    assert len(incidents_with_key(pd, "disk-1")) == 2, "a resolved incident no longer holds its key"


def test_acknowledge_of_an_unknown_key_is_accepted_and_changes_nothing(pd, events):
    key = events_service(pd)[1]
    reply = events.post("/v2/enqueue", json={"routing_key": key, "event_action": "resolve", "dedup_key": "nothing"})
    assert reply.status_code == 202 and reply.json()["dedup_key"] == "nothing"
    assert pd.get("/incidents").json()["incidents"] == []


@pytest.mark.parametrize("change, fragment", [
    ({"routing_key": "short"}, "Length of 'routing_key' is incorrect"),
    ({"routing_key": "x" * 31 + "-"}, "non-alphanumeric"),
    ({"routing_key": "0" * 32}, "Invalid routing key"),
    ({"event_action": "open"}, "'event_action' must be one of"),
    ({"payload": {"summary": "x", "source": "y", "severity": "fatal"}}, "'payload.severity' must be one of"),
    ({"payload": {"summary": "x", "severity": "info"}}, "'payload.source' is missing"),
    ({"payload": {"summary": "x", "source": "y", "severity": "info", "timestamp": "yesterday"}}, "'payload.timestamp'"),
])
def test_invalid_events_are_400_with_errors(pd, events, change, fragment):
    key = events_service(pd)[1]
    reply = events.post("/v2/enqueue", json=dict(trigger(key, "k"), **change))
    assert reply.status_code == 400
    body = reply.json()
    assert body["status"] == "invalid event" and body["message"] == "Event object is invalid"
    assert any(fragment in error for error in body["errors"]), body
    assert pd.get("/incidents").json()["incidents"] == []


def test_acknowledge_needs_a_dedup_key(pd, events):
    key = events_service(pd)[1]
    reply = events.post("/v2/enqueue", json={"routing_key": key, "event_action": "acknowledge"})
    assert reply.status_code == 400 and "'dedup_key' is required" in reply.json()["errors"][0]


def test_change_events_are_accepted_and_kept(pd, events):
    service, key = events_service(pd)
    event = {"routing_key": key, "payload": {"summary": "Deployed v2", "source": "ci", "custom_details": {"sha": "abc"}},
             "links": [{"href": "https://ci.example.com/1", "text": "Build"}]}
    reply = events.post("/v2/change/enqueue", json=event)
    assert reply.status_code == 202 and reply.json()["status"] == "success"
    [kept] = pd.sim.change_events
    assert kept["service"] == service and kept["summary"] == "Deployed v2" and kept["links"][0]["text"] == "Build"
    assert events.post("/v2/change/enqueue", json={"routing_key": key, "payload": {}}).status_code == 400
    assert pd.get("/incidents").json()["incidents"] == []


def test_rate_limit_is_429_throttle_event(pd, events, events_server):
    key = events_service(pd)[1]
    requests.put(events_server.url + "/_sim/settings", json={"rate_limit": 1}, timeout=5).raise_for_status()
    try:
        assert events.post("/v2/enqueue", json=trigger(key, "a")).status_code == 202
        reply = events.post("/v2/enqueue", json=trigger(key, "b"))
        assert reply.status_code == 429 and reply.json()["status"] == "throttle event"
        assert int(reply.headers["Retry-After"]) >= 1
    finally:
        requests.put(events_server.url + "/_sim/settings", json={"rate_limit": 0}, timeout=5).raise_for_status()


def test_the_request_log_is_the_events_ports_own(pd, events, events_server):
    key = events_service(pd)[1]
    events.post("/v2/enqueue", json=trigger(key, "disk-1"))
    log = requests.get(events_server.url + "/_sim/requests", timeout=5).json()["requests"]
    assert [(entry["method"], entry["path"], entry["status"]) for entry in log] == [("POST", "/v2/enqueue", 202)]
