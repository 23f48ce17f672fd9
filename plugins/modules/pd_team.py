#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_team
short_description: Manage PagerDuty teams and their members
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty team, identified by its exact name, and set who is on it with which role.
  - Every member email is checked and every new member is looked up before the first write, so a typo in one
    email fails the task without creating or changing anything.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - The team's name; identifies the team (exact, case-sensitive match).
    type: str
    required: true
  description:
    description:
      - The team's description. Left as it is when unset.
    type: str
  members:
    description:
      - The users on the team and their roles, by login email (case-insensitive).
      - When unset, the members are left as they are.
      - With O(purge_members=true), users on the team but not in this list are removed from it; V([]) empties the team.
      - PagerDuty does not let users whose account role is C(read_only_user) join a team; listing one fails the task.
    type: list
    elements: dict
    suboptions:
      email:
        description:
          - The user's login email. The user must exist.
        type: str
        required: true
      role:
        description:
          - The user's role on the team.
        type: str
        choices: [manager, responder, observer]
        default: responder
  purge_members:
    description:
      - Remove members who are not in O(members). Has no effect when O(members) is unset.
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the team, V(absent) removes it.
      - PagerDuty removes a team only when no escalation policy, service or schedule belongs to it; the task then
        fails naming them, before anything is written.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - The team is found with one request (C(GET /teams?query=<name>)) and its members are read with one more
    (C(GET /teams/{id}/members?include[]=users)), so a run that changes nothing makes two requests.
  - The diff shows the changed team fields and, under C(members), only the members added, removed or given another role.
seealso:
  - module: incident.ops.pd_team_info
  - module: incident.ops.pd_user
  - name: PagerDuty Teams API
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

- name: Create the users who will be on the team
  incident.ops.pd_user:
    email: "{{ item.email }}"
    name: "{{ item.name }}"
  loop:
    - {email: ada@example.com, name: Ada Lovelace}
    - {email: grace@example.com, name: Grace Hopper}
    - {email: linus@example.com, name: Linus Torvalds}
    - {email: new.hire@example.com, name: Margaret Hamilton}
  loop_control:
    label: "{{ item.email }}"

- name: Onboard the payments team, with exactly these members
  incident.ops.pd_team:
    name: Payments
    description: Card processing and payouts
    members:
      - email: ada@example.com
        role: manager
      - email: grace@example.com
      - email: linus@example.com
        role: observer

- name: Add a member without touching the others
  incident.ops.pd_team:
    name: Payments
    members:
      - email: new.hire@example.com
    purge_members: false

- name: Create a team that is removed again below
  incident.ops.pd_team:
    name: Payments tiger team
    description: Temporary team for the card migration

- name: Remove that team
  incident.ops.pd_team:
    name: Payments tiger team
    state: absent
"""

RETURN = r"""
team:
  description:
    - The team as PagerDuty returns it after the change, with its members; in check mode, what it would be.
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The team's id (absent in check mode when the team would be created).
      type: str
      returned: when the team exists
    type:
      description: Always V(team).
      type: str
      returned: when the team exists
    summary:
      description: A short description of the team (its name).
      type: str
      returned: when the team exists
    self:
      description: The API URL of the team.
      type: str
      returned: when the team exists
    html_url:
      description: The URL of the team's page in PagerDuty's web interface.
      type: str
      returned: when the team exists
    default_role:
      description: The role a user gets on the team when none is given.
      type: str
      returned: when the team exists
    parent:
      description: A reference to the team's parent team; null for a top-level team.
      type: dict
      returned: when the team exists
    name:
      description: The team's name.
      type: str
    description:
      description: The team's description.
      type: str
      returned: when set
    members:
      description: The team's members.
      type: list
      elements: dict
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
        role:
          description: The user's role on the team (V(manager), V(responder) or V(observer)).
          type: str
  sample:
    id: PQ9K7I8
    type: team
    summary: Payments
    name: Payments
    description: Card processing and payouts
    default_role: manager
    parent: null
    members:
      - id: PXPGF42
        name: Ada Lovelace
        email: ada@example.com
        role: manager
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import SINGULAR, NamedObject, connect, describe_object
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure, plan_set, set_diff
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.teams import member, team_members
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_filled, check_once

