"""A stateful PagerDuty REST API v2 simulator.

It answers like ``https://api.pagerduty.com``: token authentication, the
versioned ``Accept`` header, the ``From`` header on the operations that need
one, PagerDuty's error bodies and codes, classic pagination and rate limit
headers.  Every request is first checked against PagerDuty's own OpenAPI
description (see ``simulators.openapi``), so a client the simulator accepts
sends requests the real API documents as valid.

Resources: users (contact methods, notification rules), teams, escalation
policies, schedules (layers, overrides), on-calls, services (integrations),
vendors, extensions and extension schemas, maintenance windows, incidents
(notes, snooze, merge, status updates), priorities, and v3 webhook
subscriptions with signed deliveries when incidents change (see ``webhooks``).
"""

from __future__ import annotations

import random
import re

from simulators.core import Reply, Simulator
from simulators.openapi import SpecViolation, load_spec

from .accounts import AccountsMixin
from .common import (AUTHENTICATION_FAILED, FROM_HEADER_MISSING, ID_ALPHABET, INVALID_INPUT, NOT_FOUND, RATE_LIMITED,
                     REQUESTER_NOT_FOUND, PagerDutyError, iso, parse_time, utcnow, zone)
from .incidents import IncidentsMixin
from .maintenance import MaintenanceMixin
from .oncall import OncallMixin
from .services import ServicesMixin
from .webhooks import WebhooksMixin

API_TOKEN = "sim-pagerduty-token"
DEFAULT_ACCOUNT_TIME_ZONE = "Etc/UTC"
ADMIN_NAME = "Avery Owner"
ADMIN_EMAIL = "owner@incident-ops.example.com"
ID_PATTERN = re.compile(r"^[A-Z0-9]{7}$")
VERSIONED_MEDIA_TYPE = "application/vnd.pagerduty+json"
FROM_MISSING_MESSAGE = "You must specify a user's email address in the \"From\" header to perform this action"
STATUS_MESSAGES = {400: (INVALID_INPUT, "Invalid Input Provided"), 401: (AUTHENTICATION_FAILED, "Authentication failed"),
                   404: (NOT_FOUND, "Not Found"), 405: (NOT_FOUND, "Method Not Allowed"),
                   406: (INVALID_INPUT, "Not Acceptable")}

__all__ = ["API_TOKEN", "ADMIN_EMAIL", "PagerDutySimulator"]


def _accept_problem(value):
    """Why PagerDuty would refuse an ``Accept`` header, or None when it serves version 2 for it."""
    for media_range in value.split(","):
        media_type, *params = [part.strip().lower() for part in media_range.split(";")]
        options = dict(param.partition("=")[::2] for param in params)
        if media_type == VERSIONED_MEDIA_TYPE:
            version = options.get("version", "2").strip()
            if version == "2":
                return None
            return 400, "API version %s is not supported; this API serves version 2" % version
        if media_type in ("application/json", "application/*", "*/*"):
            return None
    return 406, "Accept must allow %s;version=2" % VERSIONED_MEDIA_TYPE


