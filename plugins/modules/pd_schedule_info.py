#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_schedule_info
short_description: List PagerDuty schedules with their layers, and render who is on call when
version_added: 0.1.0
description:
  - Return one schedule by exact name, the schedules whose name contains a search string, or every schedule, each
    with its layers and their users' emails.
  - With O(since) or O(until), each schedule is also rendered for that window; its final schedule, its overrides
    and each layer's entries then say who is on call when.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - Return only the schedule with exactly this name (an empty list when there is none).
    type: str
  query:
    description:
      - Return the schedules whose name contains this string (case-insensitive), as PagerDuty's C(query) filter does.
    type: str
  since:
    description:
      - The start of the window to render, an ISO 8601 date-time with a UTC offset. PagerDuty renders two weeks
        before O(until) when only O(until) is set.
    type: str
  until:
    description:
      - The end of the window to render, an ISO 8601 date-time with a UTC offset, after O(since). PagerDuty renders
        two weeks after O(since) when only O(since) is set.
    type: str
  overflow:
    description:
      - When rendering, return entries that cross the window's edges whole instead of cut at the edges.
    type: bool
    default: false
  time_zone:
    description:
      - The IANA time zone to express the returned times in, such as V(Europe/Paris). PagerDuty's default is the
        schedule's time zone for a rendered schedule and the requesting user's otherwise.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - Every page of C(GET /schedules?include[]=schedule_layers) is read. Layer users' emails are read from as few
    pages of C(GET /users) as the account needs (one in accounts of up to 100 users).
  - Rendering takes one C(GET /schedules/{id}) per schedule.
seealso:
  - module: incident.ops.pd_schedule
  - module: incident.ops.pd_oncall_info
"""


EXAMPLES = r"""
# These tasks run top to bottom on an account where none of their objects exist yet.
# They take their connection from the play, once for every incident.ops PagerDuty module:
#
#   module_defaults:
#     group/incident.ops.pagerduty:
#       api_token: "{{ vault_pagerduty_token }}"
#       from_email: you@example.com  # the login email of an existing user of the account

- name: Create the users who take turns
  incident.ops.pd_user:
    email: "{{ item.email }}"
    name: "{{ item.name }}"
  loop:
    - {email: ada@example.com, name: Ada Lovelace}
    - {email: grace@example.com, name: Grace Hopper}
  loop_control:
    label: "{{ item.email }}"

- name: Create the schedule to read
  incident.ops.pd_schedule:
    name: Payments primary
    time_zone: Europe/Paris
    layers:
      - name: Nights
        rotation_virtual_start: "2026-01-05T20:00:00+01:00"
        rotation_turn_length_seconds: 86400
        users: [ada@example.com, grace@example.com]
        restrictions:
          - type: daily_restriction
            start_time_of_day: "20:00"
            duration_seconds: 43200

- name: Read one schedule with its layers
  incident.ops.pd_schedule_info:
    name: Payments primary
  register: payments

- name: Who is on the payments rotation over the holidays
  incident.ops.pd_schedule_info:
    name: Payments primary
    since: "2026-12-24T00:00:00+01:00"
    until: "2027-01-02T00:00:00+01:00"
  register: holidays

- name: Show each shift of the final schedule
  ansible.builtin.debug:
    msg: "{{ item.start }} - {{ item.end }}: {{ item.user.email }}"
  loop: "{{ holidays.schedules[0].final_schedule.rendered_schedule_entries }}"
  loop_control:
    label: "{{ item.start }}"

- name: Every schedule whose name mentions payments
  incident.ops.pd_schedule_info:
    query: payments
  register: payment_schedules
