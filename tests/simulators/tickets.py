"""Simulator of the tickets microservice described by an API Blueprint.

The service lives under ``/api`` (the Blueprint's HOST), answers bearer-token
requests with ``{"data": ...}`` envelopes, names tickets by human ids
(``INC-n``), returns new ids in a bare ``Location`` header with no body, and
rejects invalid input with 422 ``{"title": "Unprocessable Entity", "message"}``.
Every request is first checked against the service's OpenAPI description,
``docs/tickets-openapi.yaml`` (see ``simulators.openapi``), so a client the
simulator accepts sends what the description allows.  Organisations, contracts, tenants and users are seeded so that a ticket's
references can be checked the way the real service checks them.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .core import NotFound, Reply, Simulator, SimulatorError, Unauthorized, route
from .openapi import SpecViolation, load_spec

API = "/api"
DEFAULT_TOKEN = "tickets-api-token"
CONTACT_METHODS = ("email", "phone")
STATE_TYPES = {"state": 1, "type": 2, "priority": 3, "stage": 4, "outcome": 5}
REPORT_PERIODS = {"weekly": 7, "monthly": 30}
REPORT_COLUMNS = ("ticketNumber", "customer", "buyer", "ticketDescription", "priority", "category", "serviceImpact", "outcome",
                  "status", "primaryContactName", "primaryContactEmail", "createdAt", "resolutionDate", "assigned",
                  "slaAssignedTime", "ticketRunTime")
CONFIRM_EVENT_KEY = "notification.ticket.confirm-contacts"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ]{4,19}$")
TICKET_ID = re.compile(r"^INC-([0-9]+)$")
SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "tickets-openapi.yaml"
TICKET_FIELDS = ("id", "organisationHumanId", "contractHumanId", "tenantHumanId", "title", "description", "reporterHumanId")


class Unprocessable(SimulatorError):
    """Invalid input: 422 with the Blueprint's error object."""

    status = 422


def stamp(moment):
    """The service's ISO 8601 timestamps: seconds precision and a ``+0000`` offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def now_utc():
    return datetime.now(timezone.utc).replace(microsecond=0)


def parse_frozen(value):
    """The ``frozen_now`` setting: null, or an ISO 8601 instant with an offset (``2026-03-02T12:00:00+00:00``)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise SimulatorError("frozen_now needs an offset, e.g. 2026-03-02T12:00:00Z")
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def parse_stamp(value):
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


def default_organisations():
    return {
        "ORG-12333": {"legalName": "Acme Company", "name": "Acme", "role": "customer"},
        "ORG-2134-342": {"legalName": "Sip Synergy Ltd", "name": "SipSynergy", "role": "partner"},
    }


def default_users():
    return [
        {"humanId": "USR-12345", "organisationId": "ORG-2134-342", "email": "operations@sipsynergy.example",
         "name": "Operations Admin", "phoneNumber": None, "admin": True, "agent": True},
        {"humanId": "USR-12453", "organisationId": "ORG-12333", "email": "reporter@acme.example",
         "name": "Jordan Reporter", "phoneNumber": "+447700900123", "admin": False, "agent": False},
        {"humanId": "USR-12343", "organisationId": "ORG-2134-342", "email": "agent@sipsynergy.example",
         "name": "Sam Agent", "phoneNumber": None, "admin": False, "agent": True},
    ]


def default_states():
    names = {
        "state": ["OPEN", "IN PROGRESS", "ON HOLD", "RESOLVED", "CLOSED"],
        "type": ["Incident", "Service Request", "Change"],
        "priority": ["P1 - Priority 1", "P2 - Priority 2", "P3 - Priority 3", "P4 - Priority 4", "P5 - Priority 5"],
        "stage": ["New", "Triage", "Assigned", "Awaiting Customer", "Complete"],
        "outcome": ["Phone", "Email", "Remote Fix", "Engineer Visit"],
    }
    return [(description, STATE_TYPES[kind]) for kind, descriptions in names.items() for description in descriptions]


