# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Schedule entries: checking what a task asks for, telling which stored entry it means, and writing the difference.

An entry is named by team + member + ``created_at``, a stamp the service sets
on creation.  A task rarely knows that stamp, so without it the entry meant is
the member's one with the same ``start_date`` and ``end_date``; see
``pair_entries`` for how ties are broken.  Entries are compared in one
normal form: dates as UTC instants, lists as sorted sets, times as HH:MM:SS.
"""

import re

from ansible_collections.incident.ops.plugins.module_utils import timestamps
from ansible_collections.incident.ops.plugins.module_utils.reconcile import LookedUpFirst, changes
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

DATES = ("start_date", "end_date")
TIMES = ("start_time", "end_time")
LAST_WEEK = -1
LISTS = {
    "months_of_year": (frozenset(range(1, 13)), "1 to 12"),
    "weeks_of_month": (frozenset((1, 2, 3, 4, 5, LAST_WEEK)), "1 to 5, or -1 for the last seven days of the month"),
    "week_days": (frozenset(range(0, 7)), "0 (Sunday) to 6 (Saturday)"),
}
FIELDS = DATES + tuple(LISTS) + TIMES
REQUIRED_TO_CREATE = ("week_days", "start_time", "end_time")
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?$")


def instant(value, what, naive_is_utc=False):
    """A date or date-time as one canonical UTC instant; a bare date is its midnight UTC, as the service reads it.

    The service also reads a date-time without an offset as UTC; entries it
    returns are read that way (``naive_is_utc``), while a task must give an
    offset, as everywhere in this collection.
    """
    text = str(value).strip()
    if DATE_ONLY.match(text) or (naive_is_utc and NAIVE.match(text)):
        text += "T00:00:00Z" if DATE_ONLY.match(text) else "Z"
    return timestamps.canonical(text, what)


def check_list(key, values, what):
    allowed, words = LISTS[key]
    bad = [value for value in values if value not in allowed]
    if bad:
        raise InvalidInput("%s of %s holds %s; allowed are %s" % (key, what, ", ".join(str(value) for value in bad), words))
    if key == "week_days" and not values:
        raise InvalidInput("week_days of %s is empty; name at least one day, 0 (Sunday) to 6 (Saturday)" % what)
    return sorted(set(values))


def desired_entry(spec, what="the entry"):
    """The fields ``spec`` sets, checked and in normal form; an unset field is left out and never compared.

    An empty ``months_of_year`` or ``weeks_of_month`` means every month or
    week, as a missing one does on the service.
    """
    entry = {}
    for key in DATES:
        if spec.get(key) is not None:
            entry[key] = instant(spec[key], "%s of %s" % (key, what))
    if len([key for key in DATES if key in entry]) == 2 and timestamps.parse(entry["start_date"]) >= timestamps.parse(entry["end_date"]):
        raise InvalidInput("start_date of %s (%s) is not before its end_date (%s)" % (what, spec["start_date"], spec["end_date"]))
    for key in LISTS:
        if spec.get(key) is not None:
            entry[key] = check_list(key, spec[key], what)
    for key in TIMES:
        if spec.get(key) is not None:
            entry[key] = timestamps.time_of_day(spec[key], "%s of %s" % (key, what))
    if all(key in entry for key in TIMES) and entry["start_time"] >= entry["end_time"]:
        raise InvalidInput("start_time of %s (%s) is not before its end_time (%s); a shift that passes midnight is two entries"
                           % (what, entry["start_time"], entry["end_time"]))
    return entry


def stored_entry(entry):
    """An entry as the service returned it, in the normal form of ``desired_entry``; ``created_at`` is kept verbatim
    because the service names an entry by that exact string."""
    fields = dict(entry)
    for key in DATES:
        if entry.get(key):
            fields[key] = _tolerant(lambda value: instant(value, key, naive_is_utc=True), entry[key])
    for key in LISTS:
        fields[key] = sorted(set(entry.get(key) or []))
    for key in TIMES:
        if entry.get(key):
            fields[key] = _tolerant(timestamps.time_of_day, entry[key])
    return fields


def _tolerant(convert, value):
    try:
        return convert(value)
    except InvalidInput:
        return value


def api_body(fields, team_member_id, created_at=None):
    """What POST (without ``created_at``) or PUT (the whole entry, with it) sends; an empty list goes as null."""
    body = {"team_member_id": team_member_id}
    for key in FIELDS:
        value = fields.get(key)
        body[key] = value if value != [] else None
    if created_at is None:
        return {key: value for key, value in body.items() if value is not None}
    body["created_at"] = created_at
    return body


def check_creatable(fields, what):
    missing = [key for key in REQUIRED_TO_CREATE if fields.get(key) is None]
    if missing:
        raise InvalidInput("%s does not exist yet and the service needs %s to create it" % (what, ", ".join(missing)))


def same_stamp(first, second):
    """Two ``created_at`` values name one entry when they are the same instant (or, unparseable, the same text)."""
    try:
        return timestamps.same_instant(first, second)
    except InvalidInput:
        return first == second


def same_range(have, want):
    return all(have.get(key) == want.get(key) for key in DATES)


def fields_of(want):
    return {key: value for key, value in want.items() if key in FIELDS}


def pair_entries(current, wanted):
    """Pair each wanted entry with the stored one it names; returns ``(pairs, unpaired stored entries)``.

    ``current`` are stored entries in normal form, ``wanted`` desired ones
    with their ``team_member_id`` and, when the task gives it, ``created_at``.
    A ``created_at`` names its entry outright.  Otherwise the member's entries
    with the same start and end dates are the candidates (no date given means
    an entry without that bound): one that already matches every field the
    task sets wins, else a single candidate is the one to update; several
    candidates and no exact match cannot be told apart and fail, naming their
    ``created_at``.  Each stored entry is paired at most once.
    """
    free = list(current)
    pairs = [None] * len(wanted)

    def claim(index, have):
        pairs[index] = have
        free.remove(have)

    def candidates(want):
        return [have for have in free if have.get("team_member_id") == want["team_member_id"] and same_range(have, want)]

    for index, want in enumerate(wanted):
        if want.get("created_at"):
            have = next((have for have in free if have.get("team_member_id") == want["team_member_id"]
                         and same_stamp(have.get("created_at"), want["created_at"])), None)
            if have is not None:
                claim(index, have)
    loose = [index for index, want in enumerate(wanted) if not want.get("created_at")]
    for index in loose:
        exact = [have for have in candidates(wanted[index]) if not changes(have, fields_of(wanted[index]))]
        if exact:
            claim(index, exact[0])
    for index in loose:
        if pairs[index] is None:
            found = candidates(wanted[index])
            if len(found) > 1:
                raise InvalidInput("Member %s has %d entries from %s to %s (created at %s); give created_at to say which one is meant"
                                   % (wanted[index]["team_member_id"], len(found), wanted[index].get("start_date") or "any time",
                                      wanted[index].get("end_date") or "any time", ", ".join(have["created_at"] for have in found)))
            if found:
                claim(index, found[0])
    return pairs, free


class TeamSchedule:
    """One team's entries as stored, and the writes that change them; every write answer becomes an entry in normal form."""

    def __init__(self, api, customer_id, team_id):
        self.api = api
        self.customer_id = customer_id
        self.team_id = team_id

    def load(self, member_id=None):
        """The team's entries (one member's, when given), in normal form.

        An entry without ``team_id`` is counted as this team's: the answer is
        the customer's schedule, and no other key tells teams apart.
        """
        found = [stored_entry(entry) for entry in self.api.entries(self.customer_id)
                 if entry.get("team_id", self.team_id) == self.team_id]
        return [entry for entry in found if member_id is None or entry.get("team_member_id") == member_id]

    def create(self, fields, member_id):
        """POST the entry; when the answer carries no entry, read the schedule and take the member's newest one like it."""
        answer = self.api.create(self.team_id, api_body(fields, member_id))
        if answer is not None:
            return stored_entry(answer)
        made = [entry for entry in self.load(member_id) if not changes(entry, fields)]
        return max(made, key=lambda entry: timestamps.parse(entry["created_at"])) if made else dict(fields, team_member_id=member_id)

    def replace(self, have, fields):
        """PUT the whole entry: the stored fields with the changed ones over them."""
        merged = dict(have, **fields)
        answer = self.api.replace(self.team_id, api_body(merged, have["team_member_id"], have["created_at"]))
        return stored_entry(answer) if answer is not None else merged

    def delete(self, have):
        self.api.delete(self.team_id, have["team_member_id"], have["created_at"])


class Entry(LookedUpFirst):
    """One entry of a member, for ``reconcile.ensure``: found by ``pair_entries``, compared on the fields the task sets."""

    def __init__(self, schedule, member_id, wanted):
        self.schedule = schedule
        self.member_id = member_id
        self.wanted = wanted

    def lookup(self):
        pairs = pair_entries(self.schedule.load(self.member_id), [dict(self.wanted, team_member_id=self.member_id)])[0]
        return pairs[0]

    def create(self, desired):
        check_creatable(desired, "The entry of member %s" % self.member_id)
        return self.schedule.create(fields_of(desired), self.member_id)

    def update(self, current, changed):
        return self.schedule.replace(current, changed)

    def delete(self, current):
        self.schedule.delete(current)


# The options that describe one entry, shared by a module's top level and its entries list.
ENTRY_OPTIONS = {
    "start_date": dict(type="str"),
    "end_date": dict(type="str"),
    "months_of_year": dict(type="list", elements="int"),
    "weeks_of_month": dict(type="list", elements="int"),
    "week_days": dict(type="list", elements="int"),
    "start_time": dict(type="str"),
    "end_time": dict(type="str"),
}
