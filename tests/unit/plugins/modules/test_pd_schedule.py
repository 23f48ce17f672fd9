"""pd_schedule through run() against the PagerDuty simulator."""

import copy
from datetime import datetime, timedelta, timezone

import pytest
import requests
from pd_runs import runner, seed, users

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.timestamps import canonical, same_instant
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_schedule

ADA = "ada@example.com"
GRACE = "grace@example.com"
LINUS = "linus@example.com"
PAST = "2024-01-01T09:00:00Z"
PAST_IN_PARIS = "2024-01-01T10:00:00+01:00"
WEEK = 604800


def future(days=30):
    moment = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def account(pagerduty):
    """Users Ada, Grace and Linus and teams Payments and Search; email or name -> id."""
    people = seed(pagerduty, users=users(("Ada Lovelace", ADA), ("Grace Hopper", GRACE), ("Linus Torvalds", LINUS)))["users"]
    teams = seed(pagerduty, teams=[{"type": "team", "name": "Payments"}, {"type": "team", "name": "Search"}])["teams"]
    ids = dict(zip((ADA, GRACE, LINUS), people))
    ids.update(zip(("Payments", "Search"), teams))
    pagerduty.clear_log()
    return ids


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_schedule)


WEEKDAYS = {"type": "weekly_restriction", "start_day_of_week": 1, "start_time_of_day": "09:00", "duration_seconds": 388800}
WEEKLY = {"name": "Weekly", "start": PAST, "rotation_virtual_start": PAST, "rotation_turn_length_seconds": WEEK,
          "users": [ADA, GRACE], "restrictions": [WEEKDAYS]}
SCHEDULE = dict(name="Payments primary", time_zone="Europe/Paris", description="Primary on-call", teams=["Payments"],
                layers=[WEEKLY])


def task(**changes):
    """The SCHEDULE task with some options replaced; ``layer`` replaces fields of its one layer."""
    params = copy.deepcopy(SCHEDULE)
    layer = changes.pop("layer", None)
    if layer:
        params["layers"][0].update(layer)
    params.update(changes)
    return params


def stored(api, name="Payments primary"):
    """The schedule as the simulator holds it (GET /schedules/{id}), or None."""
    found = [schedule for schedule in api.get("/schedules", params={"query": name})["schedules"] if schedule["name"] == name]
    return api.get("/schedules/%s" % found[0]["id"])["schedule"] if found else None


def layer_users(schedule, index=0):
    return [entry["user"]["id"] for entry in schedule["schedule_layers"][index]["users"]]


# Create --------------------------------------------------------------------------------------------


def test_check_mode_create_predicts_and_writes_nothing(pagerduty, pd_api, account, run):
    changed, schedule, diff = run(check_mode=True, **SCHEDULE)
    assert changed
    assert pagerduty.writes() == []
    assert stored(pd_api) is None
    assert diff["before"] == {}
    assert diff["after"]["name"] == "Payments primary"
    assert diff["after"]["layers"] == [{"name": "Weekly", "start": "2024-01-01T09:00:00Z", "rotation_virtual_start": PAST,
                                        "rotation_turn_length_seconds": WEEK, "users": [ADA, GRACE],
                                        "restrictions": [dict(WEEKDAYS, start_time_of_day="09:00:00")]}]
    assert schedule["teams"][0]["summary"] == "Payments"
    assert [entry["user"]["email"] for entry in schedule["schedule_layers"][0]["users"]] == [ADA, GRACE]


def test_create_then_rerun_changes_nothing_with_two_gets(pagerduty, pd_api, account, run):
    changed, schedule, _diff = run(**SCHEDULE)
    assert changed
    held = stored(pd_api)
    assert schedule["id"] == held["id"]
    assert held["time_zone"] == "Europe/Paris" and held["description"] == "Primary on-call"
    assert [team["id"] for team in held["teams"]] == [account["Payments"]]
    assert layer_users(held) == [account[ADA], account[GRACE]]
    assert held["schedule_layers"][0]["restrictions"] == [dict(WEEKDAYS, start_time_of_day="09:00:00")]
    assert [entry["user"]["email"] for entry in schedule["schedule_layers"][0]["users"]] == [ADA, GRACE]
    writes = [(entry["method"], entry["path"]) for entry in pagerduty.writes()]
    assert writes == [("POST", "/schedules")]

    pagerduty.clear_log()
    changed, again, diff = run(**SCHEDULE)
    assert not changed
    assert diff == {"before": {}, "after": {}}
    log = pagerduty.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", "/schedules"), ("GET", "/users")]
    assert log[0]["query"]["include[]"] == "schedule_layers"
    assert again["id"] == schedule["id"]
    assert [entry["user"]["email"] for entry in again["schedule_layers"][0]["users"]] == [ADA, GRACE]


