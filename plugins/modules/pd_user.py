#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_user
short_description: Manage PagerDuty users, their contact methods, notification rules and teams
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty user, identified by its login email, and set how PagerDuty reaches the
    user (contact methods and notification rules) and which teams the user is on.
  - Only the options you set are compared, so fields and lists you leave out are never changed.
  - Every email, time zone, team name and notification rule's contact method is checked before the first write,
    so a typo fails the task without creating or changing anything.
  - The user is never left, even for a moment, without a way to be reached that the task keeps.
author:
  - incident.ops maintainers (@incident-ops)
options:
  email:
    description:
      - The user's login email; identifies the user (case-insensitive).
    type: str
    required: true
  name:
    description:
      - The user's full name. Required to create a user.
    type: str
  role:
    description:
      - The user's role in the account, listed from the most access to the least. PagerDuty's web interface calls
        V(user) Manager and V(limited_user) Responder.
      - PagerDuty does not put V(read_only_user) users on teams.
    type: str
    choices: [owner, admin, user, limited_user, observer, restricted_access, read_only_user, read_only_limited_user]

  time_zone:
    description:
      - The user's preferred time zone, as an IANA name such as V(Europe/Paris). If unset, new users get the account's.
    type: str
  job_title:
    description:
      - The user's job title.
    type: str
  description:
    description:
      - The user's bio.
    type: str
  color:
    description:
      - The color the user's shifts get in schedules, such as V(green) or V(#7da9ff).
    type: str
  contact_methods:
    description:
      - The user's contact methods, matched to the existing ones by O(contact_methods[].type) and
        O(contact_methods[].address) (case-insensitive). Email addresses are compared and sent in lower case.
      - When unset, the contact methods are left as they are.
      - With O(purge_contact_methods=true), contact methods not in this list are removed, with the notification rules
        that use them. The email contact method at the user's login email, which PagerDuty creates with the user, is
        never removed.
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - How PagerDuty reaches the user.
        type: str
        required: true
        choices: [email, phone, sms, push_notification]
      address:
        description:
          - The email address, the phone number (digits only, without the country code) or the device's address.
        type: str
        required: true
      label:
        description:
          - The contact method's label, such as V(Work) or V(Mobile).
          - Left as it is when unset; a new contact method then gets V(Email), V(Phone), V(SMS) or V(Push).
        type: str
      country_code:
        description:
          - The country calling code of a V(phone) or V(sms) number, such as V(1) or V(44).
          - Defaults to V(1) for V(phone) and V(sms), as PagerDuty does; not allowed for other types.
        type: int
  purge_contact_methods:
    description:
      - Remove contact methods that are not in O(contact_methods). Has no effect when O(contact_methods) is unset.
    type: bool
    default: true
  notification_rules:
    description:
      - The user's notification rules. A rule is matched to an existing one by all of its fields.
      - When unset, the notification rules are left as they are, except those of a contact method that
        O(contact_methods) removes.
      - With O(purge_notification_rules=true), rules not in this list are removed.
    type: list
    elements: dict
    suboptions:
      urgency:
        description:
          - The incident urgency the rule is for.
        type: str
        choices: [high, low]
        default: high
      start_delay_in_minutes:
        description:
          - Minutes after an incident is assigned before the rule notifies the user.
        type: int
        default: 0
      contact_method:
        description:
          - The contact method the rule notifies, by type and address (case-insensitive).
          - It must be one the user has and keeps, or one O(contact_methods) adds in the same task.
        type: dict
        required: true
        suboptions:
          type:
            description:
              - The contact method's type.
            type: str
            required: true
            choices: [email, phone, sms, push_notification]
          address:
            description:
              - The contact method's address.
            type: str
            required: true
  purge_notification_rules:
    description:
      - Remove notification rules that are not in O(notification_rules). Has no effect when O(notification_rules) is unset.
    type: bool
    default: true
  teams:
    description:
      - The names of the teams the user is on (exact names). Every team must exist.
      - When unset, the user's teams are left as they are.
      - With O(purge_teams=true), the user leaves the teams not in this list; V([]) takes the user off every team.
    type: list
    elements: str
  purge_teams:
    description:
      - Take the user off teams that are not in O(teams). Has no effect when O(teams) is unset.
    type: bool
    default: true
  team_role:
    description:
      - The role the user gets on the teams this task adds them to. When unset, PagerDuty gives the team's default role.
      - The role on teams the user is already on is left as it is; manage it with M(incident.ops.pd_team).
    type: str
    choices: [manager, responder, observer]
  force:
    description:
      - With O(state=absent), first take the user out of the escalation policies and schedule layers that hold them,
        then remove the user.
      - An escalation rule left with no targets is removed, and so is a schedule layer left with no users. An escalation
        policy or schedule that would be left empty makes the task fail, naming it, before anything is written.
      - When false, a user who is still in an escalation policy or schedule is not removed, and the task fails naming them.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the user, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - Creating a user needs O(from_email) (PagerDuty's C(From) header).
  - The user, its contact methods, notification rules and teams are read with one request
    (C(GET /users?query=<email>&include[]=contact_methods&include[]=notification_rules&include[]=teams)) and an
    exact, case-insensitive email match, so a run that changes nothing makes one request.
  - Writes go in this order - user fields; new and changed contact methods; new notification rules; notification
    rules to remove; contact methods to remove; teams to join and to leave.
  - PagerDuty gives a new user an email contact method at the login email and default notification rules. When the
    task creates the user, its lists are compared with what PagerDuty created, read with one more request. In check
    mode the default notification rules are not known and are not shown.
  - The diff shows the changed user fields and, for each list, only the items added, removed or changed.
  - O(state=absent) reads the escalation policies that target the user and every schedule (with its layers) to find
    what still holds the user.
seealso:
  - module: incident.ops.pd_user_info
  - module: incident.ops.pd_team
  - name: PagerDuty Users API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
# These tasks run top to bottom on an account where none of their objects exist yet.
# They take their connection from the play, once for every incident.ops PagerDuty module:
#
#   module_defaults:
#     group/incident.ops.pagerduty:
#       api_token: "{{ vault_pagerduty_token }}"
#       from_email: you@example.com  # the login email of an existing user of the account

- name: Create the teams Ada will be on
  incident.ops.pd_team:
    name: "{{ item }}"
  loop: [Payments, Incident Commanders]
  loop_control:
    label: "{{ item }}"

- name: Onboard Ada with how PagerDuty reaches her
  incident.ops.pd_user:
    email: ada@example.com
    name: Ada Lovelace
    role: user
    time_zone: Europe/London
    job_title: Site Reliability Engineer
    description: Payments on-call since 2026
    color: green
    contact_methods:
      - type: email
        address: ada@example.com
        label: Work
      - type: phone
        address: "2025550143"
        country_code: 1
        label: Mobile
      - type: sms
        address: "2025550143"
        label: Mobile
    notification_rules:
      - urgency: high
        contact_method: {type: sms, address: "2025550143"}
      - urgency: high
        start_delay_in_minutes: 5
        contact_method: {type: phone, address: "2025550143"}
      - urgency: low
        contact_method: {type: email, address: ada@example.com}
    teams: [Payments]
    team_role: responder

- name: Put Ada on one more team, keeping her on the others
  incident.ops.pd_user:
    email: ada@example.com
    teams: [Incident Commanders]
    purge_teams: false

- name: Give Ada a second email address, leaving her other contact methods and rules as they are
  incident.ops.pd_user:
    email: ada@example.com
    contact_methods:
      - type: email
        address: ada.lovelace@example.org
        label: Personal
    purge_contact_methods: false

- name: Onboard Grace with PagerDuty's default contact method and notification rules
  incident.ops.pd_user:
    email: grace@example.com
    name: Grace Hopper
    role: limited_user
    time_zone: America/New_York

- name: Put Grace on a rotation
  incident.ops.pd_schedule:
    name: Payments primary
    time_zone: Europe/London
    layers:
      - name: Weekly
        rotation_virtual_start: "2026-01-05T09:00:00Z"
        rotation_turn_length_seconds: 604800
        users: [ada@example.com, grace@example.com]

- name: Remove Grace, taking her out of the rotation first
  incident.ops.pd_user:
    email: grace@example.com
    state: absent
    force: true

- name: Remove a user who may already be gone (nothing to do then)
  incident.ops.pd_user:
    email: charles.babbage@example.com
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user as PagerDuty returns it after the change, with its contact methods, notification rules and teams in
      full; in check mode, what it would be (new items have no C(id)).
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The user's id (absent in check mode when the user would be created).
      type: str
      returned: when the user exists
    type:
      description: Always V(user).
      type: str
      returned: when the user exists
    summary:
      description: A short description of the user (its name).
      type: str
      returned: when the user exists
    self:
      description: The API URL of the user.
      type: str
      returned: when the user exists
    html_url:
      description: The URL of the user's page in PagerDuty's web interface.
      type: str
      returned: when the user exists
    email:
      description: The user's login email.
      type: str
    name:
      description: The user's name.
      type: str
    role:
      description: The user's role in the account, one of the O(role) choices.
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
      returned: when the user exists
    invitation_sent:
      description: Whether PagerDuty has sent the user an invitation.
      type: bool
      returned: when the user exists
    contact_methods:
      description: The user's contact methods.
      type: list
      elements: dict
      contains:
        id:
          description: The contact method's id (absent in check mode for one that would be added).
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
          returned: when the contact method exists
        send_short_email:
          description: Whether an email contact method gets short emails.
          type: bool
          returned: for email contact methods
        enabled:
          description: Whether the contact method can be used.
          type: bool
          returned: when the contact method exists
    notification_rules:
      description: The user's notification rules.
      type: list
      elements: dict
      contains:
        id:
          description: The rule's id (absent in check mode for one that would be added).
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
          description: The contact method the rule notifies, in full (the same fields as in RV(user.contact_methods)).
          type: dict
        summary:
          description: A short description of the rule.
          type: str
          returned: when the rule exists
    teams:
      description: The teams the user is on.
      type: list
      elements: dict
      contains:
        id:
          description: The team's id.
          type: str
        type:
          description: V(team) or V(team_reference).
          type: str
        name:
          description: The team's name.
          type: str
          returned: when PagerDuty includes the team in full
        summary:
          description: The team's name.
          type: str
        description:
          description: The team's description.
          type: str
          returned: when PagerDuty includes the team in full
        self:
          description: The API URL of the team.
          type: str
        html_url:
          description: The URL of the team's page in PagerDuty's web interface.
          type: str
        default_role:
          description: The role a user gets on the team when none is given.
          type: str
          returned: when PagerDuty includes the team in full
        parent:
          description: A reference to the team's parent team; null for a top-level team.
          type: dict
          returned: when PagerDuty includes the team in full
  sample:
    id: PXPGF42
    type: user
    summary: Ada Lovelace
    name: Ada Lovelace
    email: ada@example.com
    role: user
    time_zone: Europe/London
    job_title: Site Reliability Engineer
    description: Payments on-call since 2026
    color: green
    invitation_sent: true
    contact_methods:
      - id: PC1DTBU
        type: email_contact_method
        label: Work
        address: ada@example.com
      - id: PC0UV03
        type: sms_contact_method
        label: Mobile
        address: "2025550143"
        country_code: 1
    notification_rules:
      - id: P5MYMOS
        type: assignment_notification_rule
        urgency: high
        start_delay_in_minutes: 0
        contact_method:
          id: PC0UV03
          type: sms_contact_method
          label: Mobile
          address: "2025550143"
          country_code: 1
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
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.users import ensure_user, user_options

ARGUMENT_SPEC = options.argument_spec(options.PAGERDUTY, **user_options())


def run(module, api):
    return ensure_user(api, module.params, module.check_mode)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "user")


if __name__ == "__main__":
    main()
