"""Escalation policies, schedules (layers, overrides, users) and on-calls."""

from datetime import datetime, timezone

from .pagerduty_fixtures import DAY, error_of, pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import

NOON = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)


def users(pd, *names):
    return [pd.user(name)["id"] for name in names]


def test_escalation_policy_crud(pd):
    alice, bob = users(pd, "Alice", "Bob")
    schedule = pd.schedule("Primary", [bob])
    team = pd.team("SRE")
    policy = pd.policy("Ops", ("user_reference", alice), ("schedule_reference", schedule["id"]), num_loops=2,
                       on_call_handoff_notifications="always", teams=[{"id": team["id"], "type": "team_reference"}])
    assert policy["num_loops"] == 2 and policy["on_call_handoff_notifications"] == "always"
    assert [rule["targets"][0]["type"] for rule in policy["escalation_rules"]] == ["user_reference", "schedule_reference"]
    assert all(rule["id"] for rule in policy["escalation_rules"])
    assert policy["teams"][0]["id"] == team["id"]
    shown = pd.get("/escalation_policies/" + policy["id"], params={"include[]": "targets"}).json()["escalation_policy"]
    assert shown["escalation_rules"][0]["targets"][0]["type"] == "user"
    body = {"type": "escalation_policy", "name": "Ops renamed", "escalation_rules": [
        {"escalation_delay_in_minutes": 10, "targets": [{"id": bob, "type": "user_reference"}]}]}
    changed = pd.put("/escalation_policies/" + policy["id"], json={"escalation_policy": body}).json()["escalation_policy"]
    assert changed["name"] == "Ops renamed" and len(changed["escalation_rules"]) == 1
    assert changed["num_loops"] == 2, "fields left out of a PUT keep their values"
    emptied = pd.put("/escalation_policies/" + policy["id"], json={"escalation_policy": dict(body, escalation_rules=[])})
    assert emptied.status_code == 400, "PagerDuty refuses to take every rule away from a policy"
    listed = pd.get("/escalation_policies", params={"query": "renamed"}).json()["escalation_policies"]
    assert [item["id"] for item in listed] == [policy["id"]]
    assert pd.get("/escalation_policies", params={"user_ids[]": bob}).json()["escalation_policies"][0]["id"] == policy["id"]
    assert pd.delete("/escalation_policies/" + policy["id"]).status_code == 204


def test_escalation_policy_validation(pd):
    alice = pd.user("Alice")["id"]
    missing = pd.post("/escalation_policies", json={"escalation_policy": {"type": "escalation_policy", "name": "X"}})
    assert missing.status_code == 400 and "escalation_rules" in error_of(missing)["errors"][0]
    empty = pd.post("/escalation_policies", json={"escalation_policy": {
        "type": "escalation_policy", "name": "X", "escalation_rules": [{"escalation_delay_in_minutes": 5, "targets": []}]}})
    assert empty.status_code == 400, "a rule needs at least one target"
    no_rules = pd.post("/escalation_policies", json={"escalation_policy": {
        "type": "escalation_policy", "name": "X", "escalation_rules": []}})
    assert no_rules.status_code == 400 and "at least one rule" in error_of(no_rules)["errors"][0]
    assert pd.get("/escalation_policies").json()["escalation_policies"] == []
    unknown = pd.post("/escalation_policies", json={"escalation_policy": {
        "type": "escalation_policy", "name": "X",
        "escalation_rules": [{"escalation_delay_in_minutes": 5, "targets": [{"id": "PNOSUCH", "type": "user_reference"}]}]}})
    assert unknown.status_code == 404
    two_teams = [{"id": pd.team(name)["id"], "type": "team_reference"} for name in ("A", "B")]
    reply = pd.post("/escalation_policies", json={"escalation_policy": {
        "type": "escalation_policy", "name": "X", "teams": two_teams,
        "escalation_rules": [{"escalation_delay_in_minutes": 5, "targets": [{"id": alice, "type": "user_reference"}]}]}})
    assert reply.status_code == 400


