"""pd_schedule_info through run() against the PagerDuty simulator."""

import pytest
from pd_runs import runner, seed, users

from ansible_collections.incident.ops.plugins.module_utils.timestamps import canonical
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_schedule_info

ADA = "ada@example.com"
GRACE = "grace@example.com"
MONDAY = "2024-01-01T00:00:00Z"
WEEK = 604800


def schedule_body(name, user_ids):
    layer = {"name": "Weekly", "start": MONDAY, "rotation_virtual_start": MONDAY, "rotation_turn_length_seconds": WEEK,
             "users": [{"user": {"id": user_id, "type": "user_reference"}} for user_id in user_ids]}
    return {"type": "schedule", "name": name, "time_zone": "Europe/Paris", "schedule_layers": [layer]}


@pytest.fixture
def account(pagerduty):
    """Ada and Grace take weekly turns on "Payments primary" (Ada first, from Monday 2024-01-01); "Search" has Grace only."""
    people = seed(pagerduty, users=users(("Ada Lovelace", ADA), ("Grace Hopper", GRACE)))["users"]
    ids = dict(zip((ADA, GRACE), people))
    schedules = seed(pagerduty, schedules=[schedule_body("Payments primary", people), schedule_body("Payments secondary", people[::-1]),
                                           schedule_body("Search", people[1:])])["schedules"]
    ids.update(zip(("Payments primary", "Payments secondary", "Search"), schedules))
    pagerduty.clear_log()
    return ids


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_schedule_info)


def emails(layer):
    return [entry["user"]["email"] for entry in layer["users"]]


def test_one_schedule_by_name_with_layers_and_emails_in_two_requests(pagerduty, account, run):
    changed, schedules, diff = run(name="Payments primary")
    assert not changed and diff is None
    assert [schedule["name"] for schedule in schedules] == ["Payments primary"]
    assert schedules[0]["id"] == account["Payments primary"]
    assert emails(schedules[0]["schedule_layers"][0]) == [ADA, GRACE]
    assert schedules[0]["schedule_layers"][0]["rotation_turn_length_seconds"] == WEEK
    log = pagerduty.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", "/schedules"), ("GET", "/users")]
    assert log[0]["query"]["query"] == "Payments primary"
    assert log[0]["query"]["include[]"] == "schedule_layers"


def test_a_name_nobody_has_gives_an_empty_list(account, run):
    assert run(name="Payments")[1] == []


def test_query_and_all(account, run):
    assert [schedule["name"] for schedule in run(query="payments")[1]] == ["Payments primary", "Payments secondary"]
    everything = run()[1]
    assert [schedule["name"] for schedule in everything] == ["Payments primary", "Payments secondary", "Search"]
    assert emails(everything[2]["schedule_layers"][0]) == [GRACE]


def test_every_page_is_read(pagerduty, account, run):
    user_id = account[ADA]
    seed(pagerduty, schedules=[schedule_body("Bulk %03d" % number, [user_id]) for number in range(120)])
    pagerduty.clear_log()
    schedules = run(query="Bulk")[1]
    assert len(schedules) == 120
    assert all(emails(schedule["schedule_layers"][0]) == [ADA] for schedule in schedules)
    pages = [entry for entry in pagerduty.requests() if entry["path"] == "/schedules"]
    assert [entry["query"]["offset"] for entry in pages] == ["0", "100"]


def test_a_window_renders_who_is_on_call_when(pagerduty, account, run):
    schedules = run(name="Payments primary", since="2024-01-03T00:00:00Z", until="2024-01-10T00:00:00+01:00")[1]
    final = schedules[0]["final_schedule"]["rendered_schedule_entries"]
    assert [(entry["user"]["email"], canonical(entry["start"]), canonical(entry["end"])) for entry in final] == [
        (ADA, "2024-01-03T00:00:00Z", "2024-01-08T00:00:00Z"), (GRACE, "2024-01-08T00:00:00Z", "2024-01-09T23:00:00Z")]
    assert emails(schedules[0]["schedule_layers"][0]) == [ADA, GRACE]
    log = pagerduty.requests()
    assert [entry["path"] for entry in log] == ["/schedules", "/schedules/%s" % account["Payments primary"], "/users"]
    assert log[1]["query"]["since"] == "2024-01-03T00:00:00Z"
    assert log[1]["query"]["until"] == "2024-01-09T23:00:00Z"


def test_overflow_and_time_zone_are_passed_on(pagerduty, account, run):
    run(name="Search", since="2024-01-03T00:00:00Z", overflow=True, time_zone="Europe/Paris")
    log = pagerduty.requests()
    assert log[0]["query"]["time_zone"] == "Europe/Paris"
    assert log[1]["query"]["overflow"] == "true" and log[1]["query"]["time_zone"] == "Europe/Paris"


@pytest.mark.parametrize("params, message", [
    ({"since": "2024-01-10T00:00:00Z", "until": "2024-01-03T00:00:00Z"}, "until 2024-01-03T00:00:00Z is not after since"),
    ({"since": "2024-01-10"}, "since '2024-01-10' is not an ISO 8601 date-time"),
    ({"until": "2024-01-10T00:00:00"}, "has no UTC offset"),
    ({"time_zone": "Paris"}, "time_zone 'Paris' is not an IANA time zone"),
])
def test_bad_input_fails_before_any_request(pagerduty, account, run, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**params)
    assert pagerduty.requests() == []
