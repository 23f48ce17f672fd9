# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The on-call service's hosts, as one client: schedules are read on the query host, written on the command host,
and a team's members are read on the customer service's query host.  One token serves all three."""

import json

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.incident.ops.plugins.module_utils.auth import BearerToken, SignInToken
from ansible_collections.incident.ops.plugins.module_utils.client import Client, RetryPolicy
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

# The reference publishes no success bodies; a list may come bare or under one of these keys.
LIST_KEYS = ("schedules", "schedule", "members", "data", "items")


def listed(body, keys=LIST_KEYS):
    """The list an answer holds: the body itself, or the first list found under a known key."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in keys:
            if isinstance(body.get(key), list):
                return body[key]
    return None


def written_entry(content):
    """The entry a write answered with, or None when it answered only a message (plain text or JSON)."""
    try:
        body = json.loads(content) if content else None
    except ValueError:
        return None
    entry = body.get("schedule") if isinstance(body, dict) else None
    return entry if isinstance(entry, dict) and entry.get("created_at") else None


def naming_fields(body):
    """An error body whose message names every field the API listed (``errors`` as a list or a mapping), so a 422 says what to fix."""
    if not isinstance(body, dict) or not body.get("errors"):
        return body
    errors = body["errors"]
    if isinstance(errors, dict):
        errors = [{"field": field, "message": "; ".join(words) if isinstance(words, list) else words} for field, words in sorted(errors.items())]
    if not isinstance(errors, list):
        return body
    named = ["%s %s" % (error.get("field"), error.get("message")) if isinstance(error, dict) else str(error) for error in errors]
    return {"message": "%s: %s" % (body.get("message") or "Invalid fields", "; ".join(named))}


class OncallClient(Client):
    """A client whose errors name the fields a 422 lists, since the service's message alone says only "Validation failed"."""

    @staticmethod
    def _error_body(response):
        return naming_fields(Client._error_body(response))


def member_id(member):
    """A member's id: the customer service names it ``customer_id`` (members are customer accounts)."""
    return member.get("customer_id") or member.get("id")


class Oncall:
    """Reads and writes of schedule entries, and the members of teams, over the service's three hosts."""

    def __init__(self, query_url, command_url, customer_url, auth, **kwargs):
        self.query = OncallClient(query_url, auth=auth, **kwargs)
        self.command = OncallClient(command_url, auth=auth, **kwargs)
        self.customer = OncallClient(customer_url, auth=auth, **kwargs)
        self._members = {}

    def entries(self, customer_id):
        """Every entry of every team of the customer, in one request."""
        path = "/v1/customer/%s/schedule" % quote(customer_id, safe="")
        found = listed(self.query.get(path))
        if found is None:
            raise self.query.fail("The schedule answer holds no list of entries", "GET", path)
        return found

    def members(self, team_id):
        """The team's members, read once per run."""
        if team_id not in self._members:
            path = "/v1/team/%s/members" % quote(team_id, safe="")
            found = listed(self.customer.get(path))
            if found is None:
                raise self.customer.fail("The members answer holds no list of members", "GET", path)
            self._members[team_id] = found
        return self._members[team_id]

    def member_id_by_email(self, team_id, email):
        """The id of the team member with this email (case-insensitive); an unknown email is bad input."""
        wanted = email.strip().lower()
        for member in self.members(team_id):
            if (member.get("email") or "").strip().lower() == wanted:
                return member_id(member)
        raise InvalidInput("No member of team %s has the email %r" % (team_id, email))

    def _write(self, method, team_id, body=None, params=None):
        path = "/v1/team/%s/schedule" % quote(team_id, safe="")
        content = self.command.request(method, path, params=params, json_body=body, expect_json=False)[1]
        return written_entry(content)

    def create(self, team_id, body):
        """POST a new entry; the created entry, or None when the answer was only a message."""
        return self._write("POST", team_id, body)

    def replace(self, team_id, body):
        """PUT the whole entry named by ``team_member_id`` and ``created_at`` in ``body``."""
        return self._write("PUT", team_id, body)

    def delete(self, team_id, team_member_id, created_at):
        self._write("DELETE", team_id, params={"team_member_id": team_member_id, "created_at": created_at})


def connect(module):
    """The client the module's connection options describe; a fixed token wins over signing in."""
    params = module.params
    settings = dict(timeout=params["timeout"], validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
                    retry=RetryPolicy(max_retries=params["max_retries"]))
    if params.get("api_token"):
        auth = BearerToken(params["api_token"])
    elif params.get("email") and params.get("password"):
        auth = SignInToken(OncallClient(params["auth_url"], **settings), params["email"], params["password"])
    else:
        raise InvalidInput("Give api_token, or email and password to sign in with (or ONCALL_TOKEN, or ONCALL_EMAIL and ONCALL_PASSWORD)")
    return Oncall(params["query_url"], params["command_url"], params["customer_url"], auth, **settings)
