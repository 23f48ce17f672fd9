#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: itsm_incident_info
short_description: Read incidents and custom field forms of the ITSM desk
version_added: 0.1.0
description:
  - Return one incident by O(id), or the incidents whose subject, requester and status are exactly the ones given.
  - With O(form), also return the custom fields of that form (for example V(request), the incidents' form), so that
    their names can be used in M(incident.ops.itsm_incident)'s O(incident.ops.itsm_incident#module:custom_fields).
author:
  - incident.ops maintainers (@incident-ops)
options:
  id:
    description:
      - Return only the incident with this id (an empty list when there is none).
    type: int
  subject:
    description:
      - Return the incidents with exactly this subject.
    type: str
  requester_email:
    description:
      - Return the incidents raised for exactly this email.
    type: str
  status:
    description:
      - Return the incidents with this status.
    type: str
    choices: [open, in_progress, pending, resolved, closed]
  form:
    description:
      - The module whose form's custom fields to return in RV(fields), for example V(request) (also named V(incident)) or V(problem).
      - When O(form) is set and no incident filter is, no incident is read.
    type: str
extends_documentation_fragment:
  - incident.ops.itsm
  - incident.ops.attributes.info_module
  - incident.ops.attributes.itsm
notes:
  - With O(id), one C(GET); otherwise the desk's search (C(POST <api_prefix>/request/search/byqual)), page by page.
    Without any filter, every incident is returned.
  - The custom values of the incidents are also returned by field name, which costs one more request for the form.
seealso:
  - module: incident.ops.itsm_incident
"""

EXAMPLES = r"""
- name: Discover custom fields and find incidents
  module_defaults:
    group/incident.ops.itsm:
      url: https://desk.example.com
      api_key: "{{ desk_api_key }}"
  block:
    - name: List the custom fields an incident can carry
      incident.ops.itsm_incident_info:
        form: request
      register: request_form

    - name: Show their names and types
      ansible.builtin.debug:
        msg: "{{ request_form.fields | items2dict(key_name='name', value_name='type_name') }}"

    - name: Find the open incidents Tim raised about the orders database
      incident.ops.itsm_incident_info:
        subject: Orders database unreachable
        requester_email: tim@acme.com
        status: open
      register: found
"""

RETURN = r"""
incidents:
  description: The incidents found, as the desk returns them, their keys in snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The incident's id.
      type: int
    subject:
      description: The subject.
      type: str
    description:
      description: The description.
      type: str
    requester_email:
      description: The requester's email.
      type: str
    requester_name:
      description: The requester's name.
      type: str
    cc_email_set:
      description: The emails notified of the incident's events.
      type: list
      elements: str
    category_name:
      description: The category's name.
      type: str
    status:
      description: The status as the desk names it, for example C(In Progress).
      type: str
    impact:
      description: The impact as the desk writes it, for example C(ONBUSINESS).
      type: str
    urgency:
      description: The urgency as the desk writes it.
      type: str
    priority:
      description: The priority as the desk writes it.
      type: str
    location_name:
      description: The location's name.
      type: str
    tags:
      description: The tags.
      type: list
      elements: str
    spam:
      description: Whether the incident is spam.
      type: bool
    file_attachments:
      description: The attached files (null when there is none), each with C(ref_file_name) and C(real_name).
      type: list
      elements: dict
    custom_field_value_details:
      description: The custom values keyed by field id, each with its C(type) code and a value key such as C(string_value).
      type: dict
    custom_fields:
      description: The custom values keyed by field name.
      type: dict
      returned: when an incident found has custom values
  sample:
    - id: 7
      subject: Orders database unreachable
      requester_email: tim@acme.com
      status: Open
      custom_fields:
        Affected Users: 1200
fields:
  description: The custom fields of O(form), as the desk lists them, their keys in snake_case.
  returned: when O(form) is set
  type: list
  elements: dict
  contains:
    id:
      description: The field's id.
      type: int
    name:
      description: The field's name, the key O(incident.ops.itsm_incident#module:custom_fields) uses.
      type: str
    type:
      description: The type code (1 STRING, 2 INTEGER, 3 DOUBLE, 4 BOOLEAN, 5 LONG, 7 INTEGER LIST, 8 STRING LIST, 10 BIG STRING).
      type: int
    type_name:
      description: The type's name.
      type: str
    value_key:
      description: The key the value travels in.
      type: str
    required:
      description: Whether the form requires the field.
      type: bool
    options:
      description: The values the field accepts, when it has a fixed list.
      type: list
      returned: when the field has a fixed list
  sample:
    - id: 36
      name: Affected Users
      type: 2
      type_name: INTEGER
      value_key: integerValue
      required: false
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.itsm.api import connect
from ansible_collections.incident.ops.plugins.module_utils.itsm.incidents import STATUSES, present, qualifiers, snake

ARGUMENT_SPEC = options.argument_spec(
    options.ITSM,
    id=dict(type="int"),
    subject=dict(type="str"),
    requester_email=dict(type="str"),
    status=dict(type="str", choices=list(STATUSES)),
    form=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("id", "subject"), ("id", "requester_email"), ("id", "status")]
FILTERS = ("subject", "requester_email", "status")


def find_incidents(api, params):
    if params["id"] is not None:
        found = api.incident(params["id"])
        return [found] if found else []
    if params["form"] and not any(params[name] for name in FILTERS):
        return []
    return api.search_incidents(qualifiers(dict((name, params[name]) for name in FILTERS)))


def run(module, api):
    params = module.params
    incidents = find_incidents(api, params)
    form = api.form() if any(item.get("customFieldValueDetails") for item in incidents) else None
    result = {"incidents": [present(item, form) for item in incidents]}
    if params["form"]:
        result["fields"] = snake(api.form(params["form"]))
    return False, result, None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, None)


if __name__ == "__main__":
    main()
