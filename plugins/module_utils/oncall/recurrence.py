# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who is on call when: schedule entries expanded into concrete windows between two instants.

An entry recurs on the days that fall in its months, weeks of the month and
week days, from its ``start_time`` to its ``end_time``, within its
``start_date`` and ``end_date``.  The service keeps no time zone with an
entry, so days and times are read in UTC.  Week n of a month is days
7n-6..7n (week 5 is days 29-31) and -1 is the month's last seven days.
"""

import calendar
from datetime import datetime, time, timedelta, timezone

from ansible_collections.incident.ops.plugins.module_utils import timestamps
from ansible_collections.incident.ops.plugins.module_utils.oncall.entries import LAST_WEEK
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

MAX_SPAN = timedelta(days=366)


def expansion_range(spec):
    """The ``expand`` option's ``from`` and ``to`` as UTC datetimes: ``from`` before ``to``, at most a year and a day apart."""
    start = timestamps.parse(spec["from"], "expand.from")
    end = timestamps.parse(spec["to"], "expand.to")
    if start >= end:
        raise InvalidInput("expand.from (%s) is not before expand.to (%s)" % (spec["from"], spec["to"]))
    if end - start > MAX_SPAN:
        raise InvalidInput("expand covers %d days; expand at most 366 days at a time" % (end - start).days)
    return start, end


def week_of_month(day):
    """The weeks of the month a date belongs to: its week number, plus -1 in the month's last seven days."""
    weeks = {(day.day - 1) // 7 + 1}
    if day.day > calendar.monthrange(day.year, day.month)[1] - 7:
        weeks.add(LAST_WEEK)
    return weeks


def recurs_on(entry, day):
    """Whether the entry's months, weeks and week days all take in ``day`` (an empty list takes in every one)."""
    if entry.get("months_of_year") and day.month not in entry["months_of_year"]:
        return False
    if entry.get("weeks_of_month") and not week_of_month(day) & set(entry["weeks_of_month"]):
        return False
    return (day.isoweekday() % 7) in (entry.get("week_days") or [])


def clock(value):
    hours, minutes, seconds = (int(part) for part in value.split(":"))
    return time(hours, minutes, seconds)


def windows(entry, start, end):
    """The entry's on-call windows that overlap ``[start, end)``, each cut to that range and to the entry's dates."""
    if not (entry.get("start_time") and entry.get("end_time")):
        return []
    low = max(start, timestamps.parse(entry["start_date"])) if entry.get("start_date") else start
    high = min(end, timestamps.parse(entry["end_date"])) if entry.get("end_date") else end
    found = []
    day = low.date()
    while low < high and day <= high.date():
        if recurs_on(entry, day):
            opens = max(low, datetime.combine(day, clock(entry["start_time"]), timezone.utc))
            closes = min(high, datetime.combine(day, clock(entry["end_time"]), timezone.utc))
            if opens < closes:
                found.append((opens, closes))
        day += timedelta(days=1)
    return found


def expand(entries, start, end):
    """Every window of every entry between ``start`` and ``end``, in time order, naming the team, member and entry."""
    shown = []
    for entry in entries:
        for opens, closes in windows(entry, start, end):
            shown.append({"start": timestamps.canonical(opens), "end": timestamps.canonical(closes), "team_id": entry.get("team_id"),
                          "team_member_id": entry.get("team_member_id"), "created_at": entry.get("created_at")})
    return sorted(shown, key=lambda window: (window["start"], window["end"], window["team_member_id"] or ""))