TEAM_ROLES = ["manager", "responder", "observer"]
READ_ONLY_ROLE = "read_only_user"
OWNED = ("escalation_policies", "services", "schedules")

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str", required=True),
    description=dict(type="str"),
    members=dict(type="list", elements="dict", options=dict(
        email=dict(type="str", required=True),
        role=dict(type="str", choices=TEAM_ROLES, default="responder"),
    )),
    purge_members=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class Team(NamedObject):
    collection = "teams"
    key = "team"

    def body(self, fields, current=None):
        """A PUT carries the team's name, which PagerDuty requires, besides the changed fields."""
        return dict(fields) if current is None else dict(fields, name=current["name"])


def desired_team(params):
    """The team fields the task sets; the name is the identity, so it is not among them."""
    return {"description": params["description"]}


def desired_members(members):
    """The members the task lists, keyed by lower-case email; None when the task leaves members alone."""
    if members is None:
        return None
    wanted, seen = [], set()
    for entry in members:
        email = check_email(entry["email"].strip(), "member email").lower()
        check_once(seen, email, "The member %r" % entry["email"])
        wanted.append({"email": email, "role": entry["role"]})
    return wanted


def email_key(entry):
    return (entry.get("email") or "").lower()


def plan_members(current, wanted, purge):
    comparable = [dict(entry, email=email_key(entry)) for entry in current]
    return plan_set(comparable, wanted or [], email_key, purge=purge and wanted is not None)


def write_members(api, team_id, plan, users):
    """Additions and role changes first, removals last, so the team is never emptier than it needs to be."""
    for entry in plan.add:
        api.put("/teams/%s/users/%s" % (team_id, users[entry["email"]]["id"]), {"role": entry["role"]})
    for have, entry in plan.update:
        api.put("/teams/%s/users/%s" % (team_id, have["id"]), {"role": entry["role"]})
    for have in plan.remove:
        api.delete("/teams/%s/users/%s" % (team_id, have["id"]))


def members_after(current, plan, users):
    removed = set(entry["id"] for entry in plan.remove)
    roles = dict((have["id"], entry["role"]) for have, entry in plan.update)
    kept = [dict(entry, role=roles.get(entry["id"], entry["role"])) for entry in current if entry["id"] not in removed]
    return kept + [member(users[entry["email"]], entry["role"]) for entry in plan.add]


def email_and_role(entry):
    return {"email": entry["email"], "role": entry["role"]}


def check_joinable(users):
    """PagerDuty refuses read-only users on a team; say so before anything is written."""
    refused = sorted(email for email, user in users.items() if user.get("role") == READ_ONLY_ROLE)
    if refused:
        raise InvalidInput("PagerDuty does not let users with the %s role join a team: %s" % (READ_ONLY_ROLE, ", ".join(refused)))


def check_unowned(api, team):
    """PagerDuty deletes a team only when no escalation policy, service or schedule belongs to it; name those that do."""
    owned = []
    for collection in OWNED:
        found = api.list(collection, {"team_ids[]": [team["id"]]})
        owned.extend(describe_object(SINGULAR[collection], item) for item in found)
    if owned:
        raise InvalidInput("The team %r cannot be removed while these belong to it: %s; move them to another team or remove "
                           "them first" % (team["name"], ", ".join(owned)))


def run(module, api):
    params = module.params
    check_filled(params["name"], "name")
    wanted = desired_members(params["members"])
    team = Team(api, params["name"])
    current = team.look()
    if params["state"] == "absent":
        if current is not None:
            check_unowned(api, current)
        return ensure(team, desired_team(params), "absent", module.check_mode,
                      identity={"name": params["name"]}).as_tuple()
    members = team_members(api, current["id"]) if current else []
    plan = plan_members(members, wanted, params["purge_members"])
    users = api.require_users([entry["email"] for entry in plan.add]) if plan.add else {}
    check_joinable(users)
    outcome = ensure(team, desired_team(params), "present", module.check_mode,
                     identity={"name": params["name"]})
    if plan.changed and not module.check_mode:
        write_members(api, outcome.result["id"], plan, users)
    result = dict(outcome.result, members=members_after(members, plan, users))
    if plan.changed:
        outcome.diff["before"]["members"], outcome.diff["after"]["members"] = set_diff(plan, email_and_role)
    return outcome.changed or plan.changed, result, outcome.diff


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "team")


if __name__ == "__main__":
    main()
