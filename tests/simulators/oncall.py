"""Simulator of the on-call schedule service (Pinghome style).

The vendor splits the API over hosts behind an API gateway: a query host that
reads a customer's schedule, a command host that creates, replaces and
deletes a team's entries, an auth host that trades an email and a password
for a bearer token, and the customer service's query host that lists teams
and their members.  Here each host is its own ``Simulator`` and all four
share one ``OncallStore``, so a token issued by the auth host works on the
others and an entry written on the command host shows on the query host.  Errors look like the gateway's: ``{"message": ...}``, with a 403
``Missing Authentication Token`` for any route the gateway does not know.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone

from .core import NotFound, Reply, Simulator, SimulatorError, Unauthorized, route

CUSTOMER_ID = "c03b02ec-244f-4d2c-8f68-3910071ed5c8"
TEAM_ID = "445a5c1f-c0eb-403a-96d7-3976e5dc74ed"
MEMBER_IDS = (
    "7d1e5a7c-3f0b-4c8e-9a51-2b6f4d9e0c11",
    "9a2f6b8d-4e1c-4d9f-8b62-3c7e5f0a1d22",
    "b3c7d9e1-5f2a-4e0b-9c73-4d8f6a1b2e33",
)
DEFAULT_EMAIL = "oncall-admin@example.com"
DEFAULT_PASSWORD = "TestPassw0rd!"
DEFAULT_API_TOKEN = "oncall-api-token"
TEAM_CREATED_AT = "2024-01-02T09:30:00Z"

TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")
LAST_WEEK = -1
# Week n of a month is days 7n-6..7n (week 5 is days 29-31); -1, the last seven
# days of the month, always falls on week 4 and, in months over 28 days, week 5.
WEEKS = (1, 2, 3, 4, 5, LAST_WEEK)
WEEKS_TOUCHING_LAST = {4, 5, LAST_WEEK}
ENTRY_FIELDS = ("team_member_id", "start_date", "end_date", "months_of_year", "weeks_of_month", "week_days", "start_time", "end_time")


class ResourceNotFound(SimulatorError):
    """A known route naming a customer, team or entry that does not exist."""

    status = 404


class Conflict(SimulatorError):
    status = 409


class Invalid(SimulatorError):
    """422 with every invalid field listed."""

    status = 422

    def __init__(self, errors):
        super().__init__("Validation failed")
        self.errors = errors


def default_directory():
    """One customer with one team of three members, under fixed ids."""
    members = {
        MEMBER_IDS[0]: {"name": "Avery Primary", "email": "avery@example.com", "role": "manager"},
        MEMBER_IDS[1]: {"name": "Blake Secondary", "email": "blake@example.com", "role": "user"},
        MEMBER_IDS[2]: {"name": "Casey Backup", "email": "casey@example.com", "role": "user"},
    }
    customers = {CUSTOMER_ID: {"name": "Example Customer"}}
    teams = {TEAM_ID: {"customer_id": CUSTOMER_ID, "name": "Platform On-Call", "members": members, "created_at": TEAM_CREATED_AT}}
    return customers, teams


def parse_instant(value):
    """An ISO 8601 date or date-time; naive values are taken as UTC."""
    if not isinstance(value, str) or not value:
        raise ValueError(value)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class OncallStore:
    """The state the three hosts share: directory, accounts, tokens and entries."""

    def __init__(self, token_ttl=3600, plain_messages=False):
        self.lock = threading.RLock()
        self.token_ttl = token_ttl
        self.plain_messages = plain_messages
        self.reset()

    def reset(self):
        with self.lock:
            self.customers, self.teams = default_directory()
            self.accounts = {DEFAULT_EMAIL: DEFAULT_PASSWORD}
            self.account_customers = {DEFAULT_EMAIL: CUSTOMER_ID}
            self.tokens = {DEFAULT_API_TOKEN: None}
            self.token_customers = {DEFAULT_API_TOKEN: CUSTOMER_ID}
            self.entries = {}
            self.last_created = None

    def seed(self, data):
        """Add customers, teams (with members) and accounts in bulk."""
        if not isinstance(data, dict):
            raise SimulatorError("The seed must be a JSON object.")
        with self.lock:
            for customer in data.get("customers", []):
                self.customers[customer["id"]] = {"name": customer.get("name")}
            for team in data.get("teams", []):
                members = {member["id"]: {"name": member.get("name"), "email": member.get("email"), "role": member.get("role", "user")}
                           for member in team.get("members", [])}
                self.teams[team["id"]] = {"customer_id": team["customer_id"], "name": team.get("name"), "members": members,
                                          "created_at": team.get("created_at", TEAM_CREATED_AT)}
            for account in data.get("accounts", []):
                self.accounts[account["email"]] = account["password"]
                self.account_customers[account["email"]] = account.get("customer_id", CUSTOMER_ID)
            return {"customers": len(self.customers), "teams": len(self.teams), "accounts": len(self.accounts)}

    def issue_token(self, email):
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = time.time() + self.token_ttl
            self.token_customers[token] = self.account_customers[email]
        return token

    def customer_of(self, token):
        """The customer account a token was issued to: the teams it may list."""
        with self.lock:
            return self.token_customers.get(token)

    def token_valid(self, token):
        with self.lock:
            if token not in self.tokens:
                return False
            expires_at = self.tokens[token]
            if expires_at is not None and time.time() >= expires_at:
                del self.tokens[token]
                self.token_customers.pop(token, None)
                return False
            return True

    def next_created_at(self):
        """A server timestamp, strictly later than the previous one so it can name an entry."""
        moment = datetime.now(timezone.utc)
        if self.last_created is not None and moment <= self.last_created:
            moment = self.last_created + timedelta(microseconds=1)
        self.last_created = moment
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class OncallHost(Simulator):
    """What the three hosts have in common: the shared store, auth and the gateway's errors."""

    def __init__(self, store, latency_ms=0, rate_limit=0):
        self.store = store
        super().__init__(latency_ms=latency_ms, rate_limit=rate_limit)

    def reset(self):
        self.store.reset()

    def seed(self, data):
        return self.store.seed(data)

    def _apply_settings(self, settings):
        with self.store.lock:
            if "token_ttl" in settings:
                self.store.token_ttl = float(settings["token_ttl"])
            if "plain_messages" in settings:
                self.store.plain_messages = bool(settings["plain_messages"])
        return super()._apply_settings(settings)

    def _settings(self):
        settings = super()._settings()
        settings["token_ttl"] = self.store.token_ttl
        settings["plain_messages"] = self.store.plain_messages
        return settings

    def confirmation(self, status, message, schedule=None):
        """A write's answer: JSON with the entry, or with ``plain_messages`` the bare message as text."""
        if self.store.plain_messages:
            return Reply(status, message, content_type="text/plain; charset=utf-8")
        body = {"message": message}
        if schedule is not None:
            body["schedule"] = dict(schedule)
        return Reply(status, body)

    def error_reply(self, error):
        if isinstance(error, Invalid):
            return Reply(422, {"message": error.message, "errors": error.errors})
        if isinstance(error, (ResourceNotFound, Conflict)):
            return Reply(error.status, {"message": error.message})
        if isinstance(error, Unauthorized):
            return Reply(401, {"message": "Unauthorized"})
        if isinstance(error, NotFound) or error.status == 405:
            return Reply(403, {"message": "Missing Authentication Token"})
        return Reply(error.status, {"message": error.message})

    def rate_limited_reply(self, reset_seconds):
        return Reply(429, {"message": "Too Many Requests"}, {"Retry-After": str(reset_seconds)})

    def authenticate(self, request):
        token = request.bearer_token()
        if not token or not self.store.token_valid(token):
            raise Unauthorized("Unauthorized")

    def expire_token(self, request):
        """A signed-in token's lifetime ends now; the fixed API token never expires."""
        token = request.bearer_token() or ""
        with self.store.lock:
            if self.store.tokens.get(token) is None:
                return False
            self.store.tokens[token] = 0
            return True

    @staticmethod
    def body_object(request):
        body = request.json()
        if not isinstance(body, dict):
            raise Invalid([{"field": "body", "message": "must be a JSON object"}])
        return body


