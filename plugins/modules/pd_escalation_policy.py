#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_escalation_policy
short_description: Manage PagerDuty escalation policies
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty escalation policy, identified by its exact name - who is notified at each
    level (users by email, schedules by name), in which order and after how long.
  - Rules are compared in order (their order is the escalation order); the targets of one rule are compared as a set,
    so listing them in another order is not a change.
  - Every team, user and schedule the write names is looked up before it is made; an unknown one fails the task
    with nothing written.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - The policy's name; identifies the policy (exact, case-sensitive match).
    type: str
    required: true
  description:
    description:
      - The policy's description. Left as it is when unset.
    type: str
  num_loops:
    description:
      - How many times the policy repeats after its last rule. Left as it is when unset (PagerDuty's default is 0).
    type: int
  on_call_handoff_notifications:
    description:
      - When the policy's on-call users get handoff notifications. Left as it is when unset.
    type: str
    choices: [if_has_services, always]
  teams:
    description:
      - The name of the team the policy belongs to. PagerDuty allows at most one.
      - V([]) detaches the policy from its team; when unset, the team is left as it is.
    type: list
    elements: str
  rules:
    description:
      - The escalation rules, in escalation order. Required to create a policy; when unset, the rules are left as they are.
      - Every rule needs at least one target and at most ten.
    type: list
    elements: dict
    suboptions:
      escalation_delay_in_minutes:
        description:
          - Minutes before an unacknowledged incident escalates from this rule to the next.
        type: int
        required: true
      targets:
        description:
          - Who is notified at this level. Their order does not matter.
        type: list
        elements: dict
        required: true
        suboptions:
          type:
            description:
              - What the target is.
            type: str
            choices: [user, schedule]
            required: true
          name:
            description:
              - The user's login email for a V(user) target, the schedule's exact name for a V(schedule) target.
            type: str
            required: true
  state:
    description:
      - V(present) creates or updates the policy, V(absent) removes it.
      - PagerDuty refuses to remove a policy that a service still uses; the task then fails naming those services.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - The policy is read with one request (C(GET /escalation_policies?query=<name>&include[]=targets)), which brings
    each target's email or name along, so a run that changes nothing makes that one request.
  - When O(from_email) is set, it is sent as the C(From) header on creation, as PagerDuty allows.
  - Each rule's assignment strategy is not managed; PagerDuty applies its default to rules this module writes.
seealso:
  - module: incident.ops.pd_escalation_policy_info
  - module: incident.ops.pd_team
  - name: PagerDuty Escalation Policies API
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

- name: Create the team the policy belongs to
  incident.ops.pd_team:
    name: Payments

- name: Create the users
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

- name: Page the primary on-call, then the team lead
  incident.ops.pd_escalation_policy:
    name: Payments escalation
    description: Primary on-call, then the team lead
    num_loops: 2
    teams: [Payments]
    rules:
      - escalation_delay_in_minutes: 15
        targets:
          - type: schedule
            name: Payments primary
      - escalation_delay_in_minutes: 30
        targets:
          - type: user
            name: ada@example.com

- name: Create a policy for the migration weekend
  incident.ops.pd_escalation_policy:
    name: Payments migration weekend
    rules:
      - escalation_delay_in_minutes: 10
        targets:
          - type: user
            name: grace@example.com
          - type: user
            name: ada@example.com

- name: Retire it when the weekend is over
  incident.ops.pd_escalation_policy:
    name: Payments migration weekend
    state: absent
"""

RETURN = r"""
escalation_policy:
  description:
    - The policy as PagerDuty returns it after the change; in check mode, what it would be.
    - Every rule's targets are shown as references, with C(email) added for users.
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The policy's id (absent in check mode when the policy would be created).
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
    id: PQIL2IX
    type: escalation_policy
    name: Payments escalation
    description: Primary on-call, then the team lead
    num_loops: 2
    on_call_handoff_notifications: if_has_services
    teams:
      - id: PQ9K7I8
        type: team_reference
        summary: Payments
    services: []
    escalation_rules:
      - id: PANZZEQ
        escalation_delay_in_minutes: 15
        targets:
          - id: PI7DH85
            type: schedule_reference
            summary: Payments primary
      - id: PANZZEX
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
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.escalation import (
    INCLUDE_TARGETS, present_policy, present_target, target_kind, target_name)
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import NamedObject, connect, reference, refuse_if_used
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure, pending, without_none
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.teams import (
    current_team_references, desired_team_names, named_team_references, shown_team_references, team_names)
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_filled

MAX_TARGETS = 10
SCALARS = ("description", "num_loops", "on_call_handoff_notifications")

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str", required=True),
    description=dict(type="str"),
    num_loops=dict(type="int"),
    on_call_handoff_notifications=dict(type="str", choices=["if_has_services", "always"]),
    teams=dict(type="list", elements="str"),
    rules=dict(type="list", elements="dict", options=dict(
        escalation_delay_in_minutes=dict(type="int", required=True),
        targets=dict(type="list", elements="dict", required=True, options=dict(
            type=dict(type="str", choices=["user", "schedule"], required=True),
            name=dict(type="str", required=True),
        )),
    )),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def sorted_targets(targets):
    """A rule's targets in one canonical order, so their order in a task or in the API is no change."""
    return sorted(targets, key=lambda target: (target["type"], target["name"]))


class Policy(NamedObject):
    """A policy found by name; rules compare in order (the escalation order), each rule's targets as a set."""

    collection = "escalation_policies"
    key = "escalation_policy"
    lookup_params = INCLUDE_TARGETS

    def __init__(self, api, name):
        super().__init__(api, name)
        self.emails = {}

    def lookup(self):
        """The policy with its targets as references, keeping each user target's email for the results of writes."""
        found = super().lookup()
        if found is None:
            return None
        shown = present_policy(found)
        for rule in shown["escalation_rules"]:
            self.emails.update((target["id"], target["email"]) for target in rule["targets"] if target.get("email"))
        return shown

    def current_fields(self, current):
        fields = dict((key, current.get(key)) for key in SCALARS)
        fields["teams"] = team_names(current)
        fields["rules"] = [
            {"escalation_delay_in_minutes": rule.get("escalation_delay_in_minutes"),
             "targets": sorted_targets({"type": target_kind(target), "name": target_name(target)} for target in rule["targets"])}
            for rule in current.get("escalation_rules") or []
        ]
        return fields

    # Names to PagerDuty objects: each is looked up once per run, and unknown names are bad input.

    def target(self, target):
        if target["type"] == "user":
            user = self.api.require_user(target["name"])
            self.emails[user["id"]] = user["email"]
            return user
        return self.api.require_named("schedules", target["name"])

    def resolve(self, fields):
        """Look up every team and target that a write of ``fields`` names, before anything is written."""
        named_team_references(self.api, fields.get("teams") or [])
        targets = [target for rule in fields.get("rules") or [] for target in rule["targets"]]
        emails = [target["name"] for target in targets if target["type"] == "user"]
        if emails:
            self.emails.update((user["id"], user["email"]) for user in self.api.require_users(emails).values())
        for target in targets:
            self.target(target)

    # Request bodies and results.

    def body(self, fields, current=None):
        """A whole policy: PUT needs the name and the rules, and unchanged teams are sent back as they are."""
        body = {"name": self.name}
        body.update((key, fields[key]) for key in SCALARS if key in fields)
        if "teams" in fields:
            body["teams"] = named_team_references(self.api, fields["teams"])
        elif current is not None:
            body["teams"] = current_team_references(current)
        if "rules" in fields:
            body["escalation_rules"] = [
                {"escalation_delay_in_minutes": rule["escalation_delay_in_minutes"],
                 "targets": [reference(target["type"], self.target(target)["id"]) for target in rule["targets"]]}
                for rule in fields["rules"]
            ]
        else:
            body["escalation_rules"] = [
                {"id": rule["id"], "escalation_delay_in_minutes": rule["escalation_delay_in_minutes"],
                 "targets": [reference(target_kind(target), target["id"]) for target in rule["targets"]]}
                for rule in current["escalation_rules"]
            ]
        return body

    def present(self, record):
        return present_policy(record, self.emails)

    def create_headers(self):
        """PagerDuty takes a From header on creation when one is configured; it is optional here."""
        return self.api.acting_user() if self.api.from_email else None

    def preview(self, current, changed):
        shown = dict(current)
        shown.update((key, changed[key]) for key in SCALARS if key in changed)
        if "teams" in changed:
            shown["teams"] = shown_team_references(self.api, changed["teams"])
        if "rules" in changed:
            shown["escalation_rules"] = [
                {"escalation_delay_in_minutes": rule["escalation_delay_in_minutes"],
                 "targets": [present_target(self.target(target)) for target in rule["targets"]]}
                for rule in changed["rules"]
            ]
        return shown


def desired_rules(rules):
    check_filled(rules, "rules", "PagerDuty requires at least one escalation rule")
    if rules is None:
        return None
    wanted = []
    for number, rule in enumerate(rules, start=1):
        if rule["escalation_delay_in_minutes"] < 0:
            raise InvalidInput("rule %d: escalation_delay_in_minutes must not be negative" % number)
        targets = set()
        for target in rule["targets"]:
            name = check_filled(target["name"], "rule %d: a %s target's name" % (number, target["type"])).strip()
            if target["type"] == "user":
                name = check_email(name, "rule %d: the user target" % number).lower()
            targets.add((target["type"], name))
        if not targets:
            raise InvalidInput("rule %d has no targets: every escalation rule needs at least one user or schedule" % number)
        if len(targets) > MAX_TARGETS:
            raise InvalidInput("rule %d has %d targets; PagerDuty allows at most %d" % (number, len(targets), MAX_TARGETS))
        wanted.append({"escalation_delay_in_minutes": rule["escalation_delay_in_minutes"],
                       "targets": sorted_targets({"type": kind, "name": name} for kind, name in targets)})
    return wanted


def desired_policy(params):
    """The policy fields the task sets, in the shape ``Policy.current_fields`` gives; the name is the identity."""
    check_filled(params["name"], "name")
    if params["num_loops"] is not None and params["num_loops"] < 0:
        raise InvalidInput("num_loops must not be negative, got %d" % params["num_loops"])
    teams = desired_team_names(params["teams"])
    if teams is not None and len(teams) > 1:
        raise InvalidInput("PagerDuty allows one team per escalation policy; teams lists %s" % ", ".join(teams))
    desired = dict((key, params[key]) for key in SCALARS)
    desired.update(teams=teams, rules=desired_rules(params["rules"]))
    return desired


def run(module, api):
    params = module.params
    desired = desired_policy(params)
    policy = Policy(api, params["name"])
    current = policy.look()
    if params["state"] == "absent":
        if current is not None:
            refuse_if_used("The escalation policy %r" % current["name"], "services", current.get("services"),
                           "move them to another policy first")
        return ensure(policy, {}, "absent", module.check_mode, identity={"name": params["name"]}).as_tuple()
    wanted = without_none(desired)
    if current is None and desired["rules"] is None:
        raise InvalidInput("rules is required to create the escalation policy %r" % params["name"])
    policy.resolve(pending(policy, current, wanted))
    return ensure(policy, desired, "present", module.check_mode, identity={"name": params["name"]}).as_tuple()


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "escalation_policy")


if __name__ == "__main__":
    main()
