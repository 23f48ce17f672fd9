#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_extension_schema_info
short_description: List the PagerDuty extension schemas an account can use
version_added: 0.1.0
description:
  - Return the extension schemas (the kinds of extension, such as Generic V2 Webhook, Slack or ServiceNow) the
    PagerDuty account offers, or the one with a given label, with the incident events each can send.
  - The label is what M(incident.ops.pd_extension) takes as its O(incident.ops.pd_extension#module:schema).
author:
  - incident.ops maintainers (@incident-ops)
options:
  label:
    description:
      - Return only the schema with exactly this label (an empty list when there is none).
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - Every page of C(GET /extension_schemas) is read; PagerDuty's list has no label filter, so O(label) filters the
    listed schemas.
seealso:
  - module: incident.ops.pd_extension
  - module: incident.ops.pd_extension_info
"""

EXAMPLES = r"""
- name: The schemas the account offers
  incident.ops.pd_extension_schema_info:
  register: schemas
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"

- name: Show their labels
  ansible.builtin.debug:
    msg: "{{ schemas.extension_schemas | map(attribute='label') | list }}"

- name: The webhook schema
  incident.ops.pd_extension_schema_info:
    label: Generic V2 Webhook
  register: webhook_schema
"""

RETURN = r"""
extension_schemas:
  description:
    - The schemas found, as PagerDuty returns them, sorted by label.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The schema's id.
      type: str
    label:
      description: The schema's label, which M(incident.ops.pd_extension) takes.
      type: str
    key:
      description: The schema's machine name, such as V(generic_v2_webhook).
      type: str
    description:
      description: What an extension of this schema does.
      type: str
    send_types:
      description: The incident events an extension of this schema can send.
      type: list
      elements: str
    guide_url:
      description: A link to the schema's guide.
      type: str
      returned: when PagerDuty has one
  sample:
    - id: PJFWPEP
      type: extension_schema
      label: Generic V2 Webhook
      key: generic_v2_webhook
      description: Send incident events as JSON to any URL.
      send_types: [trigger, acknowledge, resolve, delegate, escalate, unacknowledge, assign, custom]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    label=dict(type="str"),
)


def run(module, api):
    label = module.params["label"]
    schemas = [schema for schema in api.list("extension_schemas") if label is None or schema.get("label") == label]
    return False, sorted(schemas, key=lambda item: item.get("label") or ""), None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "extension_schemas")


if __name__ == "__main__":
    main()