def test_referenced_user_and_schedule_cannot_be_deleted(pd):
    alice, bob = users(pd, "Alice", "Bob")
    schedule = pd.schedule("Primary", [bob])
    policy = pd.policy("Checkout EP", ("user_reference", alice), ("schedule_reference", schedule["id"]))
    reply = pd.delete("/users/" + alice)
    assert reply.status_code == 400
    assert "Checkout EP" in error_of(reply)["errors"][0] and policy["id"] in error_of(reply)["errors"][0]
    reply = pd.delete("/schedules/" + schedule["id"])
    assert reply.status_code == 400 and "Checkout EP" in error_of(reply)["errors"][0]
    assert pd.get("/users/" + alice).status_code == 200
    assert pd.delete("/escalation_policies/" + policy["id"]).status_code == 204
    assert pd.delete("/users/" + alice).status_code == 204
    assert pd.delete("/schedules/" + schedule["id"]).status_code == 204


def test_policy_used_by_a_service_cannot_be_deleted(pd):
    alice = pd.user("Alice")["id"]
    policy = pd.policy("Payments EP", ("user_reference", alice))
    service = pd.service("Payments", policy["id"])
    reply = pd.delete("/escalation_policies/" + policy["id"])
    assert reply.status_code == 400 and "Payments" in error_of(reply)["errors"][0]
    assert service["id"] in error_of(reply)["errors"][0]
    assert pd.get("/escalation_policies/" + policy["id"]).json()["escalation_policy"]["services"][0]["id"] == service["id"]


def test_team_escalation_policy_association(pd):
    alice = pd.user("Alice")["id"]
    policy = pd.policy("EP", ("user_reference", alice))
    team = pd.team("Core")
    assert pd.put("/teams/%s/escalation_policies/%s" % (team["id"], policy["id"])).status_code == 204
    assert pd.get("/escalation_policies", params={"team_ids[]": team["id"]}).json()["escalation_policies"][0]["id"] == policy["id"]
    assert pd.delete("/teams/%s/escalation_policies/%s" % (team["id"], policy["id"])).status_code == 204
    assert pd.get("/escalation_policies/" + policy["id"]).json()["escalation_policy"]["teams"] == []


def test_schedule_renders_rotation(pd):
    pd.sim.frozen_now = NOON
    alice, bob = users(pd, "Alice", "Bob")
    schedule = pd.schedule("Daily", [alice, bob], start="2024-03-01T00:00:00Z")
    layer = schedule["schedule_layers"][0]
    assert layer["start"] == "2024-03-01T00:00:00Z" and layer["rotation_turn_length_seconds"] == DAY
    assert [entry["user"]["id"] for entry in layer["users"]] == [alice, bob]
    shown = pd.get("/schedules/" + schedule["id"], params={"since": "2024-03-10T00:00:00Z",
                                                           "until": "2024-03-12T00:00:00Z"}).json()["schedule"]
    entries = shown["final_schedule"]["rendered_schedule_entries"]
    assert [(entry["start"], entry["user"]["id"]) for entry in entries] == [
        ("2024-03-10T00:00:00Z", bob), ("2024-03-11T00:00:00Z", alice)]
    assert shown["final_schedule"]["rendered_coverage_percentage"] == 100.0
    assert {user["id"] for user in shown["users"]} == {alice, bob}


def test_schedule_restrictions_limit_coverage(pd):
    alice = pd.user("Alice")["id"]
    schedule = pd.schedule("Business hours", [alice], start="2024-03-01T00:00:00Z", layer={
        "restrictions": [{"type": "daily_restriction", "start_time_of_day": "09:00:00", "duration_seconds": 8 * 3600}]})
    shown = pd.get("/schedules/" + schedule["id"], params={"since": "2024-03-10T00:00:00Z",
                                                           "until": "2024-03-11T00:00:00Z"}).json()["schedule"]
    entries = shown["final_schedule"]["rendered_schedule_entries"]
    assert [(entry["start"], entry["end"]) for entry in entries] == [("2024-03-10T09:00:00Z", "2024-03-10T17:00:00Z")]
    assert shown["final_schedule"]["rendered_coverage_percentage"] == round(100 * 8 / 24, 2)


