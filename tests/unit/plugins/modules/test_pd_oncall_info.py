"""pd_oncall_info through run() against the PagerDuty simulator."""

import pytest
from pd_runs import runner, seed, users

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_oncall_info

ADA = "ada@example.com"
GRACE = "grace@example.com"
LINUS = "linus@example.com"
MONDAY = "2024-01-01T00:00:00Z"
FIRST_WEEK = "2024-01-03T13:00:00+01:00"
SECOND_WEEK = "2024-01-10T12:00:00Z"


def policy(name, *rules):
    return {"type": "escalation_policy", "name": name, "escalation_rules": [
        {"escalation_delay_in_minutes": 30, "targets": [{"type": kind + "_reference", "id": target_id} for kind, target_id in rule]}
        for rule in rules]}


@pytest.fixture
def account(pagerduty):
    """Ada and Grace take weekly turns on "Payments primary" from Monday 2024-01-01 (Ada first).

    "Payments escalation" pages that schedule, then Linus directly; "Search escalation" pages Grace directly.
    """
    people = seed(pagerduty, users=users(("Ada Lovelace", ADA), ("Grace Hopper", GRACE), ("Linus Torvalds", LINUS)))["users"]
    ids = dict(zip((ADA, GRACE, LINUS), people))
    layer = {"name": "Weekly", "start": MONDAY, "rotation_virtual_start": MONDAY, "rotation_turn_length_seconds": 604800,
             "users": [{"user": {"id": ids[email], "type": "user_reference"}} for email in (ADA, GRACE)]}
    schedule_id = seed(pagerduty, schedules=[{"type": "schedule", "name": "Payments primary", "time_zone": "Europe/Paris",
                                              "schedule_layers": [layer]}])["schedules"][0]
    ids["Payments primary"] = schedule_id
    policies = seed(pagerduty, escalation_policies=[
        policy("Payments escalation", [("schedule", schedule_id)], [("user", ids[LINUS])]),
        policy("Search escalation", [("user", ids[GRACE])])])["escalation_policies"]
    ids.update(zip(("Payments escalation", "Search escalation"), policies))
    pagerduty.clear_log()
    return ids


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_oncall_info)


def brief(oncalls):
    return [(oncall["escalation_policy"]["name"], oncall["escalation_level"], oncall["user"]["email"],
             (oncall["schedule"] or {}).get("name"), oncall["start"], oncall["end"]) for oncall in oncalls]


def test_everyone_on_call_at_an_instant(pagerduty, account, run):
    changed, oncalls, diff = run(at=FIRST_WEEK)
    assert not changed and diff is None
    assert brief(oncalls) == [
        ("Payments escalation", 1, ADA, "Payments primary", "2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z"),
        ("Payments escalation", 2, LINUS, None, None, None),
        ("Search escalation", 1, GRACE, None, None, None),
    ]
    assert oncalls[0]["user"] == {"id": account[ADA], "name": "Ada Lovelace", "email": ADA}
    assert oncalls[0]["schedule"] == {"id": account["Payments primary"], "name": "Payments primary"}
    assert oncalls[0]["escalation_policy"] == {"id": account["Payments escalation"], "name": "Payments escalation"}
    assert pagerduty.writes() == []
    query = pagerduty.requests()[0]["query"]
    assert query["since"] == query["until"] == "2024-01-03T12:00:00Z"
    assert query["include[]"] == "users"


def test_the_next_week_is_graces(account, run):
    oncalls = run(at=SECOND_WEEK, schedules=["Payments primary"])[1]
    assert brief(oncalls) == [("Payments escalation", 1, GRACE, "Payments primary", "2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z")]


def test_now_by_default(pagerduty, account, run):
    oncalls = run(escalation_policies=["Search escalation"])[1]
    assert brief(oncalls) == [("Search escalation", 1, GRACE, None, None, None)]
    assert "since" not in pagerduty.requests()[-2]["query"]


def test_filters_by_policy_schedule_and_user(pagerduty, account, run):
    oncalls = run(at=FIRST_WEEK, escalation_policies=["Payments escalation", "Payments escalation"])[1]
    assert [oncall["user"]["email"] for oncall in oncalls] == [ADA, LINUS]
    oncalls = run(at=FIRST_WEEK, user=LINUS)[1]
    assert brief(oncalls) == [("Payments escalation", 2, LINUS, None, None, None)]
    pagerduty.clear_log()
    oncalls = run(at=FIRST_WEEK, user=GRACE.upper(), escalation_policies=["Search escalation"], schedules=["Payments primary"])[1]
    assert oncalls == []
    query = [entry for entry in pagerduty.requests() if entry["path"] == "/oncalls"][0]["query"]
    assert query["user_ids[]"] == account[GRACE]
    assert query["escalation_policy_ids[]"] == account["Search escalation"]
    assert query["schedule_ids[]"] == account["Payments primary"]


def test_every_page_is_read(pagerduty, account, run):
    """110 policies page Ada directly; in the second week the rotation has Grace, so Ada is on call 110 times, any day the test runs."""
    seed(pagerduty, escalation_policies=[policy("Bulk %03d" % number, [("user", account[ADA])]) for number in range(110)])
    pagerduty.clear_log()
    oncalls = run(user=ADA, at=SECOND_WEEK)[1]
    assert len(oncalls) == 110
    assert all(oncall["escalation_policy"]["name"].startswith("Bulk ") for oncall in oncalls)
    assert all(oncall["user"]["email"] == ADA for oncall in oncalls)
    pages = [entry["query"]["offset"] for entry in pagerduty.requests() if entry["path"] == "/oncalls"]
    assert pages == ["0", "100"]


@pytest.mark.parametrize("params, message", [
    ({"schedules": ["Nowhere"]}, "No PagerDuty schedule is named 'Nowhere'"),
    ({"escalation_policies": ["Nobody pages"]}, "No PagerDuty escalation policy is named 'Nobody pages'"),
    ({"user": "ghost@example.com"}, "No PagerDuty user has the email 'ghost@example.com'"),
    ({"user": "ghost"}, "user 'ghost' is not an email address"),
    ({"at": "tonight"}, "at 'tonight' is not an ISO 8601 date-time"),
    ({"at": "2024-01-03T12:00:00"}, "at '2024-01-03T12:00:00' has no UTC offset"),
    ({"time_zone": "Moon/Base"}, "time_zone 'Moon/Base' is not an IANA time zone"),
])
def test_bad_input_fails_clearly_without_listing_oncalls(pagerduty, account, run, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**params)
    assert [entry for entry in pagerduty.requests() if entry["path"] == "/oncalls"] == []