def test_timestamps_in_another_offset_and_restrictions_in_another_order_are_no_change(pagerduty, account, run):
    daily = {"type": "daily_restriction", "start_time_of_day": "20:00:00", "duration_seconds": 3600}
    run(**task(layer={"restrictions": [WEEKDAYS, daily]}))
    pagerduty.clear_log()
    elsewhere = {"start": PAST_IN_PARIS, "rotation_virtual_start": "2024-01-01T04:00:00-05:00", "users": [ADA.upper(), GRACE],
                 "restrictions": [dict(daily, start_time_of_day="20:00"), WEEKDAYS]}
    changed = run(**task(layer=elsewhere))[0]
    assert not changed
    assert pagerduty.writes() == []


def test_emails_and_names_of_a_new_schedule_are_checked_before_any_write(pagerduty, account, run):
    with pytest.raises(InvalidInput, match=r"No PagerDuty user has the email 'nobody@example.com'"):
        run(**task(layer={"users": [ADA, "nobody@example.com"]}))
    with pytest.raises(InvalidInput, match=r"No PagerDuty team is named 'Nowhere'"):
        run(**task(teams=["Nowhere"]))
    with pytest.raises(InvalidInput, match=r"No PagerDuty user has the email 'ghost@example.com'"):
        run(**task(overrides=[{"user": "ghost@example.com", "start": future(1), "end": future(2)}]))
    assert pagerduty.writes() == []


