# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every tickets-service module shares: the client, its envelope and ids, and the ticket reads.

The service wraps every read in ``{"data": ...}``, answers a create with the
new id in a bare ``Location`` header and no body, and refuses bad input with
422 ``{"title", "message"}``.  Tickets are named by human ids (``INC-123``).
"""

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.auth import BearerToken
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError, Client, RetryPolicy
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

# Module option -> API field of a ticket, and of its contact attributes.
TICKET_FIELDS = {
    "title": "title",
    "description": "description",
    "organisation_id": "organisationHumanId",
    "contract_id": "contractHumanId",
    "tenant_id": "tenantHumanId",
    "reporter_id": "reporterHumanId",
}
ATTRIBUTE_FIELDS = {
    "main_email": "mainEmail",
    "phone_number": "phoneNumber",
    "preferred_contact_method": "preferredContactMethod",
    "additional_emails": "additionalEmails",
}
LIST_ATTRIBUTES = ("additionalEmails",)
CLOSED_STATES = ("resolved", "closed")


class Tickets(Client):
    """A client for the tickets service: bearer token, ``data`` envelopes, ``Location`` ids."""

    def __init__(self, url, api_token, **kwargs):
        super().__init__(url, auth=BearerToken(api_token), **kwargs)
        self.session.headers["Content-Type"] = "application/json"

    def fail(self, message, method=None, path=None, status=None, body=None, retryable=False, retry_after=None):
        """The service's errors carry a title and a message; both go into the error (``Unprocessable Entity: ...``)."""
        if isinstance(body, dict) and body.get("title") and body.get("message"):
            body = {"message": "%s: %s" % (body["title"], body["message"])}
        return super().fail(message, method, path, status, body, retryable, retry_after)

    def data(self, path, params=None):
        """The payload of a read, out of its ``{"data": ...}`` envelope."""
        answer = self.get(path, params=params)
        if not isinstance(answer, dict) or "data" not in answer:
            raise self.fail("The API answered without its data envelope", "GET", path)
        return answer["data"]

    def create(self, path, body):
        """POST a new object and return its id, which the service gives only in the ``Location`` header."""
        headers = self.request("POST", path, json_body=body)[2]
        location = (headers.get("Location") or "").strip()
        if not location:
            raise self.fail("The API created the object but gave no Location header with its id", "POST", path)
        return location.rstrip("/").rsplit("/", 1)[-1]

    def ticket(self, ticket_id):
        """One ticket, or None when there is none with this human id.

        ``GET /tickets/{id}`` is documented to answer a list of one ticket and
        answers an object; both are accepted.
        """
        try:
            data = self.data("/tickets/%s" % ticket_id)
        except ApiError as error:
            if error.status == 404:
                return None
            raise
        if isinstance(data, list):
            if len(data) != 1:
                raise self.fail("The API answered %d tickets for one id" % len(data), "GET", "/tickets/%s" % ticket_id)
            data = data[0]
        return data

    def require_ticket(self, ticket_id):
        found = self.ticket(ticket_id)
        if found is None:
            raise InvalidInput("Ticket %s was not found" % ticket_id)
        return found

    def tickets(self):
        return self.data("/tickets")

    def comments(self, ticket_id):
        return self.data("/tickets/%s/comments" % ticket_id)

    def attributes(self, ticket_id):
        """The ticket's contact attributes as one dict of API keys; the service keeps one row per value."""
        return attributes_of(self.data("/tickets/%s/attributes" % ticket_id))

    def contacts_confirmed(self, ticket_id):
        """Whether the confirm-contacts event was triggered: the event, or a 404 when it was not."""
        try:
            self.data("/events/confirm-contacts/%s" % ticket_id)
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def detailed(self, ticket, comments=None):
        """A ticket with its attributes and comments, as the modules return it."""
        ticket_id = ticket["id"]
        return dict(ticket, attributes=self.attributes(ticket_id),
                    comments=self.comments(ticket_id) if comments is None else comments)


def attributes_of(rows):
    """Attribute rows (``{key, value}``) as ``{key: value}``; list attributes gather their rows, sorted."""
    found = {}
    for row in rows or []:
        key, value = row.get("key"), row.get("value")
        if key in LIST_ATTRIBUTES:
            found.setdefault(key, []).append(value)
        else:
            found[key] = value
    for key in LIST_ATTRIBUTES:
        if key in found:
            found[key] = sorted(found[key])
    return found


def is_open(ticket):
    """The service's Ticket Full has no status; one that carries a resolved or closed one is not open."""
    status = ticket.get("status") or ticket.get("state")
    return not (isinstance(status, str) and status.strip().lower() in CLOSED_STATES)


def connect(module):
    params = module.params
    options.require(params, options.TICKETS)
    return Tickets(params["url"], params["api_token"], timeout=params["timeout"], validate_certs=params["validate_certs"],
                   ca_path=params.get("ca_path"), retry=RetryPolicy(max_retries=params["max_retries"]))
