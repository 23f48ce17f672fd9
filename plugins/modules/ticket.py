#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ticket
short_description: Open, update, comment on or remove a ticket of the tickets service
version_added: 0.1.0
description:
  - Open a ticket for an organisation and contract, or update one, with its contact details; add comments to it once
    each; send the confirm-contacts email once; or remove it.
  - With O(id) the module manages that ticket. Without it, the module creates a ticket, unless O(dedupe_by_title) finds
    an open ticket with the same O(title) (and O(organisation_id), when set); that ticket is updated instead, so a
    playbook that re-runs does not open the same ticket twice.
  - Only the fields the task sets are compared and written.
author:
  - incident.ops maintainers (@incident-ops)
options:
  id:
    description:
      - The ticket's human id, for example C(INC-123). The ticket must exist.
    type: str
  dedupe_by_title:
    description:
      - Without O(id), look for an open ticket with the same O(title) (exact, after trimming spaces) and, when set,
        the same O(organisation_id), and manage it instead of opening another one.
      - Defaults to V(true) when O(title) is set and O(id) is not. Two matching open tickets fail the task, naming them.
      - The service's tickets carry no status, so every ticket it lists counts as open.
    type: bool
  title:
    description:
      - The ticket's title.
    type: str
  description:
    description:
      - A summary of the issue. Required to open a ticket.
    type: str
  organisation_id:
    description:
      - The human id of the organisation the ticket is for, for example C(ORG-12333). Required to open a ticket.
    type: str
  contract_id:
    description:
      - The human id of the organisation's contract, for example C(CON-123562). Required to open a ticket.
    type: str
  tenant_id:
    description:
      - The tenant's human id (a string, even when it looks like a number). Required to open a ticket.
    type: str
  reporter_id:
    description:
      - The human id of the user who reports the issue, for example C(USR-12453). Required to open a ticket.
    type: str
  attributes:
    description:
      - The ticket's contact details. Those left unset are left as they are.
    type: dict
    suboptions:
      main_email:
        description:
          - The main contact email.
        type: str
      phone_number:
        description:
          - The contact phone number, for example C(+447700900123).
        type: str
      preferred_contact_method:
        description:
          - How the contacts prefer to be reached. Required to open a ticket.
        type: str
        choices: [email, phone]
      additional_emails:
        description:
          - More contact emails; their order does not matter. V([]) removes them.
        type: list
        elements: str
  comments:
    description:
      - Comments to add to the ticket. Each is added once; a comment with the same description and author is never
        added again, and comments are never removed.
    type: list
    elements: dict
    suboptions:
      description:
        description:
          - The comment.
        type: str
        required: true
      user_id:
        description:
          - The human id of the comment's author.
        type: str
        required: true
  confirm_contacts:
    description:
      - Send the ticket's contacts the confirm-contacts email, once; a ticket whose contacts were already asked is
        left alone.
    type: bool
    default: false
  state:
    description:
      - V(present) opens or updates the ticket, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.tickets
  - incident.ops.attributes
  - incident.ops.attributes.tickets
notes:
  - A run reads the ticket (C(GET /tickets/{id}), or C(GET /tickets) to find it by title) and its attributes; with
    O(comments) its comments, and with O(confirm_contacts=true) whether the event was sent
    (C(GET /events/confirm-contacts/{id})). A run that changes nothing makes only these reads.
  - The service answers a create with the new ticket's id only, so the ticket is read back after a write.
  - Every option is checked before the first write; the ticket fields are written before the comments, and a comment
    the service refuses (for example, an unknown author) fails the task after the ticket was written.
  - The diff shows the changed fields, the comments added and C(confirm_contacts) when the email is sent.
seealso:
  - module: incident.ops.ticket_info
  - module: incident.ops.ticket_user
"""

EXAMPLES = r"""
- name: Open a ticket for Acme, or update the open one with this title
  incident.ops.ticket:
    title: VPN down in the London office
    description: Nobody in London can reach the VPN since 09:00.
    organisation_id: ORG-12333
    contract_id: CON-123562
    tenant_id: "123"
    reporter_id: USR-12453
    attributes:
      main_email: it@acme.example
      preferred_contact_method: email
    comments:
      - description: Engineers are looking at the concentrator.
        user_id: USR-12343
    confirm_contacts: true
  module_defaults:
    group/incident.ops.tickets:
      url: https://tickets.example.com/api
      api_token: "{{ tickets_token }}"
  register: vpn

- name: Ask to be called instead
  incident.ops.ticket:
    id: "{{ vpn.ticket.id }}"
    attributes:
      phone_number: "+447700900123"
      preferred_contact_method: phone

- name: Remove the ticket
  incident.ops.ticket:
    id: "{{ vpn.ticket.id }}"
    state: absent
