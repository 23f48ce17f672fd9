"""Schedules and on-calls as PagerDuty renders them: time zones, include[], ranges on the list, ended layers."""

from datetime import datetime, timezone

import requests

from .pagerduty_fixtures import DAY, error_of, pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import

MONDAY = datetime(2026, 1, 7, 12, 0, tzinfo=timezone.utc)
PARIS_START = "2026-01-05T09:00:00Z"


def paris_schedule(pd, *user_ids, **fields):
    """A daily rotation in Europe/Paris whose layer starts on Monday 5 January 2026 at 10:00 Paris time."""
    return pd.schedule("Paris rota", list(user_ids), start=PARIS_START, time_zone="Europe/Paris", **fields)


def test_schedule_times_are_written_in_the_schedules_time_zone(pd):
    pd.sim.frozen_now = MONDAY
    alice, bob = pd.user("Alice")["id"], pd.user("Bob")["id"]
    created = paris_schedule(pd, alice, bob)
    layer = created["schedule_layers"][0]
    assert (layer["start"], layer["rotation_virtual_start"]) == ("2026-01-05T10:00:00+01:00", "2026-01-05T10:00:00+01:00")

    window = {"since": "2026-01-06T09:00:00Z", "until": "2026-01-07T09:00:00Z"}
    shown = pd.get("/schedules/" + created["id"], params=window).json()["schedule"]
    assert shown["schedule_layers"][0]["start"] == "2026-01-05T10:00:00+01:00"
    entries = shown["final_schedule"]["rendered_schedule_entries"]
    assert [(entry["start"], entry["end"], entry["user"]["id"]) for entry in entries] == [
        ("2026-01-06T10:00:00+01:00", "2026-01-07T10:00:00+01:00", bob)]
    layer_entries = shown["schedule_layers"][0]["rendered_schedule_entries"]
    assert layer_entries[0]["start"] == "2026-01-06T10:00:00+01:00"

    in_tokyo = pd.get("/schedules/" + created["id"], params=dict(window, time_zone="Asia/Tokyo")).json()["schedule"]
    assert in_tokyo["schedule_layers"][0]["start"] == "2026-01-05T18:00:00+09:00"
    assert in_tokyo["final_schedule"]["rendered_schedule_entries"][0]["start"] == "2026-01-06T18:00:00+09:00"
    assert in_tokyo["time_zone"] == "Europe/Paris", "the parameter changes the rendering, not the schedule"
    bad = pd.get("/schedules/" + created["id"], params={"time_zone": "Mars/Olympus_Mons"})
    assert bad.status_code == 400 and "time_zone" in error_of(bad)["errors"][0]

    body = {"type": "schedule", "name": "Paris rota", "time_zone": "Europe/Paris",
            "schedule_layers": [shown["schedule_layers"][0]]}
    updated = pd.put("/schedules/" + created["id"], json={"schedule": body}).json()["schedule"]
    assert updated["schedule_layers"][0]["start"] == "2026-01-05T10:00:00+01:00", \
        "a layer sent back with its offset is the same instant, so it keeps its start"


def test_a_utc_schedule_keeps_the_z_form_and_summer_time_moves_the_offset(pd):
    alice = pd.user("Alice")["id"]
    utc = pd.schedule("UTC rota", [alice], start="2026-01-05T09:00:00+01:00")
    assert utc["schedule_layers"][0]["start"] == "2026-01-05T08:00:00Z"
    london = pd.schedule("London rota", [alice], start="2026-01-05T09:00:00Z", time_zone="Europe/London",
                         layer={"end": "2026-07-06T09:00:00Z"})
    layer = london["schedule_layers"][0]
    assert (layer["start"], layer["end"]) == ("2026-01-05T09:00:00+00:00", "2026-07-06T10:00:00+01:00"), \
        "a zone at offset zero is not written as Z, and the offset follows summer time"


def test_overrides_are_written_in_the_schedules_time_zone(pd):
    pd.sim.frozen_now = MONDAY
    alice, bob = pd.user("Alice")["id"], pd.user("Bob")["id"]
    schedule = paris_schedule(pd, alice)
    path = "/schedules/%s/overrides" % schedule["id"]
    reply = pd.post(path, json={"overrides": [{"start": "2026-01-08T08:00:00Z", "end": "2026-01-08T16:00:00Z",
                                               "user": {"id": bob, "type": "user_reference"}}]})
    created = reply.json()[0]["override"]
    assert (created["start"], created["end"]) == ("2026-01-08T09:00:00+01:00", "2026-01-08T17:00:00+01:00")
    listed = pd.get(path, params={"since": "2026-01-08T00:00:00Z", "until": "2026-01-09T00:00:00Z"}).json()["overrides"]
    assert [(item["start"], item["end"]) for item in listed] == [("2026-01-08T09:00:00+01:00", "2026-01-08T17:00:00+01:00")]


