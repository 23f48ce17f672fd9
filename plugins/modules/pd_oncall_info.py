#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_oncall_info
short_description: Find who is on call in PagerDuty, now or at a given time
version_added: 0.1.0
description:
  - Return the on-calls of every escalation level at one instant (now, or O(at)), optionally only those of some
    schedules, of some escalation policies, or of one user.
  - Schedule, policy and user names are looked up first; an unknown one fails the task.
author:
  - incident.ops maintainers (@incident-ops)
options:
  at:
    description:
      - The instant to look at, an ISO 8601 date-time with a UTC offset such as V(2026-12-24T20:00:00+01:00).
        Now when unset.
    type: str
  schedules:
    description:
      - Return only the on-calls that come from these schedules (exact names).
    type: list
    elements: str
  escalation_policies:
    description:
      - Return only the on-calls of these escalation policies (exact names).
    type: list
    elements: str
  user:
    description:
      - Return only the on-calls of the user with this login email.
    type: str
  time_zone:
    description:
      - The IANA time zone to express C(start) and C(end) in, such as V(Europe/Paris). PagerDuty's default is the
        account's time zone.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - Every page of C(GET /oncalls) is read, with C(include[]=users) so that each on-call carries the user's email.
  - A user who is a direct target of an escalation rule is on call permanently; such an on-call has no schedule,
    start or end.
seealso:
  - module: incident.ops.pd_schedule
  - module: incident.ops.pd_schedule_info
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

- name: Create the users who take turns
  incident.ops.pd_user:
    email: "{{ item.email }}"
    name: "{{ item.name }}"
  loop:
    - {email: ada@example.com, name: Ada Lovelace}
    - {email: grace@example.com, name: Grace Hopper}
  loop_control:
    label: "{{ item.email }}"

- name: Create the primary rotation
  incident.ops.pd_schedule:
    name: Payments primary
    time_zone: Europe/Paris
    layers:
      - name: Weekly
        rotation_virtual_start: "2026-01-05T09:00:00+01:00"
        rotation_turn_length_seconds: 604800
        users: [ada@example.com, grace@example.com]

- name: Create the policy that pages the rotation
  incident.ops.pd_escalation_policy:
    name: Payments escalation
    rules:
      - escalation_delay_in_minutes: 30
        targets:
          - type: schedule
            name: Payments primary

- name: Who is on call for payments right now
  incident.ops.pd_oncall_info:
    escalation_policies: [Payments escalation]
  register: now

- name: Show the first-level on-call by email
  ansible.builtin.debug:
    msg: "{{ now.oncalls | selectattr('escalation_level', 'equalto', 1) | map(attribute='user.email') | list }}"

- name: Who holds the primary schedule on Christmas Eve
  incident.ops.pd_oncall_info:
    schedules: [Payments primary]
    at: "2026-12-24T20:00:00+01:00"
  register: christmas

- name: Is Ada on call anywhere right now
  incident.ops.pd_oncall_info:
    user: ada@example.com
  register: ada
"""

RETURN = r"""
oncalls:
  description:
    - The on-calls at that instant, as PagerDuty orders them (by escalation policy, then level).
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: Who is on call.
      type: dict
      returned: always
      contains:
        id:
          description: The user's id.
          type: str
        name:
          description: The user's name.
          type: str
        email:
          description: The user's login email.
          type: str
      sample:
        id: PXPGF42
        name: Ada Lovelace
        email: ada@example.com
    schedule:
      description: The schedule the on-call comes from; null for a user who is a direct target of the rule.
      type: dict
      returned: always
      contains:
        id:
          description: The schedule's id.
          type: str
        name:
          description: The schedule's name.
          type: str
      sample:
        id: PI7DH85
        name: Payments primary
    escalation_policy:
      description: The escalation policy the on-call belongs to.
      type: dict
      returned: always
      contains:
        id:
          description: The escalation policy's id.
          type: str
        name:
          description: The escalation policy's name.
          type: str
      sample:
        id: PT20YPA
        name: Payments escalation
    escalation_level:
      description: The level of the policy's rules (1 is the first).
      type: int
      returned: always
      sample: 1
    start:
      description: When the shift starts; null for a permanent on-call.
      type: str
      returned: always
      sample: "2026-12-21T09:00:00+01:00"
    end:
      description: When the shift ends; null for a permanent on-call.
      type: str
      returned: always
      sample: "2026-12-28T09:00:00+01:00"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.oncalls import read_oncalls

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    at=dict(type="str"),
    schedules=dict(type="list", elements="str"),
    escalation_policies=dict(type="list", elements="str"),
    user=dict(type="str"),
    time_zone=dict(type="str"),
)


def run(module, api):
    params = module.params
    oncalls = read_oncalls(api, at=params["at"], schedules=params["schedules"], escalation_policies=params["escalation_policies"],
                           user=params["user"], time_zone=params["time_zone"])
    return False, oncalls, None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "oncalls")


if __name__ == "__main__":
    main()
