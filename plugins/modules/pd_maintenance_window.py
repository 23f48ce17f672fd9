#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_maintenance_window
short_description: Open, move or end PagerDuty maintenance windows
version_added: 0.1.0
description:
  - Open a maintenance window on PagerDuty services, during which they create no incidents, from O(start) to O(end) or
    for O(duration_minutes) from now; move it; or end it.
  - A window is identified by its services and its description among the windows that are ongoing or still to come,
    so running the task again does not open a second window.
  - Every service is looked up before the window is created; an unknown one fails the task with nothing written.
author:
  - incident.ops maintainers (@incident-ops)
options:
  services:
    description:
      - The exact names of the services the window applies to; their order does not matter. Part of the identity.
    type: list
    elements: str
    required: true
  description:
    description:
      - What the window is for. Part of the identity, so two windows on the same services need two descriptions.
    type: str
    required: true
  start:
    description:
      - When the window starts, as an ISO 8601 date-time with a UTC offset. Defaults to now.
      - A start in the past is now; PagerDuty does the same.
    type: str
  end:
    description:
      - When the window ends, as an ISO 8601 date-time with a UTC offset; it must be later than the start and in the
        future. O(end) or O(duration_minutes) is required with O(state=present).
    type: str
  duration_minutes:
    description:
      - Open the window now, for this many minutes.
      - When the window already exists, it is left as it is, so a re-run does not extend it.
    type: int
  state:
    description:
      - V(present) opens the window or moves an existing one to O(start) and O(end).
      - V(absent) ends an ongoing window and deletes a future one; a window that has ended is left alone.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - The window is found with one request (C(GET /maintenance_windows?filter=open&query=<description>)), so a run that
    changes nothing makes that one request. The services are compared by their names in the window's references.
  - PagerDuty needs O(from_email) (or C(PAGERDUTY_FROM)) to create a window.
  - The window's teams are those of its services' escalation policies; PagerDuty derives them and does not take them.
  - While a window is ongoing, its start is not compared with O(start) when both are in the past, since PagerDuty
    moves a start in the past to the moment the window was opened.
seealso:
  - module: incident.ops.pd_maintenance_window_info
  - module: incident.ops.pd_service
  - name: PagerDuty Maintenance Windows API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
- name: Make sure the team exists
  incident.ops.pd_team:
    name: Payments
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"
      from_email: admin@example.com

- name: Page the team lead
  incident.ops.pd_escalation_policy:
    name: Payments escalation
    teams: [Payments]
    rules:
      - escalation_delay_in_minutes: 30
        targets:
          - type: user
            name: admin@example.com

- name: Make sure the service exists
  incident.ops.pd_service:
    name: Payments API
    escalation_policy: Payments escalation

- name: Silence the service during the database upgrade
  incident.ops.pd_maintenance_window:
    services: [Payments API]
    description: Database upgrade
    start: "2030-03-01T22:00:00Z"
    end: "2030-03-02T01:00:00Z"

- name: Silence it for the next hour while deploying
  incident.ops.pd_maintenance_window:
    services: [Payments API]
    description: Deploy
    duration_minutes: 60

- name: The deploy is done; end the window
  incident.ops.pd_maintenance_window:
    services: [Payments API]
    description: Deploy
    state: absent
"""

RETURN = r"""
maintenance_window:
  description:
    - The window as PagerDuty returns it after the change; in check mode, what it would be.
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The window's id (absent in check mode when the window would be opened).
      type: str
      returned: when the window exists
    description:
      description: What the window is for.
      type: str
    start_time:
      description: When the window starts.
      type: str
      returned: when the window exists
    end_time:
      description: When the window ends.
      type: str
      returned: when the window exists
    services:
      description: References to the window's services; each C(summary) is a service's name.
      type: list
      elements: dict
    teams:
      description: References to the teams of the window's services.
      type: list
      elements: dict
      returned: when the window exists
  sample:
    id: PMW8AB1
    type: maintenance_window
    description: Database upgrade
    start_time: "2030-03-01T22:00:00Z"
    end_time: "2030-03-02T01:00:00Z"
    sequence_number: 3
    services:
      - id: PSRV1AB
        type: service_reference
        summary: Payments API
    teams:
      - id: PQ9K7I8
        type: team_reference
        summary: Payments
