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
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.offboarding import Release, describe, holdings
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, connect, display_name, reference
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure, plan_set, set_diff
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.users import (
    INCLUDE, METHOD_TYPES, PHONE_KINDS, is_login_method, method_key, method_kind, present_user, with_includes)
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_filled, check_once, check_time_zone

ROLES = ["owner", "admin", "user", "limited_user", "observer", "restricted_access", "read_only_user", "read_only_limited_user"]

FIELDS = ("name", "role", "time_zone", "job_title", "description", "color")
KINDS = list(METHOD_TYPES)
DEFAULT_LABELS = {"email": "Email", "phone": "Phone", "sms": "SMS", "push_notification": "Push"}
METHOD_FIELDS = ("type", "address", "label", "country_code")
MAX_COUNTRY_CODE = 1999

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    email=dict(type="str", required=True),
    name=dict(type="str"),
    role=dict(type="str", choices=ROLES),
    time_zone=dict(type="str"),
    job_title=dict(type="str"),
    description=dict(type="str"),
    color=dict(type="str"),
    contact_methods=dict(type="list", elements="dict", options=dict(
        type=dict(type="str", required=True, choices=KINDS),
        address=dict(type="str", required=True),
        label=dict(type="str"),
        country_code=dict(type="int"),
    )),
    purge_contact_methods=dict(type="bool", default=True),
    notification_rules=dict(type="list", elements="dict", options=dict(
        urgency=dict(type="str", choices=["high", "low"], default="high"),
        start_delay_in_minutes=dict(type="int", default=0),
        contact_method=dict(type="dict", required=True, options=dict(
            type=dict(type="str", required=True, choices=KINDS),
            address=dict(type="str", required=True),
        )),
    )),
    purge_notification_rules=dict(type="bool", default=True),
    teams=dict(type="list", elements="str"),
    purge_teams=dict(type="bool", default=True),
    team_role=dict(type="str", choices=["manager", "responder", "observer"]),
    force=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class User(ApiObject):
    """A user is found by login email, and PagerDuty creates one only on someone's behalf (the From header)."""

    collection = "users"
    key = "user"

    def __init__(self, api, email):
        super().__init__(api)
        self.email = email

    def lookup(self):
        return self.api.find_user(self.email, include=INCLUDE)

    def body(self, fields, current=None):
        """The changed fields, plus the name and email the API requires in every PUT body."""
        if current is None:
            return dict(fields)
        return dict({"name": current["name"], "email": current["email"]}, **fields)

    def create_headers(self):
        return self.api.acting_user()

    def reread(self, user):
        """A user just created, with what PagerDuty gave it (contact methods, rules), which the create answer only references."""
        return self.api.get(self.path(user), params=with_includes())["user"]


def new_user(email):
    """A user about to be created, as PagerDuty will make it: with an email contact method at the login email."""
    return {"contact_methods": [{"type": METHOD_TYPES["email"], "label": "Default", "address": email}],
            "notification_rules": [], "teams": []}


# What the task wants -------------------------------------------------------------------------------

def desired_user(params):
    """The user fields the task sets; the email is the identity, so it is not among them."""
    return {field: params[field] for field in FIELDS}


def checked_address(kind, address, what):
    address = str(address).strip()
    if kind == "email":
        address = check_email(address, what).lower()
    elif kind in PHONE_KINDS and not address.isdigit():
        raise InvalidInput("%s %r must be digits only, without spaces or the country code (set country_code)" % (what, address))
    return check_filled(address, what)


