#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_extension_info
short_description: List PagerDuty extensions
version_added: 0.1.0
description:
  - Return the PagerDuty extensions (webhooks, Slack, ServiceNow...) with a given name, those on a service, those of
    an extension schema, or every extension; the filters combine.
  - Configuration values PagerDuty keeps secret read C(redacted).
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - Return only the extensions with exactly this name (an empty list when there is none).
    type: str
  service:
    description:
      - Return only the extensions on the service with this exact name. An unknown service fails the task.
    type: str
  schema:
    description:
      - Return only the extensions of the schema with this label, such as V(Generic V2 Webhook). An unknown label
        fails the task.
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes.info_module
  - incident.ops.attributes.pagerduty
notes:
  - Every page of C(GET /extensions) is read, filtered by PagerDuty with C(query), C(extension_object_id) and
    C(extension_schema_id). The service is looked up with C(GET /services?query=<name>) and the schema by listing
    C(GET /extension_schemas), which has no name filter.
seealso:
  - module: incident.ops.pd_extension
  - module: incident.ops.pd_extension_schema_info
"""

EXAMPLES = r"""
- name: The extensions on one service
  incident.ops.pd_extension_info:
    service: Payments API
  register: payments_extensions
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"

- name: Every webhook of the account
  incident.ops.pd_extension_info:
    schema: Generic V2 Webhook
  register: webhooks

- name: One extension by name
  incident.ops.pd_extension_info:
    name: Payments events
  register: payments_events
"""

RETURN = r"""
extensions:
  description:
    - The extensions found, as PagerDuty returns them, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The extension's id.
      type: str
    name:
      description: The extension's name.
      type: str
    endpoint_url:
      description: The URL the extension sends to.
      type: str
      returned: when set
    extension_schema:
      description: A reference to the extension's schema; its C(summary) is the schema's label.
      type: dict
    extension_objects:
      description: References to the services the extension applies to; each C(summary) is a service's name.
      type: list
      elements: dict
    config:
      description: The extension's configuration; values PagerDuty keeps secret read C(redacted).
      type: dict
    temporarily_disabled:
      description: Whether PagerDuty has disabled the extension.
      type: bool
  sample:
    - id: PEXT1AB
      type: extension
      name: Payments events
      endpoint_url: https://hooks.example.com/pagerduty
      extension_schema:
        id: PJFWPEP
        type: extension_schema_reference
        summary: Generic V2 Webhook
      extension_objects:
        - id: PSRV1AB
          type: service_reference
          summary: Payments API
      config:
        headers:
          - name: Authorization
            value: redacted
      temporarily_disabled: false
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.extensions import find_schema

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str"),
    service=dict(type="str"),
    schema=dict(type="str"),
)


def run(module, api):
    params = module.params
    filters = {}
    if params["service"] is not None:
        filters["extension_object_id"] = api.require_named("services", params["service"])["id"]
    if params["schema"] is not None:
        filters["extension_schema_id"] = find_schema(api, params["schema"])["id"]
    found = api.search("extensions", name=params["name"], params=filters)
    return False, sorted(found, key=lambda item: item.get("name") or ""), None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "extensions")


if __name__ == "__main__":
    main()
