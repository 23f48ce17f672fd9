#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_user
short_description: Manage PagerDuty users
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty user, identified by its login email.
  - The user is found with one request (C(GET /users?query=<email>)) and an exact, case-insensitive email match.
  - Only the options you set are compared, so fields you leave out are never changed.
author:
  - incident.ops maintainers
options:
  email:
    description:
      - The user's login email; identifies the user.
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
    choices: [admin, limited_user, observer, owner, read_only_user, restricted_access, read_only_limited_user, user]
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
seealso:
  - name: PagerDuty Users API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
- name: Onboard an engineer
  incident.ops.pd_user:
    email: ada@example.com
    name: Ada Lovelace
    role: user
    time_zone: Europe/London
    job_title: SRE
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"
      from_email: admin@example.com

- name: Remove a user who left
  incident.ops.pd_user:
    email: old.timer@example.com
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user as PagerDuty returns it after the change; in check mode, what it would be.
    - Null when O(state=absent).
  returned: always
  type: dict
  sample:
    id: PXPGF42
    type: user
    name: Ada Lovelace
    email: ada@example.com
    role: user
    time_zone: Europe/London
    job_title: SRE
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty import connect
from ansible_collections.incident.ops.plugins.module_utils.reconcile import Resource, ensure
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_time_zone

ROLES = ["admin", "limited_user", "observer", "owner", "read_only_user", "restricted_access", "read_only_limited_user", "user"]
FIELDS = ("name", "role", "time_zone", "job_title", "description", "color")

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    email=dict(type="str", required=True),
    name=dict(type="str"),
    role=dict(type="str", choices=ROLES),
    time_zone=dict(type="str"),
    job_title=dict(type="str"),
    description=dict(type="str"),
    color=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class User(Resource):
    def __init__(self, api, email):
        self.api = api
        self.email = email

    def find(self):
        return self.api.find_user(self.email)

    def create(self, desired):
        if not desired.get("name"):
            raise InvalidInput("name is required to create the user %s" % self.email)
        return self.api.post("/users", {"user": dict(desired, type="user")}, headers=self.api.acting_user())["user"]

    def update(self, current, changed):
        return self.api.put("/users/%s" % current["id"], {"user": dict(changed, type="user")})["user"]

    def delete(self, current):
        self.api.delete("/users/%s" % current["id"])


def desired_user(params):
    """The user fields the task sets; the email is the identity, so it is not among them."""
    return {field: params[field] for field in FIELDS}


def run(module, api):
    params = module.params
    check_email(params["email"])
    check_time_zone(params["time_zone"])
    outcome = ensure(User(api, params["email"]), desired_user(params), params["state"], module.check_mode,
                     identity={"email": params["email"]})
    return outcome.as_tuple()


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "user")


if __name__ == "__main__":
    main()
