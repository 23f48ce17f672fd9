"""The pagerduty_webhook event source: its main(queue, args) serving real HTTP on 127.0.0.1, fed by hand and by the simulator."""

import asyncio
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
import requests
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.incident.ops.extensions.eda.plugins.event_source import pagerduty_webhook
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty
from ansible_collections.incident.ops.plugins.modules import pd_webhook_subscription

SECRET = "s3cret-from-the-create-answer"
INCIDENT_EVENT = {"event": {
    "id": "01DEN2Y1ZW", "event_type": "incident.triggered", "resource_type": "incident",
    "occurred_at": "2024-01-03T12:00:00.000Z", "agent": None, "client": None,
    "data": {"id": "PGR0VU2", "type": "incident", "number": 2, "status": "triggered", "title": "Disk full",
             "urgency": "high", "service": {"id": "PF9KMXH", "type": "service_reference", "summary": "Checkout"}}}}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningSource:
    """``main(queue, args)`` on its own event loop in a thread, as ansible-rulebook runs a source, until stopped."""

    def __init__(self, **args):
        self.port = free_port()
        self.args = dict({"host": "127.0.0.1", "port": self.port}, **args)
        self.url = "http://127.0.0.1:%d/pagerduty" % self.port
        self.loop = asyncio.new_event_loop()
        self.queue = None
        self.task = None
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self):
        self.thread.start()

        async def begin():
            self.queue = asyncio.Queue()
            self.task = asyncio.ensure_future(pagerduty_webhook.main(self.queue, self.args))

        asyncio.run_coroutine_threadsafe(begin(), self.loop).result(5)
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.task.done() or time.monotonic() > deadline:
                    raise AssertionError("the source did not listen: %r" % (self.task.exception() if self.task.done() else None))
                time.sleep(0.02)

    def events(self, count=None, timeout=5.0):
        """What the queue holds: ``count`` events (waiting for them), or whatever is there now."""
        async def take():
            found = []
            while count is None and not self.queue.empty() or count is not None and len(found) < count:
                found.append(await asyncio.wait_for(self.queue.get(), timeout))
            return found
        return asyncio.run_coroutine_threadsafe(take(), self.loop).result(timeout + 1)

    def stop(self):
        self.loop.call_soon_threadsafe(self.task.cancel)
        time.sleep(0.05)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def source():
    running = RunningSource(secret=SECRET).start()
    yield running
    running.stop()


def sign(body, secret=SECRET):
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url, body, signature=None, **headers):
    if signature is not None:
        headers["X-PagerDuty-Signature"] = signature
    return requests.post(url, data=body, headers=dict({"Content-Type": "application/json"}, **headers), timeout=5)


def test_a_signed_webhook_becomes_an_event(source):
    body = json.dumps(INCIDENT_EVENT).encode()
    reply = post(source.url, body, sign(body), **{"X-Webhook-Subscription": "PSUB123"})
    assert reply.status_code == 202
    [event] = source.events(1)
    assert event["event_type"] == "incident.triggered"
    assert event["data"] == INCIDENT_EVENT["event"]["data"]
    assert event["service"] == {"id": "PF9KMXH", "type": "service_reference", "summary": "Checkout"}
    assert (event["urgency"], event["status"], event["incident_id"]) == ("high", "triggered", "PGR0VU2")
    assert event["meta"] == {"endpoint": "/pagerduty", "headers": {"x-webhook-subscription": "PSUB123",
                                                                   "user-agent": reply.request.headers["User-Agent"]}}


@pytest.mark.parametrize("label, signature", [
    ("missing", None),
    ("empty", ""),
    ("another secret", sign(json.dumps(INCIDENT_EVENT).encode(), "not-the-secret")),
    ("another body", sign(b'{"event": {"event_type": "incident.resolved"}}')),
    ("another version", "v0=" + sign(json.dumps(INCIDENT_EVENT).encode())[3:]),
    ("not hex", "v1=zz"),
])
def test_unsigned_or_wrongly_signed_is_401_and_never_queued(source, label, signature):
    reply = post(source.url, json.dumps(INCIDENT_EVENT).encode(), signature)
    assert reply.status_code == 401, label
    assert "X-PagerDuty-Signature" in reply.json()["message"]
    good = json.dumps(INCIDENT_EVENT).encode()
    assert post(source.url, good, sign(good)).status_code == 202
    assert [event["event_type"] for event in source.events(1)] == ["incident.triggered"]
    assert source.events() == [], "only the signed request was queued"


