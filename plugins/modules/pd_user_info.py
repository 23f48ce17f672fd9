#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_user_info
short_description: List PagerDuty users with their contact methods, notification rules and teams
version_added: 0.1.0
description:
  - Return one user by login email, the users whose name or email contains a search string, or every user, each
    with its contact methods, notification rules and teams.
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
notes:
  - The contact methods, notification rules and teams come in the same request as the users
    (C(include[]=contact_methods), C(include[]=notification_rules), C(include[]=teams)), so a list takes one
    request per page of 100 users. Every page is read.
seealso:
  - module: incident.ops.pd_user
"""


EXAMPLES = r"""
# These tasks run top to bottom on an account where none of their objects exist yet.
# They take their connection from the play, once for every incident.ops PagerDuty module:
#
#   module_defaults:
#     group/incident.ops.pagerduty:
#       api_token: "{{ vault_pagerduty_token }}"
#       from_email: you@example.com  # the login email of an existing user of the account

- name: Create the users to read
  incident.ops.pd_user:
    email: "{{ item.email }}"
    name: "{{ item.name }}"
    time_zone: Europe/London
  loop:
    - {email: ada@example.com, name: Ada Lovelace}
    - {email: grace@example.com, name: Grace Hopper}
  loop_control:
    label: "{{ item.email }}"

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

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ found.users | map(attribute='name') | list }}"

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
    type:
      description: Always V(user).
      type: str
    summary:
      description: A short description of the user (its name).
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
    name:
      description: The user's name.
      type: str
    role:
      description: The user's role in the account (see M(incident.ops.pd_user) for the choices).
      type: str
    time_zone:
      description: The user's preferred time zone (an IANA name).
      type: str
    job_title:
      description: The user's job title; empty when none is set.
      type: str
    description:
      description: The user's bio.
      type: str
      returned: when set
    color:
      description: The color of the user's shifts in schedules.
      type: str
    avatar_url:
      description: The URL of the user's avatar.
      type: str
    invitation_sent:
      description: Whether PagerDuty has sent the user an invitation.
      type: bool
    contact_methods:
      description: The user's contact methods.
      type: list
      elements: dict
      contains:
        id:
          description: The contact method's id.
          type: str
        type:
          description:
            - V(email_contact_method), V(phone_contact_method), V(sms_contact_method) or
              V(push_notification_contact_method).
          type: str
        label:
          description: The contact method's label.
          type: str
        address:
          description: The email address, phone number (without the country code) or device address.
          type: str
        country_code:
          description: The country calling code of a phone or SMS contact method.
          type: int
          returned: for phone and SMS contact methods
        summary:
          description: A short description of the contact method (its label).
          type: str
        send_short_email:
          description: Whether an email contact method gets short emails.
          type: bool
          returned: for email contact methods
        enabled:
          description: Whether the contact method can be used.
          type: bool
    notification_rules:
      description: The user's notification rules.
      type: list
      elements: dict
      contains:
        id:
          description: The rule's id.
          type: str
        type:
          description: Always V(assignment_notification_rule).
          type: str
        urgency:
          description: The incident urgency the rule is for, V(high) or V(low).
          type: str
        start_delay_in_minutes:
          description: Minutes after an incident is assigned before the rule notifies the user.
          type: int
        contact_method:
          description: The contact method the rule notifies, in full (the same fields as in RV(users[].contact_methods)).
          type: dict
        summary:
          description: A short description of the rule.
          type: str
    teams:
      description: The teams the user is on.
      type: list
      elements: dict
      contains:
        id:
          description: The team's id.
          type: str
        type:
          description: Always V(team).
          type: str
        name:
          description: The team's name.
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
        default_role:
          description: The role a user gets on the team when none is given.
          type: str
        parent:
          description: A reference to the team's parent team; null for a top-level team.
          type: dict
        description:
          description: The team's description.
          type: str
  sample:
    - id: PXPGF42
      type: user
      summary: Ada Lovelace
      name: Ada Lovelace
      email: ada@example.com
      role: user
      time_zone: Europe/London
      job_title: Site Reliability Engineer
      color: green
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
          summary: Payments
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
