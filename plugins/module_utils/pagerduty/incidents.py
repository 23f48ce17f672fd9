# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty incidents as pd_incident and pd_incident_info find, read and change them.

An incident is named by its id or by its ``incident_key`` (PagerDuty's
de-duplication key, also the ``dedup_key`` of the Events API).  Several
incidents may share a key over time (a resolved one frees it), so a key
names the open incident if there is one, else the latest resolved one.
"""

from datetime import timedelta

from ansible_collections.incident.ops.plugins.module_utils import timestamps
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import describe_object
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

OPEN = ("triggered", "acknowledged")
STATUS_ORDER = {"triggered": 0, "acknowledged": 1, "resolved": 2}
BULK_SIZE = 250
# PagerDuty refuses a since/until range over six months; 180 days is under six months whatever the months.
MAX_RANGE = timedelta(days=180)
# Assignees with their emails, so assignments compare with the emails a task names without a request per user.
INCLUDE = ("assignees",)


def by_key(api, key):
    """The incident that holds ``key``: the open one, else the latest resolved one; None when no incident has it."""
    found = api.list("incidents", {"incident_key": key, "date_range": "all", "include[]": list(INCLUDE)})
    found = [incident for incident in found if incident.get("incident_key") == key]
    live = [incident for incident in found if incident.get("status") in OPEN]
    if len(live) > 1:
        raise InvalidInput("The incident_key %r is open on several services (%s); give the incident's id instead"
                           % (key, ", ".join(incident["id"] for incident in live)))
    if live:
        return live[0]
    return max(found, key=lambda incident: incident.get("incident_number") or 0) if found else None


def by_id(api, incident_id):
    """The incident with this id (or number); None when PagerDuty knows none."""
    try:
        return api.get("/incidents/%s" % incident_id, params={"include[]": list(INCLUDE)})["incident"]
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def find(api, incident_id=None, incident_key=None):
    """The incident named by id or key; the id wins when both are given."""
    return by_id(api, incident_id) if incident_id else by_key(api, incident_key)


def notes(api, incident):
    """The incident's notes, oldest first (PagerDuty lists them in one page)."""
    return (api.get("/incidents/%s/notes" % incident["id"]) or {}).get("notes") or []


def alerts(api, incident):
    """Every alert of the incident, page by page."""
    return api.list("incidents/%s/alerts" % incident["id"])


def require_priority(api, name):
    """The priority named ``name``; unknown names are bad input listing the account's priorities."""
    priorities = api.list("priorities")
    for priority in priorities:
        if priority.get("name") == name:
            return priority
    raise InvalidInput("No PagerDuty priority is named %r; the account has %s"
                       % (name, ", ".join(repr(priority.get("name")) for priority in priorities) or "none"))


def require_services(api, names):
    """The ids of the services named, each by exact name; unknown names are bad input, named together."""
    found, unknown = [], []
    for name in names:
        service = api.find_by_name("services", name)
        if service is None:
            unknown.append(name)
        else:
            found.append(service["id"])
    if unknown:
        raise InvalidInput("No PagerDuty service is named %s" % ", ".join(repr(name) for name in unknown))
    return found


def assignee_emails(incident):
    """The lower-case emails of the users the incident is assigned to, sorted (needs ``include[]=assignees``)."""
    return sorted((entry.get("assignee") or {}).get("email", "").lower() for entry in incident.get("assignments") or [])


def priority_name(incident):
    priority = incident.get("priority") or {}
    return priority.get("name") or priority.get("summary")


def snoozed(incident):
    """True while a snooze runs: PagerDuty lists its end as a pending ``unacknowledge`` action."""
    return any(action.get("type") == "unacknowledge" for action in incident.get("pending_actions") or [])


def moves_back(current_status, wanted_status):
    """True when ``wanted_status`` is behind the incident's: PagerDuty incidents only move forward."""
    return STATUS_ORDER[wanted_status] < STATUS_ORDER[current_status]


def refuse_moving_back(incident, wanted_status):
    if wanted_status and moves_back(incident["status"], wanted_status):
        raise InvalidInput("%s is %s and cannot be moved back to %s: PagerDuty incidents only go from triggered to "
                           "acknowledged to resolved. Use a new incident_key to open a new incident"
                           % (describe_object("incident", incident), incident["status"], wanted_status))


def windows(since, until, span=MAX_RANGE):
    """``(since, until)`` split into consecutive ranges of at most ``span``, as canonical timestamps.

    PagerDuty refuses a longer range; the pieces are half-open like the
    API's, so no incident is listed twice.
    """
    start, end = timestamps.parse(since, "since"), timestamps.parse(until, "until")
    if end <= start:
        raise InvalidInput("until (%s) must be later than since (%s)" % (until, since))
    pieces = []
    while start < end:
        stop = min(start + span, end)
        pieces.append((timestamps.canonical(start), timestamps.canonical(stop)))
        start = stop
    return pieces


def bulk_update(api, ids, body):
    """``PUT /incidents`` for every id, at most 250 per request (PagerDuty's limit), each carrying ``body``."""
    changed = []
    for start in range(0, len(ids), BULK_SIZE):
        batch = ids[start:start + BULK_SIZE]
        entries = [dict(body, id=incident_id, type="incident_reference") for incident_id in batch]
        api.put("/incidents", {"incidents": entries}, headers=api.acting_user())
        changed.extend(batch)
    return changed
