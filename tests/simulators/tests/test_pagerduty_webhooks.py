"""v3 webhook subscriptions: the API against the description, and signed deliveries when incidents change."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from .pagerduty_fixtures import error_of, pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import
from .test_pagerduty_contract import check

ALL_STATUS_EVENTS = ["incident.triggered", "incident.acknowledged", "incident.unacknowledged", "incident.resolved",
                     "incident.reopened"]


class Receiver:
    """A local HTTP server that keeps every POST it gets (headers, looked up in any case, and raw body) and answers ``status``."""

    def __init__(self, status=202, delay=0.0):
        self.received = []
        self.status = status
        self.delay = delay
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(owner.delay)
                owner.received.append((self.headers, body))
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/pagerduty" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        return [json.loads(body)["event"] for unused, body in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def deliveries(pd, count, timeout=5.0):
    """The simulator's delivery records once ``count`` of them have been attempted."""
    deadline = time.monotonic() + timeout
    while True:
        found = requests.get(pd.url + "/_sim/webhook_deliveries", timeout=5).json()["deliveries"]
        if sum(1 for record in found if record["delivered"]) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def subscription_body(url, filter_, events=("incident.triggered",), **fields):
    return {"webhook_subscription": dict({"type": "webhook_subscription", "events": list(events), "filter": filter_,
                                          "delivery_method": {"type": "http_delivery_method", "url": url}}, **fields)}


def subscribe(pd, url, filter_, events=("incident.triggered",), **fields):
    reply = pd.post("/webhook_subscriptions", json=subscription_body(url, filter_, events, **fields))
    assert reply.status_code == 200, reply.text
    return reply.json()["webhook_subscription"]


def setup_services(pd):
    """Two services, one per policy; only the first policy belongs to the team "Platform"."""
    alice = pd.user("Alice")["id"]
    team = pd.team("Platform")["id"]
    first = pd.policy("Checkout EP", ("user_reference", alice), teams=[{"id": team, "type": "team_reference"}])
    second = pd.policy("Search EP", ("user_reference", alice))
    return pd.service("Checkout", first["id"])["id"], pd.service("Search", second["id"])["id"], team


def test_subscriptions_answer_as_the_description_says(pd):
    checkout = setup_services(pd)[0]
    created = check(pd, "POST", "/webhook_subscriptions", pd.post("/webhook_subscriptions", json=subscription_body(
        "https://hooks.example.com/pd", {"id": checkout, "type": "service_reference"}, description="Checkout hooks",
        delivery_method={"type": "http_delivery_method", "url": "https://hooks.example.com/pd",
                         "custom_headers": [{"name": "X-Team", "value": "checkout"}]})))["webhook_subscription"]
    assert len(created["delivery_method"]["secret"]) >= 32
    assert created["active"] is True and created["description"] == "Checkout hooks"
    path = "/webhook_subscriptions/" + created["id"]
    shown = check(pd, "GET", "/webhook_subscriptions/{id}", pd.get(path))["webhook_subscription"]
    assert shown["delivery_method"]["secret"] is None, "the secret is shown on create only"
    assert shown["delivery_method"]["custom_headers"] == [{"name": "X-Team", "value": "-- redacted --"}]
    listed = check(pd, "GET", "/webhook_subscriptions", pd.get("/webhook_subscriptions"))
    assert [item["id"] for item in listed["webhook_subscriptions"]] == [created["id"]]
    changed = check(pd, "PUT", "/webhook_subscriptions/{id}", pd.put(path, json={"webhook_subscription": {
        "events": ["incident.resolved"], "active": False, "description": "Quiet"}}))["webhook_subscription"]
    assert (changed["events"], changed["active"], changed["description"]) == (["incident.resolved"], False, "Quiet")
    assert changed["delivery_method"]["url"] == "https://hooks.example.com/pd"
    check(pd, "POST", "/webhook_subscriptions/{id}/enable", pd.post(path + "/enable"))
    assert pd.delete(path).status_code == 204
    assert pd.get(path).status_code == 404


def test_list_filters_by_service_or_team(pd):
    checkout, search, team = setup_services(pd)
    on_checkout = subscribe(pd, "https://a.example.com", {"id": checkout, "type": "service_reference"})
    subscribe(pd, "https://b.example.com", {"id": search, "type": "service_reference"})
    on_team = subscribe(pd, "https://c.example.com", {"id": team, "type": "team_reference"})
    account = subscribe(pd, "https://d.example.com", {"type": "account_reference"})

    def listed(**params):
        return [item["id"] for item in pd.get("/webhook_subscriptions", params=params).json()["webhook_subscriptions"]]

    assert listed(filter_type="service", filter_id=checkout) == [on_checkout["id"]]
    assert listed(filter_type="team", filter_id=team) == [on_team["id"]]
    assert listed(filter_type="account") == [account["id"]]
    assert len(listed()) == 4
    assert pd.get("/webhook_subscriptions", params={"filter_type": "service"}).status_code == 400
    assert pd.get("/webhook_subscriptions", params={"filter_type": "queue"}).status_code == 400


