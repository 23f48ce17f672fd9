# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Incidents at the desk: the task's words for their fields, how to find one, and how it is written.

A task speaks in option names and lower-case choices (``status: in_progress``);
the desk in camelCase keys and its own enumerations (``"status": "In Progress"``).
``FIELDS`` maps one onto the other, both ways, so comparing, writing and the
diff all use the task's words.
"""

import re

from ansible_collections.incident.ops.plugins.module_utils.itsm import attachments, fields
from ansible_collections.incident.ops.plugins.module_utils.reconcile import LookedUpFirst, matches
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

IMPACTS = {"low": "LOW", "on_user": "ONUSER", "on_department": "ONDEPARTMENT", "on_business": "ONBUSINESS"}
LEVELS = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH", "urgent": "URGENT"}
STATUSES = {"open": "Open", "in_progress": "In Progress", "pending": "Pending", "resolved": "Resolved", "closed": "Closed"}
OPEN_STATUSES = ("Open", "In Progress", "Pending")

# Option -> (the desk's key, the option's choices mapped to the desk's values, or None).
FIELDS = {
    "subject": ("subject", None),
    "description": ("description", None),
    "requester_email": ("requesterEmail", None),
    "requester_name": ("requesterName", None),
    "category": ("categoryName", None),
    "impact": ("impact", IMPACTS),
    "urgency": ("urgency", LEVELS),
    "priority": ("priority", LEVELS),
    "status": ("status", STATUSES),
    "tags": ("tags", None),
    "cc_emails": ("ccEmailSet", None),
    "location": ("locationName", None),
    "spam": ("spam", None),
}
UNORDERED = ("tags", "cc_emails")
# The update endpoint ignores these, so they are written on create only and never compared.
CREATE_ONLY = ("requester_email", "requester_name", "cc_emails")
# The v1 create ignores these; a new incident gets them from an update right after.
UPDATE_ONLY = ("status", "spam")
# What the older ``POST /api/incident`` takes; the rest follows in an update.
LEGACY_CREATE = ("subject", "description", "requester_email", "requester_name", "impact", "urgency", "priority", "tags",
                 "category", "custom_fields")
CREATE_DEFAULTS = {"status": "open", "spam": False}


def snake(value):
    """The desk's camelCase keys in snake_case, at every depth (``ccEmailSet`` -> ``cc_email_set``)."""
    if isinstance(value, dict):
        return dict((re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower(), snake(item)) for key, item in value.items())
    if isinstance(value, list):
        return [snake(item) for item in value]
    return value


def present(incident, form=None):
    """The incident as modules return it: the desk's keys in snake_case, plus custom fields by name when the form was read."""
    shown = snake(incident)
    if form is not None:
        shown["custom_fields"] = fields.decode(form, incident.get("customFieldValueDetails"))
    return shown


def option_value(option, api_value):
    """A desk value in the task's words; a value this collection does not know is kept as the desk wrote it."""
    choices = FIELDS[option][1]
    if choices:
        return dict((value, choice) for choice, value in choices.items()).get(api_value, api_value)
    if option in UNORDERED:
        return sorted(set(api_value or []))
    return api_value


def api_value(option, value):
    choices = FIELDS[option][1]
    return choices[value] if choices else value


def qualifiers(values):
    """Search qualifiers for the options given (subject, requester_email, status), in the desk's words."""
    return dict((FIELDS[option][0], api_value(option, value)) for option, value in values.items() if value is not None)


def find_open(api, subject, requester_email):
    """The one open incident with this subject and requester; two of them cannot be told apart, so they fail."""
    found = [item for item in api.search_incidents(qualifiers({"subject": subject, "requester_email": requester_email}))
             if item.get("status") in OPEN_STATUSES]
    if len(found) > 1:
        raise InvalidInput("%d open incidents have the subject %r and the requester %s (ids %s); set id to say which one"
                           % (len(found), subject, requester_email, ", ".join(str(item.get("id")) for item in found)))
    return found[0] if found else None