def test_schedule_validation(pd):
    alice = pd.user("Alice")["id"]
    body = {"type": "schedule", "name": "S", "time_zone": "Etc/UTC", "schedule_layers": [
        {"start": "2024-01-01T00:00:00Z", "rotation_virtual_start": "2024-01-01T00:00:00Z",
         "users": [{"user": {"id": alice, "type": "user_reference"}}]}]}
    reply = pd.post("/schedules", json={"schedule": body})
    assert reply.status_code == 400 and "rotation_turn_length_seconds" in error_of(reply)["errors"][0]
    no_zone = {"type": "schedule", "name": "S"}
    assert pd.post("/schedules", json={"schedule": no_zone}).status_code == 400
    bad_zone = {"type": "schedule", "name": "S", "time_zone": "Mars/Olympus_Mons"}
    assert pd.post("/schedules", json={"schedule": bad_zone}).status_code == 400
    rails_zone = {"type": "schedule", "name": "S", "time_zone": "Eastern Time (US & Canada)"}
    assert pd.post("/schedules", json={"schedule": rails_zone}).status_code == 201


def test_updating_a_past_layer_rewrites_its_start(pd):
    """PagerDuty ends the old layer and starts the changed one at the time of the update."""
    pd.sim.frozen_now = NOON
    alice, bob = users(pd, "Alice", "Bob")
    schedule = pd.schedule("Rotation", [alice, bob], start="2024-03-01T00:00:00Z")
    layer = schedule["schedule_layers"][0]
    body = {"type": "schedule", "name": "Rotation", "time_zone": "Etc/UTC", "schedule_layers": [layer]}
    unchanged = pd.put("/schedules/" + schedule["id"], json={"schedule": body}).json()["schedule"]
    assert unchanged["schedule_layers"][0]["start"] == "2024-03-01T00:00:00Z", "a layer sent back as it was keeps its start"

    changed_layer = dict(layer, rotation_turn_length_seconds=2 * DAY)
    body["schedule_layers"] = [changed_layer]
    changed = pd.put("/schedules/" + schedule["id"], json={"schedule": body}).json()["schedule"]
    new_layer = changed["schedule_layers"][0]
    assert new_layer["id"] == layer["id"]
    assert new_layer["start"] == "2024-03-10T12:00:00Z"
    assert new_layer["rotation_virtual_start"] == "2024-03-01T00:00:00Z"

    shown = pd.get("/schedules/" + schedule["id"], params={"since": "2024-03-09T00:00:00Z",
                                                           "until": "2024-03-11T00:00:00Z"}).json()["schedule"]
    entries = [(entry["start"], entry["end"], entry["user"]["id"]) for entry in shown["final_schedule"]["rendered_schedule_entries"]]
    assert entries[0] == ("2024-03-09T00:00:00Z", "2024-03-10T00:00:00Z", alice), "the past is rendered from the old layer"
    assert entries[-1][2] == alice and entries[-1][1] == "2024-03-11T00:00:00Z"

    pd.sim.frozen_now = datetime(2024, 3, 11, 8, 0, tzinfo=timezone.utc)
    body["schedule_layers"] = [dict(changed_layer, start="2024-03-01T00:00:00Z", name="Renamed")]
    again = pd.put("/schedules/" + schedule["id"], json={"schedule": body}).json()["schedule"]
    assert again["schedule_layers"][0]["start"] == "2024-03-11T08:00:00Z", "sending the original start moves it again"


