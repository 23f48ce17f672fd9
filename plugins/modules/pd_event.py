#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_event
short_description: Send PagerDuty alert and change events (Events API v2)
version_added: 0.1.0
description:
  - Trigger, acknowledge or resolve an alert, or record a change (a deploy, a config push), on the PagerDuty service
    whose Events API v2 integration has O(routing_key).
  - A trigger opens an alert and an incident whose C(incident_key) is the O(dedup_key); acknowledge and resolve act on
    that incident.
  - When O(api_token) is set too (as C(module_defaults) for C(group/incident.ops.pagerduty) set it), the module first
    looks for the incident holding O(dedup_key) through the REST API and sends nothing when the event would change
    nothing. The other connection options of the group are accepted and unused.
author:
  - incident.ops maintainers (@incident-ops)
options:
  routing_key:
    description:
      - The integration key (32 letters and digits) of the service's Events API v2 integration.
      - Required. If not set, the value of the E(PAGERDUTY_ROUTING_KEY) environment variable is used; a task that has
        neither fails, naming both.
    type: str
  events_url:
    description:
      - Base URL of the Events API.
      - If not set, the value of the E(PAGERDUTY_EVENTS_URL) environment variable is used.
    type: str
    default: https://events.pagerduty.com
  api_token:
    description:
      - A PagerDuty REST API token. Optional here; when set, the incident holding O(dedup_key) is looked up so that an
        event that would change nothing is not sent.
      - If not set, the value of the E(PAGERDUTY_TOKEN) environment variable is used.
    type: str
    required: false
  event_action:
    description:
      - V(trigger) opens an alert, V(acknowledge) and V(resolve) act on the alert of O(dedup_key), V(change) records a
        change event.
    type: str
    choices: [trigger, acknowledge, resolve, change]
    default: trigger
  dedup_key:
    description:
      - The alert's de-duplication key; required to acknowledge or resolve. A trigger without one gets a new key from
        PagerDuty (returned), and opens a new alert on every run.
    type: str
  summary:
    description:
      - What happened, as the alert or change is titled (at most 1024 characters). Required for V(trigger) and V(change).
    type: str
  source:
    description:
      - Where it happened (a host name, a service). Required for V(trigger).
    type: str
  severity:
    description:
      - How bad it is. Required for V(trigger).
    type: str
    choices: [critical, error, warning, info]
  component:
    description:
      - The part of the source that is affected.
    type: str
  group:
    description:
      - A logical grouping of components.
    type: str
  event_class:
    description:
      - The class or type of the event.
    type: str
    aliases: [class]
  custom_details:
    description:
      - Free-form details shown with the alert or change.
    type: dict
  links:
    description:
      - Links shown with the alert or change, each with C(href) and optional C(text).
    type: list
    elements: dict
  images:
    description:
      - Images shown with the alert, each with C(src) and optional C(href) and C(alt).
    type: list
    elements: dict
  timestamp:
    description:
      - When it happened, an ISO 8601 date-time with an offset; PagerDuty uses the time of receipt when unset.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - "What is idempotent: with O(api_token) set and a O(dedup_key), a V(trigger) whose key is held by an open incident,
    an V(acknowledge) of an incident already acknowledged, and an V(acknowledge) or V(resolve) of a key that no open
    incident holds are not sent and report C(changed=false). That costs one REST request (C(GET /incidents?incident_key=))."
  - "What is not: without O(api_token) the module cannot know and always sends the event (C(changed=true)); PagerDuty
    still de-duplicates a trigger of an open O(dedup_key) into the same alert, so nobody is paged twice. A V(trigger)
    without O(dedup_key) opens a new alert each run, and every V(change) event is recorded again each run."
  - The key is matched against incidents of the whole account; an incident opened through another integration with the
    same key counts as open.
  - In check mode nothing is sent; the result holds the event that would be sent.
  - O(from_email) and the other REST options are accepted so that the module runs under the group's C(module_defaults).
seealso:
  - module: incident.ops.pd_incident
  - module: incident.ops.pd_incident_info
  - name: PagerDuty Events API v2
    description: The API this module calls.
    link: https://developer.pagerduty.com/docs/events-api-v2-overview
"""

EXAMPLES = r"""
- name: Page the checkout team about a full disk (once, while it stays open)
  incident.ops.pd_event:
    routing_key: "{{ checkout_routing_key }}"
    dedup_key: db-1-disk
    summary: Disk on db-1 is 95% full
    source: db-1.example.com
    severity: critical
    component: postgres
    custom_details:
      free_bytes: 1073741824
    links:
      - href: https://grafana.example.com/d/db-1
        text: Disk dashboard
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"

- name: Resolve it after the cleanup
  incident.ops.pd_event:
    routing_key: "{{ checkout_routing_key }}"
    event_action: resolve
    dedup_key: db-1-disk

- name: Record the deploy as a change event
  incident.ops.pd_event:
    routing_key: "{{ checkout_routing_key }}"
    event_action: change
    summary: Deployed checkout 2.4.1
    source: ci
    custom_details:
      commit: 3f2a9c1
