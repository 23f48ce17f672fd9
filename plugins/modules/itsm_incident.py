#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: itsm_incident
short_description: Create and update incidents on the ITSM desk
version_added: 0.1.0
description:
  - Create an incident on the ITSM desk, or bring an existing one to the fields, custom fields and attachments the task sets.
  - With O(id), that incident is updated. Without it, the module looks for an B(open) incident (status Open, In Progress
    or Pending) with the same O(subject) and O(requester_email) and updates it instead of opening a duplicate, so a
    playbook that reports the same problem every night keeps one incident. O(allow_duplicate=true) always creates a new one.
  - Only the fields the task sets are compared and written; the desk keeps the others as they are.
  - The desk has no way to delete an incident; close it with O(status=closed).
author:
  - incident.ops maintainers (@incident-ops)
options:
  id:
    description:
      - The id of the incident to update. It must exist; the module never creates an incident with a given id.
    type: int
  allow_duplicate:
    description:
      - Create a new incident even when an open one has the same O(subject) and O(requester_email).
      - Each run then creates an incident, so the task is no longer idempotent.
      - Has no effect with O(id).
    type: bool
    default: false
  subject:
    description:
      - The incident's subject. Required without O(id); with O(id), a new subject is written.
    type: str
  description:
    description:
      - The incident's description.
    type: str
  requester_email:
    description:
      - The email of the user the incident is raised for. Required without O(id).
      - Written when the incident is created only; the desk does not change the requester of an existing incident.
    type: str
  requester_name:
    description:
      - The requester's name. Written when the incident is created only; the desk fills in a registered user's name.
    type: str
  cc_emails:
    description:
      - Emails the desk notifies of the incident's events. Written when the incident is created only.
      - The older create endpoint (O(api_version=legacy)) cannot set them; setting them there is an error.
    type: list
    elements: str
  category:
    description:
      - The name of the incident's category, for example V(Incident) (the desk's default is V(Service Request)).
      - It must exist at the desk.
    type: str
  impact:
    description:
      - The effect of the incident.
    type: str
    choices: [low, on_user, on_department, on_business]
  urgency:
    description:
      - How urgent the incident is.
    type: str
    choices: [low, medium, high, urgent]
  priority:
    description:
      - The incident's priority.
    type: str
    choices: [low, medium, high, urgent]
  status:
    description:
      - The incident's status, as the desk names them (V(in_progress) is the desk's C(In Progress)).
      - A new incident is created open; another status is set by an update right after the create.
    type: str
    choices: [open, in_progress, pending, resolved, closed]
  tags:
    description:
      - The incident's tags; the list replaces the current one. Their order does not matter.
    type: list
    elements: str
  location:
    description:
      - The name of the location where the incident happened. It must exist at the desk.
    type: str
  spam:
    description:
      - Whether the incident is spam.
    type: bool
  custom_fields:
    description:
      - Custom field values, keyed by the field's name on the desk's request form (list them with
        M(incident.ops.itsm_incident_info) and O(incident.ops.itsm_incident_info#module:form=request)).
      - Each value must fit the field's type; STRING and BIG STRING take a string, INTEGER and LONG a whole number,
        DOUBLE a number, BOOLEAN true or false, INTEGER LIST and STRING LIST a list. A field with fixed options takes only those.
      - Only the fields named are compared and written, by value; a null value is left alone.
    type: dict
  attachments:
    description:
      - Paths of local files to attach. Each is uploaded once; a file counts as attached when the incident holds an
        attachment of the same file name whose content has the same SHA-256.
      - Attachments the incident holds that are not listed are kept; the desk has no way to remove one.
      - Two paths with the same file name are an error.
    type: list
    elements: path
  api_version:
    description:
      - V(v1) creates through C(POST <api_prefix>/incident).
      - V(legacy) creates through the older C(POST /api/incident), for desks that do not have the v1 create; it takes
        the category's id, which the module looks up by name. Location, attachments, status and spam are then written by
        an update right after the create.
      - Reads, searches and updates go to O(api_prefix) either way.
    type: str
    choices: [v1, legacy]
    default: v1
extends_documentation_fragment:
  - incident.ops.itsm
  - incident.ops.attributes
  - incident.ops.attributes.itsm
notes:
  - "A run that changes nothing makes these requests: the token (with OAuth2), the search for the open incident (or one
    C(GET) with O(id)), the request form when O(custom_fields) is set, and one download per listed attachment whose name
    the incident already holds."
  - A write adds the uploads, the create or update, and one C(GET) to return the incident as the desk stores it. The
    category and location are looked up by name only when they are about to be written, so an unknown one fails before
    anything is written.
  - Every check of the task's input (required options, emails, custom field names and types, readable attachments,
    category and location names) runs before the first write. In check mode nothing is uploaded.
  - The desk reports business failures as C(returnCode) FAILED, sometimes with HTTP 200; the module fails on them too,
    with the desk's message.
