# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ISO 8601 date-times compared as instants, never as strings.

APIs answer in the offset they like (PagerDuty renders a schedule's times in
the schedule's time zone), so ``2026-01-05T09:00:00Z`` and
``2026-01-05T10:00:00+01:00`` must be the same value.  Every timestamp is
parsed to an aware UTC datetime and written back in one canonical form.  A
time without an offset is refused: it would mean a different instant in every
time zone.  The parser is written out because ``datetime.fromisoformat``
accepts ``Z`` only from Python 3.11.
"""

import re
from datetime import datetime, timedelta, timezone

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$"
)
TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse(value, what="timestamp"):
    """An aware UTC datetime for an ISO 8601 date-time with an offset (``Z``, ``+01:00``, ``+0100``, ``+01``).

    A ``datetime`` (YAML may turn an unquoted timestamp into one) is accepted
    when it is aware.  Anything else is ``InvalidInput`` naming ``what``.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput("%s %s has no UTC offset; add one such as Z or +01:00" % (what, value.isoformat()))
        return value.astimezone(timezone.utc)
    text = str(value).strip() if value is not None else ""
    found = DATE_TIME.match(text)
    if not found:
        if re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?$", text):
            raise InvalidInput("%s %r has no UTC offset; add one such as Z or +01:00, since the same clock time "
                               "is another instant in every time zone" % (what, text))
        raise InvalidInput("%s %r is not an ISO 8601 date-time such as 2026-01-05T09:00:00Z or 2026-01-05T10:00:00+01:00"
                           % (what, value))
    year, month, day, hour, minute, second, fraction, zulu, sign, offset_hours, offset_minutes = found.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    offset = timedelta(0)
    if not zulu:
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes or 0))
        if offset >= timedelta(hours=24):
            raise InvalidInput("%s %r has an impossible UTC offset" % (what, text))
        if sign == "-":
            offset = -offset
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro,
                          tzinfo=timezone(offset))
    except ValueError as error:
        raise InvalidInput("%s %r is not a real date and time: %s" % (what, text, error)) from None
    return moment.astimezone(timezone.utc)


def canonical(value, what="timestamp"):
    """One spelling per instant, in UTC: ``2026-01-05T09:00:00Z`` (fractions kept only when there are some)."""
    if value is None:
        return None
    moment = parse(value, what)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def same_instant(first, second):
    """True when two timestamps (text or datetime, either may be None) name the same instant."""
    if first is None or second is None:
        return first is None and second is None
    return parse(first) == parse(second)


def now():
    """The current instant, in UTC."""
    return datetime.now(timezone.utc)


def is_future(value, reference=None):
    """True when ``value`` is strictly after ``reference`` (default: now)."""
    return parse(value) > (reference or now())


def time_of_day(value, what="start_time_of_day"):
    """A wall-clock time as ``HH:MM:SS``; ``9:00`` and ``09:00:00`` are the same."""
    found = TIME_OF_DAY.match(str(value).strip()) if value is not None else None
    if not found:
        raise InvalidInput("%s %r is not a time of day such as 09:00 or 09:00:00" % (what, value))
    hours, minutes, seconds = int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise InvalidInput("%s %r is not a time of day such as 09:00 or 09:00:00" % (what, value))
    return "%02d:%02d:%02d" % (hours, minutes, seconds)