"""

RETURN = r"""
schedules:
  description:
    - The schedules found, as PagerDuty returns them, with their layers.
    - Every user reference (of the schedule, its layers and rendered entries) carries the user's C(email).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The schedule's id.
      type: str
    type:
      description: Always V(schedule).
      type: str
    summary:
      description: A short description of the schedule (its name).
      type: str
    self:
      description: The API URL of the schedule.
      type: str
    html_url:
      description: The URL of the schedule's page in PagerDuty's web interface.
      type: str
    name:
      description: The schedule's name.
      type: str
    time_zone:
      description: The schedule's time zone (an IANA name); times in the schedule are given in it.
      type: str
    description:
      description: The schedule's description.
      type: str
      returned: when set
    schedule_layers:
      description: The schedule's rotation layers, including layers that have ended.
      type: list
      elements: dict
      contains:
        id:
          description: The layer's id.
          type: str
        name:
          description: The layer's name.
          type: str
        start:
          description: When the layer starts (PagerDuty moves it to the time of the last change of a started layer).
          type: str
        end:
          description: When the layer ends; null for a layer without an end.
          type: str
        rotation_virtual_start:
          description: The instant the rotation is counted from.
          type: str
        rotation_turn_length_seconds:
          description: How long each user's turn lasts, in seconds.
          type: int
        users:
          description: The layer's users in rotation order, each as C(user), a user reference with C(email).
          type: list
          elements: dict
          contains:
            user:
              description: The user, as a reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: The reference's type, V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
        restrictions:
          description: When the layer may put someone on call; empty when it covers the whole day.
          type: list
          elements: dict
          contains:
            type:
              description: V(daily_restriction) or V(weekly_restriction).
              type: str
            start_time_of_day:
              description: When the window opens, as V(HH:MM:SS) in the schedule's time zone.
              type: str
            duration_seconds:
              description: How long the window stays open, in seconds.
              type: int
            start_day_of_week:
              description: The ISO day a weekly window opens on (1 for Monday).
              type: int
              returned: for weekly restrictions
        rendered_schedule_entries:
          description: Who the layer puts on call when, in the rendered window.
          type: list
          elements: dict
          contains:
            start:
              description: When the entry starts.
              type: str
            end:
              description: When the entry ends.
              type: str
            user:
              description: Who is on call, as a user reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
          returned: when O(since) or O(until) is set
        rendered_coverage_percentage:
          description: How much of the rendered window the layer covers, in percent.
          type: float
          returned: when O(since) or O(until) is set
    users:
      description: Every user of the schedule's layers, as references with C(email).
      type: list
      elements: dict
      contains:
        id:
          description: The user's id.
          type: str
        type:
          description: The reference's type, V(user_reference).
          type: str
        summary:
          description: The user's name.
          type: str
        self:
          description: The API URL of the user.
          type: str
        html_url:
          description: The URL of the user's page in PagerDuty's web interface.
          type: str
        email:
          description: The user's login email.
          type: str
    teams:
      description: The teams the schedule belongs to.
      type: list
      elements: dict
      contains:
        id:
          description: The team's id.
          type: str
        type:
          description: The reference's type, V(team_reference).
          type: str
        summary:
          description: The team's name.
          type: str
        self:
          description: The API URL of the team.
          type: str
        html_url:
          description: The URL of the team's page in PagerDuty's web interface.
          type: str
    escalation_policies:
      description: The escalation policies that use the schedule.
      type: list
      elements: dict
      contains:
        id:
          description: The escalation policy's id.
          type: str
        type:
          description: The reference's type, V(escalation_policy_reference).
          type: str
        summary:
          description: The escalation policy's name.
          type: str
        self:
          description: The API URL of the escalation policy.
          type: str
        html_url:
          description: The URL of the escalation policy's page in PagerDuty's web interface.
          type: str
    final_schedule:
      description: Who is on call when, all layers and overrides combined.
      type: dict
      returned: when O(since) or O(until) is set
      contains:
        name:
          description: The name of this view, such as C(Final Schedule) or C(Overrides).
          type: str
        rendered_schedule_entries:
          description: The entries of the window, in time order.
          type: list
          elements: dict
          contains:
            start:
              description: When the entry starts.
              type: str
            end:
              description: When the entry ends.
              type: str
            user:
              description: Who is on call, as a user reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
        rendered_coverage_percentage:
          description: How much of the window has someone on call, in percent.
          type: float
    overrides_subschedule:
      description: The overrides in the rendered window.
      type: dict
      returned: when O(since) or O(until) is set
      contains:
        name:
          description: The name of this view, such as C(Final Schedule) or C(Overrides).
          type: str
        rendered_schedule_entries:
          description: The entries of the window, in time order.
          type: list
          elements: dict
          contains:
            start:
              description: When the entry starts.
              type: str
            end:
              description: When the entry ends.
              type: str
            user:
              description: Who is on call, as a user reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
        rendered_coverage_percentage:
          description: How much of the window has someone on call, in percent.
          type: float
  sample:
    - id: PI7DH85
      type: schedule
      name: Payments primary
      time_zone: Europe/Paris
      teams: []
      escalation_policies:
        - id: PT20YPA
          type: escalation_policy_reference
          summary: Payments escalation
      schedule_layers:
        - id: PG68P1M
          name: Nights
          start: "2026-01-05T20:00:00+01:00"
          rotation_virtual_start: "2026-01-05T20:00:00+01:00"
          rotation_turn_length_seconds: 86400
          users:
            - user: {id: PXPGF42, type: user_reference, summary: Ada Lovelace, email: ada@example.com}
            - user: {id: PXPGF43, type: user_reference, summary: Grace Hopper, email: grace@example.com}
          restrictions:
            - {type: daily_restriction, start_time_of_day: "20:00:00", duration_seconds: 43200}
      final_schedule:
        name: Final Schedule
        rendered_schedule_entries:
          - start: "2026-12-24T20:00:00+01:00"
            end: "2026-12-25T08:00:00+01:00"
            user: {id: PXPGF42, type: user_reference, summary: Ada Lovelace, email: ada@example.com}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options, timestamps
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.schedules import INCLUDE_LAYERS, present_schedules
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_time_zone

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str"),
    query=dict(type="str"),
    since=dict(type="str"),
    until=dict(type="str"),
    overflow=dict(type="bool", default=False),
    time_zone=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("name", "query")]


def window(params):
    """The rendering window's query parameters, checked; empty when nothing is to be rendered."""
    since = timestamps.canonical(params["since"], "since")
    until = timestamps.canonical(params["until"], "until")
    if since and until and timestamps.parse(until) <= timestamps.parse(since):
        raise InvalidInput("until %s is not after since %s" % (params["until"], params["since"]))
    found = dict((key, value) for key, value in (("since", since), ("until", until)) if value)
    if found and params["overflow"]:
        found["overflow"] = "true"
    return found


def run(module, api):
    params = module.params
    rendering = window(params)
    common = {"time_zone": check_time_zone(params["time_zone"])} if params["time_zone"] else {}
    schedules = api.search("schedules", params["name"], params["query"], dict(common, **INCLUDE_LAYERS))
    if rendering:
        schedules = [api.get("/schedules/%s" % schedule["id"], params=dict(common, **rendering))["schedule"] for schedule in schedules]
    return False, present_schedules(api, schedules), None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "schedules")


if __name__ == "__main__":
    main()