def test_oncalls_are_written_in_the_account_time_zone_or_time_zone(pd):
    """GET /oncalls: ``time_zone`` defaults to the account's time zone, not the schedule's."""
    pd.sim.frozen_now = MONDAY
    alice, bob = pd.user("Alice")["id"], pd.user("Bob")["id"]
    schedule = paris_schedule(pd, alice, bob)
    pd.policy("Paris EP", ("schedule_reference", schedule["id"]))
    shift = pd.get("/oncalls").json()["oncalls"][0]
    assert (shift["start"], shift["end"], shift["user"]["id"]) == ("2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z", alice)
    in_paris = pd.get("/oncalls", params={"time_zone": "Europe/Paris"}).json()["oncalls"][0]
    assert (in_paris["start"], in_paris["end"]) == ("2026-01-07T10:00:00+01:00", "2026-01-08T10:00:00+01:00")
    requests.put(pd.url + "/_sim/settings", json={"account_time_zone": "America/New_York"}, timeout=5).raise_for_status()
    in_new_york = pd.get("/oncalls").json()["oncalls"][0]
    assert in_new_york["start"] == "2026-01-07T04:00:00-05:00"
    listed = pd.get("/schedules", params={"include[]": "schedule_layers"}).json()["schedules"][0]
    assert listed["schedule_layers"][0]["start"] == "2026-01-05T04:00:00-05:00", \
        "the list renders in the account's time zone too (an account token has no user)"
    assert pd.get("/oncalls", params={"time_zone": "Nowhere/Else"}).status_code == 400


def test_oncalls_include_expands_users_schedules_and_policies(pd):
    pd.sim.frozen_now = MONDAY
    alice, bob = pd.user("Alice")["id"], pd.user("Bob")["id"]
    schedule = paris_schedule(pd, alice)
    policy = pd.policy("Expanded EP", ("schedule_reference", schedule["id"]), ("user_reference", bob))
    plain = pd.get("/oncalls").json()["oncalls"]
    assert [item["user"]["type"] for item in plain] == ["user_reference", "user_reference"]
    assert plain[0]["schedule"]["type"] == "schedule_reference"
    assert plain[0]["escalation_policy"]["type"] == "escalation_policy_reference"

    full = pd.get("/oncalls", params={"include[]": ["users", "schedules", "escalation_policies"]}).json()["oncalls"]
    scheduled, permanent = full
    assert scheduled["user"]["type"] == "user" and scheduled["user"]["email"] == "alice@example.com"
    assert scheduled["user"]["id"] == alice and permanent["user"]["id"] == bob
    assert scheduled["schedule"]["type"] == "schedule" and scheduled["schedule"]["time_zone"] == "Europe/Paris"
    assert scheduled["schedule"]["id"] == schedule["id"]
    assert scheduled["schedule"]["schedule_layers"][0]["start"] == "2026-01-05T09:00:00Z", \
        "an included schedule is rendered in the on-calls' zone"
    assert permanent["schedule"] is None, "a permanent on-call still has no schedule"
    assert scheduled["escalation_policy"]["type"] == "escalation_policy"
    assert scheduled["escalation_policy"]["id"] == policy["id"]
    assert len(scheduled["escalation_policy"]["escalation_rules"]) == 2
    only_users = pd.get("/oncalls", params={"include[]": "users"}).json()["oncalls"][0]
    assert only_users["user"]["type"] == "user" and only_users["schedule"]["type"] == "schedule_reference"
    assert pd.get("/oncalls", params={"include[]": "teams"}).status_code == 400, "the description lists three values"


def test_schedule_list_renders_entries_for_since_until_and_includes(pd):
    pd.sim.frozen_now = MONDAY
    alice, bob = pd.user("Alice")["id"], pd.user("Bob")["id"]
    schedule = paris_schedule(pd, alice, bob)
    pd.post("/schedules/%s/overrides" % schedule["id"], json={"overrides": [
        {"start": "2026-01-06T12:00:00Z", "end": "2026-01-06T13:00:00Z", "user": {"id": alice, "type": "user_reference"}}]})
    plain = pd.get("/schedules").json()["schedules"][0]
    assert not {"schedule_layers", "final_schedule", "overrides_subschedule"} & set(plain), \
        "without include[] the list has none of the parts"

    window = {"since": "2026-01-06T09:00:00Z", "until": "2026-01-07T09:00:00Z", "time_zone": "Europe/Paris"}
    every_part = ["schedule_layers", "final_schedule", "overrides_subschedule"]
    listed = pd.get("/schedules", params=dict(window, **{"include[]": every_part})).json()["schedules"][0]
    layer_entries = listed["schedule_layers"][0]["rendered_schedule_entries"]
    assert [(entry["start"], entry["user"]["id"]) for entry in layer_entries] == [("2026-01-06T10:00:00+01:00", bob)]
    final = listed["final_schedule"]["rendered_schedule_entries"]
    assert [(entry["start"], entry["user"]["id"]) for entry in final] == [
        ("2026-01-06T10:00:00+01:00", bob), ("2026-01-06T13:00:00+01:00", alice), ("2026-01-06T14:00:00+01:00", bob)]
    assert [entry["user"]["id"] for entry in listed["overrides_subschedule"]["rendered_schedule_entries"]] == [alice]
    assert listed["final_schedule"]["rendered_coverage_percentage"] == 100.0
    one = pd.get("/schedules/" + schedule["id"], params=window).json()["schedule"]
    assert one["final_schedule"] == listed["final_schedule"], "the list renders like GET /schedules/{id}"

    only_final = pd.get("/schedules", params=dict(window, **{"include[]": "final_schedule"})).json()["schedules"][0]
    assert "final_schedule" in only_final and "schedule_layers" not in only_final
    assert "overrides_subschedule" not in only_final
    until_only = pd.get("/schedules", params={"until": "2026-01-07T09:00:00Z", "include[]": "final_schedule"})
    entries = until_only.json()["schedules"][0]["final_schedule"]["rendered_schedule_entries"]
    assert entries[0]["start"] == "2026-01-05T09:00:00Z", "since defaults to two weeks before until (clipped to the layer)"
    no_range = pd.get("/schedules", params={"include[]": every_part}).json()["schedules"][0]
    assert "rendered_schedule_entries" not in no_range["schedule_layers"][0]
    assert no_range["final_schedule"]["rendered_schedule_entries"] == []


