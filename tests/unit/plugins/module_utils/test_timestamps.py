"""ISO 8601 timestamps parsed and compared as instants."""

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.incident.ops.plugins.module_utils import timestamps
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

NINE_UTC = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", [
    "2026-01-05T09:00:00Z",
    "2026-01-05T09:00:00z",
    "2026-01-05T09:00Z",
    "2026-01-05T10:00:00+01:00",
    "2026-01-05T10:00:00+0100",
    "2026-01-05T10:00:00+01",
    "2026-01-05T04:00:00-05:00",
    "2026-01-05 09:00:00+00:00",
    "2026-01-05T09:00:00.000Z",
    "2026-01-05T14:30:00+05:30",
    "  2026-01-05T09:00:00Z  ",
])
def test_every_spelling_of_one_instant_parses_to_it(text):
    assert timestamps.parse(text) == NINE_UTC


def test_a_fraction_is_kept_to_the_microsecond():
    assert timestamps.parse("2026-01-05T09:00:00.1234567Z") == NINE_UTC.replace(microsecond=123456)


def test_an_aware_datetime_is_accepted_and_moved_to_utc():
    paris = timezone(timedelta(hours=1))
    moment = timestamps.parse(datetime(2026, 1, 5, 10, 0, tzinfo=paris))
    assert moment == NINE_UTC and moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", ["2026-01-05T09:00:00", "2026-01-05 09:00", datetime(2026, 1, 5, 9, 0)])
def test_a_time_without_an_offset_is_refused_with_the_reason(value):
    with pytest.raises(InvalidInput, match=r"layers\[0\].start .* has no UTC offset"):
        timestamps.parse(value, "layers[0].start")


@pytest.mark.parametrize("value", ["2026-01-05", "tomorrow", "", None, "2026-13-05T09:00:00Z", "2026-02-30T09:00:00Z",
                                   "2026-01-05T25:00:00Z", "2026-01-05T09:00:00+24:00", "05/01/2026 09:00"])
def test_anything_else_is_refused_naming_the_value(value):
    with pytest.raises(InvalidInput, match="^at "):
        timestamps.parse(value, "at")


def test_canonical_form_is_utc_with_z():
    assert timestamps.canonical("2026-01-05T10:00:00+01:00") == "2026-01-05T09:00:00Z"
    assert timestamps.canonical("2026-01-05T09:00:00.5Z") == "2026-01-05T09:00:00.500000Z"
    assert timestamps.canonical(None) is None


@pytest.mark.parametrize("first, second, same", [
    ("2026-01-05T09:00:00Z", "2026-01-05T10:00:00+01:00", True),
    ("2026-01-05T09:00:00Z", "2026-01-05T09:00:01Z", False),
    ("2026-01-05T09:00:00-05:00", "2026-01-05T09:00:00Z", False),
    (None, None, True),
    (None, "2026-01-05T09:00:00Z", False),
    ("2026-01-05T09:00:00Z", None, False),
    (NINE_UTC, "2026-01-05T04:00:00-05:00", True),
])
def test_same_instant_compares_instants_not_strings(first, second, same):
    assert timestamps.same_instant(first, second) is same


def test_future_and_past_against_a_reference():
    assert timestamps.is_future("2026-01-05T09:00:01Z", NINE_UTC)
    assert not timestamps.is_future("2026-01-05T10:00:00+01:00", NINE_UTC)
    assert not timestamps.is_future("2020-01-01T00:00:00Z")
    assert timestamps.is_future("2999-01-01T00:00:00Z")


def test_now_is_aware_utc():
    assert timestamps.now().utcoffset() == timedelta(0)


@pytest.mark.parametrize("text, wanted", [("9:00", "09:00:00"), ("09:00", "09:00:00"), ("23:59:59", "23:59:59"),
                                          ("00:00:00", "00:00:00")])
def test_times_of_day_are_written_one_way(text, wanted):
    assert timestamps.time_of_day(text) == wanted


@pytest.mark.parametrize("text", ["24:00", "9", "09:60", "noon", None, "09:00:00Z"])
def test_bad_times_of_day_are_refused(text):
    with pytest.raises(InvalidInput, match="is not a time of day"):
        timestamps.time_of_day(text)