class PagerDutySimulator(AccountsMixin, OncallMixin, ServicesMixin, MaintenanceMixin, IncidentsMixin, WebhooksMixin, Simulator):
    """PagerDuty REST API v2, with one seeded account owner (``ADMIN_EMAIL``)."""

    name = "pagerduty"

    def __init__(self, latency_ms=0, rate_limit=0, seed_users=0, spec_path=None):
        self.spec = load_spec(spec_path)
        self.seed_users = seed_users
        self.frozen_now = None
        self.account_time_zone = DEFAULT_ACCOUNT_TIME_ZONE
        self.offboarding = False
        super().__init__(latency_ms=latency_ms, rate_limit=rate_limit)

    # Account state -----------------------------------------------------------------

    def reset(self):
        """A fresh account: the owner, ``seed_users`` generated users, priorities and extension schemas."""
        self.random = random.Random(2016)
        self.known_ids = set()
        self._reset_accounts()
        self._reset_oncall()
        self._reset_services()
        self._reset_incidents()
        self._reset_maintenance()
        self._reset_webhooks()
        self.known_ids.update(self.priorities)
        self.known_ids.update(self.vendors)
        self.known_ids.update(self.extension_schemas)
        self.create_user({"name": ADMIN_NAME, "email": ADMIN_EMAIL, "role": "owner", "time_zone": "Etc/UTC"})
        for number in range(1, self.seed_users + 1):
            self.create_user({"name": "Generated User %05d" % number, "email": "user%05d@incident-ops.example.com" % number,
                              "role": "user"})

    def seed(self, data):
        """Load objects in API shape, each checked against its schema in the description; ids may be given.

        Teams may also list ``members`` (``{"user": {...}, "role": ...}``).
        """
        created = {}
        loaders = (("users", "User", self.create_user), ("teams", "Team", self._seed_team),
                   ("schedules", "Schedule", self.create_schedule),
                   ("escalation_policies", "EscalationPolicy", self.create_escalation_policy),
                   ("services", "Service", self.create_service))
        for key, schema_name, loader in loaders:
            created[key] = []
            for entry in data.get(key, []):
                try:
                    self.spec.check_object(schema_name, entry)
                except SpecViolation as violation:
                    raise self._violation(violation) from None
                created[key].append(loader(dict(entry))["id"])
        return created

    def _seed_team(self, data):
        team = self.create_team(data)
        for member in data.get("members", []):
            self.user(member["user"]["id"])
            self.team_members[team["id"]][member["user"]["id"]] = member.get("role", "manager")
        return team

    def claim_id(self, data):
        """The id a seeded object brings (checked to be free and PagerDuty-shaped), or a fresh one."""
        wanted = data.get("id")
        if wanted is None:
            return self.new_id()
        if not ID_PATTERN.match(str(wanted)) or wanted in self.known_ids:
            raise PagerDutyError("Invalid Input Provided", errors=["id %r is taken or not a PagerDuty id" % wanted])
        self.known_ids.add(wanted)
        return wanted

    def new_id(self):
        """A fresh PagerDuty-style id: ``P`` and six upper-case letters or digits."""
        while True:
            candidate = "P" + "".join(self.random.choices(ID_ALPHABET, k=6))
            if candidate not in self.known_ids:
                self.known_ids.add(candidate)
                return candidate

    def now(self):
        """The simulator's clock; tests may set ``frozen_now`` to an aware datetime."""
        return self.frozen_now or utcnow()

    def connection_options(self, url):
        return {"api_url": url, "api_token": API_TOKEN, "from_email": ADMIN_EMAIL}

    # Account settings (``/_sim/settings``) --------------------------------------------

    def _apply_settings(self, settings):
        """``account_time_zone`` (default Etc/UTC), ``offboarding`` (the plan feature, default off) and ``frozen_now``.

        ``frozen_now`` (an ISO 8601 time, or null for the real clock) lets a
        playbook test pin the simulator's "now", as unit tests set the attribute.
        """
        with self.lock:
            if "account_time_zone" in settings:
                zone(settings["account_time_zone"], "account_time_zone")
                self.account_time_zone = settings["account_time_zone"]
            if "offboarding" in settings:
                if not isinstance(settings["offboarding"], bool):
                    raise PagerDutyError("offboarding must be true or false")
                self.offboarding = settings["offboarding"]
            if "frozen_now" in settings:
                value = settings["frozen_now"]
                self.frozen_now = parse_time(value, "frozen_now") if value else None
        return super()._apply_settings(settings)

    def _settings(self):
        settings = super()._settings()
        settings.update(account_time_zone=self.account_time_zone, offboarding=self.offboarding,
                        frozen_now=iso(self.frozen_now) if self.frozen_now else None)
        return settings

    # What PagerDuty checks before a handler runs -------------------------------------

    def authenticate(self, request):
        """The token, then the request against the OpenAPI description and PagerDuty's header rules."""
        if self._token(request) != API_TOKEN:
            raise PagerDutyError("Authentication failed", status=401, code=AUTHENTICATION_FAILED,
                                 errors=["The API token is missing or invalid"])
        try:
            operation, path_values = self.spec.match(request.method, request.path)
        except SpecViolation as violation:
            raise self._violation(violation) from None
        accept = request.header("Accept")
        if accept is not None:
            problem = _accept_problem(accept)
            if problem:
                status, message = problem
                raise PagerDutyError(STATUS_MESSAGES[status][1], status=status, errors=[message])
        from_header = operation.header("From")
        if from_header is not None:
            self._check_from(request, from_header.required)
        if request.body and request.header("Content-Type", "").split(";")[0].strip().lower() != "application/json":
            raise PagerDutyError("Invalid Input Provided", errors=["params must be a Hash"])
        try:
            self.spec.check_request(operation, path_values, request.query, request.headers, request.body)
        except SpecViolation as violation:
            raise self._violation(violation) from None

    @staticmethod
    def _token(request):
        scheme, credentials = ((request.header("Authorization") or "").strip().split(" ", 1) + [""])[:2]
        if scheme.lower() == "token":
            name, token = (credentials.strip().split("=", 1) + [""])[:2]
            return token.strip() if name.strip().lower() == "token" else None
        if scheme.lower() == "bearer":
            return credentials.strip()
        return None

    def _check_from(self, request, required):
        email = (request.header("From") or "").strip()
        if not email:
            if required:
                raise PagerDutyError(FROM_MISSING_MESSAGE, code=FROM_HEADER_MISSING, errors=[FROM_MISSING_MESSAGE])
            return
        with self.lock:
            if self.user_by_email(email) is None:
                raise PagerDutyError("Requester User Not Found", code=REQUESTER_NOT_FOUND,
                                     errors=["No user in this account has the email %s" % email])

    def requester(self, request):
        """The user named by the ``From`` header (``authenticate`` has checked it)."""
        return self.user_by_email(request.header("From"))

    @staticmethod
    def _violation(violation):
        code, message = STATUS_MESSAGES.get(violation.status, (INVALID_INPUT, "Invalid Input Provided"))
        return PagerDutyError(message, status=violation.status, code=code, errors=violation.errors)

    # PagerDuty's error shapes -----------------------------------------------------------

    def error_reply(self, error):
        if isinstance(error, PagerDutyError):
            body = {"message": error.message, "code": error.code, "errors": error.errors}
            body.update(error.extra)
        else:
            code, message = STATUS_MESSAGES.get(error.status, (2000, "Internal Error"))
            body = {"message": message, "code": code, "errors": [error.message]}
        return Reply(error.status, {"error": body})

    def rate_limited_reply(self, reset_seconds):
        headers = {"ratelimit-limit": str(self.rate_limit), "ratelimit-remaining": "0",
                   "ratelimit-reset": str(reset_seconds)}
        return Reply(429, {"error": {"message": "Rate Limit Exceeded", "code": RATE_LIMITED,
                                     "errors": ["Too many requests in the last minute for this API token"]}}, headers)