class TicketsSimulator(Simulator):
    """The tickets service: users, tickets, comments, attributes, groups, states, events, reports."""

    name = "tickets"

    def __init__(self, latency_ms=0, rate_limit=0, single_ticket_as_list=False, spec_path=SPEC_PATH):
        self.spec = load_spec(spec_path, errata=())
        self.single_ticket_as_list = single_ticket_as_list
        self.frozen_now = None
        super().__init__(latency_ms=latency_ms, rate_limit=rate_limit)

    # State --------------------------------------------------------------------

    def reset(self):
        with self.lock:
            created = stamp(self.now())
            self.organisations = default_organisations()
            self.contracts = {"CON-123562": {"organisation": "ORG-12333", "buyer": "ORG-2134-342"}}
            self.tenants = {"123"}
            self.users = {}
            self.next_user_id = 1
            for user in default_users():
                self._add_user(user)
            self.tokens = {DEFAULT_TOKEN: 1}
            self.groups = {number: {"id": number, "name": name, "dateCreated": created, "dateUpdated": created}
                           for number, name in enumerate(("MAC", "Networking", "Provisioning", "Service Desk"), start=1)}
            self.states = [{"id": number, "description": description, "type": kind, "dateCreated": created, "dateUpdated": created}
                           for number, (description, kind) in enumerate(default_states(), start=1)]
            self.tickets = {}
            self.next_ticket_number = 1
            self.next_attribute_id = 1
            self.next_comment_id = 1
            self.next_event_id = 1

    def seed(self, data):
        """Add organisations, contracts, tenants, users, tokens or tickets in bulk."""
        if not isinstance(data, dict):
            raise SimulatorError("The seed must be a JSON object.")
        with self.lock:
            self.organisations.update(data.get("organisations", {}))
            self.contracts.update(data.get("contracts", {}))
            self.tenants.update(str(tenant) for tenant in data.get("tenants", []))
            users = [self._add_user(dict(user)) for user in data.get("users", [])]
            self.tokens.update({token: int(user_id) for token, user_id in data.get("tokens", {}).items()})
            tickets = []
            for ticket in data.get("tickets", []):
                ticket = dict(ticket)
                created = ticket.pop("dateCreated", None)
                ticket_id = self._create_ticket(ticket)
                if created:
                    self.tickets[ticket_id]["dateCreated"] = self.tickets[ticket_id]["dateUpdated"] = created
                tickets.append(ticket_id)
            return {"users": users, "tickets": tickets}

    def _add_user(self, user):
        user_id = self.next_user_id
        self.next_user_id += 1
        self.users[user_id] = {"id": user_id, "humanId": user.get("humanId"), "organisationId": user.get("organisationId"),
                               "email": user["email"], "name": user["name"], "phoneNumber": user.get("phoneNumber"),
                               "admin": bool(user.get("admin", False)), "agent": bool(user.get("agent", False))}
        return user_id

    def _apply_settings(self, settings):
        with self.lock:
            if "single_ticket_as_list" in settings:
                self.single_ticket_as_list = bool(settings["single_ticket_as_list"])
            if "frozen_now" in settings:
                self.frozen_now = parse_frozen(settings["frozen_now"])
        return super()._apply_settings(settings)

    def _settings(self):
        settings = super()._settings()
        settings["single_ticket_as_list"] = self.single_ticket_as_list
        settings["frozen_now"] = self.frozen_now.isoformat() if self.frozen_now else None
        return settings

    def now(self):
        """The service's clock: ``frozen_now`` when a test sets it, so reports and timestamps do not follow the calendar."""
        return self.frozen_now or now_utc()

    def connection_options(self, url):
        """The modules' connection options for this server at ``url`` (its root, without ``/api``)."""
        return {"url": url + API, "api_token": DEFAULT_TOKEN}

    # Vendor formats -----------------------------------------------------------------

    def error_reply(self, error):
        titles = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 422: "Unprocessable Entity"}
        return Reply(error.status, {"title": titles.get(error.status, "Error"), "message": error.message})

    def rate_limited_reply(self, reset_seconds):
        return Reply(429, {"title": "Too Many Requests", "message": "Rate limit exceeded, retry in %d seconds." % reset_seconds},
                     {"Retry-After": str(reset_seconds)})

    def authenticate(self, request):
        token = request.bearer_token()
        if not token:
            raise Unauthorized("A bearer token is required.")
        with self.lock:
            user_id = self.tokens.get(token)
            if user_id is None or user_id not in self.users:
                raise Unauthorized("The bearer token is not valid.")
        request.user_id = user_id
        self.check_request(request)

    def check_request(self, request):
        """The request against the OpenAPI description: path, method, parameters and body.

        What the description refuses is answered as the service answers invalid
        arguments: 422 naming the field (404 or 405 for a path or method it lacks);
        a body that is not a JSON object stays a 400, as before any check.
        """
        if request.body:
            self._json_object(request)
        try:
            operation, path_values = self.spec.match(request.method, request.path[len(API):])
            self.spec.check_request(operation, path_values, request.query, request.headers, request.body)
        except SpecViolation as violation:
            if violation.status in (404, 405):
                raise SimulatorError(" ".join(violation.errors), status=violation.status) from None
            raise Unprocessable(self._message([violation.message])) from None

    # Users ----------------------------------------------------------------------------

    @route("GET", API + "/users")
    def logged_in_user(self, request):
        with self.lock:
            return Reply(200, {"data": dict(self.users[request.user_id])})

    @route("GET", API + "/users/agents")
    def agents(self, request):
        with self.lock:
            return Reply(200, {"data": [dict(user) for user in self.users.values() if user["agent"]]})

    @route("POST", API + "/users")
    def create_user(self, request):
        body = self._json_object(request)
        with self.lock:
            problems = self._user_problems(body, creating=True, user_id=None)
            if problems:
                raise Unprocessable(self._message(problems))
            user_id = self._add_user(body)
        return Reply(201, None, {"Location": str(user_id)})

    @route("PATCH", API + "/users/{id}")
    def update_user(self, request):
        body = self._json_object(request)
        with self.lock:
            user = self._user(request.params["id"])
            problems = self._user_problems(body, creating=False, user_id=user["id"])
            if problems:
                raise Unprocessable(self._message(problems))
            user.update({key: body[key] for key in ("email", "name", "phoneNumber", "admin", "agent") if key in body})
        return Reply(202)

    @route("DELETE", API + "/users/{id}")
    def delete_user(self, request):
        with self.lock:
            user = self._user(request.params["id"])
            del self.users[user["id"]]
        return Reply(202)

    def _user(self, raw_id):
        user = self.users.get(int(raw_id)) if raw_id.isdigit() else None
        if user is None:
            raise NotFound("User %s does not exist." % raw_id)
        return user

    def _user_problems(self, body, creating, user_id):
        """What is wrong with a User Create (all of it) or a User Update (the fields sent)."""
        problems = []
        for key in ("email", "name"):
            if creating and key not in body:
                problems.append("The %s field is required." % key)
        if "email" in body:
            email = body["email"]
            if not isinstance(email, str) or not EMAIL.match(email):
                problems.append("The email must be a valid email address.")
            elif any(other["email"].lower() == email.lower() and other["id"] != user_id for other in self.users.values()):
                problems.append("The email has already been taken.")
        if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
            problems.append("The name must be a non-empty string.")
        phone = body.get("phoneNumber")
        if phone is not None and not ((isinstance(phone, int) and not isinstance(phone, bool) and phone >= 0)
                                      or (isinstance(phone, str) and PHONE.match(phone))):
            problems.append("The phone number must be a number.")
        for key in ("admin", "agent"):
            if key in body and not isinstance(body[key], bool):
                problems.append("The %s field must be true or false." % key)
        if creating:
            human_id = body.get("humanId")
            if human_id is not None:
                if not isinstance(human_id, str) or not human_id:
                    problems.append("The human id must be a string.")
                elif any(other["humanId"] == human_id for other in self.users.values()):
                    problems.append("The human id has already been taken.")
            organisation = body.get("organisationId")
            if organisation is not None and (not isinstance(organisation, str) or organisation not in self.organisations):
                problems.append("The selected organisation id is invalid.")
        return problems

    # Tickets --------------------------------------------------------------------------

    @route("GET", API + "/tickets")
    def list_tickets(self, request):
        with self.lock:
            return Reply(200, {"data": [self._ticket_full(ticket) for ticket in self._ordered_tickets()]})

    @route("POST", API + "/tickets")
    def create_ticket(self, request):
        body = self._json_object(request)
        with self.lock:
            ticket_id = self._create_ticket(body)
        return Reply(201, None, {"Location": ticket_id})

    @route("GET", API + "/tickets/{ticketId}")
    def get_ticket(self, request):
        """One ticket; an object by default, a one-element list when the Blueprint is taken literally."""
        with self.lock:
            full = self._ticket_full(self._ticket(request.params["ticketId"]))
            return Reply(200, {"data": [full] if self.single_ticket_as_list else full})

    @route("PATCH", API + "/tickets/{ticketId}")
    def update_ticket(self, request):
        body = self._json_object(request)
        with self.lock:
            ticket = self._ticket(request.params["ticketId"])
            problems = self._ticket_problems(body, creating=False, current=ticket)
            if problems:
                raise Unprocessable(self._message(problems))
            for key in TICKET_FIELDS[1:]:
                if key in body:
                    ticket[key] = body[key]
            if "attributes" in body:
                self._set_attributes(ticket, body["attributes"], replace_all=False)
            ticket["dateUpdated"] = stamp(self.now())
        return Reply(204, None, {"Location": ticket["id"]})

    @route("DELETE", API + "/tickets/{ticketId}")
    def delete_ticket(self, request):
        with self.lock:
            ticket = self._ticket(request.params["ticketId"])
            del self.tickets[ticket["id"]]
        return Reply(202)

    @route("POST", API + "/tickets/{ticketId}")
    def create_comment(self, request):
        body = self._json_object(request)
        with self.lock:
            ticket = self._ticket(request.params["ticketId"])
            problems = []
            for key in ("ticketId", "description", "userHumanId"):
                if not isinstance(body.get(key), str) or not body[key].strip():
                    problems.append("The %s field is required." % key)
            if isinstance(body.get("ticketId"), str) and body["ticketId"] and body["ticketId"] != ticket["id"]:
                problems.append("The ticket id must match the ticket in the path (%s)." % ticket["id"])
            if isinstance(body.get("userHumanId"), str) and body["userHumanId"] and not self._user_by_human_id(body["userHumanId"]):
                problems.append("The selected user human id is invalid.")
            if problems:
                raise Unprocessable(self._message(problems))
            created = stamp(self.now())
            comment = {"id": self.next_comment_id, "ticketId": ticket["id"], "description": body["description"],
                       "userHumanId": body["userHumanId"], "dateCreated": created, "dateUpdated": created}
            self.next_comment_id += 1
            ticket["comments"].append(comment)
        return Reply(201, None, {"Location": str(comment["id"])})

    @route("GET", API + "/tickets/{ticketId}/comments")
    def comments(self, request):
        with self.lock:
            return Reply(200, {"data": [dict(comment) for comment in self._ticket(request.params["ticketId"])["comments"]]})

    @route("GET", API + "/tickets/{ticketId}/attributes")
    def attributes(self, request):
        with self.lock:
            return Reply(200, {"data": [dict(row) for row in self._ticket(request.params["ticketId"])["attributes"]]})

    def _ticket(self, ticket_id):
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise NotFound("Ticket %s does not exist." % ticket_id)
        return ticket

    def _ordered_tickets(self):
        return sorted(self.tickets.values(), key=lambda ticket: int(TICKET_ID.match(ticket["id"]).group(1)))

    def _user_by_human_id(self, human_id):
        return next((user for user in self.users.values() if user["humanId"] == human_id), None)

    def _create_ticket(self, body):
        problems = self._ticket_problems(body, creating=True, current=None)
        if problems:
            raise Unprocessable(self._message(problems))
        created = stamp(self.now())
        ticket_id = "INC-%d" % self.next_ticket_number
        self.next_ticket_number += 1
        ticket = {"id": ticket_id, "organisationHumanId": body["organisationHumanId"], "contractHumanId": body["contractHumanId"],
                  "tenantHumanId": body["tenantHumanId"], "title": body.get("title"), "description": body["description"],
                  "reporterHumanId": body["reporterHumanId"], "dateCreated": created, "dateUpdated": created,
                  "attributes": [], "comments": [], "event": None}
        self._set_attributes(ticket, body["attributes"], replace_all=True)
        self.tickets[ticket_id] = ticket
        return ticket_id

    def _ticket_problems(self, body, creating, current):
        """Every reason a Ticket Create (all fields) or a ticket update (fields sent) is refused."""
        problems = []
        for key in ("organisationHumanId", "contractHumanId", "tenantHumanId", "description", "reporterHumanId"):
            if key in body or creating:
                value = body.get(key)
                if value is None:
                    problems.append("The %s field is required." % key)
                elif not isinstance(value, str) or not value.strip():
                    problems.append("The %s must be a non-empty string." % key)
        if body.get("title") is not None and not isinstance(body["title"], str):
            problems.append("The title must be a string.")
        organisation = body.get("organisationHumanId", current and current["organisationHumanId"])
        contract = body.get("contractHumanId", current and current["contractHumanId"])
        if isinstance(body.get("organisationHumanId"), str) and body["organisationHumanId"] not in self.organisations:
            problems.append("The selected organisationHumanId is invalid.")
        if isinstance(contract, str) and ("contractHumanId" in body or "organisationHumanId" in body):
            if contract not in self.contracts:
                problems.append("The selected contractHumanId is invalid.")
            elif isinstance(organisation, str) and organisation in self.organisations and self.contracts[contract]["organisation"] != organisation:
                problems.append("The contract %s does not belong to organisation %s." % (contract, organisation))
        if isinstance(body.get("tenantHumanId"), str) and body["tenantHumanId"] not in self.tenants:
            problems.append("The selected tenantHumanId is invalid.")
        if isinstance(body.get("reporterHumanId"), str) and body["reporterHumanId"].strip() and not self._user_by_human_id(body["reporterHumanId"]):
            problems.append("The selected reporterHumanId is invalid.")
        if "attributes" in body or creating:
            problems.extend(self._attribute_problems(body.get("attributes"), creating))
        return problems

    @staticmethod
    def _attribute_problems(attributes, creating):
        if not isinstance(attributes, dict):
            return ["The attributes field is required and must be an object."]
        problems = []
        method = attributes.get("preferredContactMethod")
        if method is None and creating:
            problems.append("The attributes.preferredContactMethod field is required.")
        elif method is not None and method not in CONTACT_METHODS:
            problems.append("The attributes.preferredContactMethod must be one of %s." % ", ".join(CONTACT_METHODS))
        main_email = attributes.get("mainEmail")
        if main_email is not None and (not isinstance(main_email, str) or not EMAIL.match(main_email)):
            problems.append("The attributes.mainEmail must be a valid email address.")
        phone = attributes.get("phoneNumber")
        if phone is not None and (not isinstance(phone, str) or not PHONE.match(phone)):
            problems.append("The attributes.phoneNumber must be a phone number string.")
        extra = attributes.get("additionalEmails")
        if extra is not None and (not isinstance(extra, list) or not all(isinstance(item, str) and EMAIL.match(item) for item in extra)):
            problems.append("The attributes.additionalEmails must be a list of email addresses.")
        return problems

    def _set_attributes(self, ticket, attributes, replace_all):
        """Store contact attributes as key/value rows; additional emails get one row each."""
        created = stamp(self.now())
        sent = {key: value for key, value in attributes.items()
                if key in ("mainEmail", "phoneNumber", "preferredContactMethod", "additionalEmails")}
        kept = [] if replace_all else [row for row in ticket["attributes"] if row["key"] not in sent]
        for key, value in sent.items():
            for item in (value if isinstance(value, list) else [value]):
                if item is None:
                    continue
                kept.append({"id": self.next_attribute_id, "key": key, "value": item, "type": "Contact", "dateCreated": created})
                self.next_attribute_id += 1
        ticket["attributes"] = kept

    def _organisation_ref(self, human_id):
        organisation = self.organisations.get(human_id, {})
        return {"type": "organisations", "id": human_id,
                "attributes": {key: organisation.get(key) for key in ("legalName", "name", "role")}}

    def _ticket_full(self, ticket):
        contract = self.contracts.get(ticket["contractHumanId"], {})
        full = {key: ticket[key] for key in TICKET_FIELDS}
        full["links"] = {"self": "/tickets/%s" % ticket["id"], "comments": "/tickets/%s/comments" % ticket["id"]}
        full["dateCreated"] = ticket["dateCreated"]
        full["dateUpdated"] = ticket["dateUpdated"]
        full["buyer"] = self._organisation_ref(contract.get("buyer", ticket["organisationHumanId"]))
        full["consumer"] = self._organisation_ref(ticket["organisationHumanId"])
        return full

    # Groups and states -------------------------------------------------------------------

    @route("GET", API + "/groups")
    def list_groups(self, request):
        with self.lock:
            return Reply(200, {"data": [dict(group) for group in self.groups.values()]})

    @route("GET", API + "/groups/{groupId}")
    def get_group(self, request):
        raw_id = request.params["groupId"]
        with self.lock:
            group = self.groups.get(int(raw_id)) if raw_id.isdigit() else None
            if group is None:
                raise NotFound("Group %s does not exist." % raw_id)
            return Reply(200, {"data": dict(group)})

    @route("GET", API + "/states")
    def list_states(self, request):
        kind = request.arg("type", "all")
        if kind != "all" and kind not in STATE_TYPES:
            raise Unprocessable("The selected type is invalid; use one of all, %s." % ", ".join(STATE_TYPES))
        with self.lock:
            return Reply(200, {"data": [dict(state) for state in self.states if kind == "all" or state["type"] == STATE_TYPES[kind]]})

    # Events ----------------------------------------------------------------------------------

    @route("POST", API + "/events/confirm-contacts/{ticketId}")
    def confirm_contacts(self, request):
        """Record the confirm-contacts event; it is created once per ticket, later calls change nothing."""
        with self.lock:
            ticket = self._ticket(request.params["ticketId"])
            if ticket["event"] is None:
                ticket["event"] = {"id": self.next_event_id, "key": CONFIRM_EVENT_KEY,
                                   "value": "Confirm contacts notification sent.", "target": ticket["id"]}
                self.next_event_id += 1
        return Reply(201)

    @route("GET", API + "/events/confirm-contacts/{ticketId}")
    def confirm_contacts_status(self, request):
        with self.lock:
            ticket = self._ticket(request.params["ticketId"])
            if ticket["event"] is None:
                raise NotFound("Contacts of %s have not been confirmed." % ticket["id"])
            return Reply(200, {"data": dict(ticket["event"])})

    # Reporting ----------------------------------------------------------------------------------

    @route("GET", API + "/reporting/tickets")
    def report_json(self, request):
        return Reply(200, {"data": self._report(request)})

    @route("GET", API + "/reporting/tickets/download")
    def report_csv(self, request):
        rows = self._report(request)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        filename = "tickets-%s-%s.csv" % (request.arg("period"), self.now().strftime("%Y%m%d"))
        return Reply(200, buffer.getvalue(), {"Content-Disposition": 'attachment; filename="%s"' % filename},
                     content_type="text/csv; charset=utf-8")

    def _report(self, request):
        period = request.arg("period")
        if period not in REPORT_PERIODS:
            raise Unprocessable("The period must be one of %s." % ", ".join(REPORT_PERIODS))
        moment = self.now()
        since = moment - timedelta(days=REPORT_PERIODS[period])
        with self.lock:
            return [self._report_row(ticket, moment) for ticket in self._ordered_tickets() if parse_stamp(ticket["dateCreated"]) >= since]

    def _report_row(self, ticket, moment):
        created = parse_stamp(ticket["dateCreated"])
        contract = self.contracts.get(ticket["contractHumanId"], {})
        reporter = self._user_by_human_id(ticket["reporterHumanId"]) or {}
        main_email = next((row["value"] for row in ticket["attributes"] if row["key"] == "mainEmail"), None)
        seconds = max(0, int((moment - created).total_seconds()))
        return {
            "ticketNumber": ticket["id"],
            "customer": self.organisations.get(ticket["organisationHumanId"], {}).get("name", "NA"),
            "buyer": self.organisations.get(contract.get("buyer"), {}).get("name", "NA"),
            "ticketDescription": ticket["description"],
            "priority": "P5 - Priority 5",
            "category": "Default",
            "serviceImpact": "NA",
            "outcome": "NA",
            "status": "New",
            "primaryContactName": reporter.get("name") or "NA",
            "primaryContactEmail": main_email or reporter.get("email") or "NA",
            "createdAt": created.strftime("%Y-%m-%d %H:%M:%S"),
            "resolutionDate": "NA",
            "assigned": "NA",
            "slaAssignedTime": "00:00:00",
            "ticketRunTime": "%02d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60),
        }

    # Helpers ----------------------------------------------------------------------------------------

    @staticmethod
    def _json_object(request):
        body = request.json()
        if not isinstance(body, dict):
            raise SimulatorError("The request body must be a JSON object.", status=400)
        return body

    @staticmethod
    def _message(problems):
        return "This resource could not be updated due to invalid arguments being passed. " + " ".join(problems)