class OncallAuthSimulator(OncallHost):
    """The auth host: ``POST /v1/auth`` with an email and a password."""

    name = "oncall-auth"

    def authenticate(self, request):
        """Signing in needs no token."""

    @route("POST", "/v1/auth")
    def sign_in(self, request):
        body = self.body_object(request)
        errors = [{"field": key, "message": "is required and must be a string"}
                  for key in ("email", "password") if not isinstance(body.get(key), str) or not body[key]]
        if errors:
            raise Invalid(errors)
        with self.store.lock:
            known = self.store.accounts.get(body["email"])
        if known is None or not secrets.compare_digest(known.encode("utf-8"), body["password"].encode("utf-8")):
            return Reply(401, {"message": "Invalid email or password"})
        return Reply(200, {"token": self.store.issue_token(body["email"]), "expires_in": int(self.store.token_ttl)})


class OncallQuerySimulator(OncallHost):
    """The query host: a customer's schedule across all its teams."""

    name = "oncall-query"

    @route("GET", "/v1/customer/{id}/schedule")
    def customer_schedule(self, request):
        customer_id = request.params["id"]
        with self.store.lock:
            if customer_id not in self.store.customers:
                raise ResourceNotFound("Customer not found")
            team_ids = sorted(team_id for team_id, team in self.store.teams.items() if team["customer_id"] == customer_id)
            entries = [dict(entry) for team_id in team_ids for entry in self.store.entries.get(team_id, [])]
        return Reply(200, {"customer_id": customer_id, "schedules": entries})