@pytest.mark.parametrize("label, change, status", [
    ("no events", {"events": []}, 400),
    ("unknown event type", {"events": ["incident.exploded"]}, 400),
    ("filter without id", {"filter": {"type": "service_reference"}}, 400),
    ("unknown service", {"filter": {"type": "service_reference", "id": "PNOSUCH"}}, 404),
    ("unknown filter type", {"filter": {"type": "user_reference", "id": "PNOSUCH"}}, 400),
    ("no url", {"delivery_method": {"type": "http_delivery_method"}}, 400),
    ("not a web url", {"delivery_method": {"type": "http_delivery_method", "url": "ftp://example.com"}}, 400),
])
def test_bad_subscriptions_are_refused(pd, label, change, status):
    checkout = setup_services(pd)[0]
    body = subscription_body("https://hooks.example.com", {"id": checkout, "type": "service_reference"})
    body["webhook_subscription"].update(change)
    reply = pd.post("/webhook_subscriptions", json=body)
    assert reply.status_code == status, label
    assert error_of(reply)["errors"], label
    assert pd.get("/webhook_subscriptions").json()["webhook_subscriptions"] == []


def test_incident_changes_are_delivered_signed(pd, receiver):
    checkout = setup_services(pd)[0]
    subscription = subscribe(pd, receiver.url, {"id": checkout, "type": "service_reference"}, events=ALL_STATUS_EVENTS,
                             delivery_method={"type": "http_delivery_method", "url": receiver.url,
                                              "custom_headers": [{"name": "X-Route", "value": "checkout"}]})
    secret = subscription["delivery_method"]["secret"]
    incident = pd.incident("Disk full", checkout, urgency="low")
    for status in ("acknowledged", "triggered", "resolved", "triggered"):
        reply = pd.put("/incidents/" + incident["id"], json={"incident": {"type": "incident_reference", "status": status}})
        assert reply.status_code == 200
    records = deliveries(pd, 5)
    assert [record["status"] for record in records] == [202] * 5
    assert [event["event_type"] for event in receiver.events()] == [
        "incident.triggered", "incident.acknowledged", "incident.unacknowledged", "incident.resolved", "incident.reopened"]
    headers, body = receiver.received[0]
    expected = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-PagerDuty-Signature"] == expected
    assert headers["X-Webhook-Subscription"] == subscription["id"]
    assert headers["X-Route"] == "checkout"
    assert headers["User-Agent"].startswith("PagerDuty-Webhook/V3")
    event = receiver.events()[0]
    assert event["resource_type"] == "incident" and event["agent"]["type"] == "user_reference"
    assert event["data"]["id"] == incident["id"] and event["data"]["status"] == "triggered"
    assert event["data"]["service"]["id"] == checkout and event["data"]["urgency"] == "low"
    assert receiver.events()[3]["data"]["status"] == "resolved"


def test_only_matching_subscriptions_get_a_delivery(pd, receiver):
    checkout, search, team = setup_services(pd)
    subscribe(pd, receiver.url + "/search", {"id": search, "type": "service_reference"})
    subscribe(pd, receiver.url + "/resolved-only", {"id": checkout, "type": "service_reference"}, events=["incident.resolved"])
    subscribe(pd, receiver.url + "/inactive", {"id": checkout, "type": "service_reference"}, active=False)
    subscribe(pd, receiver.url + "/team", {"id": team, "type": "team_reference"})
    subscribe(pd, receiver.url + "/account", {"type": "account_reference"})
    pd.incident("Checkout down", checkout)
    pd.incident("Search slow", search)
    records = deliveries(pd, 4)
    assert sorted((record["url"].rsplit("/", 1)[-1], record["event_type"]) for record in records) == [
        ("account", "incident.triggered"), ("account", "incident.triggered"),
        ("search", "incident.triggered"), ("team", "incident.triggered")]


def test_a_slow_or_missing_receiver_never_delays_or_fails_the_api(pd):
    checkout = setup_services(pd)[0]
    slow = Receiver(delay=2.0)
    try:
        subscribe(pd, slow.url, {"id": checkout, "type": "service_reference"})
        subscribe(pd, "http://127.0.0.1:9/closed", {"id": checkout, "type": "service_reference"})
        started = time.monotonic()
        pd.incident("Disk full", checkout)
        assert time.monotonic() - started < 1.0
        records = deliveries(pd, 2)
        by_url = dict((record["url"], record) for record in records)
        assert by_url[slow.url]["status"] == 202
        assert by_url["http://127.0.0.1:9/closed"]["status"] is None and by_url["http://127.0.0.1:9/closed"]["error"]
    finally:
        slow.close()


def test_a_reset_drops_what_was_queued(pd, receiver):
    checkout = setup_services(pd)[0]
    subscribe(pd, receiver.url, {"id": checkout, "type": "service_reference"})
    pd.incident("Disk full", checkout)
    deliveries(pd, 1)
    requests.post(pd.url + "/_sim/reset", timeout=5).raise_for_status()
    assert requests.get(pd.url + "/_sim/webhook_deliveries", timeout=5).json()["deliveries"] == []


def test_ping_delivers_a_test_event(pd, receiver):
    subscription = subscribe(pd, receiver.url, {"type": "account_reference"})
    assert pd.post("/webhook_subscriptions/%s/ping" % subscription["id"]).status_code == 202
    deliveries(pd, 1)
    assert receiver.events()[0]["event_type"] == "pagey.ping"
