#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_incident_info
short_description: List PagerDuty incidents, with their notes and alerts
version_added: 0.1.0
description:
  - Return one incident by id, the incidents that held an incident_key, or the incidents matching statuses, services,
    urgencies and a creation time range, optionally each with its notes and alerts.
  - Without O(since) or O(until), incidents of any age are listed (PagerDuty's own default is the last 30 days).
author:
  - incident.ops maintainers (@incident-ops)
options:
  id:
    description:
      - Return only the incident with this id (or number); an empty list when there is none.
    type: str
  incident_key:
    description:
      - Return the incidents that have this incident_key (PagerDuty's de-duplication key), open or resolved.
    type: str
  statuses:
    description:
      - Return only incidents with these statuses.
    type: list
    elements: str
    choices: [triggered, acknowledged, resolved]
  services:
    description:
      - Return only incidents of these services (exact names); an unknown name fails the task.
    type: list
    elements: str
  urgencies:
    description:
      - Return only incidents with these urgencies.
    type: list
    elements: str
    choices: [high, low]
  since:
    description:
      - Return only incidents created at or after this ISO 8601 date-time (with an offset, such as C(Z)).
    type: str
  until:
    description:
      - Return only incidents created before this ISO 8601 date-time (with an offset).
      - PagerDuty lists at most six months at once; a longer O(since) to O(until) range is read in pieces of
        180 days, each listed to its end.
    type: str
  include_notes:
    description:
      - Add each incident's notes under C(notes) (one more request per incident).
    type: bool
    default: false
  include_alerts:
    description:
      - Add each incident's alerts under C(alerts) (one more request per incident and page of alerts).
    type: bool
    default: false
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - A listing reads every page (C(GET /incidents), 100 per page) and includes the assignees' user objects.
  - With only one of O(since) and O(until), PagerDuty applies its own limit and answers a range over six months
    with an error naming it.
seealso:
  - module: incident.ops.pd_incident
  - module: incident.ops.pd_event
"""

EXAMPLES = r"""
# These tasks run top to bottom on an account where none of their objects exist yet.
# They take their connection from the play, once for every incident.ops PagerDuty module:
#
#   module_defaults:
#     group/incident.ops.pagerduty:
#       api_token: "{{ vault_pagerduty_token }}"
#       from_email: you@example.com  # the login email of an existing user of the account

- name: Create the user who is paged
  incident.ops.pd_user:
    email: ada@example.com
    name: Ada Lovelace

- name: Page her first
  incident.ops.pd_escalation_policy:
    name: Payments escalation
    rules:
      - escalation_delay_in_minutes: 30
        targets:
          - type: user
            name: ada@example.com

- name: Create the service the incident is about
  incident.ops.pd_service:
    name: Checkout
    escalation_policy: Payments escalation

- name: Open the failover incident
  incident.ops.pd_incident:
    incident_key: db-failover-2026-01
    title: Primary database failover in progress
    service: Checkout
    urgency: high
    note: Failover runbook running.

- name: Read the failover incident with its notes and alerts
  incident.ops.pd_incident_info:
    incident_key: db-failover-2026-01
    include_notes: true
    include_alerts: true
  register: failover

- name: List the open high-urgency incidents of the checkout service
  incident.ops.pd_incident_info:
    services: [Checkout]
    statuses: [triggered, acknowledged]
    urgencies: [high]
  register: open_checkout

- name: List the incidents of last year's first half
  incident.ops.pd_incident_info:
    since: "2025-01-01T00:00:00Z"
    until: "2025-07-01T00:00:00Z"
  register: first_half
"""

RETURN = r"""
incidents:
  description: The incidents found, as PagerDuty returns them, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The incident's id.
      type: str
    incident_number:
      description: The incident's number.
      type: int
    incident_key:
      description: The incident's de-duplication key.
      type: str
    title:
      description: The incident's title.
      type: str
    status:
      description: V(triggered), V(acknowledged) or V(resolved).
      type: str
    urgency:
      description: V(high) or V(low).
      type: str
    created_at:
      description: When the incident was opened.
      type: str
    service:
      description: A reference to the incident's service.
      type: dict
    assignments:
      description: Who the incident is assigned to, each with C(assignee) (a user, with its C(email)) and C(at).
      type: list
      elements: dict
    notes:
      description: The incident's notes (C(content), C(user), C(created_at)), oldest first.
      type: list
      elements: dict
      returned: when O(include_notes=true)
    alerts:
      description: The incident's alerts (C(alert_key), C(severity), C(status), C(summary), C(body)).
      type: list
      elements: dict
      returned: when O(include_alerts=true)
  sample:
    - id: PT4KHLK
      incident_number: 1234
      incident_key: db-failover-2026-01
      title: Primary database failover in progress
      status: resolved
      urgency: high
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options, timestamps
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty import incidents
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    id=dict(type="str"),
    incident_key=dict(type="str", no_log=False),
    statuses=dict(type="list", elements="str", choices=["triggered", "acknowledged", "resolved"]),
    services=dict(type="list", elements="str"),
    urgencies=dict(type="list", elements="str", choices=["high", "low"]),
    since=dict(type="str"),
    until=dict(type="str"),
    include_notes=dict(type="bool", default=False),
    include_alerts=dict(type="bool", default=False),
)
MUTUALLY_EXCLUSIVE = [("id", "incident_key")]


def filters(api, params):
    """The query of ``GET /incidents`` for the task's filters (service names resolved to ids)."""
    query = {"include[]": list(incidents.INCLUDE)}
    for option, name in (("statuses", "statuses[]"), ("urgencies", "urgencies[]")):
        if params[option]:
            query[name] = params[option]
    if params["services"]:
        query["service_ids[]"] = incidents.require_services(api, params["services"])
    if params["incident_key"]:
        query["incident_key"] = params["incident_key"]
    return query


def ranges(params):
    """The ``since``/``until`` pieces to list: all time, one open end, or the range split under six months."""
    since, until = params["since"], params["until"]
    if since and until:
        return [{"since": start, "until": stop} for start, stop in incidents.windows(since, until)]
    if since or until:
        return [{key: timestamps.canonical(value, key) for key, value in (("since", since), ("until", until)) if value}]
    return [{"date_range": "all"}]


def find_incidents(api, params):
    if params["id"]:
        found = incidents.by_id(api, params["id"])
        return [found] if found else []
    query = filters(api, params)
    found = []
    for piece in ranges(params):
        found.extend(api.list("incidents", dict(query, **piece)))
    return found


def with_details(api, incident, params):
    extra = {}
    if params["include_notes"]:
        extra["notes"] = incidents.notes(api, incident)
    if params["include_alerts"]:
        extra["alerts"] = incidents.alerts(api, incident)
    return dict(incident, **extra)


def run(module, api):
    params = module.params
    return False, [with_details(api, incident, params) for incident in find_incidents(api, params)], None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "incidents")


if __name__ == "__main__":
    main()
