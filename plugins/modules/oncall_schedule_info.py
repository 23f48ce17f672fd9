#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: oncall_schedule_info
short_description: See a customer's on-call entries and who is on call when
version_added: 0.1.0
description:
  - Return every on-call entry of a customer's teams, or those of one team or one member.
  - With O(expand), also return the concrete on-call windows the entries make between two instants, in time order, so
    you see who is on call when.
author:
  - incident.ops maintainers (@incident-ops)
options:
  customer_id:
    description:
      - The customer account whose schedule is read.
    type: str
    required: true
  team_id:
    description:
      - Return only this team's entries.
    type: str
  team_member_id:
    description:
      - Return only this member's entries.
    type: str
  team_member_email:
    description:
      - Return only the entries of the member of O(team_id) with this email (case-insensitive); needs O(team_id),
        since members are looked up among a team's. An unknown email fails the task.
    type: str
  expand:
    description:
      - Expand the entries into on-call windows between two instants, at most 366 days apart.
      - An entry recurs on the days within its dates, months, weeks of the month and week days, from its start time to its
        end time, read in UTC (the service keeps no time zone). Week 1 is days 1-7, week 5 days 29-31, and -1 the last
        seven days of the month. Windows are cut to this range and to the entry's dates.
    type: dict
    suboptions:
      from:
        description: The start of the range, an ISO 8601 date-time with a UTC offset.
        type: str
        required: true
      to:
        description: The end of the range (excluded), after O(expand.from).
        type: str
        required: true
extends_documentation_fragment:
  - incident.ops.oncall
  - incident.ops.attributes.info_module
  - incident.ops.attributes.oncall
notes:
  - The entries are read with one request to the query host (C(GET /v1/customer/{customer_id}/schedule)); an email costs
    one more to the customer host (C(GET /v1/team/{team_id}/members)).
seealso:
  - module: incident.ops.oncall_schedule
"""

EXAMPLES = r"""
- name: Read the team's entries
  incident.ops.oncall_schedule_info:
    customer_id: c03b02ec-244f-4d2c-8f68-3910071ed5c8
    team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
  module_defaults:
    group/incident.ops.oncall:
      api_token: "{{ oncall_token }}"
  register: team_schedule

- name: See who is on call in the first week of March
  incident.ops.oncall_schedule_info:
    customer_id: c03b02ec-244f-4d2c-8f68-3910071ed5c8
    team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
    expand:
      from: "2026-03-01T00:00:00Z"
      to: "2026-03-08T00:00:00Z"
  register: march

- name: Show the windows
  ansible.builtin.debug:
    msg: "{{ march.schedule.windows | map(attribute='start') | list }}"

- name: Read one member's entries by email
  incident.ops.oncall_schedule_info:
    customer_id: c03b02ec-244f-4d2c-8f68-3910071ed5c8
    team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
    team_member_email: avery@example.com
"""

RETURN = r"""
schedule:
  description: The entries found and, with O(expand), their on-call windows.
  returned: always
  type: dict
  contains:
    entries:
      description:
        - The entries, in the service's order, with dates as UTC instants and lists sorted (empty for every month or week).
        - Each has the keys that M(incident.ops.oncall_schedule) returns.
      type: list
      elements: dict
      sample:
        - team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
          team_member_id: 9a2f6b8d-4e1c-4d9f-8b62-3c7e5f0a1d22
          created_at: "2026-01-03T08:00:00.000001Z"
          start_date: null
          end_date: null
          months_of_year: [6, 7, 8]
          weeks_of_month: [-1]
          week_days: [0, 6]
          start_time: "00:00:00"
          end_time: "23:59:59"
    windows:
      description: The on-call windows between O(expand.from) and O(expand.to), by start time.
      type: list
      elements: dict
      returned: when O(expand) is set
      contains:
        start:
          description: When the window opens, UTC.
          type: str
        end:
          description: When the window closes, UTC.
          type: str
        team_id:
          description: The team of the entry the window comes from.
          type: str
        team_member_id:
          description: Who is on call.
          type: str
        created_at:
          description: The C(created_at) of the entry the window comes from.
          type: str
      sample:
        - start: "2026-03-02T08:00:00Z"
          end: "2026-03-02T12:00:00Z"
          team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
          team_member_id: 7d1e5a7c-3f0b-4c8e-9a51-2b6f4d9e0c11
          created_at: "2026-01-02T10:15:00.123456Z"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.oncall.api import connect
from ansible_collections.incident.ops.plugins.module_utils.oncall.entries import stored_entry
from ansible_collections.incident.ops.plugins.module_utils.oncall.recurrence import expand, expansion_range
from ansible_collections.incident.ops.plugins.module_utils.validation import check_email

ARGUMENT_SPEC = options.argument_spec(
    options.ONCALL,
    customer_id=dict(type="str", required=True),
    team_id=dict(type="str"),
    team_member_id=dict(type="str"),
    team_member_email=dict(type="str"),
    expand=dict(type="dict", options={"from": dict(type="str", required=True), "to": dict(type="str", required=True)}),
)
MUTUALLY_EXCLUSIVE = [("team_member_id", "team_member_email")]
REQUIRED_BY = {"team_member_email": "team_id"}


def wanted(entry, team_id, member_id):
    return (team_id is None or entry.get("team_id") == team_id) and (member_id is None or entry.get("team_member_id") == member_id)


def run(module, api):
    params = module.params
    span = expansion_range(params["expand"]) if params["expand"] else None
    member_id = params["team_member_id"]
    if params["team_member_email"]:
        member_id = api.member_id_by_email(params["team_id"], check_email(params["team_member_email"].strip(), "team_member_email"))
    entries = [stored_entry(entry) for entry in api.entries(params["customer_id"]) if wanted(entry, params["team_id"], member_id)]
    schedule = {"entries": entries}
    if span:
        schedule["windows"] = expand(entries, *span)
    return False, schedule, None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_by=REQUIRED_BY,
                           supports_check_mode=True)
    execute(module, connect, run, "schedule")


if __name__ == "__main__":
    main()