class OncallCustomerSimulator(OncallHost):
    """The customer service's query host: the caller's teams and a team's members."""

    name = "oncall-customer"

    @route("GET", "/v1/teams")
    def list_teams(self, request):
        customer_id = self.store.customer_of(request.bearer_token())
        with self.store.lock:
            teams = [{"team_id": team_id, "name": team["name"], "member_count": len(team["members"]), "created_at": team["created_at"]}
                     for team_id, team in sorted(self.store.teams.items()) if team["customer_id"] == customer_id]
        return Reply(200, teams)

    @route("GET", "/v1/team/{id}/members")
    def team_members(self, request):
        """A member's id is its ``customer_id``: members are customer accounts; it is the schedule's ``team_member_id``."""
        customer_id = self.store.customer_of(request.bearer_token())
        with self.store.lock:
            team = self.store.teams.get(request.params["id"])
            if team is None or team["customer_id"] != customer_id:
                raise ResourceNotFound("Team not found")
            members = [{"customer_id": member_id, "email": member["email"], "name": member["name"], "role": member["role"]}
                       for member_id, member in sorted(team["members"].items())]
        return Reply(200, members)


class OncallCommandSimulator(OncallHost):
    """The command host: create, replace and delete a team's schedule entries."""

    name = "oncall-command"

    @route("POST", "/v1/team/{id}/schedule")
    def create_entry(self, request):
        body = self.body_object(request)
        with self.store.lock:
            team_id = self._team(request.params["id"])
            entry = self._validated(team_id, body)
            self._check_overlap(team_id, entry, ignore=None)
            entry["created_at"] = self.store.next_created_at()
            self.store.entries.setdefault(team_id, []).append(entry)
            return self.confirmation(201, "Schedule created", entry)

    @route("PUT", "/v1/team/{id}/schedule")
    def replace_entry(self, request):
        """Replace the entry named by ``team_member_id`` and ``created_at`` in the body."""
        body = self.body_object(request)
        with self.store.lock:
            team_id = self._team(request.params["id"])
            errors = []
            if not isinstance(body.get("created_at"), str) or not body["created_at"]:
                errors.append({"field": "created_at", "message": "is required and must be a string"})
            entry = self._validated(team_id, body, errors)
            current = self._find(team_id, entry["team_member_id"], body["created_at"])
            entry["created_at"] = current["created_at"]
            self._check_overlap(team_id, entry, ignore=current)
            current.update(entry)
            return self.confirmation(200, "Schedule updated", current)

    @route("DELETE", "/v1/team/{id}/schedule")
    def delete_entry(self, request):
        with self.store.lock:
            team_id = self._team(request.params["id"])
            member_id = request.arg("team_member_id")
            created_at = request.arg("created_at")
            errors = [{"field": key, "message": "query parameter is required"}
                      for key, value in (("team_member_id", member_id), ("created_at", created_at)) if not value]
            if errors:
                raise Invalid(errors)
            current = self._find(team_id, member_id, created_at)
            self.store.entries[team_id].remove(current)
        return self.confirmation(200, "Schedule deleted")

    def _team(self, team_id):
        if team_id not in self.store.teams:
            raise ResourceNotFound("Team not found")
        return team_id

    def _find(self, team_id, member_id, created_at):
        """The entry with this member and exactly this ``created_at`` string, as stored."""
        for entry in self.store.entries.get(team_id, []):
            if entry["team_member_id"] == member_id and entry["created_at"] == created_at:
                return entry
        raise ResourceNotFound("Schedule not found")

    def _validated(self, team_id, body, errors=None):
        """The entry the body describes; raises ``Invalid`` listing every bad field."""
        errors = list(errors or [])
        member_id = body.get("team_member_id")
        if not isinstance(member_id, str) or not member_id:
            errors.append({"field": "team_member_id", "message": "is required and must be a string"})
        elif member_id not in self.store.teams[team_id]["members"]:
            errors.append({"field": "team_member_id", "message": "is not a member of this team"})
        dates = {}
        for key in ("start_date", "end_date"):
            if body.get(key) is not None:
                try:
                    dates[key] = parse_instant(body[key])
                except (TypeError, ValueError):
                    errors.append({"field": key, "message": "must be an ISO 8601 date or date-time"})
        if len(dates) == 2 and dates["start_date"] >= dates["end_date"]:
            errors.append({"field": "end_date", "message": "must be after start_date"})
        for key, allowed, required in (("months_of_year", range(1, 13), False), ("weeks_of_month", WEEKS, False), ("week_days", range(0, 7), True)):
            problem = self._list_problem(body.get(key), allowed, required)
            if problem:
                errors.append({"field": key, "message": problem})
        times = {}
        for key in ("start_time", "end_time"):
            value = body.get(key)
            if not isinstance(value, str) or not TIME.match(value):
                errors.append({"field": key, "message": "is required in HH:MM:SS form"})
            else:
                times[key] = value
        if len(times) == 2 and times["start_time"] >= times["end_time"]:
            errors.append({"field": "end_time", "message": "must be after start_time (split a shift that passes midnight in two)"})
        if errors:
            raise Invalid(errors)
        entry = {key: body.get(key) for key in ENTRY_FIELDS}
        entry["team_id"] = team_id
        return entry

    @staticmethod
    def _list_problem(value, allowed, required):
        if value is None:
            return "is required" if required else None
        if not isinstance(value, list) or not value:
            return "must be a non-empty array of integers"
        if not all(isinstance(item, int) and not isinstance(item, bool) and item in allowed for item in value):
            shown = ", ".join(str(item) for item in allowed)
            return "must hold only integers from {%s}" % shown
        if len(set(value)) != len(value):
            return "must not repeat a value"
        return None

    def _check_overlap(self, team_id, entry, ignore):
        """409 when the same member is already on call at any moment this entry covers."""
        for other in self.store.entries.get(team_id, []):
            if other is ignore or other["team_member_id"] != entry["team_member_id"]:
                continue
            if entries_overlap(entry, other):
                raise Conflict("Schedule overlaps the entry created at %s for this team member" % other["created_at"])


