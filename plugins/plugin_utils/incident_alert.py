# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the incident_alert callback reports, and where it opens and resolves the incident.

The callback gathers failures while a playbook runs; this module turns them
into one bounded, redacted report and opens one incident for it (or resolves
the one a previous run opened) on PagerDuty's Events API, PagerDuty's REST API
or the ITSM desk.  Every request goes through the collection's shared clients,
with their retries and their redaction of secrets in error messages.
"""

import hashlib
import json
import os
import re
from collections import namedtuple
from types import SimpleNamespace

from ansible_collections.incident.ops.plugins.module_utils.client import redact
from ansible_collections.incident.ops.plugins.module_utils.itsm import api as itsm_api
from ansible_collections.incident.ops.plugins.module_utils.itsm import incidents as itsm_incidents
from ansible_collections.incident.ops.plugins.module_utils.pagerduty import api as pd_api
from ansible_collections.incident.ops.plugins.module_utils.pagerduty import events, incidents
from ansible_collections.incident.ops.plugins.module_utils.reconcile import create_once
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

HIDDEN = "(output hidden: no_log)"
MAX_MESSAGE = 500
MAX_TITLE = 250
MAX_TEXT = 16000
TARGETS = ("pagerduty_events", "pagerduty", "itsm")

Failure = namedtuple("Failure", "host task action message unreachable")


# The report --------------------------------------------------------------------------------------------------


def shorten(text, limit):
    """``text`` cut to ``limit`` characters, saying so, so that one chatty task cannot flood the incident."""
    text = str(text)
    return text if len(text) <= limit else text[:max(0, limit - 15)].rstrip() + " ...(truncated)"


def hidden(result, task_no_log=False):
    """True for a result Ansible hides: its task or item is no_log, or Ansible already censored it."""
    return bool(task_no_log or result.get("_ansible_no_log") or "censored" in result)


def result_message(result):
    """The words of one failed result: its ``msg`` (or ``reason``), with the end of ``stderr`` when there is one."""
    message = result.get("msg") or result.get("reason") or ""
    stderr = (result.get("stderr") or "").strip()
    if stderr and stderr not in str(message):
        message = "%s: %s" % (message, stderr[-300:]) if message else stderr[-300:]
    return str(message).strip()


def failure_message(result, task_no_log=False):
    """What a failed task said, never anything of a no_log result; a loop's failed items are named one by one."""
    if hidden(result, task_no_log):
        return HIDDEN
    items = [item for item in result.get("results") or [] if isinstance(item, dict) and item.get("failed")]
    words = [HIDDEN if hidden(item) else result_message(item) for item in items[:3]]
    message = result_message(result)
    if words:
        message = "%s: %s%s" % (message or "items failed", "; ".join(words), "; ..." if len(items) > 3 else "")
    return shorten(message or "(no message)", MAX_MESSAGE)


def source_name(source, cwd):
    """A playbook or inventory source as the key sees it: an absolute path when it is a file or folder, else as given."""
    path = os.path.join(cwd, source)
    return os.path.normpath(path) if os.path.exists(path) else source


def alert_key(playbooks, inventories, extra=None):
    """The de-duplication key of a run: the same playbooks on the same inventories (and ``extra``) give the same key.

    It is readable (the first playbook's name) and short (a digest of the
    rest), so that one key is both the PagerDuty ``dedup_key`` / ``incident_key``
    and part of the ITSM subject a later run searches for.
    """
    identity = json.dumps({"playbooks": list(playbooks), "inventories": sorted(inventories), "key": extra or None},
                          sort_keys=True)
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    name = playbook_name(playbooks)
    name = re.sub(r"[^A-Za-z0-9]+", "-", os.path.splitext(name)[0]).strip("-")[:60] or "playbook"
    return "ansible-%s-%s" % (name, digest)


def playbook_name(playbooks):
    return os.path.basename(playbooks[0]) if playbooks else "ad-hoc run"


