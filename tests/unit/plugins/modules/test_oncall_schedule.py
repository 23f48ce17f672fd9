"""oncall_schedule through run() against the on-call simulators."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.oncall.api import connect
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import oncall_schedule

CUSTOMER = "c03b02ec-244f-4d2c-8f68-3910071ed5c8"
TEAM = "445a5c1f-c0eb-403a-96d7-3976e5dc74ed"
AVERY, BLAKE, CASEY = "7d1e5a7c-3f0b-4c8e-9a51-2b6f4d9e0c11", "9a2f6b8d-4e1c-4d9f-8b62-3c7e5f0a1d22", "b3c7d9e1-5f2a-4e0b-9c73-4d8f6a1b2e33"
MORNINGS = dict(team_member_email="avery@example.com", start_date="2026-01-01", end_date="2026-04-01T00:00:00Z",
                week_days=[5, 1, 3], start_time="08:00:00", end_time="12:00")


@pytest.fixture
def run(oncall_module):
    """One module run: its own client, as each task has."""
    def call(check_mode=False, **params):
        module = oncall_module(oncall_schedule.ARGUMENT_SPEC, check_mode=check_mode, customer_id=CUSTOMER, team_id=TEAM, **params)
        return oncall_schedule.run(module, connect(module))
    return call


def writes(oncall):
    return [(method, status) for host, method, status in oncall.log() if method != "GET"]


def test_check_mode_predicts_and_writes_nothing(oncall, run):
    changed, entries, diff = run(check_mode=True, **MORNINGS)
    assert changed and oncall.stored() == []
    assert entries == [dict(diff["after"])]
    assert diff["after"] == {"team_member_id": AVERY, "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z",
                             "week_days": [1, 3, 5], "start_time": "08:00:00", "end_time": "12:00:00"}


def test_create_rerun_update_delete(oncall, run):
    changed, [created], _diff = run(**MORNINGS)
    [stored] = oncall.stored()
    assert changed and created["created_at"] == stored["created_at"] and stored["week_days"] == [1, 3, 5]
    assert stored["start_date"] == "2026-01-01T00:00:00Z" and stored["end_time"] == "12:00:00"
    oncall.clear_log()
    changed, [same], diff = run(**dict(MORNINGS, week_days=[1, 5, 3, 3]))
    assert not changed and same["created_at"] == created["created_at"]
    assert sorted(oncall.log()) == [("customer", "GET", 200), ("query", "GET", 200)]
    changed, [moved], diff = run(**dict(MORNINGS, start_time="13:00:00", end_time="17:00:00"))
    assert changed and diff == {"before": {"start_time": "08:00:00", "end_time": "12:00:00"},
                                "after": {"start_time": "13:00:00", "end_time": "17:00:00"}}
    [stored] = oncall.stored()
    assert stored["start_time"] == "13:00:00" and stored["week_days"] == [1, 3, 5] and stored["created_at"] == created["created_at"]
    changed, entries, diff = run(state="absent", team_member_id=AVERY, start_date="2026-01-01T01:00:00+01:00", end_date="2026-04-01")
    assert changed and entries == [] and oncall.stored() == []
    assert run(state="absent", team_member_id=AVERY, start_date="2026-01-01", end_date="2026-04-01")[0] is False


def test_created_at_names_the_entry_in_any_spelling(oncall, run):
    created = run(**MORNINGS)[1][0]
    other_spelling = created["created_at"].replace("Z", "+00:00")
    changed, [updated], _diff = run(team_member_id=AVERY, created_at=other_spelling, end_date="2026-07-01T00:00:00Z")
    assert changed and updated["end_date"] == "2026-07-01T00:00:00Z" and oncall.stored()[0]["created_at"] == created["created_at"]
    with pytest.raises(InvalidInput, match="no entry created at"):
        run(team_member_id=AVERY, created_at="2020-01-01T00:00:00Z", week_days=[1])
    assert run(team_member_id=AVERY, created_at="2020-01-01T00:00:00Z", state="absent")[0] is False


def test_one_entry_with_the_same_dates_is_updated_but_two_need_created_at(oncall, run):
    run(**MORNINGS)
    assert run(**dict(MORNINGS, week_days=[2, 4]))[0] is True
    assert [entry["week_days"] for entry in oncall.stored()] == [[2, 4]]
    run(entries=[dict(MORNINGS, week_days=[2, 4]), dict(MORNINGS, week_days=[1, 3])])
    assert len(oncall.stored()) == 2
    assert run(**dict(MORNINGS, week_days=[2, 4]))[0] is False
    with pytest.raises(InvalidInput, match="has 2 entries from 2026-01-01T00:00:00Z.*give created_at"):
        run(**dict(MORNINGS, week_days=[6]))


@pytest.mark.parametrize("changes, words", [
    ({"start_date": "01/02/2026"}, "not an ISO 8601"),
    ({"start_date": "2026-01-05T09:00:00"}, "has no UTC offset"),
    ({"end_date": "2025-12-01"}, "start_date of the entry .* is not before"),
    ({"start_time": "25:00:00"}, "not a time of day"),
    ({"start_time": "18:00:00", "end_time": "06:00:00"}, "passes midnight is two entries"),
    ({"months_of_year": [0, 12]}, "months_of_year of the entry holds 0"),
    ({"weeks_of_month": [6]}, "weeks_of_month .* holds 6; allowed are 1 to 5, or -1"),
    ({"week_days": [7]}, "week_days .* holds 7"),
    ({"week_days": []}, "week_days of the entry is empty"),
    ({"team_member_email": "avery"}, "not an email"),
])
def test_bad_input_fails_before_any_request(oncall, run, changes, words):
    with pytest.raises(InvalidInput, match=words):
        run(**dict(MORNINGS, **changes))
    assert oncall.log() == []


def test_unknown_email_reads_members_and_writes_nothing(oncall, run):
    with pytest.raises(InvalidInput, match="No member of team %s has the email 'nobody@example.com'" % TEAM):
        run(**dict(MORNINGS, team_member_email="nobody@example.com"))
    assert oncall.log() == [("customer", "GET", 200)]


def test_creating_needs_days_and_times(oncall, run):
    with pytest.raises(InvalidInput, match="needs week_days, start_time, end_time"):
        run(team_member_id=AVERY, start_date="2026-01-01")
    assert writes(oncall) == []


def test_overlap_409_and_invalid_member_422_name_their_cause(oncall, run):
    run(**MORNINGS)
    with pytest.raises(ApiError) as overlap:
        run(**dict(MORNINGS, start_date="2026-02-01", end_date="2026-03-01"))
    assert overlap.value.status == 409 and "overlaps the entry created at" in str(overlap.value)
    with pytest.raises(ApiError) as invalid:
        run(**dict(MORNINGS, team_member_email=None, team_member_id=TEAM))
    assert invalid.value.status == 422 and "team_member_id is not a member of this team" in str(invalid.value)


def test_sign_in_and_one_renewal_after_a_401(oncall, run):
    oncall.control("query_url", "PUT", "settings", json={"token_ttl": 0.3})
    oncall.control("query_url", "POST", "faults", json={"action": "delay", "delay_ms": 400, "method": "GET", "path": "/schedule"})
    changed = run(api_token=None, **MORNINGS)[0]
    assert changed
    log = oncall.log()
    assert log.count(("auth", "POST", 200)) == 2 and ("query", "GET", 401) in log and ("command", "POST", 201) in log


def test_a_fixed_token_is_not_renewed(oncall, run):
    with pytest.raises(ApiError) as refused:
        run(api_token="expired", **MORNINGS)
    assert refused.value.status == 401 and "expired" not in str(refused.value)


def test_no_credentials_is_bad_input(oncall, run):
    with pytest.raises(InvalidInput, match="api_token, or email and password"):
        run(api_token=None, password=None, **MORNINGS)


def test_plain_text_answers_are_read_back(oncall, run):
    oncall.control("query_url", "PUT", "settings", json={"plain_messages": True})
    changed, [created], _diff = run(**MORNINGS)
    assert changed and created["created_at"] == oncall.stored()[0]["created_at"]
    changed, [moved], _diff = run(**dict(MORNINGS, end_time="11:00:00"))
    assert changed and moved["end_time"] == "11:00:00" and moved["created_at"] == created["created_at"]


ROTATION = [
    {"team_member_email": "avery@example.com", "week_days": [1, 3, 5], "start_time": "09:00:00", "end_time": "17:00:00"},
    {"team_member_id": BLAKE, "week_days": [2, 4], "start_time": "09:00:00", "end_time": "17:00:00"},
    {"team_member_email": "casey@example.com", "weeks_of_month": [-1], "week_days": [0, 6], "start_time": "00:00:00", "end_time": "23:59:59"},
]


def test_entries_manage_a_whole_team(oncall, run):
    changed, entries, diff = run(check_mode=True, entries=ROTATION)
    assert changed and oncall.stored() == [] and len(diff["after"]["entries"]) == 3
    changed, entries, diff = run(entries=ROTATION)
    assert changed and sorted(entry["team_member_id"] for entry in oncall.stored()) == sorted([AVERY, BLAKE, CASEY])
    oncall.clear_log()
    assert run(entries=ROTATION, purge=True)[0] is False
    assert writes(oncall) == []
    changed, entries, diff = run(entries=[dict(ROTATION[0], end_time="18:00:00"), ROTATION[1]], purge=True)
    assert changed and writes(oncall) == [("DELETE", 200), ("PUT", 200)]
    assert diff["before"]["entries"][0]["end_time"] == "17:00:00" and diff["after"]["entries"] == [dict(diff["before"]["entries"][0], end_time="18:00:00")]
    assert diff["before"]["entries"][1]["team_member_id"] == CASEY
    assert sorted(entry["team_member_id"] for entry in entries) == sorted([AVERY, BLAKE])


def test_entries_of_one_member_leave_the_others_alone(oncall, run):
    run(entries=ROTATION)
    changed, entries, _diff = run(team_member_id=AVERY, purge=True, entries=[
        {"week_days": [1], "start_time": "09:00:00", "end_time": "17:00:00", "start_date": "2026-01-01"}])
    assert changed and [entry["team_member_id"] for entry in entries] == [AVERY]
    assert sorted(entry["team_member_id"] for entry in oncall.stored()) == sorted([AVERY, BLAKE, CASEY])
    with pytest.raises(InvalidInput, match="another member"):
        run(team_member_id=AVERY, entries=[dict(ROTATION[1])])
    with pytest.raises(InvalidInput, match=r"entries\[0\] names no member"):
        run(entries=[{"week_days": [1], "start_time": "09:00:00", "end_time": "10:00:00"}])


def test_entries_fail_on_bad_input_before_any_request(oncall, run):
    with pytest.raises(InvalidInput, match=r"week_days of entries\[1\] holds 9"):
        run(entries=[ROTATION[0], dict(ROTATION[1], week_days=[9])])
    assert oncall.log() == []


def test_entries_are_what_to_keep_not_what_to_remove(oncall, run):
    with pytest.raises(InvalidInput, match="use purge"):
        run(entries=ROTATION, state="absent")
    assert oncall.log() == []