def test_fields_left_out_of_a_schedule_update_keep_their_values(pd):
    pd.sim.frozen_now = NOON
    alice = pd.user("Alice")["id"]
    team = pd.team("Rota team")
    schedule = pd.schedule("Kept", [alice], teams=[{"id": team["id"], "type": "team_reference"}])
    renamed = pd.put("/schedules/" + schedule["id"], json={"schedule": {"type": "schedule", "name": "Kept too",
                                                                        "time_zone": "Etc/UTC"}}).json()["schedule"]
    assert renamed["name"] == "Kept too"
    assert renamed["schedule_layers"] == schedule["schedule_layers"]
    assert [item["id"] for item in renamed["teams"]] == [team["id"]]


def test_future_layer_start_is_kept_on_update(pd):
    pd.sim.frozen_now = NOON
    alice = pd.user("Alice")["id"]
    schedule = pd.schedule("Later", [alice], start="2024-04-01T00:00:00Z")
    layer = dict(schedule["schedule_layers"][0], rotation_turn_length_seconds=7 * DAY)
    body = {"type": "schedule", "name": "Later", "time_zone": "Etc/UTC", "schedule_layers": [layer]}
    changed = pd.put("/schedules/" + schedule["id"], json={"schedule": body}).json()["schedule"]
    assert changed["schedule_layers"][0]["start"] == "2024-04-01T00:00:00Z"


def test_overrides(pd):
    pd.sim.frozen_now = NOON
    alice, bob = users(pd, "Alice", "Bob")
    schedule = pd.schedule("Primary", [alice], start="2024-03-01T00:00:00Z")
    path = "/schedules/%s/overrides" % schedule["id"]
    reply = pd.post(path, json={"overrides": [
        {"start": "2024-03-10T10:00:00Z", "end": "2024-03-10T14:00:00Z", "user": {"id": bob, "type": "user_reference"}},
        {"start": "2024-03-12T00:00:00Z", "end": "2024-03-13T00:00:00Z", "user": {"id": bob, "type": "user_reference"}},
        {"start": "2024-03-12T00:00:00Z", "end": "2024-03-11T00:00:00Z", "user": {"id": bob, "type": "user_reference"}}]})
    assert reply.status_code == 201
    results = reply.json()
    assert [result["status"] for result in results] == [201, 201, 400]
    current, future = results[0]["override"], results[1]["override"]
    listed = pd.get(path, params={"since": "2024-03-10T00:00:00Z", "until": "2024-03-11T00:00:00Z"}).json()["overrides"]
    assert [item["id"] for item in listed] == [current["id"]]
    assert pd.get(path).status_code == 400, "since and until are required"
    shown = pd.get("/schedules/" + schedule["id"], params={"since": "2024-03-10T00:00:00Z",
                                                           "until": "2024-03-11T00:00:00Z"}).json()["schedule"]
    entries = [(entry["start"], entry["user"]["id"]) for entry in shown["final_schedule"]["rendered_schedule_entries"]]
    assert entries == [("2024-03-10T00:00:00Z", alice), ("2024-03-10T10:00:00Z", bob), ("2024-03-10T14:00:00Z", alice)]
    assert len(shown["overrides_subschedule"]["rendered_schedule_entries"]) == 1
    middle = {"since": "2024-03-10T11:00:00Z", "until": "2024-03-10T13:00:00Z"}
    users_on_call = pd.get("/schedules/%s/users" % schedule["id"], params=middle).json()["users"]
    assert [user["id"] for user in users_on_call] == [bob]
    assert pd.delete("%s/%s" % (path, current["id"])).status_code == 200, "an override under way is truncated"
    assert pd.delete("%s/%s" % (path, future["id"])).status_code == 204
    assert pd.delete("%s/%s" % (path, future["id"])).status_code == 404
    remaining = pd.get(path, params={"since": "2024-03-01T00:00:00Z", "until": "2024-04-01T00:00:00Z"}).json()["overrides"]
    assert [(item["id"], item["end"]) for item in remaining] == [(current["id"], "2024-03-10T12:00:00Z")]


