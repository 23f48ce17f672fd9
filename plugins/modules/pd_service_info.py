#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_service_info
short_description: List PagerDuty services with their integrations
version_added: 0.1.0
description:
  - Return one service by exact name, the services whose name contains a search string, or every service, each with
    its integrations and their routing keys, optionally only those of a team or of an escalation policy.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - Return only the service with exactly this name (an empty list when there is none).
    type: str
  query:
    description:
      - Return the services whose name contains this string (case-insensitive), as PagerDuty's C(query) filter does.
    type: str
  team:
    description:
      - Return only the services of the team with this exact name (PagerDuty's C(team_ids[]) filter).
        An unknown team fails the task.
    type: str
  escalation_policy:
    description:
      - Return only the services that the escalation policy with this exact name pages for.
        An unknown policy fails the task.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - Every page of C(GET /services?include[]=integrations) is read. PagerDuty's list has no escalation policy filter,
    so O(escalation_policy) filters the listed services by their policy's id.
seealso:
  - module: incident.ops.pd_service
"""

EXAMPLES = r"""
- name: Read one service and its routing keys
  incident.ops.pd_service_info:
    name: Payments API
  register: payments_api
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"

- name: The payments team's services
  incident.ops.pd_service_info:
    team: Payments
  register: team_services

- name: The services that page through one policy
  incident.ops.pd_service_info:
    escalation_policy: Payments escalation
  register: policy_services
"""

RETURN = r"""
services:
  description:
    - The services found, as PagerDuty returns them, sorted by name; each one's integrations are sorted by name.
    - C(integration_key) in an integration is the routing key events are sent with; treat it as a secret.
  returned: always
  type: list
  elements: dict
  sample:
    - id: PSRV1AB
      type: service
      name: Payments API
      status: active
      escalation_policy:
        id: PQIL2IX
        type: escalation_policy_reference
        summary: Payments escalation
      teams:
        - id: PQ9K7I8
          type: team_reference
          summary: Payments
      integrations:
        - id: PINT3GR
          type: events_api_v2_inbound_integration
          name: Prometheus alerts
          integration_key: 0c9d6a9e8f7b4b2c9a1d3e5f7a9b1c3d
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.services import INCLUDE_INTEGRATIONS, present_service

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str"),
    query=dict(type="str"),
    team=dict(type="str"),
    escalation_policy=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("name", "query")]


def run(module, api):
    params = module.params
    filters = dict(INCLUDE_INTEGRATIONS)
    if params["team"] is not None:
        filters["team_ids[]"] = [api.require_named("teams", params["team"])["id"]]
    policy_id = None
    if params["escalation_policy"] is not None:
        policy_id = api.require_named("escalation_policies", params["escalation_policy"])["id"]
    services = api.search("services", params["name"], params["query"], filters)
    found = [present_service(service) for service in services
             if policy_id is None or (service.get("escalation_policy") or {}).get("id") == policy_id]
    return False, found, None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "services")


if __name__ == "__main__":
    main()