def desired_contact_methods(entries):
    """The contact methods the task lists, checked; None when the task leaves them alone."""
    if entries is None:
        return None
    wanted, seen = [], set()
    for entry in entries:
        kind = entry["type"]
        address = checked_address(kind, entry["address"], "The %s contact method address" % kind)
        country_code = entry["country_code"]
        if kind in PHONE_KINDS:
            country_code = 1 if country_code is None else country_code
            if not 1 <= country_code <= MAX_COUNTRY_CODE:
                raise InvalidInput("country_code %d of the %s contact method %r is not a country calling code (1 to %d)"
                                   % (country_code, kind, address, MAX_COUNTRY_CODE))
        elif country_code is not None:
            raise InvalidInput("country_code applies to phone and sms contact methods only, not to the %s contact method %r"
                               % (kind, address))
        check_once(seen, method_key(kind, address), "The %s contact method %r" % (kind, entry["address"]))
        wanted.append({"type": kind, "address": address, "label": entry["label"], "country_code": country_code})
    return wanted


def desired_notification_rules(entries):
    """The notification rules the task lists, each naming its contact method by key; None when left alone."""
    if entries is None:
        return None
    wanted, seen = [], set()
    for entry in entries:
        method = entry["contact_method"]
        kind = method["type"]
        address = checked_address(kind, method["address"], "The notification rule's %s contact method address" % kind)
        if entry["start_delay_in_minutes"] < 0:
            raise InvalidInput("start_delay_in_minutes must not be negative, got %d" % entry["start_delay_in_minutes"])
        kind, address = method_key(kind, address)
        rule = {"urgency": entry["urgency"], "start_delay_in_minutes": entry["start_delay_in_minutes"],
                "contact_method": {"type": kind, "address": address}}
        check_once(seen, rule_key(rule), "The notification rule %s" % describe_rule(rule))
        wanted.append(rule)
    return wanted


def desired_teams(names):
    if names is None:
        return None
    seen = set()
    for name in names:
        check_filled(name, "a team name in teams")
        check_once(seen, name.strip(), "The team %r" % name.strip())
    return [{"name": name.strip()} for name in names]


# What the user has, in the same shapes ---------------------------------------------------------------

def method_item(method):
    """A contact method in the task's shape, with its id and the API object."""
    kind = method_kind(method)
    address = method.get("address")
    item = {"type": kind, "address": address.lower() if kind == "email" and address else address, "label": method.get("label"),
            "id": method.get("id"), "api": method}
    if kind in PHONE_KINDS:
        item["country_code"] = method.get("country_code")
    return item


def item_key(item):
    return method_key(item["type"], item["address"])


def rule_item(rule, methods_by_id):
    method = methods_by_id.get((rule.get("contact_method") or {}).get("id")) or {"type": None, "address": None}
    kind, address = item_key(method)
    return {"urgency": rule.get("urgency"), "start_delay_in_minutes": rule.get("start_delay_in_minutes"),
            "contact_method": {"type": kind, "address": address}, "id": rule.get("id"), "api": rule}


def rule_key(rule):
    method = rule["contact_method"]
    return (rule["urgency"], rule["start_delay_in_minutes"]) + method_key(method["type"], method["address"])


def name_key(team):
    return team["name"]


# Diff items ---------------------------------------------------------------------------------------

def show_method(item):
    shown = dict((key, item[key]) for key in METHOD_FIELDS if item.get(key) is not None)
    shown.setdefault("label", DEFAULT_LABELS[item["type"]])
    return shown


def show_rule(rule):
    return {"urgency": rule["urgency"], "start_delay_in_minutes": rule["start_delay_in_minutes"],
            "contact_method": dict(rule["contact_method"])}


def show_team(team):
    return team["name"]


def describe_rule(rule):
    method = rule["contact_method"]
    return "%s urgency after %d minutes to %s %s" % (rule["urgency"], rule["start_delay_in_minutes"], method["type"], method["address"])


# Request bodies ------------------------------------------------------------------------------------

def method_body(item, have=None):
    """A whole contact method, as POST and PUT want it; a PUT keeps the label and country code the task leaves unset."""
    have = have or {}
    kind = item["type"]
    body = {"type": METHOD_TYPES[kind], "address": item["address"],
            "label": item.get("label") or have.get("label") or DEFAULT_LABELS[kind]}
    if kind in PHONE_KINDS:
        body["country_code"] = item.get("country_code") or have.get("country_code") or 1
    return body