def test_one_good_signature_among_several_is_enough(source):
    """During a rotation PagerDuty sends one signature per secret, comma separated."""
    body = json.dumps(INCIDENT_EVENT).encode()
    assert post(source.url, body, "v1=%s,%s" % ("0" * 64, sign(body))).status_code == 202
    assert len(source.events(1)) == 1


def test_a_list_of_secrets_accepts_either():
    running = RunningSource(secret=["old-secret", "new-secret"]).start()
    try:
        body = json.dumps(INCIDENT_EVENT).encode()
        assert post(running.url, body, sign(body, "old-secret")).status_code == 202
        assert post(running.url, body, sign(body, "new-secret")).status_code == 202
        assert post(running.url, body, sign(body, SECRET)).status_code == 401
        assert len(running.events(2)) == 2 and running.events() == []
    finally:
        running.stop()


@pytest.mark.parametrize("label, method, body, status", [
    ("not JSON", "POST", b"not json", 400),
    ("not an event", "POST", b'{"hello": "world"}', 400),
    ("not a POST", "GET", b"", 405),
    ("too large", "POST", b"x" * 2048, 413),
])
def test_other_bad_requests_are_refused_and_never_queued(label, method, body, status):
    running = RunningSource(secret=SECRET, max_body_bytes=1024).start()
    try:
        reply = requests.request(method, running.url, data=body, timeout=5, headers={"X-PagerDuty-Signature": sign(body)})
        assert reply.status_code == status, label
        assert running.events() == []
    finally:
        running.stop()


def test_a_secret_is_required():
    with pytest.raises(ValueError, match="signing secret"):
        asyncio.run(pagerduty_webhook.main(asyncio.Queue(), {"port": free_port()}))


def test_the_simulator_delivers_incident_changes_to_the_source(pagerduty):
    """End to end: pd_webhook_subscription subscribes the source to a service; incident changes arrive, signed."""
    seeded = requests.post(pagerduty.url + "/_sim/seed", json={"users": [
        {"type": "user", "name": "Ada Lovelace", "email": "ada@example.com"}]}, timeout=5).json()
    policy = requests.post(pagerduty.url + "/_sim/seed", json={"escalation_policies": [{
        "type": "escalation_policy", "name": "Checkout EP", "escalation_rules": [{"escalation_delay_in_minutes": 30, "targets": [
            {"type": "user_reference", "id": seeded["users"][0]}]}]}]}, timeout=5).json()["escalation_policies"][0]
    service_ids = requests.post(pagerduty.url + "/_sim/seed", json={"services": [
        {"type": "service", "name": name, "escalation_policy": {"id": policy, "type": "escalation_policy_reference"}}
        for name in ("Checkout", "Search")]}, timeout=5).json()["services"]
    options = pagerduty.options
    api = PagerDuty(options["api_url"], options["api_token"], from_email=options["from_email"])
    port = free_port()
    params = ArgumentSpecValidator(pd_webhook_subscription.ARGUMENT_SPEC).validate(dict(
        options, url="http://127.0.0.1:%d/pagerduty" % port, service="Checkout",
        events=["incident.triggered", "incident.acknowledged", "incident.resolved"])).validated_parameters
    module = SimpleNamespace(params=params, check_mode=False)
    subscription = pd_webhook_subscription.run(module, api)[1]
    running = RunningSource(secret=subscription["delivery_method"]["secret"])
    running.port, running.args["port"] = port, port
    running.start()
    try:
        incident = api.post("/incidents", {"incident": {"type": "incident", "title": "Disk full", "urgency": "low", "service": {
            "id": service_ids[0], "type": "service_reference"}}}, headers=api.acting_user())["incident"]
        api.post("/incidents", {"incident": {"type": "incident", "title": "Slow search", "service": {
            "id": service_ids[1], "type": "service_reference"}}}, headers=api.acting_user())
        for status in ("acknowledged", "resolved"):
            api.put("/incidents/" + incident["id"], {"incident": {"type": "incident_reference", "status": status}},
                    headers=api.acting_user())
        events = running.events(3)
        assert [event["event_type"] for event in events] == ["incident.triggered", "incident.acknowledged", "incident.resolved"]
        assert all(event["incident_id"] == incident["id"] for event in events)
        assert events[0]["service"]["summary"] == "Checkout" and events[0]["urgency"] == "low"
        assert events[0]["meta"]["headers"]["x-webhook-subscription"] == subscription["id"]
        deliveries = requests.get(pagerduty.url + "/_sim/webhook_deliveries", timeout=5).json()["deliveries"]
        assert [record["status"] for record in deliveries] == [202, 202, 202]
        assert running.events() == []
    finally:
        running.stop()