"""

from datetime import timedelta

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options, timestamps
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, connect, reference
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.services import (
    desired_service_names, named_service_references, service_reference_names)
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    services=dict(type="list", elements="str", required=True),
    description=dict(type="str", required=True),
    start=dict(type="str"),
    end=dict(type="str"),
    duration_minutes=dict(type="int"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
MUTUALLY_EXCLUSIVE = [("end", "duration_minutes"), ("start", "duration_minutes")]


class Window(ApiObject):
    """A future or ongoing window found by its description and its services' names."""

    collection = "maintenance_windows"
    key = "maintenance_window"

    def __init__(self, api, description, services):
        super().__init__(api)
        self.description = description
        self.services = services

    def lookup(self):
        found = [window for window in self.api.list(self.collection, {"filter": "open", "query": self.description})
                 if window.get("description") == self.description and service_reference_names(window) == self.services]
        if len(found) > 1:
            raise InvalidInput("%d open maintenance windows on %s are described %r; end the extra ones first"
                               % (len(found), ", ".join(self.services), self.description))
        return found[0] if found else None

    def current_fields(self, current):
        return {"start": timestamps.canonical(current.get("start_time")), "end": timestamps.canonical(current.get("end_time"))}

    def body(self, fields, current=None):
        """A whole window: PagerDuty's PUT needs its times and services too."""
        if current is None:
            services = named_service_references(self.api, self.services)
        else:
            services = [reference("service", service["id"]) for service in current["services"]]
        fields = dict(self.current_fields(current) if current else {}, **fields)
        return {"start_time": fields["start"], "end_time": fields["end"], "description": self.description, "services": services}

    def create_headers(self):
        return self.api.acting_user()

    def preview(self, current, changed):
        return dict(current, **dict((key + "_time", value) for key, value in changed.items()))


def desired_times(params, now):
    """The window's start and end in UTC; the end must follow the start and lie in the future."""
    if params["duration_minutes"] is not None:
        if params["duration_minutes"] <= 0:
            raise InvalidInput("duration_minutes must be more than 0, got %d" % params["duration_minutes"])
        return now, now + timedelta(minutes=params["duration_minutes"])
    if params["end"] is None:
        raise InvalidInput("end or duration_minutes is required to open a maintenance window")
    start = timestamps.parse(params["start"], "start") if params["start"] is not None else now
    end = timestamps.parse(params["end"], "end")
    if end <= start:
        raise InvalidInput("end %s is not after start %s" % (params["end"], params["start"] or "(now)"))
    if end <= now:
        raise InvalidInput("end %s is in the past; a maintenance window must end in the future" % params["end"])
    return max(start, now), end


def desired_window(params, current, now):
    """The times to compare: none for a window opened by duration, and no start for a window that has begun."""
    start, end = desired_times(params, now)
    if current is not None and params["duration_minutes"] is not None:
        return {}
    wanted = {"start": timestamps.canonical(start), "end": timestamps.canonical(end)}
    if current is not None and start <= now and timestamps.parse(current["start_time"]) <= now:
        del wanted["start"]
    return wanted


def run(module, api):
    params = module.params
    services = desired_service_names(params["services"])
    window = Window(api, params["description"], services)
    now = timestamps.now()
    identity = {"description": params["description"], "services": services}
    if params["state"] == "absent":
        window.look()
        return ensure(window, {}, "absent", module.check_mode, identity=identity).as_tuple()
    current = window.look()
    wanted = desired_window(params, current, now)
    if current is None:
        named_service_references(api, services)
    return ensure(window, wanted, "present", module.check_mode, identity=identity).as_tuple()


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "maintenance_window")


if __name__ == "__main__":
    main()
