"""pd_user state=absent for a user still in escalation policies and schedules, with and without force."""

import re

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.pagerduty import offboarding
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_user

ADA, GRACE, LINUS = "ada@example.com", "grace@example.com", "linus@example.com"
IDS = {ADA: "PADA001", GRACE: "PGRACE1", LINUS: "PLINUS1"}
START = "2024-01-01T00:00:00Z"


def user_ref(email):
    return {"id": IDS[email], "type": "user_reference"}


def layer(name, *emails):
    return {"name": name, "start": START, "rotation_virtual_start": START, "rotation_turn_length_seconds": 86400,
            "users": [{"user": user_ref(email)} for email in emails]}


def schedule(schedule_id, name, *layers):
    return {"id": schedule_id, "type": "schedule", "name": name, "time_zone": "Europe/Paris", "description": name + " rota",
            "schedule_layers": list(layers)}


def policy(policy_id, name, *rules, **extra):
    return dict({"id": policy_id, "type": "escalation_policy", "name": name, "escalation_rules": [
        dict({"escalation_delay_in_minutes": delay, "targets": targets}, **options) for delay, targets, options in rules]}, **extra)


@pytest.fixture
def seed(pagerduty):
    def load(**data):
        reply = requests.post(pagerduty.url + "/_sim/seed", json=data, timeout=5)
        assert reply.status_code == 201, reply.text
        return reply.json()
    load(users=[{"id": IDS[email], "type": "user", "name": email.split("@")[0].title(), "email": email} for email in IDS],
         teams=[{"id": "PTEAM01", "type": "team", "name": "Payments"}])
    return load


@pytest.fixture
def held(seed):
    """Ada in two layers of Primary, in two rules of Ops (one shared with Grace, one alone), and on-call through Primary in Tier."""
    primary = {"id": "PSCHED1", "type": "schedule_reference"}
    ops = policy("PPOLICY", "Ops", (30, [user_ref(ADA), user_ref(GRACE)], {"escalation_rule_assignment_strategy": "round_robin"}),
                 (15, [user_ref(ADA)], {}), (10, [primary], {}), teams=[{"id": "PTEAM01", "type": "team_reference"}])
    seed(schedules=[schedule("PSCHED1", "Primary", layer("Day", ADA, GRACE), layer("Weekend", ADA))],
         escalation_policies=[ops, policy("PTIER01", "Tier", (5, [primary], {}))])


@pytest.fixture
def run(pd_module, pd_api):
    def call(check_mode=False, **params):
        return pd_user.run(pd_module(pd_user.ARGUMENT_SPEC, check_mode=check_mode, **params), pd_api)
    return call


def policy_rules(api, policy_id):
    found = api.get("/escalation_policies/%s" % policy_id, params={"include[]": ["escalation_rule_assignment_strategies"]})
    return [(rule["escalation_delay_in_minutes"], [target["id"] for target in rule["targets"]],
             rule.get("escalation_rule_assignment_strategy")) for rule in found["escalation_policy"]["escalation_rules"]]


def schedule_layers(api, schedule_id):
    found = api.get("/schedules/%s" % schedule_id)["schedule"]
    return [(entry["name"], [member["user"]["id"] for member in entry["users"]]) for entry in found["schedule_layers"]]


def user_exists(api, email):
    return any(user["email"] == email for user in api.get("/users", params={"query": email})["users"])


def test_a_held_user_is_not_removed_and_the_message_names_what_holds_them(pagerduty, pd_api, held, run):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput) as failure:
        run(email=ADA, state="absent")
    message = str(failure.value)
    assert "ada@example.com is still in escalation policy 'Ops' (PPOLICY), schedule 'Primary' (PSCHED1)" in message
    assert "force=true" in message and "Tier" not in message
    assert pagerduty.writes() == []
    assert user_exists(pd_api, ADA)


def test_a_user_in_a_schedule_only_is_not_removed_either(pagerduty, pd_api, seed, run):
    seed(schedules=[schedule("PSCHED2", "Backup", layer("Only", GRACE, LINUS))])
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=re.escape("linus@example.com is still in schedule 'Backup' (PSCHED2)")):
        run(email=LINUS, state="absent")
    assert pagerduty.writes() == []


