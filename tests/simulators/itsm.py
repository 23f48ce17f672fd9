"""Simulator of the ITSM service desk (ServiceOps style) incident API.

It models the OAuth2 password grant with Basic client credentials (or an
``Authorization: Apikey`` key, which newer releases accept), short-lived
JWT-shaped access tokens with single-use refresh tokens, incidents created,
updated and read through the v1 API and the older ``/api/incident`` endpoint,
attachment uploads referenced by ``refFileName`` and read back by it, custom
fields typed by form, and a simple qualification search of incidents,
locations and categories.  Errors come in the desk's own shapes: the
``returnCode`` envelope for business failures, Spring's OAuth2 error for a bad
token and Spring Boot's error document for unknown routes and bad JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import string
import time
import uuid

from .core import Reply, Simulator, SimulatorError, UploadedFile, Unauthorized, route

DEFAULT_CLIENT_ID = "main-web-app-client"
DEFAULT_CLIENT_SECRET = "main-web-app-secret"
DEFAULT_USERNAME = "tim@acme.com"
DEFAULT_PASSWORD = "123"
DEFAULT_SCOPE = "main-web-app-scope"
DEFAULT_API_KEY = "sim-itsm-api-key"

TOKEN_PATH = "/api/oauth/token"

IMPACTS = ("LOW", "ONUSER", "ONDEPARTMENT", "ONBUSINESS")
LEVELS = ("LOW", "MEDIUM", "HIGH", "URGENT")
STATUSES = ("Open", "In Progress", "Pending", "Resolved", "Closed")

# Custom field type codes, as the desk numbers them, with the key their value travels in.
FIELD_TYPES = {
    1: ("STRING", "stringValue"),
    2: ("INTEGER", "integerValue"),
    3: ("DOUBLE", "doubleValue"),
    4: ("BOOLEAN", "booleanValue"),
    5: ("LONG", "longValue"),
    7: ("INTEGER LIST", "integerListValue"),
    8: ("STRING LIST", "stringListValue"),
    10: ("BIG STRING", "bigStringValue"),
}

INT32 = (-2 ** 31, 2 ** 31 - 1)
INT64 = (-2 ** 63, 2 ** 63 - 1)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PAGE_SIZE = 100


def default_users():
    return {
        DEFAULT_USERNAME: {"password": DEFAULT_PASSWORD, "name": "Tim"},
        "jane@acme.com": {"password": "jane-secret", "name": "Jane Doe"},
    }


def default_locations():
    return ["Ahmedabad", "London", "New York", "Berlin"]


def default_categories():
    """Category ids matter to the legacy endpoint, which takes an id instead of a name."""
    return {1: "Service Request", 2: "Incident", 3: "Hardware", 4: "Software", 5: "Network"}


def default_forms():
    """Custom fields of each module's form; ``incident`` is another name of ``request``."""
    request_fields = [
        {"id": 1, "name": "Stage", "type": 1, "required": False, "options": ["Open", "Triage", "Mitigated", "Postmortem"]},
        {"id": 35, "name": "External Reference", "type": 1, "required": False},
        {"id": 36, "name": "Affected Users", "type": 2, "required": False},
        {"id": 37, "name": "Revenue Impact", "type": 3, "required": False},
        {"id": 38, "name": "Security Related", "type": 4, "required": False},
        {"id": 39, "name": "Monitoring Event Id", "type": 5, "required": False},
        {"id": 40, "name": "Affected Site Ids", "type": 7, "required": False},
        {"id": 41, "name": "Affected Services", "type": 8, "required": False},
        {"id": 42, "name": "Root Cause Notes", "type": 10, "required": False},
    ]
    problem_fields = [
        {"id": 101, "name": "Known Error", "type": 4, "required": False},
        {"id": 102, "name": "Workaround", "type": 10, "required": False},
    ]
    return {"request": request_fields, "problem": problem_fields}


FORM_ALIASES = {"incident": "request"}


class DeskError(SimulatorError):
    """A business failure, answered in the desk's ``returnCode`` envelope."""


class DeskNotFound(DeskError):
    status = 404