def entries_overlap(first, second):
    """Whether two recurring entries share a moment: every dimension must intersect.

    A missing ``months_of_year`` or ``weeks_of_month`` means every month or week.
    """
    if not (first["start_time"] < second["end_time"] and second["start_time"] < first["end_time"]):
        return False
    if not set(first["week_days"]) & set(second["week_days"]):
        return False
    if first["months_of_year"] and second["months_of_year"] and not set(first["months_of_year"]) & set(second["months_of_year"]):
        return False
    if first["weeks_of_month"] and second["weeks_of_month"] and not weeks_intersect(first["weeks_of_month"], second["weeks_of_month"]):
        return False
    return dates_intersect(first, second)


def weeks_intersect(first, second):
    first, second = set(first), set(second)
    if first & second:
        return True
    return bool((LAST_WEEK in first and second & WEEKS_TOUCHING_LAST) or (LAST_WEEK in second and first & WEEKS_TOUCHING_LAST))


def dates_intersect(first, second):
    far_past = datetime.min.replace(tzinfo=timezone.utc)
    far_future = datetime.max.replace(tzinfo=timezone.utc)

    def bounds(entry):
        start = parse_instant(entry["start_date"]) if entry["start_date"] else far_past
        end = parse_instant(entry["end_date"]) if entry["end_date"] else far_future
        return start, end

    first_start, first_end = bounds(first)
    second_start, second_end = bounds(second)
    return first_start < second_end and second_start < first_end
