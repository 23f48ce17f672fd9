#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ticket_user
short_description: Manage users of the tickets service
version_added: 0.1.0
description:
  - Create, update or remove a user of the tickets service, identified by email (case-insensitive).
  - Only the fields the task sets are compared, and an update sends only the fields that changed.
author:
  - incident.ops maintainers (@incident-ops)
options:
  email:
    description:
      - The user's email; identifies the user (case-insensitive match).
    type: str
    required: true
  name:
    description:
      - The user's name. Required to create a user.
    type: str
  phone_number:
    description:
      - The user's phone number, digits (C(0123456981)) or an international number (C(+447700900123)).
    type: str
  admin:
    description:
      - Whether the user is an operations portal admin.
    type: bool
  agent:
    description:
      - Whether the user is an agent, who works on tickets.
    type: bool
  human_id:
    description:
      - The user's human id, for example C(USR-123-433). The service sets it only when it creates the user;
        a different value for an existing user fails the task.
    type: str
  organisation_id:
    description:
      - The human id of the user's organisation. Set only when the user is created, like O(human_id).
    type: str
  state:
    description:
      - V(present) creates or updates the user, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.tickets
  - incident.ops.attributes
  - incident.ops.attributes.tickets
notes:
  - The service lists only agents (C(GET /users/agents)) and the logged-in user (C(GET /users)); it has no read of
    one user. A run makes those two reads to find the user, and a run that changes nothing makes only them.
  - So a user who is not an agent can be created but is not found afterwards; a later run's create is refused by the
    service (the email is taken) and the task fails with the service's message.
  - The service answers an update without the user, so the returned user is the one read, with the changes applied.
seealso:
  - module: incident.ops.ticket_info
  - module: incident.ops.ticket
"""

EXAMPLES = r"""
- name: Add an agent
  incident.ops.ticket_user:
    email: sam.agent@example.com
    name: Sam Agent
    phone_number: "+447700900321"
    agent: true
    human_id: USR-2001
    organisation_id: ORG-2134-342
  module_defaults:
    group/incident.ops.tickets:
      url: https://tickets.example.com/api
      api_token: "{{ tickets_token }}"

- name: Make the agent an admin
  incident.ops.ticket_user:
    email: sam.agent@example.com
    admin: true

- name: Remove the agent
  incident.ops.ticket_user:
    email: sam.agent@example.com
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user after the change; in check mode, what it would be. Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The user's database id (absent in check mode when the user would be created).
      type: int
    email:
      description: The email.
      type: str
    name:
      description: The name.
      type: str
    phoneNumber:
      description: The phone number, as it was sent to the service.
      type: raw
    admin:
      description: Whether the user is an operations portal admin.
      type: bool
    agent:
      description: Whether the user is an agent.
      type: bool
    humanId:
      description: The user's human id, if any.
      type: str
    organisationId:
      description: The human id of the user's organisation, if any.
      type: str
  sample:
    id: 4
    email: sam.agent@example.com
    name: Sam Agent
    phoneNumber: "+447700900321"
    admin: false
    agent: true
    humanId: USR-2001
    organisationId: ORG-2134-342
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.reconcile import LookedUpFirst, ensure
from ansible_collections.incident.ops.plugins.module_utils.tickets.api import connect
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email

ARGUMENT_SPEC = options.argument_spec(
    options.TICKETS,
    email=dict(type="str", required=True),
    name=dict(type="str"),
    phone_number=dict(type="str"),
    admin=dict(type="bool"),
    agent=dict(type="bool"),
    human_id=dict(type="str"),
    organisation_id=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
CREATE_ONLY = {"humanId": "human_id", "organisationId": "organisation_id"}


class User(LookedUpFirst):
    """A user, found by email among the users the service lists: the agents and the logged-in user."""

    def __init__(self, api, email):
        self.api = api
        self.email = email

    def lookup(self):
        wanted = self.email.lower()
        for user in self.api.data("/users/agents") + [self.api.data("/users")]:
            if (user.get("email") or "").lower() == wanted:
                return user
        return None

    def current_fields(self, current):
        phone = current.get("phoneNumber")
        return dict(current, phoneNumber=None if phone is None else str(phone))

    def create(self, desired):
        return dict(desired, id=int(self.api.create("/users", desired)))

    def update(self, current, changed):
        self.api.patch("/users/%s" % current["id"], changed)
        return self.preview(current, changed)

    def delete(self, current):
        self.api.delete("/users/%s" % current["id"])


def desired_user(params):
    return {"name": params["name"], "phoneNumber": params["phone_number"], "admin": params["admin"], "agent": params["agent"],
            "humanId": params["human_id"], "organisationId": params["organisation_id"]}


def check_create_only(current, desired):
    """The human id and organisation are set at creation only; a task that asks to change them cannot be met."""
    for field, option in CREATE_ONLY.items():
        if current is not None and desired[field] is not None and desired[field] != current.get(field):
            raise InvalidInput("%s of %s is %r and can only be set when the user is created (the task asks for %r)"
                               % (option, current["email"], current.get(field), desired[field]))


def run(module, api):
    params = module.params
    email = check_email(params["email"].strip())
    if params["name"] is not None and not params["name"].strip():
        raise InvalidInput("name must not be empty")
    user = User(api, email)
    current = user.look()
    desired = desired_user(params)
    if params["state"] == "present":
        check_create_only(current, desired)
        if current is None and params["name"] is None:
            raise InvalidInput("Creating the user %s needs name" % email)
    return ensure(user, desired, params["state"], module.check_mode, identity={"email": email}).as_tuple()


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "user")


if __name__ == "__main__":
    main()
