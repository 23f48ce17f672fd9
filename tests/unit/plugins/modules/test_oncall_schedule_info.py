"""oncall_schedule_info through run() against the on-call simulators."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.oncall.api import connect
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import oncall_schedule, oncall_schedule_info

CUSTOMER = "c03b02ec-244f-4d2c-8f68-3910071ed5c8"
TEAM = "445a5c1f-c0eb-403a-96d7-3976e5dc74ed"
AVERY, BLAKE = "7d1e5a7c-3f0b-4c8e-9a51-2b6f4d9e0c11", "9a2f6b8d-4e1c-4d9f-8b62-3c7e5f0a1d22"


@pytest.fixture
def call(oncall_module):
    def run(module, **params):
        built = oncall_module(module.ARGUMENT_SPEC, customer_id=CUSTOMER, **params)
        return module.run(built, connect(built))
    return run


@pytest.fixture
def rotation(oncall, call):
    call(oncall_schedule, team_id=TEAM, entries=[
        {"team_member_id": AVERY, "week_days": [1], "start_time": "09:00:00", "end_time": "17:00:00", "start_date": "2026-03-01"},
        {"team_member_id": BLAKE, "weeks_of_month": [-1], "week_days": [0, 6], "start_time": "00:00:00", "end_time": "12:00:00"},
    ])
    oncall.clear_log()


def test_all_entries_in_one_request(oncall, call, rotation):
    changed, schedule, diff = call(oncall_schedule_info)
    assert not changed and diff is None and "windows" not in schedule
    assert [entry["team_member_id"] for entry in schedule["entries"]] == [AVERY, BLAKE]
    assert schedule["entries"][1]["months_of_year"] == [] and schedule["entries"][0]["start_date"] == "2026-03-01T00:00:00Z"
    assert oncall.log() == [("query", "GET", 200)]


def test_filter_by_member_email(call, rotation):
    schedule = call(oncall_schedule_info, team_id=TEAM, team_member_email="Blake@Example.com")[1]
    assert [entry["team_member_id"] for entry in schedule["entries"]] == [BLAKE]
    assert call(oncall_schedule_info, team_id="other-team")[1]["entries"] == []
    with pytest.raises(InvalidInput, match="No member"):
        call(oncall_schedule_info, team_id=TEAM, team_member_email="nobody@example.com")


def test_expand_into_windows_between_fixed_dates(call, rotation):
    schedule = call(oncall_schedule_info, expand={"from": "2026-02-20T00:00:00Z", "to": "2026-03-10T00:00:00Z"})[1]
    shown = [(window["team_member_id"], window["start"], window["end"]) for window in schedule["windows"]]
    # February 2026 has 28 days: its last seven are the 22nd to the 28th (Sunday 22nd, Saturday 28th);
    # March's Mondays from the entry's start on the 1st are the 2nd and the 9th.
    assert shown == [
        (BLAKE, "2026-02-22T00:00:00Z", "2026-02-22T12:00:00Z"),
        (BLAKE, "2026-02-28T00:00:00Z", "2026-02-28T12:00:00Z"),
        (AVERY, "2026-03-02T09:00:00Z", "2026-03-02T17:00:00Z"),
        (AVERY, "2026-03-09T09:00:00Z", "2026-03-09T17:00:00Z"),
    ]


def test_expand_cuts_windows_at_the_range(call, rotation):
    schedule = call(oncall_schedule_info, team_member_id=AVERY, expand={"from": "2026-03-02T10:00:00+01:00", "to": "2026-03-02T12:00:00Z"})[1]
    assert [(window["start"], window["end"]) for window in schedule["windows"]] == [("2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z")]


@pytest.mark.parametrize("span, words", [
    ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "is not before"),
    ({"from": "2026-01-01T00:00:00Z", "to": "2027-06-01T00:00:00Z"}, "at most 366 days"),
    ({"from": "2026-01-01", "to": "2026-02-01T00:00:00Z"}, "not an ISO 8601 date-time"),
])
def test_bad_ranges_fail_before_any_request(oncall, call, span, words):
    with pytest.raises(InvalidInput, match=words):
        call(oncall_schedule_info, expand=span)
    assert oncall.log() == []
