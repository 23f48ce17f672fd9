#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ticket_info
short_description: Read tickets, agents, groups, states and the logged-in user of the tickets service
version_added: 0.1.0
description:
  - Return one ticket with its comments and contact attributes, or the tickets of an organisation or with a title,
    or every ticket.
  - Also return, on request, the agents, the groups, the states (all, or those of one type) and the logged-in user.
author:
  - incident.ops maintainers (@incident-ops)
options:
  id:
    description:
      - Return only this ticket (its human id, for example C(INC-123)), with its comments and attributes.
      - A ticket that does not exist fails the task.
    type: str
  organisation_id:
    description:
      - Return only the tickets of this organisation (its human id).
    type: str
  title:
    description:
      - Return only the tickets with exactly this title.
    type: str
  details:
    description:
      - Read each listed ticket's comments and attributes too (two more requests per ticket).
      - A ticket asked for by O(id) always comes with them.
    type: bool
    default: false
  gather:
    description:
      - What to return. V(tickets) fills RV(info.tickets), V(agents) RV(info.agents), V(groups) RV(info.groups),
        V(states) RV(info.states) and V(me) RV(info.me).
    type: list
    elements: str
    choices: [tickets, agents, groups, states, me]
    default: [tickets]
  state_type:
    description:
      - With V(states) in O(gather), the kind of states to list; V(all) lists every kind.
    type: str
    choices: [all, state, type, priority, stage, outcome]
    default: all
extends_documentation_fragment:
  - incident.ops.tickets
  - incident.ops.attributes.info_module
  - incident.ops.attributes.tickets
notes:
  - One request per item of O(gather); O(id) reads the ticket, its attributes and its comments. The service lists
    tickets without paging or filters, so O(organisation_id) and O(title) filter the one list.
seealso:
  - module: incident.ops.ticket
  - module: incident.ops.ticket_user
"""

EXAMPLES = r"""
- name: Read one ticket with its comments
  incident.ops.ticket_info:
    id: INC-7
  module_defaults:
    group/incident.ops.tickets:
      url: https://tickets.example.com/api
      api_token: "{{ tickets_token }}"
  register: one

- name: Show its comments
  ansible.builtin.debug:
    msg: "{{ one.info.tickets[0].comments | map(attribute='description') | list }}"

- name: List Acme's tickets, the agents and the priorities
  incident.ops.ticket_info:
    organisation_id: ORG-12333
    gather: [tickets, agents, states]
    state_type: priority
  register: acme
"""

RETURN = r"""
info:
  description: What O(gather) asked for; only those keys are present.
  returned: always
  type: dict
  contains:
    tickets:
      description:
        - The tickets found, oldest first, as the service returns them; with O(id) or O(details), each has
          C(attributes) (contact attributes by API name) and C(comments).
      type: list
      elements: dict
      returned: when V(tickets) is in O(gather)
      sample:
        - id: INC-7
          title: VPN down in the London office
          organisationHumanId: ORG-12333
          attributes: {preferredContactMethod: email}
          comments: []
    agents:
      description: The users who are agents (C(id), C(humanId), C(organisationId), C(email), C(name), C(phoneNumber),
        C(admin), C(agent)).
      type: list
      elements: dict
      returned: when V(agents) is in O(gather)
    groups:
      description: The groups (C(id), C(name), C(dateCreated), C(dateUpdated)).
      type: list
      elements: dict
      returned: when V(groups) is in O(gather)
    states:
      description: The states (C(id), C(description), C(type) as a number - 1 state, 2 type, 3 priority, 4 stage,
        5 outcome).
      type: list
      elements: dict
      returned: when V(states) is in O(gather)
    me:
      description: The logged-in user, the one the token belongs to.
      type: dict
      returned: when V(me) is in O(gather)
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.tickets.api import connect

ARGUMENT_SPEC = options.argument_spec(
    options.TICKETS,
    id=dict(type="str"),
    organisation_id=dict(type="str"),
    title=dict(type="str"),
    details=dict(type="bool", default=False),
    gather=dict(type="list", elements="str", choices=["tickets", "agents", "groups", "states", "me"], default=["tickets"]),
    state_type=dict(type="str", choices=["all", "state", "type", "priority", "stage", "outcome"], default="all"),
)


def find_tickets(api, params):
    """The one ticket asked for, or the list filtered by organisation and title."""
    if params["id"]:
        return [api.detailed(api.require_ticket(params["id"]))]
    found = [ticket for ticket in api.tickets()
             if (params["organisation_id"] is None or ticket.get("organisationHumanId") == params["organisation_id"])
             and (params["title"] is None or ticket.get("title") == params["title"])]
    return [api.detailed(ticket) for ticket in found] if params["details"] else found


def run(module, api):
    params = module.params
    readers = {
        "tickets": lambda: find_tickets(api, params),
        "agents": lambda: api.data("/users/agents"),
        "groups": lambda: api.data("/groups"),
        "states": lambda: api.data("/states", params={"type": params["state_type"]}),
        "me": lambda: api.data("/users"),
    }
    return False, dict((name, readers[name]()) for name in dict.fromkeys(params["gather"])), None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "info")


if __name__ == "__main__":
    main()
