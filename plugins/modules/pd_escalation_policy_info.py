#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_escalation_policy_info
short_description: List PagerDuty escalation policies
version_added: 0.1.0
description:
  - Return one escalation policy by exact name, the policies whose name contains a search string, or every policy,
    optionally only those that can page a given user or that belong to a given team.
  - Every page is read, with C(include[]=targets) so each user target carries its email.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - Return only the policy with exactly this name (an empty list when there is none).
    type: str
  query:
    description:
      - Return the policies whose name contains this string (case-insensitive), as PagerDuty's C(query) filter does.
    type: str
  user:
    description:
      - Return only the policies that can page the user with this login email, directly or through a schedule
        (PagerDuty's C(user_ids[]) filter). An unknown email fails the task.
    type: str
  team:
    description:
      - Return only the policies of the team with this exact name (PagerDuty's C(team_ids[]) filter).
        An unknown team fails the task.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
seealso:
  - module: incident.ops.pd_escalation_policy
"""

EXAMPLES = r"""
- name: Read one policy
  incident.ops.pd_escalation_policy_info:
    name: Payments escalation
  register: payments

- name: Every policy that can page Ada
  incident.ops.pd_escalation_policy_info:
    user: ada@example.com
  register: ada_policies

- name: The payments team's policies
  incident.ops.pd_escalation_policy_info:
    team: Payments
  register: team_policies
"""

RETURN = r"""
escalation_policies:
  description:
    - The policies found, as PagerDuty returns them, sorted by name.
    - Every rule's targets are shown as references, with C(email) added for users.
  returned: always
  type: list
  elements: dict
  sample:
    - id: PQIL2IX
      type: escalation_policy
      name: Payments escalation
      num_loops: 2
      on_call_handoff_notifications: if_has_services
      teams:
        - id: PQ9K7I8
          type: team_reference
          summary: Payments
      services: []
      escalation_rules:
        - id: PANZZEQ
          escalation_delay_in_minutes: 30
          targets:
            - id: PXPGF42
              type: user_reference
              summary: Ada Lovelace
              email: ada@example.com
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.escalation import INCLUDE_TARGETS, present_policy
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.validation import check_email

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str"),
    query=dict(type="str"),
    user=dict(type="str"),
    team=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("name", "query")]


def filters(api, params):
    """The list's user and team filters; the user and team named are looked up first, unknown ones are bad input."""
    found = dict(INCLUDE_TARGETS)
    if params["user"] is not None:
        found["user_ids[]"] = [api.require_user(check_email(params["user"], "user"))["id"]]
    if params["team"] is not None:
        found["team_ids[]"] = [api.require_named("teams", params["team"])["id"]]
    return found


def run(module, api):
    params = module.params
    query = filters(api, params)
    if api.assumed:
        return False, [], None  # check mode: a user or team that does not exist yet is on no policy
    policies = api.search("escalation_policies", params["name"], params["query"], query)
    return False, [present_policy(policy) for policy in policies], None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "escalation_policies")


if __name__ == "__main__":
    main()