"""

RETURN = r"""
event:
  description: What was sent (or, in check mode or when nothing needed sending, what would have been) and PagerDuty's answer.
  returned: success
  type: dict
  contains:
    sent:
      description: Whether the event was sent.
      type: bool
    body:
      description: The event, without the routing key.
      type: dict
    dedup_key:
      description: The alert's de-duplication key (the one given, or the one PagerDuty chose for a trigger).
      type: str
      returned: for alert events, when known
    status:
      description: PagerDuty's status word, V(success).
      type: str
      returned: when sent
    message:
      description: PagerDuty's message, such as C(Event processed).
      type: str
      returned: when sent
    incident:
      description: The incident holding O(dedup_key), when it was looked up (O(api_token) set).
      type: dict
      returned: when looked up and found
  sample:
    sent: true
    dedup_key: db-1-disk
    status: success
    message: Event processed
    body:
      event_action: trigger
      dedup_key: db-1-disk
      payload: {summary: Disk on db-1 is 95% full, source: db-1.example.com, severity: critical}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options, timestamps
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty import events, incidents
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect as connect_rest
from ansible_collections.incident.ops.plugins.module_utils.reconcile import without_none
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

# The PagerDuty table, so that the group's module_defaults apply, with the token optional, and the Events API's own.
CONNECTION = dict(options.PAGERDUTY, api_token=dict(options.PAGERDUTY["api_token"], required=False), **{
    "routing_key": {"type": "str", "required": True, "no_log": True, "env": "PAGERDUTY_ROUTING_KEY"},
    "events_url": {"type": "str", "default": "https://events.pagerduty.com", "env": "PAGERDUTY_EVENTS_URL"},
})
ARGUMENT_SPEC = options.argument_spec(
    CONNECTION,
    event_action=dict(type="str", choices=["trigger", "acknowledge", "resolve", "change"], default="trigger"),
    dedup_key=dict(type="str", no_log=False),
    summary=dict(type="str"),
    source=dict(type="str"),
    severity=dict(type="str", choices=list(events.SEVERITIES)),
    component=dict(type="str"),
    group=dict(type="str"),
    event_class=dict(type="str", aliases=["class"]),
    custom_details=dict(type="dict"),
    links=dict(type="list", elements="dict"),
    images=dict(type="list", elements="dict"),
    timestamp=dict(type="str"),
)
ALERT_ONLY = ("dedup_key", "severity", "component", "group", "event_class", "images")


class Connections:
    """The Events API client, and the REST client when a token lets the module look before it sends."""

    def __init__(self, sender, rest):
        self.events = sender
        self.rest = rest


def connect(module):
    options.require(module.params, CONNECTION)
    rest = connect_rest(module) if module.params["api_token"] else None
    return Connections(events.connect_events(module.params), rest)


def check_input(params):
    action = params["event_action"]
    if action == "change":
        given = [name for name in ALERT_ONLY if params[name] is not None]
        if given:
            raise InvalidInput("A change event has no %s" % ", ".join(given))
        required = ("summary",)
    elif action == "trigger":
        required = ("summary", "source", "severity")
    else:
        required = ("dedup_key",)
    missing = [name for name in required if not params[name]]
    if missing:
        raise InvalidInput("event_action=%s needs %s" % (action, ", ".join(missing)))


def event_body(params):
    """The event as the Events API takes it, without the routing key (the client adds it)."""
    action = params["event_action"]
    payload = without_none({"summary": params["summary"], "source": params["source"], "severity": params["severity"],
                            "component": params["component"], "group": params["group"], "class": params["event_class"],
                            "custom_details": params["custom_details"],
                            "timestamp": timestamps.canonical(params["timestamp"], "timestamp")})
    body = {"payload": payload, "links": params["links"]}
    if action != "change":
        body.update(event_action=action, dedup_key=params["dedup_key"], images=params["images"])
        if action != "trigger":
            body.pop("payload")
    return without_none(body)


def needless(action, incident):
    """True when PagerDuty would change nothing: the key's incident already is where the event would take it."""
    live = incident is not None and incident["status"] in incidents.OPEN
    if action == "trigger":
        return live
    if action == "acknowledge":
        return not live or incident["status"] == "acknowledged"
    return not live


def run(module, api):
    params = module.params
    check_input(params)
    action = params["event_action"]
    body = event_body(params)
    result = without_none({"sent": False, "body": body, "dedup_key": params["dedup_key"]})
    if api.rest is not None and params["dedup_key"] and action != "change":
        incident = incidents.by_key(api.rest, params["dedup_key"])
        if incident is not None:
            result["incident"] = incident
        if needless(action, incident):
            return False, result, {"before": {}, "after": {}}
    diff = {"before": {}, "after": body}
    if module.check_mode:
        return True, result, diff
    answer = api.events.send_change(body) if action == "change" else api.events.send(body)
    result.update(without_none({"sent": True, "status": answer.get("status"), "message": answer.get("message"),
                                "dedup_key": answer.get("dedup_key")}))
    return True, result, diff


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "event")


if __name__ == "__main__":
    main()
