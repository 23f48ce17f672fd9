#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_maintenance_window_info
short_description: List PagerDuty maintenance windows
version_added: 0.1.0
description:
  - Return the maintenance windows that are ongoing, still to come, or over, optionally only those of some services,
    of a team, or whose description contains a search string.
author:
  - incident.ops maintainers (@incident-ops)
options:
  when:
    description:
      - Which windows to return; V(open) is ongoing and future ones together. PagerDuty's C(filter).
    type: str
    choices: [ongoing, future, past, open, all]
    default: all
  services:
    description:
      - Return only the windows on any of the services with these exact names (PagerDuty's C(service_ids[]) filter).
        An unknown service fails the task.
    type: list
    elements: str
  team:
    description:
      - Return only the windows of the team with this exact name (PagerDuty's C(team_ids[]) filter).
        An unknown team fails the task.
    type: str
  query:
    description:
      - Return only the windows whose description contains this string (case-insensitive).
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - Every page of C(GET /maintenance_windows) is read.
seealso:
  - module: incident.ops.pd_maintenance_window
"""

EXAMPLES = r"""
- name: Is the payments service in maintenance now?
  incident.ops.pd_maintenance_window_info:
    when: ongoing
    services: [Payments API]
  register: ongoing
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"

- name: Every window still to come
  incident.ops.pd_maintenance_window_info:
    when: future
  register: planned
"""

RETURN = r"""
maintenance_windows:
  description:
    - The windows found, as PagerDuty returns them, by start time.
  returned: always
  type: list
  elements: dict
  sample:
    - id: PMW8AB1
      type: maintenance_window
      description: Database upgrade
      start_time: "2030-03-01T22:00:00Z"
      end_time: "2030-03-02T01:00:00Z"
      services:
        - id: PSRV1AB
          type: service_reference
          summary: Payments API
      teams: []
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.services import desired_service_names, named_service_references

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    when=dict(type="str", choices=["ongoing", "future", "past", "open", "all"], default="all"),
    services=dict(type="list", elements="str"),
    team=dict(type="str"),
    query=dict(type="str"),
)


def run(module, api):
    params = module.params
    filters = {"filter": params["when"]}
    if params["services"] is not None:
        names = desired_service_names(params["services"])
        filters["service_ids[]"] = [service["id"] for service in named_service_references(api, names)]
    if params["team"] is not None:
        filters["team_ids[]"] = [api.require_named("teams", params["team"])["id"]]
    if params["query"]:
        filters["query"] = params["query"]
    return False, api.list("maintenance_windows", filters), None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "maintenance_windows")


if __name__ == "__main__":
    main()
