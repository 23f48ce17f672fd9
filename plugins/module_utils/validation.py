# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of user input that need no API call, so bad input fails before any write."""

import re

try:
    from zoneinfo import ZoneInfo
except ImportError:  # Python < 3.9 has no time zone database to check against
    ZoneInfo = None

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidInput(Exception):
    """Input the module can tell is wrong before it writes anything."""


def check_email(value, what="email"):
    if value is not None and not EMAIL.match(value):
        raise InvalidInput("%s %r is not an email address" % (what, value))
    return value


def check_filled(value, what, why=None):
    """Refuse a blank string or an empty list (None passes: the option is unset).

    PagerDuty stores an empty name, and some empty lists are refused only
    once earlier writes are made; either way the task must fail first.
    ``why`` tells the user what the rule is, when it is not obvious.
    """
    empty = (isinstance(value, str) and not value.strip()) or (isinstance(value, (list, tuple)) and not value)
    if empty:
        raise InvalidInput("%s must not be empty%s" % (what, ": %s" % why if why else ""))
    return value


def check_once(seen, key, what):
    """Refuse an item that a list gives twice; ``seen`` holds the keys met so far and ``what`` names the item."""
    if key in seen:
        raise InvalidInput("%s is listed more than once" % what)
    seen.add(key)
    return key


# A zone name as the time zone database spells it; the database's own aliases and its
# posix/ and right/ copies are files too, but not names PagerDuty takes.
ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")
NOT_ZONES = frozenset(("localtime", "posixrules", "Factory"))


def check_time_zone(value, what="time_zone"):
    """Accept IANA names such as Europe/Paris, as PagerDuty does.

    The one zone is loaded rather than the list of every zone: listing them
    reads the whole database, which cost each task more CPU than its requests.
    """
    if value is None or ZoneInfo is None:
        return value
    if not is_time_zone(value):
        raise InvalidInput("%s %r is not an IANA time zone name such as Europe/Paris or America/New_York" % (what, value))
    return value


def is_time_zone(value):
    if not ZONE_NAME.match(value) or value in NOT_ZONES or value.split("/")[0] in ("posix", "right"):
        return False
    try:
        ZoneInfo(value)
    except (ValueError, OSError, LookupError):
        return False
    return True
