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
  - Each user target carries its email.
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
notes:
  - Every page of C(GET /escalation_policies) is read, with C(include[]=targets) so each user target carries its email.
seealso:
  - module: incident.ops.pd_escalation_policy
"""


EXAMPLES = r"""
# These tasks run top to bottom on an account where none of their objects exist yet.
# They take their connection from the play, once for every incident.ops PagerDuty module:
#
#   module_defaults:
#     group/incident.ops.pagerduty:
#       api_token: "{{ vault_pagerduty_token }}"
#       from_email: you@example.com  # the login email of an existing user of the account

- name: Create the team the policy belongs to
  incident.ops.pd_team:
    name: Payments

- name: Create Ada
  incident.ops.pd_user:
    email: ada@example.com
    name: Ada Lovelace

- name: Create the policy to read
  incident.ops.pd_escalation_policy:
    name: Payments escalation
    teams: [Payments]
    rules:
      - escalation_delay_in_minutes: 30
        targets:
          - type: user
            name: ada@example.com

- name: Read one policy
  incident.ops.pd_escalation_policy_info:
    name: Payments escalation
  register: payments

- name: Every policy that can page Ada
  incident.ops.pd_escalation_policy_info:
    user: ada@example.com
  register: ada_policies

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ ada_policies.escalation_policies | map(attribute='name') | list }}"

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
  contains:
    id:
      description: The policy's id.
      type: str
    type:
      description: Always V(escalation_policy).
      type: str
    summary:
      description: A short description of the policy (its name).
      type: str
    self:
      description: The API URL of the policy.
      type: str
    html_url:
      description: The URL of the policy's page in PagerDuty's web interface.
      type: str
    name:
      description: The policy's name.
      type: str
    description:
      description: The policy's description.
      type: str
    num_loops:
      description: How many times the policy repeats after its last rule.
      type: int
    on_call_handoff_notifications:
      description: When the policy's on-call users get handoff notifications, V(if_has_services) or V(always).
      type: str
    escalation_rules:
      description: The rules, in escalation order.
      type: list
      elements: dict
      contains:
        id:
          description: The rule's id.
          type: str
        escalation_delay_in_minutes:
          description: Minutes before an unacknowledged incident escalates from this rule to the next.
          type: int
        targets:
          description: Who the rule notifies.
          type: list
          elements: dict
          contains:
            id:
              description: The user's or schedule's id.
              type: str
            type:
              description: V(user_reference) or V(schedule_reference).
              type: str
            summary:
              description: The user's or schedule's name.
              type: str
            self:
              description: The API URL of the user or schedule.
              type: str
            html_url:
              description: The URL of the user's or schedule's page in PagerDuty's web interface.
              type: str
            email:
              description: The user's login email.
              type: str
              returned: for user targets
    services:
      description: The services that use the policy.
      type: list
      elements: dict
      contains:
        id:
          description: The service's id.
          type: str
        type:
          description: The reference's type, V(service_reference).
          type: str
        summary:
          description: The service's name.
          type: str
        self:
          description: The API URL of the service.
          type: str
        html_url:
          description: The URL of the service's page in PagerDuty's web interface.
          type: str
    teams:
      description: The team the policy belongs to (at most one).
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