def test_force_takes_the_user_out_then_removes_them(pagerduty, pd_api, held, run):
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, state="absent", force=True)
    assert changed and user is None
    assert diff["before"] == {"email": ADA, "escalation_policies": ["Ops"], "schedules": ["Primary"]}
    assert diff["after"] == {}
    assert [(entry["method"], entry["path"]) for entry in pagerduty.writes()] == [
        ("PUT", "/escalation_policies/PPOLICY"), ("PUT", "/schedules/PSCHED1"), ("DELETE", "/users/PADA001")]
    assert [entry["path"] for entry in pagerduty.requests() if entry["method"] == "GET"] == ["/users", "/escalation_policies", "/schedules"]
    assert not user_exists(pd_api, ADA)
    # The shared rule keeps Grace and its strategy, Ada's own rule is gone, the schedule rule stays.
    assert policy_rules(pd_api, "PPOLICY") == [(30, [IDS[GRACE]], "round_robin"), (10, ["PSCHED1"], None)]
    stored = pd_api.get("/escalation_policies/PPOLICY")["escalation_policy"]
    assert [team["id"] for team in stored["teams"]] == ["PTEAM01"]
    assert schedule_layers(pd_api, "PSCHED1") == [("Day", [IDS[GRACE]])]
    assert pd_api.get("/schedules/PSCHED1")["schedule"]["description"] == "Primary rota"
    assert policy_rules(pd_api, "PTIER01") == [(5, ["PSCHED1"], None)]

    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, state="absent", force=True)
    assert not changed
    assert [entry["method"] for entry in pagerduty.requests()] == ["GET"]


def test_force_in_check_mode_reports_and_writes_nothing(pagerduty, pd_api, held, run):
    pagerduty.clear_log()
    changed, user, diff = run(check_mode=True, email=ADA, state="absent", force=True)
    assert changed and user is None
    assert diff["before"]["escalation_policies"] == ["Ops"] and diff["before"]["schedules"] == ["Primary"]
    assert pagerduty.writes() == []
    assert user_exists(pd_api, ADA)
    assert len(policy_rules(pd_api, "PPOLICY")) == 3


def test_force_refuses_to_leave_a_policy_without_rules(pagerduty, pd_api, held, seed, run):
    seed(escalation_policies=[policy("PLONELY", "Lonely", (5, [user_ref(ADA)], {}))])
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=re.escape("Taking the user out of escalation policy 'Lonely' (PLONELY) would leave it with no "
                                                     "escalation rules")):
        run(email=ADA, state="absent", force=True)
    assert pagerduty.writes() == []
    assert len(policy_rules(pd_api, "PPOLICY")) == 3


def test_force_refuses_to_leave_a_schedule_without_layers(pagerduty, pd_api, held, seed, run):
    seed(schedules=[schedule("PSOLO01", "Solo", layer("Only", ADA))])
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=re.escape("Taking the user out of schedule 'Solo' (PSOLO01) would leave it with no layers")):
        run(email=ADA, state="absent", force=True)
    assert pagerduty.writes() == []
    assert user_exists(pd_api, ADA)


def test_force_without_holdings_just_removes(pagerduty, pd_api, held, run):
    pagerduty.clear_log()
    changed, user, diff = run(email=LINUS, state="absent", force=True)
    assert changed and diff["before"] == {"email": LINUS}
    assert [entry["method"] for entry in pagerduty.writes()] == ["DELETE"]


def test_policy_and_schedule_bodies():
    """The PUT bodies keep everything but the user: rule ids and strategies, layer fields, teams."""
    found = {"id": "P1", "name": "Ops", "teams": [{"id": "T1", "type": "team_reference", "summary": "Payments"}],
             "escalation_rules": [
                 {"id": "R1", "escalation_delay_in_minutes": 30, "escalation_rule_assignment_strategy": "assign_to_everyone",
                  "targets": [{"id": "U1", "type": "user_reference"}, {"id": "S1", "type": "schedule_reference"}]},
                 {"id": "R2", "escalation_delay_in_minutes": 5, "targets": [{"id": "U1", "type": "user"}]}]}
    assert offboarding.policy_without(found, "U1") == {"escalation_policy": {
        "type": "escalation_policy", "name": "Ops", "teams": [{"id": "T1", "type": "team_reference"}],
        "escalation_rules": [{"id": "R1", "escalation_delay_in_minutes": 30, "escalation_rule_assignment_strategy": "assign_to_everyone",
                              "targets": [{"id": "S1", "type": "schedule_reference"}]}]}}
    rota = {"id": "S1", "name": "Rota", "time_zone": "UTC", "description": None, "schedule_layers": [
        {"id": "L1", "name": "Day", "start": START, "end": None, "rotation_virtual_start": START, "rotation_turn_length_seconds": 60,
         "restrictions": [], "rendered_coverage_percentage": None,
         "users": [{"user": {"id": "U1", "type": "user_reference"}}, {"user": {"id": "U2", "type": "user_reference"}}]}]}
    assert offboarding.schedule_without(rota, "U1") == {"schedule": {
        "type": "schedule", "name": "Rota", "time_zone": "UTC", "schedule_layers": [
            {"id": "L1", "name": "Day", "start": START, "rotation_virtual_start": START, "rotation_turn_length_seconds": 60,
             "restrictions": [], "users": [{"user": {"id": "U2", "type": "user_reference"}}]}]}}