class EmptyUnauthorized(SimulatorError):
    """What the token endpoint answers to bad credentials: 401 and nothing else."""

    status = 401


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class ItsmSimulator(Simulator):
    """The ITSM desk: OAuth2 password grant, incidents, uploads, custom fields, search."""

    name = "itsm"

    def __init__(self, latency_ms=0, rate_limit=0, token_ttl=7199, refresh_ttl=2591999):
        self.token_ttl = token_ttl
        self.refresh_ttl = refresh_ttl
        self.client_id = DEFAULT_CLIENT_ID
        self.client_secret = DEFAULT_CLIENT_SECRET
        self.signing_key = secrets.token_bytes(32)
        super().__init__(latency_ms=latency_ms, rate_limit=rate_limit)

    @staticmethod
    def connection_options(url):
        """The collection's ITSM connection options for a server at ``url``, with the default OAuth2 client and user."""
        return {"url": url, "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
                "username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}

    # State ------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.users = default_users()
            self.locations = default_locations()
            self.categories = default_categories()
            self.forms = default_forms()
            self.api_keys = {DEFAULT_API_KEY: DEFAULT_USERNAME}
            self.access_tokens = {}
            self.refresh_tokens = {}
            self.files = {}
            self.incidents = {}
            self.next_incident_id = 1

    def seed(self, data):
        """Add users, locations, categories, custom fields or incidents in bulk."""
        if not isinstance(data, dict):
            raise DeskError("The seed must be a JSON object.")
        with self.lock:
            for user in data.get("users", []):
                self.users[user["username"]] = {"password": user["password"], "name": user.get("name")}
            for location in data.get("locations", []):
                if location not in self.locations:
                    self.locations.append(location)
            for category in data.get("categories", []):
                self.categories[int(category["id"])] = category["name"]
            for key, username in data.get("api_keys", {}).items():
                self.api_keys[key] = username
            for module, fields in data.get("forms", {}).items():
                self.forms.setdefault(module, []).extend(fields)
            created = [self._create_incident(body) for body in data.get("incidents", [])]
            return {"users": len(self.users), "locations": len(self.locations), "categories": len(self.categories),
                    "api_keys": len(self.api_keys), "incidents": created}

    def _apply_settings(self, settings):
        with self.lock:
            if "token_ttl" in settings:
                self.token_ttl = float(settings["token_ttl"])
            if "refresh_ttl" in settings:
                self.refresh_ttl = float(settings["refresh_ttl"])
        return super()._apply_settings(settings)

    def _settings(self):
        settings = super()._settings()
        settings.update(token_ttl=self.token_ttl, refresh_ttl=self.refresh_ttl)
        return settings

    # Vendor formats -------------------------------------------------------------

    def error_reply(self, error):
        if isinstance(error, EmptyUnauthorized):
            return Reply(401, None, error.details.get("headers"))
        if isinstance(error, Unauthorized):
            description = error.message
            return Reply(401, {"error": error.details.get("code", "invalid_token"), "error_description": description},
                         {"WWW-Authenticate": 'Bearer realm="oauth2-resource", error="invalid_token", error_description="%s"' % description})
        if isinstance(error, DeskError):
            return Reply(error.status, {"returnCode": "FAILED", "status": 1, "userMessage": error.message, "id": None})
        return Reply(error.status, self._spring_error(error.status, error.message, error.details.get("path")))

    @staticmethod
    def _spring_error(status, message, path=None):
        reasons = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 415: "Unsupported Media Type"}
        body = {"timestamp": int(time.time() * 1000), "status": status, "error": reasons.get(status, "Error"), "message": message}
        if path:
            body["path"] = path
        return body

    def rate_limited_reply(self, reset_seconds):
        return Reply(429, {"returnCode": "FAILED", "status": 1, "userMessage": "Too many requests, retry later.", "id": None},
                     {"Retry-After": str(reset_seconds)})

    def authenticate(self, request):
        if request.path.rstrip("/") == TOKEN_PATH:
            return
        scheme, _space, key = request.header("Authorization", "").partition(" ")
        if scheme.lower() == "apikey":
            with self.lock:
                if key.strip() not in self.api_keys:
                    raise EmptyUnauthorized("unknown API key")
            return
        token = request.bearer_token()
        if not token:
            raise Unauthorized("Full authentication is required to access this resource", code="unauthorized")
        with self.lock:
            grant = self.access_tokens.get(token)
            if grant is None:
                raise Unauthorized("Invalid access token: %s" % token)
            if time.time() >= grant["expires_at"]:
                del self.access_tokens[token]
                raise Unauthorized("Access token expired: %s" % token)

    def expire_token(self, request):
        """An access token's lifetime ends now (the refresh token stays good); API keys do not expire."""
        with self.lock:
            grant = self.access_tokens.get(request.bearer_token() or "")
            if grant is None:
                return False
            grant["expires_at"] = 0
            return True

    # OAuth2 -----------------------------------------------------------------------

    @route("POST", TOKEN_PATH)
    def token(self, request):
        """Issue tokens for the password grant or a single-use refresh token."""
        client_id = self._client_from_basic(request)
        fields = {key: values[-1] for key, values in request.query.items()}
        if request.body:
            fields.update({key: value for key, value in request.form().items() if isinstance(value, str)})
        grant_type = fields.get("grant_type")
        with self.lock:
            if grant_type == "password":
                username = fields.get("username")
                user = self.users.get(username)
                if user is None or not hmac.compare_digest(str(user["password"]).encode("utf-8"), str(fields.get("password", "")).encode("utf-8")):
                    raise EmptyUnauthorized("bad credentials")
                return Reply(200, self._issue_tokens(client_id, username))
            if grant_type == "refresh_token":
                presented = fields.get("refresh_token", "")
                grant = self.refresh_tokens.pop(presented, None)
                if grant is None or grant["client_id"] != client_id or time.time() >= grant["expires_at"]:
                    raise EmptyUnauthorized("invalid refresh token")
                self.access_tokens.pop(grant["access_token"], None)
                return Reply(200, self._issue_tokens(client_id, grant["user"]))
        if not grant_type:
            return Reply(400, {"error": "invalid_request", "error_description": "Missing grant type"})
        return Reply(400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type: %s" % grant_type})

    def _client_from_basic(self, request):
        scheme, _space, encoded = request.header("Authorization", "").partition(" ")
        challenge = {"headers": {"WWW-Authenticate": 'Basic realm="oauth2/client"'}}
        if scheme.lower() != "basic":
            raise EmptyUnauthorized("client authentication required", **challenge)
        try:
            client_id, _colon, secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise EmptyUnauthorized("malformed client credentials", **challenge) from None
        if not (client_id == self.client_id and hmac.compare_digest(secret.encode("utf-8"), self.client_secret.encode("utf-8"))):
            raise EmptyUnauthorized("bad client credentials", **challenge)
        return client_id

    def _issue_tokens(self, client_id, username):
        now = time.time()
        access_jti = str(uuid.uuid4())
        refresh_jti = str(uuid.uuid4())
        claims = {"grant_type": "password", "user_name": username, "scope": [DEFAULT_SCOPE],
                  "exp": int(now + self.token_ttl), "authorities": ["USER"], "jti": access_jti, "client_id": client_id}
        access_token = self._sign(claims)
        refresh_token = self._sign(dict(claims, ati=access_jti, jti=refresh_jti, exp=int(now + self.refresh_ttl)))
        self.access_tokens[access_token] = {"user": username, "expires_at": now + self.token_ttl}
        self.refresh_tokens[refresh_token] = {"user": username, "client_id": client_id, "access_token": access_token,
                                              "expires_at": now + self.refresh_ttl}
        return {"access_token": access_token, "token_type": "bearer", "refresh_token": refresh_token,
                "expires_in": max(0, int(self.token_ttl)), "scope": DEFAULT_SCOPE, "jti": access_jti}

    def _sign(self, claims):
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self.signing_key, ("%s.%s" % (header, payload)).encode(), hashlib.sha256).digest()
        return "%s.%s.%s" % (header, payload, b64url(signature))

    # Attachments and forms ------------------------------------------------------------

    @route("POST", "/api/oprfile")
    def upload(self, request):
        """Store an uploaded file under a random reference name, as the desk does."""
        if not request.header("Content-Type", "").startswith("multipart/form-data"):
            raise SimulatorError("Current request is not a multipart request", status=400, path=request.path)
        upload = request.form().get("file")
        if not isinstance(upload, UploadedFile):
            raise DeskError("Required request part 'file' is not present.")
        alphabet = string.ascii_letters + string.digits
        with self.lock:
            ref = "".join(secrets.choice(alphabet) for _position in range(10))
            while ref in self.files:
                ref = "".join(secrets.choice(alphabet) for _position in range(10))
            self.files[ref] = {"realName": upload.filename, "content": upload.content, "contentType": upload.content_type}
        return Reply(200, {"refFileName": ref, "realName": upload.filename, "link": None})

    @route("GET", "/api/oprfile/{ref}")
    def download(self, request):
        """The bytes of an uploaded file, so that a client can tell whether an attachment holds what it would upload."""
        with self.lock:
            stored = self.files.get(request.params["ref"])
            if stored is None:
                raise DeskNotFound("File '%s' does not exist." % request.params["ref"])
            return Reply(200, stored["content"], {"Content-Disposition": 'attachment; filename="%s"' % stored["realName"]},
                         content_type=stored["contentType"])

    @route("POST", "/api/v1/location/search/byqual")
    def search_locations(self, request):
        """Locations by exact ``name``, so a client can check one before it writes an incident that names it."""
        with self.lock:
            named = [{"id": number, "name": name} for number, name in enumerate(self.locations, start=1)]
        return self._search_reply(request, named, ("name",))

    @route("POST", "/api/v1/category/{module}/search/byqual")
    def search_categories(self, request):
        """Categories of a module by exact ``name``; the older create endpoint takes their ids."""
        if FORM_ALIASES.get(request.params["module"], request.params["module"]) != "request":
            raise DeskNotFound("Categories for module '%s' do not exist." % request.params["module"])
        with self.lock:
            named = [{"id": number, "name": name} for number, name in sorted(self.categories.items())]
        return self._search_reply(request, named, ("name",))

    @route("GET", "/api/ususer/form/{module}")
    def form(self, request):
        module = FORM_ALIASES.get(request.params["module"], request.params["module"])
        with self.lock:
            fields = self.forms.get(module)
            if fields is None:
                raise DeskNotFound("Form for module '%s' does not exist." % request.params["module"])
            listed = [dict(field, typeName=FIELD_TYPES[field["type"]][0], valueKey=FIELD_TYPES[field["type"]][1]) for field in fields]
        return Reply(200, {"module": module, "fields": listed})

    # Incidents ------------------------------------------------------------------------

    @route("POST", "/api/v1/incident")
    def create_incident(self, request):
        body = self._json_object(request)
        with self.lock:
            return self._written(self._create_incident(body))

    @route("POST", "/api/incident")
    def create_incident_legacy(self, request):
        """The older create endpoint: a category id and ``fieldValueDetails``."""
        body = self._json_object(request)
        shared = ("subject", "description", "requesterEmail", "requesterName", "impact", "urgency", "priority", "tags")
        translated = {key: body[key] for key in shared if key in body}
        with self.lock:
            if body.get("category") is not None:
                category = body["category"]
                if isinstance(category, str) and category.isdigit():
                    category = int(category)
                if not is_int(category) or category not in self.categories:
                    raise DeskError("Category with id %s does not exist." % json.dumps(category))
                translated["categoryName"] = self.categories[category]
            if body.get("fieldValueDetails") is not None:
                translated["customFieldValueDetails"] = body["fieldValueDetails"]
            return self._written(self._create_incident(translated))

    @route("POST", "/api/v1/incident/{id}")
    def update_incident(self, request):
        body = self._json_object(request)
        with self.lock:
            incident = self._incident(request.params["id"])
            changes = self._validated(body, creating=False)
            attachments = changes.pop("attachments", [])
            custom = changes.pop("customFieldValueDetails", None)
            incident.update(changes)
            for attachment in attachments:
                if attachment not in incident["attachments"]:
                    incident["attachments"].append(attachment)
            if custom:
                incident["customFieldValueDetails"].update(custom)
            return self._written(incident["id"])

    @route("POST", "/api/incident/{id}")
    def update_incident_legacy(self, request):
        """The update example of the desk's guide posts to this path, so it is served too."""
        return self.update_incident(request)

    @route("GET", "/api/v1/incident/{id}")
    def get_incident(self, request):
        with self.lock:
            return Reply(200, self._render(self._incident(request.params["id"])))

    @route("GET", "/api/incident/{id}")
    def get_incident_legacy(self, request):
        return self.get_incident(request)

    @route("POST", "/api/v1/request/search/byqual")
    def search(self, request):
        """Exact-match search on incident fields, paged by ``offset`` and ``size``."""
        searchable = ("subject", "requesterEmail", "requesterName", "status", "categoryName", "impact", "urgency",
                      "priority", "locationName", "spam", "description")
        with self.lock:
            rendered = [self._render(incident) for incident in sorted(self.incidents.values(), key=lambda item: item["id"])]
        return self._search_reply(request, rendered, searchable)

    def _search_reply(self, request, records, searchable):
        """One page of the records whose ``qualDetails`` fields all match exactly, in the desk's list envelope."""
        body = self._json_object(request) if request.body else {}
        qualifiers = body.get("qualDetails") or {}
        if not isinstance(qualifiers, dict):
            raise DeskError("qualDetails must be an object.")
        unknown = sorted(set(qualifiers) - set(searchable))
        if unknown:
            raise DeskError("Unsupported qualification field(s): %s." % ", ".join(unknown))
        offset = self._page_arg(request, "offset", 0, minimum=0)
        size = min(self._page_arg(request, "size", 25, minimum=1), MAX_PAGE_SIZE)
        matches = [record for record in records if all(record.get(key) == value for key, value in qualifiers.items())]
        return Reply(200, {"objectList": matches[offset:offset + size], "totalCount": len(matches)})

    # The guide's examples leave /v1 out; every search is served on that path too, as the incident ones are.

    @route("POST", "/api/request/search/byqual")
    def search_unversioned(self, request):
        return self.search(request)

    @route("POST", "/api/location/search/byqual")
    def search_locations_unversioned(self, request):
        return self.search_locations(request)

    @route("POST", "/api/category/{module}/search/byqual")
    def search_categories_unversioned(self, request):
        return self.search_categories(request)

    # Helpers ----------------------------------------------------------------------------

    @staticmethod
    def _page_arg(request, name, default, minimum):
        raw = request.arg(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise DeskError("Query parameter '%s' must be an integer." % name) from None
        if value < minimum:
            raise DeskError("Query parameter '%s' must be at least %d." % (name, minimum))
        return value

    @staticmethod
    def _json_object(request):
        if not request.header("Content-Type", "").startswith("application/json"):
            raise SimulatorError("Content type '%s' not supported" % request.header("Content-Type", ""), status=415, path=request.path)
        try:
            body = request.json()
        except SimulatorError as error:
            raise SimulatorError("JSON parse error: %s" % error.message, status=400, path=request.path) from None
        if not isinstance(body, dict):
            raise SimulatorError("JSON parse error: expected an object", status=400, path=request.path)
        return body

    @staticmethod
    def _written(incident_id):
        return Reply(200, {"returnCode": "SUCCESS", "status": 0, "userMessage": None, "id": incident_id})

    def _incident(self, raw_id):
        try:
            incident_id = int(raw_id)
        except ValueError:
            raise SimulatorError("Failed to convert value of type 'java.lang.String' to required type 'long'; "
                                 "For input string: \"%s\"" % raw_id, status=400) from None
        incident = self.incidents.get(incident_id)
        if incident is None:
            raise DeskNotFound("Request with id %d does not exist." % incident_id)
        return incident

    def _create_incident(self, body):
        values = self._validated(body, creating=True)
        incident = {
            "id": self.next_incident_id,
            "requesterEmail": values["requesterEmail"],
            "requesterName": values.get("requesterName") or self.users.get(values["requesterEmail"], {}).get("name"),
            "ccEmailSet": values.get("ccEmailSet", []),
            "subject": values["subject"],
            "description": values.get("description"),
            "categoryName": values.get("categoryName", "Service Request"),
            "status": "Open",
            "impact": values.get("impact", "LOW"),
            "priority": values.get("priority", "LOW"),
            "urgency": values.get("urgency", "LOW"),
            "locationName": values.get("locationName"),
            "tags": values.get("tags", []),
            "spam": False,
            "attachments": values.get("attachments", []),
            "customFieldValueDetails": values.get("customFieldValueDetails", {}),
        }
        self.incidents[incident["id"]] = incident
        self.next_incident_id += 1
        return incident["id"]

    def _render(self, incident):
        shown = {key: value for key, value in incident.items() if key != "attachments"}
        files = [{"refFileName": ref, "realName": self.files[ref]["realName"]} for ref in incident["attachments"]]
        shown["fileAttachments"] = files or None
        return json.loads(json.dumps(shown))

    def _validated(self, body, creating):
        """Check every field the endpoint accepts; null leaves a field as it is.

        Keys the endpoint does not know are ignored, as the desk's JSON binding does.
        """
        problems = []
        values = {}
        fields = dict(body)
        if creating:
            for required in ("subject", "requesterEmail"):
                if fields.get(required) in (None, ""):
                    problems.append("%s is required." % required)
            accepted = ("subject", "description", "requesterEmail", "requesterName", "ccEmailSet", "tags", "categoryName",
                        "impact", "urgency", "priority", "locationName", "attachmentsRefNames", "customFieldValueDetails")
        else:
            accepted = ("subject", "description", "categoryName", "impact", "urgency", "priority", "locationName", "tags",
                        "spam", "status", "attachmentsRefNames", "customFieldValueDetails")
        for key in accepted:
            value = fields.get(key)
            if value is None:
                continue
            problem = self._check_field(key, value, values)
            if problem:
                problems.append(problem)
        if problems:
            raise DeskError(" ".join(problems))
        return values

    def _check_field(self, key, value, values):
        """Validate one field into ``values``; returns a message when it is wrong."""
        checks = {
            "impact": IMPACTS, "urgency": LEVELS, "priority": LEVELS, "status": STATUSES,
        }
        if key in checks:
            if value not in checks[key]:
                return "%s must be one of %s." % (key, ", ".join(checks[key]))
            values[key] = value
        elif key in ("subject", "description", "requesterName"):
            if not isinstance(value, str) or (key == "subject" and not value.strip()):
                return "%s must be a non-empty string." % key if key == "subject" else "%s must be a string." % key
            values[key] = value
        elif key == "requesterEmail":
            if not isinstance(value, str) or not EMAIL.match(value):
                return "requesterEmail must be a valid email address."
            values[key] = value
        elif key == "ccEmailSet":
            if not isinstance(value, list) or not all(isinstance(item, str) and EMAIL.match(item) for item in value):
                return "ccEmailSet must be a list of email addresses."
            values[key] = sorted(set(value))
        elif key == "tags":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                return "tags must be a list of strings."
            values[key] = list(dict.fromkeys(value))
        elif key == "categoryName":
            if value not in self.categories.values():
                return "Category '%s' does not exist." % value
            values[key] = value
        elif key == "locationName":
            if value not in self.locations:
                return "Location '%s' does not exist." % value
            values[key] = value
        elif key == "spam":
            if not isinstance(value, bool):
                return "spam must be true or false."
            values[key] = value
        elif key == "attachmentsRefNames":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                return "attachmentsRefNames must be a list of file reference names."
            unknown = [ref for ref in value if ref not in self.files]
            if unknown:
                return "Attachment(s) %s were not uploaded." % ", ".join(unknown)
            values["attachments"] = list(dict.fromkeys(value))
        elif key == "customFieldValueDetails":
            return self._check_custom_fields(value, values)
        return None

    def _check_custom_fields(self, details, values):
        if not isinstance(details, dict):
            return "customFieldValueDetails must be an object keyed by field id."
        known = {str(field["id"]): field for field in self.forms["request"]}
        checked = {}
        problems = []
        for field_id, detail in details.items():
            field = known.get(str(field_id))
            if field is None:
                problems.append("Custom field %s does not exist." % field_id)
                continue
            if not isinstance(detail, dict) or not is_int(detail.get("type")):
                problems.append("Custom field %s needs a numeric type." % field_id)
                continue
            if detail["type"] != field["type"]:
                problems.append("Custom field %s is of type %d (%s), not %s." % (field_id, field["type"], FIELD_TYPES[field["type"]][0], detail["type"]))
                continue
            value_key = FIELD_TYPES[field["type"]][1]
            value = detail.get(value_key)
            problem = self._check_custom_value(field, value)
            if problem:
                problems.append("Custom field %s %s." % (field_id, problem))
                continue
            checked[str(field["id"])] = {"type": field["type"], value_key: value}
        if problems:
            return " ".join(problems)
        values["customFieldValueDetails"] = checked
        return None

    @staticmethod
    def _check_custom_value(field, value):
        """Type-check one custom value; None clears the field and is always allowed."""
        if value is None:
            return None
        kind = field["type"]
        if kind in (1, 10):
            valid = isinstance(value, str)
        elif kind == 2:
            valid = is_int(value) and INT32[0] <= value <= INT32[1]
        elif kind == 3:
            valid = is_number(value)
        elif kind == 4:
            valid = isinstance(value, bool)
        elif kind == 5:
            valid = is_int(value) and INT64[0] <= value <= INT64[1]
        elif kind == 7:
            valid = isinstance(value, list) and all(is_int(item) and INT32[0] <= item <= INT32[1] for item in value)
        else:
            valid = isinstance(value, list) and all(isinstance(item, str) for item in value)
        if not valid:
            return "needs a %s in %s" % (FIELD_TYPES[kind][0], FIELD_TYPES[kind][1])
        options = field.get("options")
        if options:
            chosen = value if isinstance(value, list) else [value]
            outside = [item for item in chosen if item not in options]
            if outside:
                return "does not offer %s" % ", ".join(str(item) for item in outside)
        return None