seealso:
  - module: incident.ops.itsm_incident_info
"""

EXAMPLES = r"""
- name: Report an outage, follow it and resolve it
  module_defaults:
    group/incident.ops.itsm:
      url: https://desk.example.com
      client_id: "{{ desk_client_id }}"
      client_secret: "{{ desk_client_secret }}"
      username: "{{ desk_user }}"
      password: "{{ desk_password }}"
  block:
    - name: Report the broken database, or update the open incident already reporting it
      incident.ops.itsm_incident:
        subject: Orders database unreachable
        requester_email: tim@acme.com
        description: The orders API answers 503 since 02:10 UTC.
        category: Incident
        impact: on_business
        urgency: urgent
        priority: high
        location: London
        tags: [database, orders]
        custom_fields:
          Affected Users: 1200
          Security Related: false
        attachments:
          - /var/log/orders/error.log
      register: outage

    - name: Mark it in progress
      incident.ops.itsm_incident:
        id: "{{ outage.incident.id }}"
        status: in_progress

    - name: Resolve it with the postmortem notes
      incident.ops.itsm_incident:
        id: "{{ outage.incident.id }}"
        status: resolved
        custom_fields:
          Root Cause Notes: A full disk on the primary.

- name: Report through the older create endpoint of a desk that takes API keys
  incident.ops.itsm_incident:
    url: https://old-desk.example.com
    api_key: "{{ desk_api_key }}"
    api_version: legacy
    api_prefix: /api
    subject: VPN drops every hour
    requester_email: tim@acme.com
    category: Network
"""

RETURN = r"""
incident:
  description:
    - The incident as the desk returns it after the change, its keys in snake_case; in check mode, what it would be.
  returned: always
  type: dict
  contains:
    id:
      description: The incident's id (absent in check mode when it would be created).
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
      description: The urgency as the desk writes it, for example C(URGENT).
      type: str
    priority:
      description: The priority as the desk writes it, for example C(HIGH).
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
      description: The attached files (null when there is none).
      type: list
      elements: dict
      contains:
        ref_file_name:
          description: The desk's reference of the file (null in check mode for a file not uploaded yet).
          type: str
        real_name:
          description: The file's name.
          type: str
    custom_field_value_details:
      description: The custom values keyed by field id, each with its C(type) code and a value key such as C(string_value).
      type: dict
    custom_fields:
      description: The custom values keyed by field name.
      type: dict
      returned: when O(custom_fields) is set
  sample:
    id: 7
    subject: Orders database unreachable
    requester_email: tim@acme.com
    requester_name: Tim
    cc_email_set: []
    category_name: Incident
    status: Open
    impact: ONBUSINESS
    urgency: URGENT
    priority: HIGH
    location_name: London
    tags: [database, orders]
    spam: false
    file_attachments:
      - ref_file_name: k9YqG9KTAB
        real_name: error.log
    custom_field_value_details:
      "36": {type: 2, integer_value: 1200}
    custom_fields:
      Affected Users: 1200
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.itsm import fields
from ansible_collections.incident.ops.plugins.module_utils.itsm.api import connect
from ansible_collections.incident.ops.plugins.module_utils.itsm.attachments import read_files
from ansible_collections.incident.ops.plugins.module_utils.itsm.incidents import (
    CREATE_ONLY, IMPACTS, LEVELS, STATUSES, Incident, narrow_custom_fields)
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure, pending, without_none
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email