def rule_body(rule, method):
    return {"type": "assignment_notification_rule", "urgency": rule["urgency"],
            "start_delay_in_minutes": rule["start_delay_in_minutes"],
            "contact_method": reference(METHOD_TYPES[method_kind(method)], method["id"])}


class Profile:
    """How a user's contact methods, notification rules and teams get from what they are to what the task wants.

    Everything is planned, checked and resolved when the profile is built, so
    that bad input fails before the first write.
    """

    def __init__(self, api, params, user, wanted):
        self.api = api
        self.user = user
        wanted_methods, wanted_rules, wanted_teams = wanted
        methods = self.methods_now()
        self.methods = plan_set(methods, wanted_methods or [], item_key, purge=params["purge_contact_methods"] and wanted_methods is not None,
                                protected=lambda item: is_login_method(item, params["email"]))
        self.rules = self.plan_rules(methods, wanted_methods, wanted_rules, params["purge_notification_rules"])
        current_teams = [{"name": display_name(team), "id": team.get("id"), "api": team} for team in user.get("teams") or []]
        self.teams = plan_set(current_teams, wanted_teams or [], name_key, purge=params["purge_teams"] and wanted_teams is not None)
        self.joined = self.teams_to_join(params)
        self.team_role = params["team_role"]

    def plan_rules(self, methods, wanted_methods, wanted_rules, purge):
        """A new rule must notify a contact method the user keeps or gets; the rules of a removed one go with it."""
        removed = set(item_key(item) for item in self.methods.remove)
        reachable = (set(item_key(item) for item in methods) - removed) | set(item_key(item) for item in wanted_methods or [])
        by_id = dict((item["id"], item) for item in methods if item["id"])
        rules = [rule_item(rule, by_id) for rule in self.user.get("notification_rules") or []]
        plan = plan_set(rules, wanted_rules or [], rule_key, purge=purge and wanted_rules is not None)
        for rule in plan.add:
            if rule_key(rule)[2:] not in reachable:
                raise InvalidInput("The notification rule %s names a contact method the user would not have; add it to "
                                   "contact_methods" % describe_rule(rule))
        gone = set(rule["id"] for rule in plan.remove)
        plan.remove.extend(rule for rule in rules if rule_key(rule)[2:] in removed and rule["id"] not in gone)
        return plan

    def teams_to_join(self, params):
        """The teams the user joins, looked up now; PagerDuty puts no read_only_user on a team."""
        joined = dict((team["name"], self.api.require_named("teams", team["name"])) for team in self.teams.add)
        role = params["role"] or self.user.get("role")
        if joined and role == "read_only_user":
            raise InvalidInput("PagerDuty does not put read_only_user users on teams; %s cannot join %s"
                               % (params["email"], ", ".join(sorted(joined))))
        return joined

    @property
    def changed(self):
        return self.methods.changed or self.rules.changed or self.teams.changed

    def write(self, user_id, check_mode):
        """Make the writes in the safe order; returns the contact methods, rules and teams as they end up.

        Contact methods are added before the rules that use them, and removed
        only after the rules that used them, so the user can always be reached.
        """
        base = "/users/%s" % user_id if user_id else None
        methods = self.write_methods(base, check_mode)
        rules = self.write_rules(base, methods, check_mode)
        if not check_mode:
            for item in self.methods.remove:
                self.api.delete("%s/contact_methods/%s" % (base, item["id"]))
        teams = self.write_teams(user_id, check_mode)
        return {"contact_methods": methods, "notification_rules": rules, "teams": teams}

    def write_methods(self, base, check_mode):
        """Add and change contact methods; returns them as they will be once the planned removals are made."""
        added = []
        for item in self.methods.add:
            body = method_body(item)
            added.append(body if check_mode else self.api.post(base + "/contact_methods", {"contact_method": body})["contact_method"])
        updated = {}
        for have, item in self.methods.update:
            body = method_body(item, have)
            updated[have["id"]] = (dict(have["api"], **body) if check_mode else
                                   self.api.put("%s/contact_methods/%s" % (base, have["id"]), {"contact_method": body})["contact_method"])
        removed = set(item["id"] for item in self.methods.remove)
        return [updated.get(item["id"], item["api"]) for item in self.methods_now() if item["id"] not in removed] + added

    def write_rules(self, base, methods, check_mode):
        """Add rules, each on its contact method as ``methods`` holds it, then remove rules; returns them as they end up."""
        by_key = dict((item_key(method_item(method)), method) for method in methods)
        added = []
        for rule in self.rules.add:
            method = by_key[rule_key(rule)[2:]]
            if check_mode:
                added.append({"type": "assignment_notification_rule", "urgency": rule["urgency"],
                              "start_delay_in_minutes": rule["start_delay_in_minutes"], "contact_method": method})
            else:
                added.append(self.api.post(base + "/notification_rules", {"notification_rule": rule_body(rule, method)})["notification_rule"])
        removed = set(rule["id"] for rule in self.rules.remove)
        if not check_mode:
            for rule in self.rules.remove:
                self.api.delete("%s/notification_rules/%s" % (base, rule["id"]))
        return [rule for rule in self.user.get("notification_rules") or [] if rule.get("id") not in removed] + added

    def write_teams(self, user_id, check_mode):
        """Join, then leave; returns the teams as they end up."""
        left = set(team["id"] for team in self.teams.remove)
        if not check_mode:
            role = {"role": self.team_role} if self.team_role else None
            for team in self.joined.values():
                self.api.put("/teams/%s/users/%s" % (team["id"], user_id), role)
            for team in self.teams.remove:
                self.api.delete("/teams/%s/users/%s" % (team["id"], user_id))
        return [team for team in self.user.get("teams") or [] if team.get("id") not in left] + list(self.joined.values())

    def methods_now(self):
        return [method_item(method) for method in self.user.get("contact_methods") or []]

    def add_diff(self, diff):
        for name, plan, show in (("contact_methods", self.methods, show_method), ("notification_rules", self.rules, show_rule),
                                 ("teams", self.teams, show_team)):
            if plan.changed:
                diff["before"][name], diff["after"][name] = set_diff(plan, show)
        return diff