@pytest.mark.parametrize("changes, message", [
    ({"time_zone": "Mars/Olympus"}, r"time_zone 'Mars/Olympus' is not an IANA time zone"),
    ({"layer": {"users": ["ada"]}}, r"layers\[0\] \(Weekly\) user 'ada' is not an email address"),
    ({"layer": {"users": []}}, r"layers\[0\] \(Weekly\) has no users"),
    ({"layer": {"start": "2024-01-01T09:00:00"}}, r"layers\[0\] \(Weekly\) start '2024-01-01T09:00:00' has no UTC offset"),
    ({"layer": {"rotation_virtual_start": "next monday"}}, r"rotation_virtual_start 'next monday' is not an ISO 8601 date-time"),
    ({"layer": {"rotation_turn_length_seconds": 0}}, r"rotation_turn_length_seconds must be at least 1"),
    ({"layer": {"restrictions": [{"type": "weekly_restriction", "start_time_of_day": "09:00", "duration_seconds": 60}]}},
     r"a weekly_restriction needs start_day_of_week from 1 \(Monday\) to 7 \(Sunday\), got None"),
    ({"layer": {"restrictions": [{"type": "daily_restriction", "start_time_of_day": "25:00", "duration_seconds": 60}]}},
     r"start_time_of_day '25:00' is not a time of day"),
    ({"layer": {"restrictions": [{"type": "daily_restriction", "start_time_of_day": "09:00", "duration_seconds": 90000}]}},
     r"a daily_restriction lasts between 1 and 86400 seconds, got 90000"),
    ({"layers": [WEEKLY, WEEKLY]}, r"layer names must be unique within a schedule, 'Weekly' is used twice"),
    ({"overrides": [{"user": ADA, "start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}]},
     r"overrides\[0\] ends at 2030-01-01T00:00:00Z, which is not after its start"),
    ({"time_zone": None}, r"time_zone must be set to create the schedule 'Payments primary'"),
    ({"layers": None, "time_zone": None}, r"time_zone and layers must be set to create the schedule"),
])
def test_bad_input_fails_clearly_with_nothing_written(pagerduty, account, run, changes, message):
    with pytest.raises(InvalidInput, match=message):
        run(**task(**changes))
    assert pagerduty.writes() == []


# Update --------------------------------------------------------------------------------------------


def test_update_diff_holds_only_the_changed_fields(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    changed, schedule, diff = run(**task(description="Primary on-call, payments", layer={"users": [ADA, GRACE, LINUS]}))
    assert changed
    assert diff == {"before": {"description": "Primary on-call", "layers": [{"name": "Weekly", "users": [ADA, GRACE]}]},
                    "after": {"description": "Primary on-call, payments", "layers": [{"name": "Weekly", "users": [ADA, GRACE, LINUS]}]}}
    held = stored(pd_api)
    assert held["description"] == "Primary on-call, payments"
    assert layer_users(held) == [account[ADA], account[GRACE], account[LINUS]]
    assert [entry["user"]["email"] for entry in schedule["schedule_layers"][0]["users"]] == [ADA, GRACE, LINUS]


def test_check_mode_update_predicts_and_writes_nothing(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    pagerduty.clear_log()
    changed, schedule, diff = run(check_mode=True, **task(layer={"users": [GRACE, ADA]}, teams=["Search"]))
    assert changed
    assert pagerduty.writes() == []
    assert diff["after"] == {"teams": ["Search"], "layers": [{"name": "Weekly", "users": [GRACE, ADA]}]}
    assert [entry["user"]["email"] for entry in schedule["schedule_layers"][0]["users"]] == [GRACE, ADA]
    assert schedule["teams"][0]["summary"] == "Search"
    assert layer_users(stored(pd_api)) == [account[ADA], account[GRACE]]


def test_user_order_is_the_rotation_order(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    changed, _schedule, diff = run(**task(layer={"users": [GRACE, ADA]}))
    assert changed
    assert diff["after"]["layers"] == [{"name": "Weekly", "users": [GRACE, ADA]}]
    assert layer_users(stored(pd_api)) == [account[GRACE], account[ADA]]


def test_pagerduty_moving_a_started_layers_start_is_no_change(pagerduty, pd_api, account, run):
    """PagerDuty ends the old version of a started layer it changes and starts the new one at the update."""
    run(**SCHEDULE)
    run(**task(layer={"rotation_turn_length_seconds": 86400}))
    held = stored(pd_api)["schedule_layers"][0]
    assert not same_instant(held["start"], PAST)  # rewritten to the time of the update
    assert same_instant(held["rotation_virtual_start"], PAST)
    pagerduty.clear_log()
    changed, _schedule, diff = run(**task(layer={"rotation_turn_length_seconds": 86400}))
    assert not changed, diff
    assert pagerduty.writes() == []


def test_an_unchanged_layer_is_sent_back_as_it_is_so_its_start_stays(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    run(**task(description="Only the description"))
    assert same_instant(stored(pd_api)["schedule_layers"][0]["start"], PAST)


def test_a_future_start_is_compared_and_kept(pagerduty, pd_api, account, run):
    later, even_later = future(30), future(40)
    run(**task(layer={"start": later}))
    assert same_instant(stored(pd_api)["schedule_layers"][0]["start"], later)
    changed, _schedule, diff = run(**task(layer={"start": even_later}))
    assert changed
    assert diff["before"]["layers"] == [{"name": "Weekly", "start": later}]
    assert diff["after"]["layers"] == [{"name": "Weekly", "start": even_later}]
    assert same_instant(stored(pd_api)["schedule_layers"][0]["start"], even_later)
    pagerduty.clear_log()
    assert not run(**task(layer={"start": even_later}))[0]
    assert pagerduty.writes() == []


def test_a_layer_added_in_the_past_starts_now_and_then_stays_unchanged(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    nights = {"name": "Nights", "start": PAST, "rotation_virtual_start": PAST, "rotation_turn_length_seconds": 86400,
              "users": [LINUS], "restrictions": [{"type": "daily_restriction", "start_time_of_day": "20:00", "duration_seconds": 43200}]}
    changed, _schedule, diff = run(**task(layers=[WEEKLY, nights]))
    assert changed
    assert diff["before"] == {"layers": []}
    assert [layer["name"] for layer in diff["after"]["layers"]] == ["Nights"]
    held = stored(pd_api)
    assert sorted(layer["name"] for layer in held["schedule_layers"]) == ["Nights", "Weekly"]
    pagerduty.clear_log()
    assert not run(**task(layers=[WEEKLY, nights]))[0]
    assert pagerduty.writes() == []


def test_a_dropped_layer_is_ended_and_the_next_run_changes_nothing(pagerduty, pd_api, account, run):
    nights = {"name": "Nights", "start": PAST, "rotation_virtual_start": PAST, "rotation_turn_length_seconds": 86400,
              "users": [LINUS]}
    run(**task(layers=[WEEKLY, nights]))
    pagerduty.clear_log()
    changed, _schedule, diff = run(**SCHEDULE)
    assert changed
    assert diff["after"] == {"layers": []}
    assert [layer["name"] for layer in diff["before"]["layers"]] == ["Nights"]
    assert [(entry["method"], entry["path"]) for entry in pagerduty.writes()] == [("PUT", "/schedules/%s" % stored(pd_api)["id"])]
    live = [layer for layer in stored(pd_api)["schedule_layers"] if not layer.get("end")]
    assert [layer["name"] for layer in live] == ["Weekly"]
    pagerduty.clear_log()
    assert not run(**SCHEDULE)[0]
    assert pagerduty.writes() == []


def test_a_second_layer_of_the_same_name_is_ended(pagerduty, pd_api, account, run):
    layer = {"name": "Weekly", "start": PAST, "rotation_virtual_start": PAST, "rotation_turn_length_seconds": WEEK}
    seed(pagerduty, schedules=[{"type": "schedule", "name": "Payments primary", "time_zone": "Europe/Paris", "schedule_layers": [
        dict(layer, users=[{"user": {"id": account[ADA], "type": "user_reference"}}]),
        dict(layer, users=[{"user": {"id": account[LINUS], "type": "user_reference"}}])]}])
    params = task(layer={"restrictions": []})
    assert run(**params)[0]
    live = [entry for entry in stored(pd_api)["schedule_layers"] if not entry.get("end")]
    assert [layer_users({"schedule_layers": live})] == [[account[ADA], account[GRACE]]]
    pagerduty.clear_log()
    assert not run(**params)[0]
    assert pagerduty.writes() == []


def test_teams_change(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    changed, _schedule, diff = run(**task(teams=["Search"]))
    assert changed
    assert diff == {"before": {"teams": ["Payments"]}, "after": {"teams": ["Search"]}}
    assert [team["id"] for team in stored(pd_api)["teams"]] == [account["Search"]]


def test_unknown_names_in_an_update_fail_before_any_write(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="No PagerDuty team is named 'Nowhere'"):
        run(**task(teams=["Nowhere"], description="changed too"))
    with pytest.raises(InvalidInput, match="'nobody@example.com'"):
        run(**task(layer={"users": ["nobody@example.com"]}, description="changed too"))
    assert pagerduty.writes() == []
    assert stored(pd_api)["description"] == "Primary on-call"


def test_options_left_unset_are_left_as_they_are(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    pagerduty.clear_log()
    changed, schedule, _diff = run(name="Payments primary", description="Just this")
    assert changed
    held = stored(pd_api)
    assert held["time_zone"] == "Europe/Paris"
    assert [team["id"] for team in held["teams"]] == [account["Payments"]]
    assert layer_users(held) == [account[ADA], account[GRACE]]
    assert same_instant(held["schedule_layers"][0]["start"], PAST)
    assert schedule["description"] == "Just this"


# Overrides -----------------------------------------------------------------------------------------


def test_overrides_are_created_once_and_matched_as_instants(pagerduty, pd_api, account, run):
    wanted = [{"user": GRACE, "start": "2030-12-24T18:00:00+01:00", "end": "2030-12-26T09:00:00+01:00"}]
    changed, schedule, diff = run(**task(overrides=wanted))
    assert changed
    assert [override["user"]["email"] for override in schedule["overrides"]] == [GRACE]
    assert diff["after"]["overrides"] == [{"user": GRACE, "start": "2030-12-24T17:00:00Z", "end": "2030-12-26T08:00:00Z"}]
    held = pd_api.get("/schedules/%s/overrides" % schedule["id"],
                      params={"since": "2030-01-01T00:00:00Z", "until": "2031-01-01T00:00:00Z"})["overrides"]
    assert [(override["user"]["id"], canonical(override["start"])) for override in held] == [(account[GRACE], "2030-12-24T17:00:00Z")]

    pagerduty.clear_log()
    spelled_otherwise = [{"user": GRACE, "start": "2030-12-24T17:00:00Z", "end": "2030-12-26T03:00:00-05:00"}]
    changed, again, diff = run(**task(overrides=spelled_otherwise))
    assert not changed
    assert diff == {"before": {}, "after": {}}
    log = pagerduty.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [
        ("GET", "/schedules"), ("GET", "/users"), ("GET", "/schedules/%s/overrides" % schedule["id"])]
    assert again["overrides"][0]["id"] == held[0]["id"]


def test_a_new_override_is_added_beside_existing_ones(pagerduty, pd_api, account, run):
    first = {"user": GRACE, "start": "2030-12-24T18:00:00+01:00", "end": "2030-12-26T09:00:00+01:00"}
    second = {"user": ADA, "start": "2030-12-31T18:00:00+01:00", "end": "2031-01-01T09:00:00+01:00"}
    run(**task(overrides=[first]))
    pagerduty.clear_log()
    changed, schedule, diff = run(check_mode=True, **task(overrides=[first, second]))
    assert changed and pagerduty.writes() == []
    assert [entry["user"] for entry in diff["after"]["overrides"]] == [ADA]
    changed, schedule, _diff = run(**task(overrides=[first, second]))
    assert changed
    assert [(entry["method"], entry["path"]) for entry in pagerduty.writes()] == [("POST", "/schedules/%s/overrides" % schedule["id"])]
    assert sorted(override["user"]["email"] for override in schedule["overrides"]) == [ADA, GRACE]


def test_check_mode_with_overrides_on_a_new_schedule(pagerduty, account, run):
    wanted = [{"user": GRACE, "start": "2030-12-24T18:00:00+01:00", "end": "2030-12-26T09:00:00+01:00"}]
    changed, schedule, diff = run(check_mode=True, **task(overrides=wanted))
    assert changed and pagerduty.writes() == []
    assert schedule["overrides"][0]["user"]["email"] == GRACE
    assert diff["after"]["overrides"][0]["user"] == GRACE


# Delete --------------------------------------------------------------------------------------------


def test_delete_in_check_mode_then_for_real_then_again(pagerduty, pd_api, account, run):
    run(**SCHEDULE)
    pagerduty.clear_log()
    changed, result, diff = run(check_mode=True, name="Payments primary", state="absent")
    assert changed and result is None
    assert diff == {"before": {"name": "Payments primary"}, "after": {}}
    assert pagerduty.writes() == [] and stored(pd_api) is not None
    changed, result, _diff = run(name="Payments primary", state="absent")
    assert changed and result is None
    assert stored(pd_api) is None
    pagerduty.clear_log()
    changed, result, _diff = run(name="Payments primary", state="absent")
    assert not changed
    assert [entry["method"] for entry in pagerduty.requests()] == ["GET"]


def test_a_schedule_an_escalation_policy_uses_is_not_deleted(pagerduty, pd_api, account, run):
    schedule = run(**SCHEDULE)[1]
    seed(pagerduty, escalation_policies=[{"type": "escalation_policy", "name": "Payments escalation", "escalation_rules": [
        {"escalation_delay_in_minutes": 30, "targets": [{"type": "schedule_reference", "id": schedule["id"]}]}]}])
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=r"The schedule 'Payments primary' cannot be removed: the escalation policies "
                                           r"'Payments escalation' \(P\w+\) still use it, and PagerDuty refuses"):
        run(name="Payments primary", state="absent")
    assert pagerduty.writes() == []
    assert stored(pd_api) is not None


def test_an_api_refusal_is_an_api_error(pagerduty, account, run):
    run(**SCHEDULE)
    fault = {"method": "PUT", "path": "^/schedules/", "status": 400,
             "body": {"error": {"message": "Invalid Input Provided", "errors": ["Layer is broken"]}}}
    requests.post(pagerduty.url + "/_sim/faults", json=fault, timeout=5).raise_for_status()
    with pytest.raises(ApiError, match="Layer is broken"):
        run(**task(description="changed"))
