# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty schedules as the schedule modules read and return them.

Schedules are listed with ``include[]=schedule_layers``, so one request brings
a schedule with its layers.  Layer users come as references without an email;
``present_schedule`` adds each user's email from one map read for the whole
result, so a task can compare and show users by email without one request per
user.
"""

from ansible_collections.incident.ops.plugins.module_utils import timestamps

INCLUDE_LAYERS = {"include[]": ["schedule_layers"]}
RENDERED = ("final_schedule", "overrides_subschedule")


def live_layers(schedule, moment=None):
    """The layers that have not ended: PagerDuty keeps an ended layer, with its ``end``, in the schedule."""
    moment = moment or timestamps.now()
    return [layer for layer in (schedule or {}).get("schedule_layers") or []
            if not layer.get("end") or timestamps.parse(layer["end"], "end") > moment]


def _entry_users(entries):
    return [entry["user"] for entry in entries or [] if entry.get("user")]


def _referenced_users(schedule):
    """Every user reference of a schedule: its users, its layers' users and the users of rendered entries."""
    found = list(schedule.get("users") or [])
    for layer in schedule.get("schedule_layers") or []:
        found.extend(_entry_users(layer.get("users")))
        found.extend(_entry_users(layer.get("rendered_schedule_entries")))
    for key in RENDERED:
        found.extend(_entry_users((schedule.get(key) or {}).get("rendered_schedule_entries")))
    return found


def user_ids(schedules):
    """The ids of every user the schedules mention, for one ``PagerDuty.users_by_id`` call."""
    return set(user["id"] for schedule in schedules for user in _referenced_users(schedule) if user.get("id"))


def with_email(user, users):
    """A user reference with ``email`` added from ``users`` (id -> user), when the API sent none."""
    shown = dict(user)
    known = users.get(user.get("id")) or {}
    if not shown.get("email") and known.get("email"):
        shown["email"] = known["email"]
    return shown


def _with_emails(entries, users):
    return [dict(entry, user=with_email(entry["user"], users)) if entry.get("user") else entry for entry in entries or []]


def present_schedule(schedule, users):
    """The schedule as the API sent it, with every user reference carrying the user's email."""
    shown = dict(schedule)
    if "users" in shown:
        shown["users"] = [with_email(user, users) for user in shown["users"] or []]
    if "schedule_layers" in shown:
        shown["schedule_layers"] = [
            dict(layer, users=_with_emails(layer.get("users"), users),
                 **({"rendered_schedule_entries": _with_emails(layer["rendered_schedule_entries"], users)}
                    if "rendered_schedule_entries" in layer else {}))
            for layer in shown["schedule_layers"] or []
        ]
    for key in RENDERED:
        if isinstance(shown.get(key), dict) and "rendered_schedule_entries" in shown[key]:
            shown[key] = dict(shown[key], rendered_schedule_entries=_with_emails(shown[key]["rendered_schedule_entries"], users))
    return shown


def present_schedules(api, schedules):
    """Schedules with emails, the users read once for all of them."""
    users = api.users_by_id(user_ids(schedules))
    return [present_schedule(schedule, users) for schedule in schedules]