def remove(api, user, params, check_mode):
    """Remove the user; whatever escalation policy or schedule still holds them is edited first with ``force``."""
    current = user.look()
    release = None
    if current is not None:
        policies, schedules = holdings(api, current["id"])
        if (policies or schedules) and not params["force"]:
            raise InvalidInput("The user %s is still in %s; take them out first, or set force=true to do it and then remove "
                               "the user" % (params["email"], describe(policies, schedules)))
        release = Release(current["id"], policies, schedules)
        if release and not check_mode:
            release.apply(api)
    outcome = ensure(user, desired_user(params), "absent", check_mode, identity={"email": params["email"]})
    if release:
        outcome.diff["before"].update(release.names())
    return outcome.as_tuple()


def run(module, api):
    params = dict(module.params, email=module.params["email"].strip())
    check_email(params["email"])
    check_filled(params["name"], "name")
    check_time_zone(params["time_zone"])
    user = User(api, params["email"])
    if params["state"] == "absent":
        return remove(api, user, params, module.check_mode)
    wanted = (desired_contact_methods(params["contact_methods"]), desired_notification_rules(params["notification_rules"]),
              desired_teams(params["teams"]))
    current = user.look()
    if current is None and not params["name"]:
        raise InvalidInput("name is required to create the user %s" % params["email"])
    profile = Profile(api, params, current or new_user(params["email"]), wanted)
    outcome = ensure(user, desired_user(params), "present", module.check_mode, identity={"email": params["email"]})
    if current is None and not module.check_mode:
        profile = Profile(api, params, user.reread(outcome.result), wanted)
    lists = profile.write((outcome.result or {}).get("id"), module.check_mode)
    result = present_user(dict(outcome.result, **lists))
    return outcome.changed or profile.changed, result, profile.add_diff(outcome.diff)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "user")


if __name__ == "__main__":
    main()
