#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_user_info
short_description: List PagerDuty users with their contact methods, notification rules and teams
version_added: 0.1.0
description:
  - Return one user by login email, the users whose name or email contains a search string, or every user.
  - Each user comes with its contact methods, notification rules and teams, read in the same request
    (C(include[]=contact_methods), C(include[]=notification_rules), C(include[]=teams)), so a list takes one
    request per page of 100 users. Every page is read.
author:
  - incident.ops maintainers (@incident-ops)
options:
  email:
    description:
      - Return only the user with this login email (exact, case-insensitive match); an empty list when there is none.
    type: str
  query:
    description:
      - Return the users whose name or email contains this string (case-insensitive), as PagerDuty's C(query) filter does.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
seealso:
  - module: incident.ops.pd_user
"""

EXAMPLES = r"""
- name: Read one user
  incident.ops.pd_user_info:
    email: ada@example.com
  register: ada

- name: Show where PagerDuty sends Ada's high-urgency notifications
  ansible.builtin.debug:
    msg: >-
      {{ ada.users[0].notification_rules | selectattr('urgency', 'equalto', 'high')
         | map(attribute='contact_method.address') | list }}

- name: Find the users of one domain
  incident.ops.pd_user_info:
    query: "@example.com"
  register: found

- name: List every user
  incident.ops.pd_user_info:
  register: everyone
"""

RETURN = r"""
users:
  description: The users found, as PagerDuty returns them, in PagerDuty's order (by name).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The user's id.
      type: str
    email:
      description: The user's login email.
      type: str
    name:
      description: The user's name.
      type: str
    role:
      description: The user's role in the account.
      type: str
    contact_methods:
      description: The user's contact methods, as PagerDuty returns them (type, label, address, country code...).
      type: list
      elements: dict
    notification_rules:
      description: The user's notification rules, each with its C(contact_method) in full.
      type: list
      elements: dict
    teams:
      description: The teams the user is on.
      type: list
      elements: dict
  sample:
    - id: PXPGF42
      type: user
      name: Ada Lovelace
      email: ada@example.com
      role: user
      time_zone: Europe/London
      contact_methods:
        - id: PC1DTBU
          type: email_contact_method
          label: Default
          address: ada@example.com
      notification_rules:
        - id: P5MYMOS
          type: assignment_notification_rule
          urgency: high
          start_delay_in_minutes: 0
          contact_method:
            id: PC1DTBU
            type: email_contact_method
            label: Default
            address: ada@example.com
      teams:
        - id: PQ9K7I8
          type: team
          name: Payments
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.users import INCLUDE, list_users, present_user
from ansible_collections.incident.ops.plugins.module_utils.validation import check_email

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    email=dict(type="str"),
    query=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("email", "query")]


def find_users(api, params):
    if params["email"] is not None:
        found = api.find_user(check_email(params["email"].strip()), include=INCLUDE)
        return [present_user(found)] if found else []
    return list_users(api, {"query": params["query"]} if params["query"] else None)


def run(module, api):
    return False, find_users(api, module.params), None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "users")


if __name__ == "__main__":
    main()