class Report:
    """One failed run: where it ran, which hosts failed and why, at most ``max_failures`` failures in detail.

    Whatever it gives to send has every value of ``secrets`` replaced, should a
    task's message have quoted one.
    """

    def __init__(self, key, playbooks, inventories, failures, failed_hosts, unreachable_hosts, max_failures=20, secrets=()):
        self.key = key
        self.playbooks = list(playbooks)
        self.inventories = list(inventories)
        self.failures = list(failures)
        self.failed_hosts = sorted(failed_hosts)
        self.unreachable_hosts = sorted(unreachable_hosts)
        self.max_failures = max_failures
        self.secrets = [secret for secret in secrets if secret]

    @property
    def title(self):
        """The same for every failing run with this key: the ITSM desk finds the open incident by it."""
        return redact(title_for(self.key, self.playbooks), self.secrets)

    def shown(self):
        return self.failures[:self.max_failures]

    def headline(self):
        parts = []
        if self.failed_hosts:
            parts.append("%d failed (%s)" % (len(self.failed_hosts), ", ".join(self.failed_hosts[:10])))
        if self.unreachable_hosts:
            parts.append("%d unreachable (%s)" % (len(self.unreachable_hosts), ", ".join(self.unreachable_hosts[:10])))
        return "Hosts: %s" % "; ".join(parts)

    def text(self):
        """The incident's description, plain text, at most ``MAX_TEXT`` characters."""
        lines = [self.headline(), "Playbook: %s" % ", ".join(self.playbooks),
                 "Inventory: %s" % ", ".join(self.inventories), "Alert key: %s" % self.key, "", "Failed tasks:"]
        for failure in self.shown():
            state = "UNREACHABLE: " if failure.unreachable else ""
            lines.append("- [%s] %s (%s): %s%s" % (failure.host, failure.task, failure.action, state, failure.message))
        if len(self.failures) > self.max_failures:
            lines.append("... and %d more" % (len(self.failures) - self.max_failures))
        return shorten(redact("\n".join(lines), self.secrets), MAX_TEXT)

    def details(self):
        """The same facts as a mapping, for PagerDuty's ``custom_details``."""
        details = {"playbooks": self.playbooks, "inventories": self.inventories, "alert_key": self.key,
                   "failed_hosts": self.failed_hosts, "unreachable_hosts": self.unreachable_hosts,
                   "failures": [dict(failure._asdict()) for failure in self.shown()]}
        if len(self.failures) > self.max_failures:
            details["more_failures"] = len(self.failures) - self.max_failures
        return redacted(details, self.secrets)


def title_for(key, playbooks):
    return shorten("Ansible playbook %s failed [%s]" % (playbook_name(playbooks), key), MAX_TITLE)


