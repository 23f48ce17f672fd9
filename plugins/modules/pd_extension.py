#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_extension
short_description: Manage PagerDuty extensions (webhooks, Slack, ServiceNow) on services
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty extension, such as a Generic V2 Webhook that sends a service's incident
    events to a URL, identified by its name and its extension schema.
  - Set the services it applies to by name, its endpoint URL and its configuration; keep secret configuration values
    (passwords, tokens, authorization headers) in O(secret_config), which is never logged, compared or returned.
  - The schema and every service the task names are looked up before the first write; an unknown one fails the task
    with nothing written.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - The extension's name. With O(schema), identifies the extension (exact, case-sensitive match).
    type: str
    required: true
  schema:
    description:
      - The label of the extension's schema, such as V(Generic V2 Webhook); see M(incident.ops.pd_extension_schema_info)
        for the labels the account has. With O(name), identifies the extension.
      - An extension's schema cannot change; an extension of the same name with another schema is another extension.
    type: str
    required: true
  endpoint_url:
    description:
      - The URL the extension sends to, such as the webhook's receiver. Left as it is when unset.
    type: str
  services:
    description:
      - The exact names of the services the extension applies to; their order does not matter.
      - Required to create an extension; left as they are when unset.
    type: list
    elements: str
  config:
    description:
      - The extension's configuration, whose keys depend on the schema.
      - Compared as a subset (nested dicts too), so keys the task leaves out are neither compared nor changed.
      - Do not put secrets here; use O(secret_config). Any value PagerDuty shows as C(redacted) (see
        M(incident.ops.pd_extension_info)) belongs in O(secret_config) too; in O(config) it never matches, so the
        task would report a change on every run.
    type: dict
  secret_config:
    description:
      - Configuration values that are secret, merged into O(config) when the extension is written. A key must not be
        in both.
      - PagerDuty does not return some secret values (it shows C(redacted) in their place), so these values are never
        compared. They are sent when the extension is created, whenever another change rewrites the extension, and on
        every run with O(update_secrets=always). A changed secret alone is therefore not detected with
        O(update_secrets=on_create).
      - The values never appear in the result, the diff or an error message; the diff names the keys only.
    type: dict
  update_secrets:
    description:
      - V(on_create) sends O(secret_config) when the extension is created or rewritten for another change; a run that
        changes nothing else reports no change and writes nothing.
      - V(always) rewrites the extension with O(secret_config) on every run, so the task always reports a change; use
        it once to rotate a secret.
    type: str
    choices: [on_create, always]
    default: on_create
  state:
    description:
      - V(present) creates or updates the extension, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - The extension is found with one request (C(GET /extensions?query=<name>)), matched by its exact name and the
    label in its schema reference; services are compared by the names in its references. A run that changes nothing
    makes that one request.
  - The schemas are listed (C(GET /extension_schemas), which has no name filter) only to create an extension.
  - PagerDuty replaces an extension's whole configuration when it is updated, so an update sends the configuration
    PagerDuty holds with O(config) and O(secret_config) laid over it. When the extension holds a value PagerDuty shows
    as C(redacted) that the task does not give in O(secret_config), sending it back would overwrite the secret with
    that word, so the task fails before any write and names the key.
seealso:
  - module: incident.ops.pd_extension_info
  - module: incident.ops.pd_extension_schema_info
  - module: incident.ops.pd_service
  - name: PagerDuty Extensions API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
- name: Make sure the service exists
  incident.ops.pd_service:
    name: Payments API
    escalation_policy: Default
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"

- name: Send the service's incident events to a webhook receiver, with a secret header
  incident.ops.pd_extension:
    name: Payments events
    schema: Generic V2 Webhook
    endpoint_url: https://hooks.example.com/pagerduty
    services: [Payments API]
    secret_config:
      headers:
        - name: Authorization
          value: "Bearer {{ webhook_token }}"
  register: payments_hook

- name: Rotate the header's token
  incident.ops.pd_extension:
    name: Payments events
    schema: Generic V2 Webhook
    secret_config:
      headers:
        - name: Authorization
          value: "Bearer {{ new_webhook_token }}"
    update_secrets: always

- name: Remove the webhook
  incident.ops.pd_extension:
    name: Payments events
    schema: Generic V2 Webhook
    state: absent
"""

RETURN = r"""
extension:
  description:
    - The extension as PagerDuty returns it after the change, with the values of O(secret_config) shown as
      C(redacted); null when O(state=absent).
    - In check mode, what it would be; for an extension that would be created, the task's fields (O(secret_config) as
      its key names).
  returned: always
  type: dict
  contains:
    id:
      description: The extension's id.
      type: str
      returned: when the extension exists
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
      returned: when the extension exists
    extension_objects:
      description: References to the services the extension applies to; each C(summary) is a service's name.
      type: list
      elements: dict
      returned: when the extension exists
    config:
      description: The extension's configuration; values PagerDuty keeps secret read C(redacted).
      type: dict
    temporarily_disabled:
      description: Whether PagerDuty has disabled the extension, for example after its receiver refused many requests.
      type: bool
      returned: when the extension exists
  sample:
    id: PEXT1AB
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

from urllib.parse import urlparse

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, connect, reference
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.extensions import (
    REDACTED, extension_fields, find_schema, hide_secrets, holds_redacted, merged_config, redacted_keys, schema_label)
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.services import (
    desired_service_names, named_service_references)
