#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_users
short_description: Manage many PagerDuty users in one task
version_added: 0.2.0
description:
  - Create, update or remove a list of PagerDuty users in one task, each exactly as M(incident.ops.pd_user) would
    with the same options (name, role, time zone, job title, bio, color, contact methods, notification rules, teams).
  - Use it instead of a loop of M(incident.ops.pd_user) when a play manages more than a few users, such as a whole
    team at onboarding or every user of an account each night. A loop pays Ansible's cost of starting a task for
    every user and waits for each request in turn; this module starts once and works on several users at a time,
    so a run that changes nothing over 50 users takes about as long as one task.
  - Every entry is checked (emails, time zones, contact methods, notification rules, that no email is listed twice)
    and every team named is looked up before the first write, so bad input fails the task without writing anything.
  - When a user's API call fails, the other users still go on; the task then fails, naming each user that failed and
    why, and still returns every user and whether anything changed.
  - With C(--diff), the diff shows each user that changes, under its email, with only its changed fields and items.
author:
  - incident.ops maintainers (@incident-ops)
options:
  users:
    description:
      - The users, each with the options of M(incident.ops.pd_user) (see there for each one).
      - An email may appear only once.
    type: list
    elements: dict
    required: true
    suboptions:
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
          - The user's role in the account.
        type: str
        choices: [owner, admin, user, limited_user, observer, restricted_access, read_only_user, read_only_limited_user]
      time_zone:
        description:
          - The user's time zone, as an IANA name such as V(Europe/Paris).
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
          - The color of the user's shifts in schedules.
        type: str
      contact_methods:
        description:
          - The user's contact methods, as O(incident.ops.pd_user#module:contact_methods) takes them. Left as they are
            when unset.
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
              - The email address, the phone number (digits only) or the device's address.
            type: str
            required: true
          label:
            description:
              - The contact method's label.
            type: str
          country_code:
            description:
              - The country calling code of a V(phone) or V(sms) number; V(1) when unset.
            type: int
      purge_contact_methods:
        description:
          - Remove contact methods that are not in O(users[].contact_methods).
        type: bool
        default: true
      notification_rules:
        description:
          - The user's notification rules, as O(incident.ops.pd_user#module:notification_rules) takes them. Left as they
            are when unset.
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
              - The contact method the rule notifies, by type and address.
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
          - Remove notification rules that are not in O(users[].notification_rules).
        type: bool
        default: true
      teams:
        description:
          - The names of the teams the user is on. Every team must exist. Left as they are when unset.
        type: list
        elements: str
      purge_teams:
        description:
          - Take the user off teams that are not in O(users[].teams).
        type: bool
        default: true
      team_role:
        description:
          - The role the user gets on the teams this task adds them to.
        type: str
        choices: [manager, responder, observer]
      force:
        description:
          - With O(users[].state=absent), first take the user out of the escalation policies and schedule layers that
            hold them.
        type: bool
        default: false
      state:
        description:
          - V(present) creates or updates the user, V(absent) removes it.
        type: str
        choices: [present, absent]
        default: present
  concurrency:
    description:
      - How many users are worked on at the same time.
    type: int
    default: 10
  rate_limit:
    description:
      - The most requests this task starts in any minute. PagerDuty allows 960 a minute for each API token; lower it
        when other tools use the same token at the same time.
      - When PagerDuty still answers that the limit is reached, every worker waits as long as it says.
    type: int
    default: 960
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - Each user costs what it costs with M(incident.ops.pd_user) - one request when nothing changes, two to create a
    user who has no contact methods or notification rules in the task (lookup and create), plus one for each team
    joined - and each team is looked up once for the whole task, however many users name it.
  - Creating users needs O(from_email) (PagerDuty's C(From) header).
  - The requests of one task share the rate limit, and are retried on 429 as every module's are; O(rate_limit) does not
    know what other tasks sent in the same minute, so a task right after a busy one may wait for PagerDuty's 429s.
seealso:
  - module: incident.ops.pd_user
  - module: incident.ops.pd_user_info
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

- name: Create the team the engineers join
  incident.ops.pd_team:
    name: Payments

- name: Onboard a team's engineers in one task
  incident.ops.pd_users:
    users:
      - email: ada@example.com
        name: Ada Lovelace
        role: user
        time_zone: Europe/London
        job_title: SRE
        teams: [Payments]
        team_role: manager
      - email: grace@example.com
        name: Grace Hopper
        role: limited_user
        time_zone: America/New_York
        teams: [Payments]
        contact_methods:
          - type: sms
            address: "2025550143"
        notification_rules:
          - urgency: high
            contact_method: {type: sms, address: "2025550143"}

- name: Make sure the members listed in a variable exist, no more than 300 requests a minute
  incident.ops.pd_users:
    users: "{{ team_members }}"
    rate_limit: 300
  vars:
    team_members:
      - {email: ada@example.com, name: Ada Lovelace}
      - {email: grace@example.com, name: Grace Hopper}
      - {email: alan@example.com, name: Alan Turing}

- name: Remove two users who left
  incident.ops.pd_users:
    users:
      - {email: grace@example.com, state: absent, force: true}
      - {email: alan@example.com, state: absent}
"""

RETURN = r"""
users:
  description:
    - Each user of O(users), in the same order, as M(incident.ops.pd_user) returns it in RV(incident.ops.pd_user#module:user)
      (null for a user that is absent or whose change failed).
  returned: always
  type: list
  elements: dict
  sample:
    - id: PXPGF42
      type: user
      name: Ada Lovelace
      email: ada@example.com
      role: user
      time_zone: Europe/London
      contact_methods: []
      notification_rules: []
      teams: []
changed_users:
  description: The emails of the users this task changed (or would change, in check mode), in the order of O(users).
  returned: always
  type: list
  elements: str
  sample: [ada@example.com]
failed_users:
  description: The users whose change failed, each with its email and the error.
  returned: always
  type: list
  elements: dict
  contains:
    email:
      description: The user's email.
      type: str
    msg:
      description: Why the user's change failed.
      type: str
  sample: []
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.concurrency import RequestBudget, run_each
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import PartialFailure, execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.users import checked_user, ensure_user, user_options
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_once

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    users=dict(type="list", elements="dict", required=True, options=user_options()),
    concurrency=dict(type="int", default=10),
    rate_limit=dict(type="int", default=960),
)


def check_all(entries):
    """Every entry checked, and each email once, before anything is asked or written."""
    seen = set()
    for entry in entries:
        params, unused = checked_user(entry)
        check_once(seen, params["email"].lower(), "The user %r" % params["email"])


def resolve_teams(api, entries):
    """Look up every team the users join, once for the task, so an unknown team fails before the first write."""
    names = sorted(set(name.strip() for entry in entries if entry["state"] == "present" for name in entry["teams"] or []))
    for name in names:
        api.require_named("teams", name)


def user_diff(email, diff):
    """One user's part of the task's diff, headed by the user's email."""
    return dict(diff, before_header=email, after_header=email)


def run(module, api):
    params = module.params
    entries = params["users"]
    if params["concurrency"] < 1 or params["rate_limit"] < 1:
        raise InvalidInput("concurrency and rate_limit must be at least 1")
    check_all(entries)
    api.throttle = RequestBudget(params["rate_limit"])
    resolve_teams(api, entries)
    outcomes = run_each(entries, lambda entry: ensure_user(api, entry, module.check_mode), params["concurrency"],
                        expected=(InvalidInput, ApiError))
    users, changed_users, failed, diffs = [], [], [], []
    for entry, outcome, error in outcomes:
        email = entry["email"].strip()
        if error is not None:
            failed.append({"email": email, "msg": str(error)})
            users.append(None)
            continue
        changed, user, diff = outcome
        users.append(user)
        if changed:
            changed_users.append(email)
            diffs.append(user_diff(email, diff))
    result = {"users": users, "changed_users": changed_users, "failed_users": failed}
    if failed:
        raise PartialFailure("%d of %d users failed: %s" % (len(failed), len(entries), "; ".join(
            "%s: %s" % (item["email"], item["msg"]) for item in failed)), bool(changed_users), result)
    return bool(changed_users), result, diffs


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, None)


if __name__ == "__main__":
    main()
