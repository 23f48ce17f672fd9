"""v3 webhook subscriptions, and the signed webhooks PagerDuty sends to them when incidents change.

A subscription names a delivery URL, the event types it wants and a filter
(the account, one service or one team).  Its signing secret is generated on
create and shown in that answer only.  When an incident is triggered,
acknowledged, unacknowledged, reopened or resolved, every active subscription
whose filter and events match gets one POST of ``{"event": {...}}`` signed with
``X-PagerDuty-Signature: v1=<HMAC-SHA256 hex of the raw body>``.  Deliveries
are queued and sent by one background thread, so the API call that caused
them never waits for, or fails with, a receiver; each attempt is recorded and
readable at ``GET /_sim/webhook_deliveries``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import queue
import secrets
import threading
from datetime import timezone
from urllib.parse import urlsplit

from simulators.core import Reply, route

from .common import API_BASE, WEB_BASE, invalid, not_found, paginate

# The event types PagerDuty's webhooks overview lists for v3 subscriptions.
EVENT_TYPES = frozenset((
    "incident.acknowledged", "incident.annotated", "incident.delegated", "incident.escalated",
    "incident.priority_updated", "incident.reassigned", "incident.reopened", "incident.resolved",
    "incident.responder.added", "incident.responder.replied", "incident.status_update_published",
    "incident.triggered", "incident.unacknowledged", "service.created", "service.deleted", "service.updated",
))
FILTER_KINDS = {"service_reference": "service", "team_reference": "team"}
REDACTED = "-- redacted --"
USER_AGENT = "PagerDuty-Webhook/V3.0"
DELIVERY_TIMEOUT = 5


def status_event(before, after):
    """The event type a status change announces, or None when the status did not change."""
    if before == after:
        return None
    if after == "resolved":
        return "incident.resolved"
    if after == "acknowledged":
        return "incident.acknowledged"
    return "incident.reopened" if before == "resolved" else "incident.unacknowledged"


def signature(secret, body):
    """PagerDuty's v1 signature of a raw body."""
    return "v1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def post(url, body, headers):
    """POST ``body`` with the headers spelt as given (urllib would re-case them); the answer's status."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.netloc, timeout=DELIVERY_TIMEOUT)
    try:
        connection.request("POST", (parts.path or "/") + ("?" + parts.query if parts.query else ""), body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


class WebhooksMixin:
    """``/webhook_subscriptions`` and the deliveries incidents cause."""

    def _reset_webhooks(self):
        self.webhook_subscriptions = {}
        self.webhook_deliveries = []
        # Deliveries queued before a reset belong to an account that no longer exists: they are dropped.
        self._webhook_generation = getattr(self, "_webhook_generation", 0) + 1
        if getattr(self, "_webhook_queue", None) is None:
            self._webhook_queue = queue.Queue()
            threading.Thread(target=self._deliver_forever, name="pagerduty-webhooks", daemon=True).start()

    # Subscriptions ----------------------------------------------------------------------

    def webhook_subscription(self, subscription_id):
        found = self.webhook_subscriptions.get(subscription_id)
        if found is None:
            raise not_found("Webhook subscription", subscription_id)
        return found

    def render_webhook_subscription(self, subscription, secret=None):
        method = subscription["delivery_method"]
        shown_filter = {"type": subscription["filter"]["type"]}
        if subscription["filter"].get("id"):
            shown_filter["id"] = subscription["filter"]["id"]
        return {
            "id": subscription["id"], "type": "webhook_subscription", "active": subscription["active"],
            "description": subscription["description"], "events": list(subscription["events"]), "filter": shown_filter,
            "delivery_method": {
                "id": method["id"], "type": "http_delivery_method", "url": method["url"], "secret": secret,
                "temporarily_disabled": False,
                "custom_headers": [{"name": header["name"], "value": REDACTED} for header in method["custom_headers"]],
            },
        }

    def _checked_events(self, events):
        unknown = sorted(set(events) - EVENT_TYPES)
        if unknown:
            raise invalid("Events contains unknown event types: %s" % ", ".join(unknown))
        return list(events)

    def _checked_filter(self, data):
        kind = data["type"]
        if kind == "account_reference":
            return {"type": kind}
        if not data.get("id"):
            raise invalid("Filter id is required for a %s filter" % kind)
        (self.service if kind == "service_reference" else self.team)(data["id"])
        return {"type": kind, "id": data["id"]}

    @route("POST", "/webhook_subscriptions")
    def post_webhook_subscription(self, request):
        """PagerDuty answers a create with 200, as its description says, and shows the secret this once."""
        data = request.json()["webhook_subscription"]
        method = data["delivery_method"]
        with self.lock:
            url = method["url"].strip()
            if not url.lower().startswith(("http://", "https://")):
                raise invalid("Delivery method url must be an http or https URL")
            names = [header.get("name") for header in method.get("custom_headers") or []]
            if len(set(names)) != len(names):
                raise invalid("Custom header names must be unique")
            subscription = {
                "id": self.new_id(), "active": data.get("active", True), "description": data.get("description", ""),
                "events": self._checked_events(data["events"]), "filter": self._checked_filter(data["filter"]),
                "delivery_method": {"id": self.new_id(), "url": url,
                                    "custom_headers": [dict(header) for header in method.get("custom_headers") or []]},
                "_secret": secrets.token_urlsafe(48),
            }
            self.webhook_subscriptions[subscription["id"]] = subscription
            return Reply(200, {"webhook_subscription": self.render_webhook_subscription(subscription, subscription["_secret"])})

    @route("GET", "/webhook_subscriptions")
    def list_webhook_subscriptions(self, request):
        """``filter_type`` narrows to the account-wide subscriptions, or with ``filter_id`` to one service's or team's."""
        kind, filter_id = request.arg("filter_type"), request.arg("filter_id")
        if kind in ("service", "team") and not filter_id:
            raise invalid("filter_id is required when filter_type is %s" % kind)
        with self.lock:
            found = []
            for subscription in self.webhook_subscriptions.values():
                shown = subscription["filter"]
                if kind and (shown["type"] != kind + "_reference" or (filter_id and shown.get("id") != filter_id)):
                    continue
                found.append(self.render_webhook_subscription(subscription))
        return Reply(200, paginate(request, found, "webhook_subscriptions"))

    @route("GET", "/webhook_subscriptions/{id}")
    def get_webhook_subscription(self, request):
        with self.lock:
            return Reply(200, {"webhook_subscription": self.render_webhook_subscription(
                self.webhook_subscription(request.params["id"]))})

    @route("PUT", "/webhook_subscriptions/{id}")
    def put_webhook_subscription(self, request):
        """Description, events, filter and active change; the delivery method cannot, and is left as it is."""
        data = request.json().get("webhook_subscription") or {}
        with self.lock:
            subscription = self.webhook_subscription(request.params["id"])
            changes = {}
            if "events" in data:
                changes["events"] = self._checked_events(data["events"])
            if "filter" in data:
                changes["filter"] = self._checked_filter(data["filter"])
            changes.update((key, data[key]) for key in ("description", "active") if key in data)
            subscription.update(changes)
            return Reply(200, {"webhook_subscription": self.render_webhook_subscription(subscription)})

    @route("DELETE", "/webhook_subscriptions/{id}")
    def delete_webhook_subscription(self, request):
        with self.lock:
            self.webhook_subscriptions.pop(self.webhook_subscription(request.params["id"])["id"])
        return Reply(204)

    @route("POST", "/webhook_subscriptions/{id}/enable")
    def enable_webhook_subscription(self, request):
        """Deliveries never disable a subscription here, so enabling only answers with it."""
        with self.lock:
            return Reply(200, {"webhook_subscription": self.render_webhook_subscription(
                self.webhook_subscription(request.params["id"]))})

    @route("POST", "/webhook_subscriptions/{id}/ping")
    def ping_webhook_subscription(self, request):
        with self.lock:
            subscription = self.webhook_subscription(request.params["id"])
            self._queue_delivery(subscription, self._event("pagey.ping", "pagey", None, {"message": "Hello from PagerDuty!",
                                                                                         "type": "ping"}))
        return Reply(202)

    # Events --------------------------------------------------------------------------------

    def announce_incident(self, event_type, incident, agent_id=None):
        """Queue ``event_type`` about ``incident`` for every subscription that wants it; call with the lock held."""
        if event_type is None or not self.webhook_subscriptions:
            return
        data = self._incident_data(incident)
        team_ids = set(team["id"] for team in data["teams"])
        event = None
        for subscription in self.webhook_subscriptions.values():
            shown = subscription["filter"]
            wanted = (shown["type"] == "account_reference"
                      or (shown["type"] == "service_reference" and shown["id"] == incident["_service"])
                      or (shown["type"] == "team_reference" and shown["id"] in team_ids))
            if subscription["active"] and event_type in subscription["events"] and wanted:
                event = event or self._event(event_type, "incident", agent_id, data)
                self._queue_delivery(subscription, event)

    def _incident_data(self, incident):
        """The ``incident`` object of a v3 event: references rather than the REST API's full incident."""
        path = "/incidents/%s" % incident["id"]
        priority = self.priorities.get(incident["_priority"]) if incident["_priority"] else None
        return {
            "id": incident["id"], "type": "incident", "self": API_BASE + path, "html_url": WEB_BASE + path,
            "number": incident["incident_number"], "status": incident["status"], "incident_key": incident["incident_key"],
            "created_at": incident["created_at"], "title": incident["title"], "urgency": incident["urgency"],
            "service": self.service_ref(incident["_service"]),
            "assignees": [self.user_ref(user_id) for user_id, _at in incident["_assignments"]],
            "escalation_policy": self.escalation_policy_ref(incident["_escalation_policy"]),
            "teams": [self.team_ref(team_id) for team_id in self.escalation_policies.get(
                incident["_escalation_policy"], {"_teams": []})["_teams"]],
            "priority": ({"id": priority["id"], "type": "priority_reference", "summary": priority["name"],
                          "self": API_BASE + "/priorities/" + priority["id"],
                          "html_url": WEB_BASE + "/account/incident_priorities"} if priority else None),
            "conference_bridge": None,
            "resolve_reason": None,
        }

    def _event(self, event_type, resource_type, agent_id, data):
        moment = self.now().astimezone(timezone.utc)
        return {"event": {
            "id": self.random.getrandbits(128).to_bytes(16, "big").hex(), "event_type": event_type,
            "resource_type": resource_type,
            "occurred_at": moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000),
            "agent": self.user_ref(agent_id) if agent_id else None, "client": None, "data": data,
        }}

    def _queue_delivery(self, subscription, event):
        """Sign and queue one delivery; the body is serialised now, so later changes cannot alter what is signed."""
        body = json.dumps(event).encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "X-PagerDuty-Signature": signature(subscription["_secret"], body),
                   "X-Webhook-Id": event["event"]["id"], "X-Webhook-Subscription": subscription["id"]}
        headers.update((header["name"], header["value"]) for header in subscription["delivery_method"]["custom_headers"])
        record = {"subscription": subscription["id"], "event_id": event["event"]["id"],
                  "event_type": event["event"]["event_type"], "url": subscription["delivery_method"]["url"],
                  "status": None, "error": None, "delivered": False}
        self.webhook_deliveries.append(record)
        self._webhook_queue.put((self._webhook_generation, record, body, headers))

    def _deliver_forever(self):
        while True:
            generation, record, body, headers = self._webhook_queue.get()
            if generation != self._webhook_generation:
                continue
            status, error = None, None
            try:
                status = post(record["url"], body, headers)
            except Exception as failure:  # pylint: disable=broad-except
                # A receiver that is down or slow is the receiver's problem; the simulator carries on.
                error = "%s: %s" % (type(failure).__name__, failure)
            with self.lock:
                record.update(status=status, error=error, delivered=True)

    def _control(self, request):
        """``GET /_sim/webhook_deliveries``: every delivery queued since the last reset, oldest first."""
        if request.method == "GET" and request.path.rstrip("/") == "/_sim/webhook_deliveries":
            with self.lock:
                return Reply(200, {"deliveries": [dict(record) for record in self.webhook_deliveries]})
        return super()._control(request)