class Incident(LookedUpFirst):
    """One incident, found by ``id`` or as the open one with the task's subject and requester.

    ``files`` are the task's attachments and ``form`` the request form when the
    task sets custom fields; ``legacy`` creates through the older endpoint,
    which takes a category id.
    """

    def __init__(self, api, incident_id=None, subject=None, requester_email=None, allow_duplicate=False, files=(), form=None,
                 legacy=False):
        self.api = api
        self.incident_id = incident_id
        self.subject = subject
        self.requester_email = requester_email
        self.allow_duplicate = allow_duplicate
        self.files = list(files)
        self.form = form
        self.legacy = legacy
        self.already_attached = []
        self._refs = {}

    def lookup(self):
        if self.incident_id is not None:
            return self.api.incident(self.incident_id)
        if self.allow_duplicate:
            return None
        return find_open(self.api, self.subject, self.requester_email)

    def current_fields(self, current):
        """The incident in the task's words; attachments are the task's files it already holds."""
        shown = dict((option, option_value(option, current.get(key))) for option, (key, unused) in FIELDS.items())
        if self.form is not None:
            shown["custom_fields"] = fields.decode(self.form, current.get("customFieldValueDetails"))
        shown["attachments"] = sorted(local.name for local in self.already_attached)
        return shown

    def body(self, values):
        """The desk's body for option values; custom fields encoded and files linked by reference."""
        body = dict((FIELDS[option][0], api_value(option, value)) for option, value in values.items() if option in FIELDS)
        if values.get("custom_fields"):
            body["customFieldValueDetails"] = fields.encode(self.form, values["custom_fields"])
        if values.get("attachments"):
            body["attachmentsRefNames"] = self._upload(values["attachments"])
        return body

    def _upload(self, names):
        """Upload the named files not held yet, once per run even when a create is tried twice."""
        held = set(local.name for local in self.already_attached)
        for local in self.files:
            if local.name in names and local.name not in held and local.name not in self._refs:
                self._refs[local.name] = self.api.upload(local.name, local.content)
        return [self._refs[name] for name in sorted(self._refs) if name in names]

    def create(self, desired):
        creatable = LEGACY_CREATE if self.legacy else [option for option in desired if option not in UPDATE_ONLY]
        first = dict((option, value) for option, value in desired.items() if option in creatable)
        later = dict((option, value) for option, value in desired.items()
                     if option not in first and CREATE_DEFAULTS.get(option, object()) != value)
        body = self.body(first)
        if self.legacy:
            body.pop("categoryName", None)
            if first.get("category"):
                body["category"] = self.api.require_named("category/request", first["category"])["id"]
            if "customFieldValueDetails" in body:
                body["fieldValueDetails"] = body.pop("customFieldValueDetails")
        incident_id = self.api.create_incident(body, legacy=self.legacy)
        if later:
            self.api.update_incident(incident_id, self.body(later))
        return self.reread(incident_id)

    def update(self, current, changed):
        self.api.update_incident(current["id"], self.body(changed))
        return self.reread(current["id"])

    def reread(self, incident_id):
        return self.show(self.api.incident(incident_id))

    def show(self, incident):
        return present(incident, self.form)

    def preview(self, current, changed):
        """The incident as it would be after the write; files not uploaded yet have no reference."""
        merged = dict(current or {})
        for option, value in changed.items():
            if option in FIELDS:
                merged[FIELDS[option][0]] = api_value(option, value)
        if changed.get("custom_fields"):
            merged["customFieldValueDetails"] = dict(merged.get("customFieldValueDetails") or {},
                                                     **fields.encode(self.form, changed["custom_fields"]))
        held = set(local.name for local in self.already_attached)
        new = [{"refFileName": None, "realName": name} for name in changed.get("attachments") or [] if name not in held]
        if new:
            merged["fileAttachments"] = (merged.get("fileAttachments") or []) + new
        return present(merged, self.form)

    def find_attached(self, current):
        """Read back, once, which of the task's files ``current`` already holds."""
        self.already_attached = attachments.attached(self.api, current, self.files) if current else []
        return self.already_attached


def narrow_custom_fields(diff):
    """Keep in the diff only the custom fields whose value changes, not every one the task sets."""
    before = diff["before"].get("custom_fields")
    after = diff["after"].get("custom_fields")
    if before is not None and after is not None:
        changed = [name for name in after if not matches(before.get(name), after[name])]
        diff["before"]["custom_fields"] = dict((name, before.get(name)) for name in changed)
        diff["after"]["custom_fields"] = dict((name, after[name]) for name in changed)
    return diff