from ansible_collections.incident.ops.plugins.module_utils.reconcile import changes, ensure, pending, without_none
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str", required=True),
    schema=dict(type="str", required=True),
    endpoint_url=dict(type="str"),
    services=dict(type="list", elements="str"),
    config=dict(type="dict"),
    secret_config=dict(type="dict", no_log=True),
    update_secrets=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class Extension(ApiObject):
    """An extension found by its name and its schema's label, written with the task's secrets but never showing them."""

    collection = "extensions"
    key = "extension"

    def __init__(self, api, name, schema, secrets, update_secrets):
        super().__init__(api)
        self.name = name
        self.schema = schema
        self.secrets = secrets
        self.always_write_secrets = update_secrets == "always"
        self._schema_reference = None

    def lookup(self):
        found = [item for item in self.api.search(self.collection, name=self.name) if schema_label(item) == self.schema]
        if len(found) > 1:
            raise InvalidInput("%d extensions are named %r with the schema %r; names must be unique to be managed here"
                               % (len(found), self.name, self.schema))
        return found[0] if found else None

    def current_fields(self, current):
        """The extension in the task's shape; secrets cannot be read back, so they match unless always rewritten."""
        fields = extension_fields(current)
        fields["secret_config"] = None if self.always_write_secrets else sorted(self.secrets)
        return fields

    def schema_reference(self, current=None):
        if current is not None:
            return reference("extension_schema", current["extension_schema"]["id"])
        if self._schema_reference is None:
            self._schema_reference = reference("extension_schema", find_schema(self.api, self.schema)["id"])
        return self._schema_reference

    def config(self, current, fields):
        """The whole config a write sends: PagerDuty's, the task's config over it, then the secrets.

        A value PagerDuty shows as "redacted" and the task does not give would
        be written back as that word, so it is refused.
        """
        config = merged_config(merged_config((current or {}).get("config"), fields.get("config")), self.secrets)
        hidden = redacted_keys(config) if current is not None else []
        if hidden:
            raise InvalidInput("The extension %r holds config values PagerDuty does not show (%s); an update rewrites the "
                               "whole config, so give them in secret_config" % (self.name, ", ".join(hidden)))
        return config

    def resolve(self, current, fields):
        """Look up everything a write of ``fields`` names, and build its config, before anything is written."""
        if not fields:
            return
        self.schema_reference(current)
        if fields.get("services"):
            named_service_references(self.api, fields["services"])
        self.config(current, fields)

    def body(self, fields, current=None):
        """A whole extension: PagerDuty's PUT needs the name, schema and services, and replaces the config."""
        if "services" in fields:
            services = named_service_references(self.api, fields["services"])
        else:
            services = [reference("service", item["id"]) for item in current.get("extension_objects") or []]
        body = {"name": self.name, "extension_schema": self.schema_reference(current), "extension_objects": services,
                "config": self.config(current, fields)}
        endpoint = fields.get("endpoint_url") or (current or {}).get("endpoint_url")
        if endpoint:
            body["endpoint_url"] = endpoint
        return body

    def present(self, record):
        return hide_secrets(record, self.secrets)

    def preview(self, current, changed):
        shown = dict(current, config=self.config(current, changed))
        if "endpoint_url" in changed:
            shown["endpoint_url"] = changed["endpoint_url"]
        if "services" in changed:
            shown["extension_objects"] = [{"type": "service_reference", "summary": name} for name in changed["services"]]
        return self.present(shown)


def check_url(url):
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("endpoint_url must be an http or https URL, got %r" % url)
    return url


def desired_extension(params, current):
    """The fields the task sets, in ``Extension.current_fields``'s shape; secrets by their keys only."""
    config, secrets = params["config"] or {}, params["secret_config"] or {}
    both = sorted(set(config) & set(secrets))
    if both:
        raise InvalidInput("config and secret_config both set %s; give each key in one of them" % ", ".join(both))
    if holds_redacted(config):
        raise InvalidInput("config holds the value %r, which is PagerDuty's placeholder for a secret; give secrets in "
                           "secret_config" % REDACTED)
    services = desired_service_names(params["services"])
    if current is None and services is None:
        raise InvalidInput("services is required to create the extension %r" % params["name"])
    return {"endpoint_url": check_url(params["endpoint_url"]) if params["endpoint_url"] is not None else None,
            "services": services, "config": config or None, "secret_config": sorted(secrets) or None}


def secret_texts(value):
    """Every string inside the task's secrets, so that an API error quoting one is redacted."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in secret_texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in secret_texts(item)]
    return [value] if isinstance(value, str) and value else []


def narrow_config_diff(diff):
    """A diff whose config shows only the keys that change, not the whole config PagerDuty holds."""
    after = diff["after"].get("config")
    if diff["before"] and isinstance(after, dict):
        before = diff["before"].get("config") or {}
        changed = changes(before, after)
        diff["before"]["config"] = dict((key, before.get(key)) for key in changed)
        diff["after"]["config"] = changed
    return diff


def run(module, api):
    params = module.params
    secrets = params["secret_config"] or {}
    api.secrets.update(secret_texts(secrets))
    extension = Extension(api, params["name"], params["schema"], secrets, params["update_secrets"])
    identity = {"name": params["name"], "schema": params["schema"]}
    current = extension.look()
    if params["state"] == "absent":
        return ensure(extension, {}, "absent", module.check_mode, identity=identity).as_tuple()
    desired = desired_extension(params, current)
    extension.resolve(current, pending(extension, current, without_none(desired)))
    outcome = ensure(extension, desired, "present", module.check_mode, identity=identity)
    return outcome.changed, outcome.result, narrow_config_diff(outcome.diff)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "extension")


if __name__ == "__main__":
    main()
