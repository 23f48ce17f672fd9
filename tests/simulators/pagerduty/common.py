"""What every PagerDuty resource handler shares: ids, references, errors, pagination, time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simulators.core import SimulatorError

API_BASE = "https://api.pagerduty.com"
WEB_BASE = "https://incident-ops.pagerduty.com"
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_WINDOW = 10000

# PagerDuty's error codes (its "Errors" reference; only 2001 and 2100 appear in the OpenAPI file).
INVALID_INPUT = 2001
AUTHENTICATION_FAILED = 2006
FROM_HEADER_MISSING = 2016
REQUESTER_NOT_FOUND = 1008
NOT_FOUND = 2100
RATE_LIMITED = 2020


class PagerDutyError(SimulatorError):
    """An error in PagerDuty's shape: ``{"error": {"message", "code", "errors"}}``."""

    def __init__(self, message, status=400, code=INVALID_INPUT, errors=None, **extra):
        super().__init__(message, status=status)
        self.code = code
        self.errors = list(errors) if errors is not None else []
        self.extra = extra

    def __str__(self):
        return "; ".join([self.message] + self.errors)


def invalid(*errors, **extra):
    """PagerDuty's 400 for input it refuses, with one detail line per problem."""
    return PagerDutyError("Invalid Input Provided", errors=errors, **extra)


def not_found(what, identifier):
    return PagerDutyError("Not Found", status=404, code=NOT_FOUND, errors=["%s %s not found" % (what, identifier)])


def fresh(data):
    """A create request's object without ``id``: PagerDuty ignores the read-only id a client sends."""
    return {key: value for key, value in data.items() if key != "id"}


def utcnow():
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment, tz=None):
    """PagerDuty's timestamp form: in UTC with ``Z``, or in the zone ``tz`` with its offset.

    PagerDuty (Rails) writes ``Z`` only when the zone's abbreviation is UTC
    (``Etc/UTC``, ``UTC``); a zone that is merely at offset zero, such as
    ``Europe/London`` in winter, gets ``+00:00``.
    """
    if moment is None:
        return None
    local = moment.astimezone(tz or timezone.utc)
    if local.tzname() in ("UTC", "UCT"):
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset[:3] + ":" + offset[3:]


def parse_time(text, field):
    """An ISO 8601 timestamp as an aware datetime; a naive one is taken as UTC."""
    if isinstance(text, datetime):
        return text
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise invalid("%s must be an ISO 8601 date-time, got %r" % (field, text)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# PagerDuty also takes Rails (ActiveSupport) zone names; the common ones, by their IANA zone.
RAILS_ZONES = {
    "UTC": "Etc/UTC", "Eastern Time (US & Canada)": "America/New_York", "Central Time (US & Canada)": "America/Chicago",
    "Mountain Time (US & Canada)": "America/Denver", "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Alaska": "America/Juneau", "Hawaii": "Pacific/Honolulu", "Arizona": "America/Phoenix",
    "London": "Europe/London", "Dublin": "Europe/Dublin", "Paris": "Europe/Paris", "Berlin": "Europe/Berlin",
    "Amsterdam": "Europe/Amsterdam", "Madrid": "Europe/Madrid", "Stockholm": "Europe/Stockholm",
    "Moscow": "Europe/Moscow", "Mumbai": "Asia/Kolkata", "Singapore": "Asia/Singapore", "Tokyo": "Asia/Tokyo",
    "Sydney": "Australia/Sydney", "Auckland": "Pacific/Auckland", "Brasilia": "America/Sao_Paulo",
}


def zone(name, field="time_zone"):
    """The time zone for an IANA name or one of PagerDuty's Rails names; 400 for anything else."""
    try:
        return ZoneInfo(RAILS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise invalid("%s %r is not a valid time zone" % (field, name)) from None


def reference(kind, identifier, summary, path=None, html=True):
    """A reference as PagerDuty renders it: id, type, summary, self, html_url."""
    path = path or "/%ss/%s" % (kind, identifier)
    return {
        "id": identifier,
        "type": kind + "_reference",
        "summary": summary,
        "self": API_BASE + path,
        "html_url": WEB_BASE + path if html else None,
    }


def decorate(kind, record, summary, path=None):
    """A full object: the stored fields plus PagerDuty's id/type/summary/self/html_url.

    Unset (None) fields are left out: the description types most of them as
    non-nullable, so a client that sends an object back unchanged stays valid.
    """
    path = path or "/%ss/%s" % (kind, record["id"])
    shown = {"id": record["id"], "type": kind, "summary": summary, "self": API_BASE + path, "html_url": WEB_BASE + path}
    shown.update((key, value) for key, value in record.items()
                 if not key.startswith("_") and key not in shown and value is not None)
    return shown


def paginate(request, items, key, extra=None):
    """Classic offset pagination: limit (default 25, at most 100), offset, more, total.

    ``total`` is null unless ``total=true``.  PagerDuty refuses to look past
    its 10,000th record: offset + limit above that is a 400.
    """
    limit = int(request.arg("limit", DEFAULT_LIMIT))
    offset = int(request.arg("offset", 0))
    if limit < 1:
        limit = DEFAULT_LIMIT
    limit = min(limit, MAX_LIMIT)
    if offset < 0:
        raise invalid("Offset must be greater than or equal to 0")
    if offset + limit > MAX_WINDOW:
        raise PagerDutyError("Arguments Caused Error", errors=[
            "Offset+limit exceeds maximum allowed value of %d. Please try to refine your search to reduce the "
            "returned set of records below this number, like adding a date range." % MAX_WINDOW])
    body = {key: items[offset:offset + limit], "limit": limit, "offset": offset,
            "more": offset + limit < len(items),
            "total": len(items) if request.arg("total", "false").lower() == "true" else None}
    body.update(extra or {})
    return body


def window(request):
    """The ``since``/``until`` range of a request, each None when not given."""
    since = parse_time(request.arg("since"), "since") if request.arg("since") else None
    until = parse_time(request.arg("until"), "until") if request.arg("until") else None
    if since and until and until < since:
        raise PagerDutyError("Invalid Query Date Range", errors=["until must be later than since"], code=2005)
    return since, until


def days(count):
    return timedelta(days=count)


def matches_query(query, *texts):
    """PagerDuty's ``query=`` filter: a case-insensitive substring of any of the texts."""
    if not query:
        return True
    needle = query.lower()
    return any(needle in (text or "").lower() for text in texts)


def by_name(records):
    return sorted(records, key=lambda record: (record.get("name") or "").lower())
