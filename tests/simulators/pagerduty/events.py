"""PagerDuty's Events API v2 (``events.pagerduty.com``), served on its own port over the REST simulator's account.

An event names an integration by its ``routing_key`` (the integration key of
a service's events integration).  A trigger opens an alert and, unless an
open incident of that service already holds the ``dedup_key``, an incident
whose ``incident_key`` is the ``dedup_key``; acknowledge and resolve act on
that incident; a key with no open incident is accepted and changes nothing,
as PagerDuty does.  Change events are accepted and kept.  Answers are 202
``{"status", "message", "dedup_key"}``, 400 ``{"status": "invalid event",
"message", "errors"}`` and, over the rate limit, 429 ``throttle event``.
"""

from __future__ import annotations

import json
import re

from simulators.core import Reply, Simulator, route

from .common import iso, parse_time, reference

SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")
ROUTING_KEY_LENGTH = 32
MAX_DEDUP_KEY = 255
MAX_SUMMARY = 1024
INVALID_EVENT = "Event object is invalid"


class InvalidEvent(Exception):
    """An event the Events API refuses with 400; ``errors`` lists every problem found."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


def _text(body, key):
    value = body.get(key)
    return value if isinstance(value, str) else None


def routing_key_errors(body):
    key = body.get("routing_key")
    if not isinstance(key, str) or not key:
        return ["'routing_key' is missing or blank"]
    errors = []
    if len(key) != ROUTING_KEY_LENGTH:
        errors.append("Length of 'routing_key' is incorrect (should be %d characters)" % ROUTING_KEY_LENGTH)
    if not re.match(r"^[A-Za-z0-9]+$", key):
        errors.append("'routing_key' cannot contain non-alphanumeric characters.")
    return errors


def payload_errors(payload, required):
    """What is wrong with a trigger's or a change event's ``payload``; ``required`` names its mandatory fields."""
    if not isinstance(payload, dict):
        return ["'payload' is missing or not an object"]
    errors = ["'payload.%s' is missing or blank" % field for field in required if not _text(payload, field)]
    if len(payload.get("summary") or "") > MAX_SUMMARY:
        errors.append("'payload.summary' is longer than %d characters" % MAX_SUMMARY)
    if "severity" in required and _text(payload, "severity") and payload["severity"] not in SEVERITIES:
        errors.append("'payload.severity' must be one of %s" % ", ".join(SEVERITIES))
    if payload.get("timestamp") is not None:
        try:
            parse_time(payload["timestamp"], "payload.timestamp")
        except Exception:  # pylint: disable=broad-except
            errors.append("'payload.timestamp' is not an ISO 8601 date-time")
    if payload.get("custom_details") is not None and not isinstance(payload["custom_details"], (dict, str)):
        errors.append("'payload.custom_details' must be an object or a string")
    return errors


def alert_event_errors(body):
    errors = routing_key_errors(body)
    action = body.get("event_action")
    if action not in ACTIONS:
        errors.append("'event_action' must be one of %s" % ", ".join(ACTIONS))
    dedup_key = body.get("dedup_key")
    if dedup_key is not None and (not isinstance(dedup_key, str) or len(dedup_key) > MAX_DEDUP_KEY):
        errors.append("'dedup_key' must be a string of at most %d characters" % MAX_DEDUP_KEY)
    if action in ("acknowledge", "resolve") and not dedup_key:
        errors.append("'dedup_key' is required to %s an alert" % action)
    if action == "trigger":
        errors.extend(payload_errors(body.get("payload"), ("summary", "source", "severity")))
    for key in ("links", "images"):
        if body.get(key) is not None and not isinstance(body[key], list):
            errors.append("'%s' must be an array" % key)
    return errors


class PagerDutyEventsSimulator(Simulator):
    """The Events API v2, acting on the account of ``rest`` (a ``PagerDutySimulator``), under its lock."""

    name = "pagerduty_events"

    def __init__(self, rest, latency_ms=0, rate_limit=0):
        self.rest = rest
        super().__init__(latency_ms=latency_ms, rate_limit=rate_limit)

    def reset(self):
        """The account is the REST simulator's: a reset on either port resets it."""
        with self.rest.lock:
            self.rest.reset()

    @staticmethod
    def connection_options(url):
        """pd_event's option for this server: ``events_url`` (routing keys belong to the integrations tests create)."""
        return {"events_url": url}

    # Vendor shapes ---------------------------------------------------------------------

    def error_reply(self, error):
        return Reply(error.status, {"status": "invalid event", "message": error.message, "errors": [error.message]})

    def rate_key(self, request):
        """PagerDuty throttles per routing key."""
        try:
            return str(json.loads(request.body.decode("utf-8")).get("routing_key"))
        except (ValueError, UnicodeDecodeError, AttributeError):
            return "unparsed"

    def rate_limited_reply(self, reset_seconds):
        return Reply(429, {"status": "throttle event",
                           "message": "Requests for this service are arriving too quickly. Please retry later."},
                     {"Retry-After": str(reset_seconds)})

    @staticmethod
    def invalid(errors):
        return Reply(400, {"status": "invalid event", "message": INVALID_EVENT, "errors": errors})

    def _body(self, request):
        try:
            body = json.loads(request.body.decode("utf-8")) if request.body else None
        except (ValueError, UnicodeDecodeError):
            raise InvalidEvent(["The request body is not valid JSON"]) from None
        if not isinstance(body, dict):
            raise InvalidEvent(["The event must be a JSON object"])
        return body

    def _integration(self, routing_key):
        """The events integration that owns ``routing_key``; an unknown key is refused as PagerDuty does."""
        for integration in self.rest.integrations.values():
            if integration.get("integration_key") == routing_key:
                return integration
        raise InvalidEvent(["Invalid routing key"])

    # Alert events -------------------------------------------------------------------------

    @route("POST", "/v2/enqueue")
    def enqueue(self, request):
        try:
            body = self._body(request)
            errors = alert_event_errors(body)
            if errors:
                raise InvalidEvent(errors)
            with self.rest.lock:
                integration = self._integration(body["routing_key"])
                dedup_key = body.get("dedup_key") or self.rest.random.getrandbits(128).to_bytes(16, "big").hex()
                service = self.rest.services[integration["_service"]]
                getattr(self, "_" + body["event_action"])(service, integration, dedup_key, body)
        except InvalidEvent as error:
            return self.invalid(error.errors)
        return Reply(202, {"status": "success", "message": "Event processed", "dedup_key": dedup_key})

    def _trigger(self, service, integration, dedup_key, body):
        """A new alert opens an incident; a trigger for a key that is open is de-duplicated into it."""
        if self.rest.open_incident_with_key(service["id"], dedup_key) is not None:
            return
        payload = body["payload"]
        incident = self.rest.open_incident(service, payload["summary"], dedup_key, None)
        now = self.rest.now()
        incident["_alerts"] = 1
        incident["_alert_records"].append({
            "id": self.rest.new_id(), "type": "alert", "summary": payload["summary"], "severity": payload["severity"],
            "status": "triggered", "alert_key": dedup_key, "created_at": iso(now), "suppressed": False,
            "service": self.rest.service_ref(service["id"]), "incident": self.rest.incident_ref(incident),
            "integration": reference(integration["type"], integration["id"], integration["name"],
                                     "/services/%s/integrations/%s" % (service["id"], integration["id"])),
            "body": {"type": "alert_body", "contexts": list(body.get("links") or []) + list(body.get("images") or []),
                     "details": payload.get("custom_details") or {}},
        })

    def _acknowledge(self, service, integration, dedup_key, body):  # pylint: disable=unused-argument
        incident = self.rest.open_incident_with_key(service["id"], dedup_key)
        if incident is not None and incident["status"] != "acknowledged":
            self.rest.set_status_by_event(incident, "acknowledged")

    def _resolve(self, service, integration, dedup_key, body):  # pylint: disable=unused-argument
        incident = self.rest.open_incident_with_key(service["id"], dedup_key)
        if incident is not None:
            for alert in incident["_alert_records"]:
                alert.update(status="resolved", resolved_at=iso(self.rest.now()))
            self.rest.set_status_by_event(incident, "resolved")

    # Change events -------------------------------------------------------------------------

    @route("POST", "/v2/change/enqueue")
    def enqueue_change(self, request):
        try:
            body = self._body(request)
            errors = routing_key_errors(body) + payload_errors(body.get("payload"), ("summary",))
            if errors:
                raise InvalidEvent(errors)
            with self.rest.lock:
                integration = self._integration(body["routing_key"])
                self.rest.change_events.append({
                    "id": self.rest.new_id(), "summary": body["payload"]["summary"],
                    "source": body["payload"].get("source"), "custom_details": body["payload"].get("custom_details"),
                    "timestamp": body["payload"].get("timestamp") or iso(self.rest.now()),
                    "links": list(body.get("links") or []), "service": integration["_service"]})
        except InvalidEvent as error:
            return self.invalid(error.errors)
        return Reply(202, {"status": "success", "message": "Change event processed"})
