# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A ticket as the ticket module reconciles it.

The service keeps a ticket's contact details as separate attribute rows; here
they are flattened beside the ticket's own fields (``mainEmail`` next to
``title``), so that comparing, the diff and a PATCH all carry only the fields
that changed, and put back under ``attributes`` on the way to the API.
"""

from ansible_collections.incident.ops.plugins.module_utils.reconcile import LookedUpFirst
from ansible_collections.incident.ops.plugins.module_utils.tickets.api import ATTRIBUTE_FIELDS, LIST_ATTRIBUTES, TICKET_FIELDS, is_open
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

ATTRIBUTE_KEYS = tuple(ATTRIBUTE_FIELDS.values())
REQUIRED_TO_CREATE = ("organisation_id", "contract_id", "tenant_id", "description", "reporter_id")


def desired_ticket(params):
    """The flat API fields the task sets (None where it leaves a field alone)."""
    wanted = {field: params[option] for option, field in TICKET_FIELDS.items()}
    attributes = params.get("attributes") or {}
    for option, field in ATTRIBUTE_FIELDS.items():
        value = attributes.get(option)
        wanted[field] = sorted(value) if field in LIST_ATTRIBUTES and value is not None else value
    return wanted


def missing_to_create(params):
    """The options a new ticket needs that the task does not set."""
    missing = [option for option in REQUIRED_TO_CREATE if params.get(option) is None]
    if (params.get("attributes") or {}).get("preferred_contact_method") is None:
        missing.append("attributes.preferred_contact_method")
    return missing


def api_body(flat):
    """A Ticket Create or update body from flat fields: the contact fields go under ``attributes``."""
    body = {key: value for key, value in flat.items() if key not in ATTRIBUTE_KEYS}
    attributes = {key: value for key, value in flat.items() if key in ATTRIBUTE_KEYS}
    if attributes:
        body["attributes"] = attributes
    return body


class Ticket(LookedUpFirst):
    """One ticket, found by its human id or, with ``dedupe``, as the one open ticket with the title (and organisation)."""

    def __init__(self, api, ticket_id=None, title=None, organisation_id=None, dedupe=False):
        self.api = api
        self.ticket_id = ticket_id
        self.title = title
        self.organisation_id = organisation_id
        self.dedupe = dedupe

    def lookup(self):
        if self.ticket_id:
            found = self.api.ticket(self.ticket_id)
        elif self.dedupe:
            found = self._same_title()
        else:
            found = None
        return None if found is None else dict(found, attributes=self.api.attributes(found["id"]))

    def _same_title(self):
        same = [ticket for ticket in self.api.tickets()
                if is_open(ticket) and (ticket.get("title") or "").strip() == self.title.strip()
                and (self.organisation_id is None or ticket.get("organisationHumanId") == self.organisation_id)]
        if len(same) > 1:
            raise InvalidInput("%d open tickets are titled %r (%s); give the one to manage with id"
                               % (len(same), self.title, ", ".join(ticket["id"] for ticket in same)))
        return same[0] if same else None

    def current_fields(self, current):
        fields = {field: current.get(field) for field in TICKET_FIELDS.values()}
        fields.update(current.get("attributes") or {})
        return fields

    def create(self, desired):
        return self._read(self.api.create("/tickets", api_body(desired)))

    def update(self, current, changed):
        self.api.patch("/tickets/%s" % current["id"], api_body(changed))
        return self._read(current["id"])

    def delete(self, current):
        self.api.delete("/tickets/%s" % current["id"])

    def preview(self, current, changed):
        body = api_body(changed)
        attributes = dict(current.get("attributes") or {}, **body.pop("attributes", {}))
        return dict(current, attributes=attributes, **body)

    def _read(self, ticket_id):
        return dict(self.api.require_ticket(ticket_id), attributes=self.api.attributes(ticket_id))


def comment_key(description, user_id):
    return (description.strip(), user_id.strip())


def comments_to_add(current, wanted):
    """The task's comments that the ticket does not have yet (same description and author), in the task's order."""
    have = set(comment_key(comment.get("description") or "", comment.get("userHumanId") or "") for comment in current)
    return [entry for entry in wanted if comment_key(entry["description"], entry["user_id"]) not in have]