ARGUMENT_SPEC = options.argument_spec(
    options.ITSM,
    id=dict(type="int"),
    allow_duplicate=dict(type="bool", default=False),
    subject=dict(type="str"),
    description=dict(type="str"),
    requester_email=dict(type="str"),
    requester_name=dict(type="str"),
    cc_emails=dict(type="list", elements="str"),
    category=dict(type="str"),
    impact=dict(type="str", choices=list(IMPACTS)),
    urgency=dict(type="str", choices=list(LEVELS)),
    priority=dict(type="str", choices=list(LEVELS)),
    status=dict(type="str", choices=list(STATUSES)),
    tags=dict(type="list", elements="str"),
    location=dict(type="str"),
    spam=dict(type="bool"),
    custom_fields=dict(type="dict"),
    attachments=dict(type="list", elements="path"),
    api_version=dict(type="str", choices=["v1", "legacy"], default="v1"),
)

COMPARED = ("subject", "description", "category", "impact", "urgency", "priority", "status", "location", "spam")


def check_input(params):
    """What can be told wrong without the desk, checked before the first request."""
    if params["id"] is None:
        missing = [name for name in ("subject", "requester_email") if not (params[name] or "").strip()]
        if missing:
            raise InvalidInput("Without id, %s must be set: they find the open incident or create one" % " and ".join(missing))
    check_email(params["requester_email"], "requester_email")
    for email in params["cc_emails"] or []:
        check_email(email, "cc_emails entry")
    if params["api_version"] == "legacy" and params["cc_emails"]:
        raise InvalidInput("cc_emails cannot be set through the older create endpoint (api_version=legacy), and the desk "
                           "does not take them on an update")


def desired_incident(params, files):
    """The compared fields the task sets, in the task's words; sets are sorted since their order means nothing."""
    wanted = dict((name, params[name]) for name in COMPARED)
    if params["tags"] is not None:
        wanted["tags"] = sorted(set(params["tags"]))
    wanted["custom_fields"] = without_none(params["custom_fields"]) if params["custom_fields"] else None
    wanted["attachments"] = sorted(local.name for local in files) if files else None
    return wanted


def identity(params):
    """What a create writes but an update cannot change, so it is never compared."""
    values = dict((name, params[name]) for name in CREATE_ONLY)
    if values["cc_emails"] is not None:
        values["cc_emails"] = sorted(set(values["cc_emails"]))
    return without_none(values)


def resolve_names(api, to_write):
    """Look up the category and location about to be written, so an unknown one fails before any write."""
    if to_write.get("category"):
        api.require_named("category/request", to_write["category"])
    if to_write.get("location"):
        api.require_named("location", to_write["location"])


def run(module, api):
    params = module.params
    check_input(params)
    files = read_files(params["attachments"])
    form = api.form() if params["custom_fields"] else None
    wanted = desired_incident(params, files)
    if wanted["custom_fields"]:
        fields.encode(form, wanted["custom_fields"])
    incident = Incident(api, params["id"], params["subject"], params["requester_email"], params["allow_duplicate"], files,
                        form, legacy=params["api_version"] == "legacy")
    current = incident.look()
    if params["id"] is not None and current is None:
        raise InvalidInput("The desk has no incident with id %d" % params["id"])
    incident.find_attached(current)
    resolve_names(api, pending(incident, current, without_none(wanted)))
    outcome = ensure(incident, wanted, "present", module.check_mode, identity=identity(params))
    if not outcome.changed:
        outcome.result = incident.show(current)
    elif module.check_mode and current is None:
        outcome.result = incident.preview(None, outcome.diff["after"])
    return outcome.changed, outcome.result, narrow_custom_fields(outcome.diff)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "incident")


if __name__ == "__main__":
    main()