def test_deliveries_signed_with_another_secret_are_refused(pagerduty):
    """A source configured with a stale secret answers the simulator's deliveries 401 and queues nothing."""
    running = RunningSource(secret="a-stale-secret").start()
    try:
        options = pagerduty.options
        api = PagerDuty(options["api_url"], options["api_token"])
        subscription = api.post("/webhook_subscriptions", {"webhook_subscription": {
            "type": "webhook_subscription", "events": ["incident.triggered"],
            "filter": {"type": "account_reference"}, "delivery_method": {"type": "http_delivery_method", "url": running.url}}})
        api.post("/webhook_subscriptions/%s/ping" % subscription["webhook_subscription"]["id"])
        deadline = time.monotonic() + 5
        deliveries = []
        while not any(record["delivered"] for record in deliveries) and time.monotonic() < deadline:
            time.sleep(0.02)
            deliveries = requests.get(pagerduty.url + "/_sim/webhook_deliveries", timeout=5).json()["deliveries"]
        assert [record["status"] for record in deliveries] == [401]
        assert running.events() == []
    finally:
        running.stop()


def rulebook_runner():
    """The ansible-rulebook command and Java 17+ it needs, or the reason the real-rulebook test cannot run here."""
    command = (os.environ.get("ANSIBLE_RULEBOOK") or shutil.which("ansible-rulebook", path=os.path.dirname(sys.executable))
               or shutil.which("ansible-rulebook"))
    if not command:
        return None, "ansible-rulebook is not installed (set ANSIBLE_RULEBOOK to its path to run this test)"
    java = shutil.which("java")
    if not java:
        return None, "ansible-rulebook needs Java 17 or newer, and no java is on PATH"
    version = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    found = re.search(r'version "(\d+)', version)
    if not found or int(found.group(1)) < 17:
        return None, "ansible-rulebook needs Java 17 or newer: %s" % (version.splitlines() or ["no version"])[0]
    return command, None


RULEBOOK, NO_RULEBOOK = rulebook_runner()


@pytest.mark.skipif(RULEBOOK is None, reason=str(NO_RULEBOOK))
def test_ansible_rulebook_fires_a_rule_only_for_a_signed_webhook(tmp_path):
    port = free_port()
    rulebook = tmp_path / "rulebook.yml"
    rulebook.write_text(json.dumps([{
        "name": "PagerDuty", "hosts": "all",
        "sources": [{"pagerduty_webhook": {"host": "127.0.0.1", "port": port, "secret": SECRET}}],
        "rules": [{"name": "Checkout triggered",
                   "condition": 'event.event_type == "incident.triggered" and event.service.summary == "Checkout"',
                   "actions": [{"print_event": {"pretty": False}}, {"shutdown": {"delay": 0}}]}]}]))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}}))
    sources = os.path.dirname(pagerduty_webhook.__file__)
    # ansible-rulebook asks ansible-galaxy about collections: the one beside this Python will do.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    process = subprocess.Popen([RULEBOOK, "-r", str(rulebook), "-i", str(inventory), "-S", sources],  # pylint: disable=consider-using-with
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ, PATH=path))
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
                time.sleep(0.2)
        body = json.dumps(INCIDENT_EVENT).encode()
        assert post("http://127.0.0.1:%d/" % port, body, sign(body, "forged")).status_code == 401
        other = dict(INCIDENT_EVENT["event"], data=dict(INCIDENT_EVENT["event"]["data"], title="Slow search", service={
            "id": "PSEARCH", "type": "service_reference", "summary": "Search"}))
        other_body = json.dumps({"event": other}).encode()
        assert post("http://127.0.0.1:%d/" % port, other_body, sign(other_body)).status_code == 202
        assert post("http://127.0.0.1:%d/" % port, body, sign(body)).status_code == 202
        output = process.communicate(timeout=90)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert output.count("Disk full") == 1, output
    assert "Slow search" not in output, output