"""

RETURN = r"""
ticket:
  description:
    - The ticket as the service returns it after the change, with its contact attributes and comments; in check mode,
      what it would be. Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The ticket's human id (absent in check mode when the ticket would be opened).
      type: str
    title:
      description: The title.
      type: str
    description:
      description: The summary of the issue.
      type: str
    organisationHumanId:
      description: The organisation's human id.
      type: str
    contractHumanId:
      description: The contract's human id.
      type: str
    tenantHumanId:
      description: The tenant's human id.
      type: str
    reporterHumanId:
      description: The reporter's human id.
      type: str
    dateCreated:
      description: When the ticket was opened (ISO 8601).
      type: str
    dateUpdated:
      description: When the ticket last changed (ISO 8601).
      type: str
    links:
      description: The API paths of the ticket and of its comments.
      type: dict
    buyer:
      description: The organisation the contract was bought through (C(type), C(id), C(attributes)).
      type: dict
    consumer:
      description: The ticket's organisation (C(type), C(id), C(attributes)).
      type: dict
    attributes:
      description: The contact attributes by API name (C(mainEmail), C(phoneNumber), C(preferredContactMethod),
        C(additionalEmails), the last one a sorted list).
      type: dict
    comments:
      description: The ticket's comments, oldest first (when O(comments) is set or the ticket was just opened).
      type: list
      elements: dict
      contains:
        id:
          description: The comment's id.
          type: int
        description:
          description: The comment.
          type: str
        userHumanId:
          description: The author's human id.
          type: str
        dateCreated:
          description: When the comment was added.
          type: str
  sample:
    id: INC-7
    title: VPN down in the London office
    description: Nobody in London can reach the VPN since 09:00.
    organisationHumanId: ORG-12333
    contractHumanId: CON-123562
    tenantHumanId: "123"
    reporterHumanId: USR-12453
    attributes:
      mainEmail: it@acme.example
      preferredContactMethod: email
    comments:
      - id: 3
        ticketId: INC-7
        description: Engineers are looking at the concentrator.
        userHumanId: USR-12343
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure
from ansible_collections.incident.ops.plugins.module_utils.tickets.api import connect
from ansible_collections.incident.ops.plugins.module_utils.tickets.tickets import (
    Ticket, api_body, comment_key, comments_to_add, desired_ticket, missing_to_create)
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_once

ARGUMENT_SPEC = options.argument_spec(
    options.TICKETS,
    id=dict(type="str"),
    dedupe_by_title=dict(type="bool"),
    title=dict(type="str"),
    description=dict(type="str"),
    organisation_id=dict(type="str"),
    contract_id=dict(type="str"),
    tenant_id=dict(type="str"),
    reporter_id=dict(type="str"),
    attributes=dict(type="dict", options=dict(
        main_email=dict(type="str"),
        phone_number=dict(type="str"),
        preferred_contact_method=dict(type="str", choices=["email", "phone"]),
        additional_emails=dict(type="list", elements="str"),
    )),
    comments=dict(type="list", elements="dict", options=dict(
        description=dict(type="str", required=True),
        user_id=dict(type="str", required=True),
    )),
    confirm_contacts=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def check_input(params):
    """Emails, comments and the way to find the ticket, before any request."""
    attributes = params["attributes"] or {}
    check_email(attributes.get("main_email"), "attributes.main_email")
    for email in attributes.get("additional_emails") or []:
        check_email(email, "attributes.additional_emails")
    seen = set()
    for entry in params["comments"] or []:
        if not entry["description"].strip():
            raise InvalidInput("A comment's description must not be empty")
        check_once(seen, comment_key(entry["description"], entry["user_id"]), "The comment %r" % entry["description"])
    if params["dedupe_by_title"] and not params["title"]:
        raise InvalidInput("dedupe_by_title needs title")
    if params["state"] == "absent" and not (params["id"] or params["title"]):
        raise InvalidInput("state=absent needs id, or title to find the ticket by")


def ticket_resource(api, params):
    dedupe = params["dedupe_by_title"]
    if dedupe is None:
        dedupe = bool(params["title"]) and not params["id"]
    return Ticket(api, params["id"], params["title"], params["organisation_id"], dedupe=dedupe and not params["id"])


def add_comments(api, ticket_id, comments):
    for entry in comments:
        api.create("/tickets/%s" % ticket_id, {"ticketId": ticket_id, "description": entry["description"],
                                               "userHumanId": entry["user_id"]})


def run(module, api):
    params = module.params
    check_input(params)
    ticket = ticket_resource(api, params)
    current = ticket.look()
    if params["id"] and current is None and params["state"] == "present":
        raise InvalidInput("Ticket %s was not found" % params["id"])
    if params["state"] == "absent":
        identity = {"id": current["id"]} if current else {}
        return ensure(ticket, {}, "absent", module.check_mode, identity=identity).as_tuple()
    if current is None and missing_to_create(params):
        raise InvalidInput("Opening a ticket needs %s" % ", ".join(missing_to_create(params)))
    existing = api.comments(current["id"]) if current and params["comments"] else []
    new_comments = comments_to_add(existing, params["comments"] or [])
    confirm = params["confirm_contacts"] and (current is None or not api.contacts_confirmed(current["id"]))
    outcome = ensure(ticket, desired_ticket(params), "present", module.check_mode)
    result = api_body(outcome.result) if current is None and module.check_mode else outcome.result
    if not module.check_mode:
        add_comments(api, result["id"], new_comments)
        if confirm:
            api.request("POST", "/events/confirm-contacts/%s" % result["id"])
    diff = outcome.diff
    if new_comments:
        diff["before"]["comments"], diff["after"]["comments"] = [], [dict(entry) for entry in new_comments]
    if confirm:
        diff["before"]["confirm_contacts"], diff["after"]["confirm_contacts"] = False, True
    comments = existing
    if "id" in result and (current is None or new_comments) and not module.check_mode:
        comments = api.comments(result["id"])
    elif module.check_mode:
        comments = existing + [{"description": entry["description"], "userHumanId": entry["user_id"]} for entry in new_comments]
    return outcome.changed or bool(new_comments) or confirm, dict(result, comments=comments), diff


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "ticket")


if __name__ == "__main__":
    main()
