#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_team_info
short_description: List PagerDuty teams and their members
version_added: 0.1.0
description:
  - Return one team by exact name, the teams whose name contains a search string, or every team, each with its members.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - Return only the team with exactly this name (an empty list when there is none).
    type: str
  query:
    description:
      - Return the teams whose name contains this string (case-insensitive), as PagerDuty's C(query) filter does.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - Every page of teams is read; each team's members take one more request (C(GET /teams/{id}/members?include[]=users)).
seealso:
  - module: incident.ops.pd_team
"""

EXAMPLES = r"""
# These tasks run top to bottom on an account where none of their objects exist yet.
# They take their connection from the play, once for every incident.ops PagerDuty module:
#
#   module_defaults:
#     group/incident.ops.pagerduty:
#       api_token: "{{ vault_pagerduty_token }}"
#       from_email: you@example.com  # the login email of an existing user of the account

- name: Create a user to put on the team
  incident.ops.pd_user:
    email: ada@example.com
    name: Ada Lovelace

- name: Create the team to read
  incident.ops.pd_team:
    name: Payments
    description: Card processing and payouts
    members:
      - email: ada@example.com
        role: manager

- name: Read the payments team
  incident.ops.pd_team_info:
    name: Payments
  register: payments

- name: Show its managers
  ansible.builtin.debug:
    msg: "{{ payments.teams[0].members | selectattr('role', 'equalto', 'manager') | map(attribute='email') | list }}"

- name: List every team
  incident.ops.pd_team_info:
  register: all_teams

- name: Show the teams' names
  ansible.builtin.debug:
    msg: "{{ all_teams.teams | map(attribute='name') | list }}"
"""

RETURN = r"""
teams:
  description: The teams found, as PagerDuty returns them, each with its members.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The team's id.
      type: str
    type:
      description: Always V(team).
      type: str
    summary:
      description: A short description of the team (its name).
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
    - id: PQ9K7I8
      type: team
      summary: Payments
      name: Payments
      default_role: manager
      parent: null
      description: Card processing and payouts
      members:
        - id: PXPGF42
          name: Ada Lovelace
          email: ada@example.com
          role: manager
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.teams import team_members

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str"),
    query=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("name", "query")]


def run(module, api):
    teams = api.search("teams", module.params["name"], module.params["query"])
    return False, [dict(team, members=team_members(api, team["id"])) for team in teams], None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "teams")


if __name__ == "__main__":
    main()