def redacted(value, secrets):
    """``value`` with every secret replaced, at any depth of dicts and lists."""
    if isinstance(value, dict):
        return dict((key, redacted(item, secrets)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [redacted(item, secrets) for item in value]
    if isinstance(value, str):
        return redact(value, secrets)
    return value


# Where the incident goes ---------------------------------------------------------------------------------------


def target_kind(options):
    """The configured target, or the one the options imply: a routing key, a PagerDuty service, an ITSM requester."""
    if options.get("target"):
        return options["target"]
    if options.get("routing_key"):
        return "pagerduty_events"
    if options.get("pagerduty_service"):
        return "pagerduty"
    if options.get("itsm_url"):
        return "itsm"
    raise InvalidInput("set target (or routing_key, pagerduty_service or itsm_url) in the [callback_incident_alert] "
                       "section of ansible.cfg or the INCIDENT_ALERT_* environment variables")


def check_options(options):
    """Refuse an incomplete configuration before any playbook task runs; returns the target kind."""
    kind = target_kind(options)
    needed = {"pagerduty_events": ("routing_key",),
              "pagerduty": ("pagerduty_service", "pagerduty_api_token", "pagerduty_from_email"),
              "itsm": ("itsm_url",)}[kind]
    missing = [name for name in needed if not options.get(name)]
    if missing:
        raise InvalidInput("target %s needs %s" % (kind, ", ".join(missing)))
    if kind == "pagerduty_events":
        events.check_routing_key(options["routing_key"])
    if kind == "itsm" and not requester(options):
        raise InvalidInput("target itsm needs itsm_requester_email (or an itsm_username that is an email)")
    return kind


def requester(options):
    """The desk's requester of the incident: the configured one, else the desk user when it is an email."""
    user = options.get("itsm_username") or ""
    return options.get("itsm_requester_email") or (user if "@" in user else None)


def connection(options, prefix, names):
    """The params a ``connect`` function reads, from the callback's options (``prefix``-ed where they are per service)."""
    params = dict((name, options.get(prefix + name)) for name in names)
    params.update((name, options.get(name)) for name in ("validate_certs", "ca_path", "timeout", "max_retries"))
    return params


def connect(options, source):
    """The target the options name, connected (no request is made yet); ``source`` names the controller for events."""
    kind = check_options(options)
    if kind == "pagerduty_events":
        params = connection(options, "", ("routing_key", "events_url"))
        return EventsTarget(events.connect_events(params), options.get("severity") or "error", source)
    if kind == "pagerduty":
        params = connection(options, "pagerduty_", ("api_url", "api_token", "from_email"))
        api = pd_api.connect(SimpleNamespace(params=params, check_mode=False))
        return RestTarget(api, options["pagerduty_service"], options.get("urgency"))
    params = connection(options, "itsm_", ("url", "api_key", "client_id", "client_secret", "username", "password",
                                           "api_prefix"))
    return ItsmTarget(itsm_api.connect(SimpleNamespace(params=params, check_mode=False)), requester(options))


class EventsTarget:
    """An alert on the Events API: PagerDuty itself folds a trigger with an open ``dedup_key`` into the open incident."""

    def __init__(self, sender, severity, source):
        self.sender = sender
        self.severity = severity
        self.source = source

    def open(self, report):
        payload = {"summary": report.title, "source": self.source, "severity": self.severity,
                   "component": playbook_name(report.playbooks), "group": "ansible", "class": "playbook failure",
                   "custom_details": report.details()}
        answer = self.sender.send({"event_action": "trigger", "dedup_key": report.key, "payload": payload})
        return "sent a trigger event with dedup_key %s" % (answer or {}).get("dedup_key", report.key)

    def resolve(self, key, title):
        """A resolve of a key no open alert holds changes nothing at PagerDuty, so it is sent without looking first."""
        self.sender.send({"event_action": "resolve", "dedup_key": key})
        return "sent a resolve event for dedup_key %s" % key


class OpenIncident(pd_api.ApiObject):
    """The open PagerDuty incident holding the run's ``incident_key``; created with the ``From`` header."""

    collection = "incidents"
    key = "incident"

    def __init__(self, api, incident_key):
        super().__init__(api)
        self.incident_key = incident_key

    def lookup(self):
        found = incidents.by_key(self.api, self.incident_key)
        return found if found is not None and found.get("status") in incidents.OPEN else None

    def create_headers(self):
        return self.api.acting_user()


class RestTarget:
    """An incident opened with ``POST /incidents`` on a service, unless one holding the key is open already."""

    def __init__(self, api, service, urgency):
        self.api = api
        self.service = service
        self.urgency = urgency

    def open(self, report):
        resource = OpenIncident(self.api, report.key)
        current = resource.look()
        if current is not None:
            return "incident %s is open for this run already" % current["id"]
        body = {"title": report.title, "incident_key": report.key, "body": {"type": "incident_body", "details": report.text()},
                "service": pd_api.reference("service", incidents.require_services(self.api, [self.service])[0])}
        if self.urgency:
            body["urgency"] = self.urgency
        return "opened incident %s" % create_once(resource, body)[0]["id"]

    def resolve(self, key, title):
        current = OpenIncident(self.api, key).lookup()
        if current is None:
            return None
        incidents.bulk_update(self.api, [current["id"]], {"status": "resolved", "resolution": "A later run succeeded."})
        return "resolved incident %s" % current["id"]


class ItsmTarget:
    """An incident at the desk, found again as the open one with the run's subject and requester (as itsm_incident does)."""

    def __init__(self, api, requester_email):
        self.api = api
        self.requester_email = requester_email

    def incident(self, title):
        return itsm_incidents.Incident(self.api, subject=title, requester_email=self.requester_email)

    def open(self, report):
        incident = self.incident(report.title)
        current = incident.look()
        if current is not None:
            return "desk incident %s is open for this run already" % current.get("id")
        created = create_once(incident, {"subject": report.title, "description": report.text(),
                                         "requester_email": self.requester_email})[0]
        return "opened desk incident %s" % created.get("id")

    def resolve(self, key, title):
        incident = self.incident(title)
        current = incident.look()
        if current is None:
            return None
        self.api.update_incident(current["id"], incident.body({"status": "resolved"}))
        return "resolved desk incident %s" % current["id"]