def test_ending_a_layer_keeps_its_start(pd):
    """PagerDuty keeps an ended layer's start; the layer sent back as returned is accepted."""
    pd.sim.frozen_now = MONDAY
    alice, bob = pd.user("Alice")["id"], pd.user("Bob")["id"]
    schedule = pd.schedule("Ending", [alice, bob], start="2026-01-01T00:00:00Z")
    layer = schedule["schedule_layers"][0]
    body = {"type": "schedule", "name": "Ending", "time_zone": "Etc/UTC",
            "schedule_layers": [dict(layer, end="2026-01-07T12:00:00Z")]}
    ended = pd.put("/schedules/" + schedule["id"], json={"schedule": body}).json()["schedule"]["schedule_layers"][0]
    assert (ended["id"], ended["start"], ended["end"]) == (layer["id"], "2026-01-01T00:00:00Z", "2026-01-07T12:00:00Z")

    pd.sim.frozen_now = datetime(2026, 1, 8, 12, 0, tzinfo=timezone.utc)
    body["schedule_layers"] = [ended]
    again = pd.put("/schedules/" + schedule["id"], json={"schedule": body})
    assert again.status_code == 200, again.text
    assert again.json()["schedule"]["schedule_layers"][0]["start"] == "2026-01-01T00:00:00Z"

    shown = pd.get("/schedules/" + schedule["id"], params={"since": "2026-01-06T00:00:00Z",
                                                           "until": "2026-01-08T00:00:00Z"}).json()["schedule"]
    entries = [(entry["start"], entry["end"], entry["user"]["id"]) for entry in shown["final_schedule"]["rendered_schedule_entries"]]
    assert entries == [("2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z", bob),
                       ("2026-01-07T00:00:00Z", "2026-01-07T12:00:00Z", alice)], "the layer covers its whole span, then stops"


def test_a_changed_layer_that_would_end_before_its_new_start_is_refused(pd):
    pd.sim.frozen_now = MONDAY
    alice = pd.user("Alice")["id"]
    schedule = pd.schedule("Rotation", [alice], start="2026-01-01T00:00:00Z")
    changed = dict(schedule["schedule_layers"][0], rotation_turn_length_seconds=2 * DAY, end="2026-01-07T06:00:00Z")
    body = {"type": "schedule", "name": "Rotation", "time_zone": "Etc/UTC", "schedule_layers": [changed]}
    reply = pd.put("/schedules/" + schedule["id"], json={"schedule": body})
    assert reply.status_code == 400, "a changed started layer restarts now, after the end it was given"
    assert error_of(reply)["errors"] == ["Layer end must be after its start"]


def test_layers_are_listed_in_the_order_they_were_written(pd):
    """The description types schedule_layers as a plain list and its examples have one layer: no reversal."""
    alice, bob = pd.user("Alice")["id"], pd.user("Bob")["id"]
    base = {"start": "2026-01-05T09:00:00Z", "rotation_virtual_start": "2026-01-05T09:00:00Z",
            "rotation_turn_length_seconds": DAY}
    layers = [dict(base, name=name, users=[{"user": {"id": user_id, "type": "user_reference"}}])
              for name, user_id in (("Base", alice), ("Top", bob))]
    created = pd.created("/schedules", "schedule", {"type": "schedule", "name": "Two layers", "time_zone": "Etc/UTC",
                                                    "schedule_layers": layers})
    assert [layer["name"] for layer in created["schedule_layers"]] == ["Base", "Top"]
    shown = pd.get("/schedules/" + created["id"], params={"since": "2026-01-06T00:00:00Z",
                                                          "until": "2026-01-07T00:00:00Z"}).json()["schedule"]
    assert {entry["user"]["id"] for entry in shown["final_schedule"]["rendered_schedule_entries"]} == {bob}, \
        "the last layer written wins"
