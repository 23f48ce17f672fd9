# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who is on call: one reading of ``GET /oncalls`` that the on-call module and the on-call lookup share.

The schedules, escalation policies and user a reading is narrowed to are
named by the task and looked up first, so an unknown name is bad input before
the on-call list is read.
"""

from ansible_collections.incident.ops.plugins.module_utils import timestamps
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import display_name
from ansible_collections.incident.ops.plugins.module_utils.validation import check_email, check_time_zone


def filters(api, at=None, schedules=None, escalation_policies=None, user=None, time_zone=None):
    """The on-call list's query parameters; the names and email it filters by are looked up first."""
    query = {"include[]": ["users"]}
    if at is not None:
        # PagerDuty's own default, "now", is since = until = the current time: one instant.
        query["since"] = query["until"] = timestamps.canonical(at, "at")
    if time_zone:
        query["time_zone"] = check_time_zone(time_zone)
    if user is not None:
        query["user_ids[]"] = [api.require_user(check_email(user.strip(), "user"))["id"]]
    for collection, key, names in (("schedules", "schedule_ids[]", schedules),
                                   ("escalation_policies", "escalation_policy_ids[]", escalation_policies)):
        names = list(dict.fromkeys(names or []))  # once each, in the task's order
        if names:
            query[key] = [api.require_named(collection, name)["id"] for name in names]
    return query


def named(reference):
    """A schedule or policy reference as ``{id, name}``, or None."""
    if not reference:
        return None
    return {"id": reference.get("id"), "name": display_name(reference)}


def present_oncall(oncall, users):
    """One on-call with names and the user's email, whatever the API included."""
    user = oncall.get("user") or {}
    known = users.get(user.get("id")) or {}
    return {
        "user": {"id": user.get("id"), "name": display_name(user) or known.get("name"),
                 "email": user.get("email") or known.get("email")},
        "schedule": named(oncall.get("schedule")),
        "escalation_policy": named(oncall.get("escalation_policy")),
        "escalation_level": oncall.get("escalation_level"),
        "start": oncall.get("start"),
        "end": oncall.get("end"),
    }


def read_oncalls(api, **narrowing):
    """The on-calls at one instant, each as ``present_oncall`` gives it; ``narrowing`` takes ``filters``' arguments.

    Every page is read; a user the API sent without an email is read once, so
    each on-call names its user's email.
    """
    query = filters(api, **narrowing)
    if api.assumed:
        return []  # check mode: a user, schedule or policy that does not exist yet has no on-call
    oncalls = api.list("oncalls", query)
    lacking = [oncall["user"]["id"] for oncall in oncalls if oncall.get("user") and not oncall["user"].get("email")]
    users = api.users_by_id(lacking) if lacking else {}
    return [present_oncall(oncall, users) for oncall in oncalls]