def test_oncalls_from_policies_and_schedules(pd):
    pd.sim.frozen_now = NOON
    alice, bob, carol = users(pd, "Alice", "Bob", "Carol")
    schedule = pd.schedule("Daily", [bob, carol], start="2024-03-01T00:00:00Z")
    policy = pd.policy("Ops", ("schedule_reference", schedule["id"]), ("user_reference", alice))
    oncalls = pd.get("/oncalls").json()["oncalls"]
    assert [(item["escalation_level"], item["user"]["id"]) for item in oncalls] == [(1, carol), (2, alice)]
    shift = oncalls[0]
    assert (shift["start"], shift["end"]) == ("2024-03-10T00:00:00Z", "2024-03-11T00:00:00Z")
    assert shift["schedule"]["id"] == schedule["id"] and shift["escalation_policy"]["id"] == policy["id"]
    assert oncalls[1]["schedule"] is None and oncalls[1]["start"] is None and oncalls[1]["end"] is None

    window = {"since": "2024-03-10T00:00:00Z", "until": "2024-03-12T12:00:00Z"}
    ranged = pd.get("/oncalls", params=dict(window, **{"schedule_ids[]": schedule["id"]})).json()["oncalls"]
    assert [(item["user"]["id"], item["start"]) for item in ranged] == [
        (carol, "2024-03-10T00:00:00Z"), (bob, "2024-03-11T00:00:00Z"), (carol, "2024-03-12T00:00:00Z")]
    earliest = pd.get("/oncalls", params=dict(window, earliest="true", **{"schedule_ids[]": schedule["id"]})).json()["oncalls"]
    assert [(item["user"]["id"], item["start"]) for item in earliest] == [
        (carol, "2024-03-10T00:00:00Z"), (bob, "2024-03-11T00:00:00Z")]
    only_carol = pd.get("/oncalls", params=dict(window, **{"user_ids[]": carol})).json()["oncalls"]
    assert {item["user"]["id"] for item in only_carol} == {carol}
    other = pd.policy("Other", ("user_reference", carol))
    only_other = pd.get("/oncalls", params={"escalation_policy_ids[]": other["id"]}).json()["oncalls"]
    assert [(item["escalation_policy"]["id"], item["user"]["id"]) for item in only_other] == [(other["id"], carol)]
    assert pd.get("/oncalls", params={"earliest": "maybe"}).status_code == 400


def test_deleted_user_leaves_schedules_and_teams(pd):
    alice, bob = users(pd, "Alice", "Bob")
    schedule = pd.schedule("Primary", [alice, bob])
    team = pd.team("T")
    pd.put("/teams/%s/users/%s" % (team["id"], bob))
    assert pd.delete("/users/" + bob).status_code == 204
    layer = pd.get("/schedules/" + schedule["id"]).json()["schedule"]["schedule_layers"][0]
    assert [entry["user"]["id"] for entry in layer["users"]] == [alice]
    assert pd.get("/teams/%s/members" % team["id"]).json()["members"] == []


def test_schedule_list_and_delete(pd):
    alice = pd.user("Alice")["id"]
    first = pd.schedule("Alpha rota", [alice])
    pd.schedule("Beta rota", [alice])
    names = [item["name"] for item in pd.get("/schedules", params={"query": "alpha"}).json()["schedules"]]
    assert names == ["Alpha rota"]
    assert "schedule_layers" not in pd.get("/schedules").json()["schedules"][0]
    assert "schedule_layers" in pd.get("/schedules", params={"include[]": "schedule_layers"}).json()["schedules"][0]
    assert pd.delete("/schedules/" + first["id"]).status_code == 204
    assert pd.get("/schedules/" + first["id"]).status_code == 404
