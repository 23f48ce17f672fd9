"""Check mode plans an onboarding on a fresh account: every name a task refers to may be created by an earlier task."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import connect
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import (
    pd_escalation_policy, pd_escalation_policy_info, pd_oncall_info, pd_schedule, pd_team, pd_user)

from pd_runs import seed, users

ADA = "ada@example.com"
GRACE = "grace@example.com"
START = "2024-01-01T00:00:00Z"
ASSUMED = ": assumed to be created by an earlier task (or misspelt); check mode goes on"

TEAM = dict(name="Payments", description="Card processing", members=[{"email": ADA, "role": "manager"}, {"email": GRACE}])
SCHEDULE = dict(name="Payments primary", time_zone="Europe/Paris", teams=["Payments"],
                layers=[{"name": "Rotation", "start": START, "rotation_virtual_start": START,
                         "rotation_turn_length_seconds": 604800, "users": [ADA, GRACE]}])
POLICY = dict(name="Payments escalation", teams=["Payments"], num_loops=1,
              rules=[{"escalation_delay_in_minutes": 15, "targets": [{"type": "schedule", "name": "Payments primary"}]},
                     {"escalation_delay_in_minutes": 30, "targets": [{"type": "user", "name": ADA}]}])


@pytest.fixture
def task(pd_module):
    """Run one module as a task does: its own client, built by ``connect`` from the module (so in check mode when it is)."""
    def call(module, check_mode=False, **params):
        built = pd_module(module.ARGUMENT_SPEC, check_mode=check_mode, **params)
        api = connect(built)
        changed, result, diff = module.run(built, api)
        return changed, result, diff, api.warnings
    return call


def test_a_whole_onboarding_plans_in_check_mode_on_a_fresh_account(pagerduty, task):
    pagerduty.clear_log()
    changed, user, _diff, warnings = task(pd_user, check_mode=True, email=ADA, name="Ada Lovelace", teams=["Payments"])
    assert changed and user["email"] == ADA and [team["name"] for team in user["teams"]] == ["Payments"]
    assert warnings == ["No PagerDuty team is named 'Payments'" + ASSUMED]

    changed, team, diff, warnings = task(pd_team, check_mode=True, **TEAM)
    assert changed and team["name"] == "Payments"
    assert [(member["email"], member["role"]) for member in team["members"]] == [(ADA, "manager"), (GRACE, "responder")]
    assert diff["after"]["members"] == [{"email": ADA, "role": "manager"}, {"email": GRACE, "role": "responder"}]
    assert warnings == ["No PagerDuty user has the email 'ada@example.com', 'grace@example.com'" + ASSUMED]

    changed, schedule, diff, warnings = task(pd_schedule, check_mode=True, **SCHEDULE)
    assert changed and diff["before"] == {}
    assert [team["summary"] for team in schedule["teams"]] == ["Payments"]
    assert [entry["user"]["email"] for entry in schedule["schedule_layers"][0]["users"]] == [ADA, GRACE]
    assert sorted(warnings) == sorted(["No PagerDuty user has the email 'ada@example.com', 'grace@example.com'" + ASSUMED,
                                       "No PagerDuty team is named 'Payments'" + ASSUMED])

    changed, policy, diff, warnings = task(pd_escalation_policy, check_mode=True, **POLICY)
    assert changed and diff["after"]["rules"] == [
        {"escalation_delay_in_minutes": 15, "targets": [{"type": "schedule", "name": "Payments primary"}]},
        {"escalation_delay_in_minutes": 30, "targets": [{"type": "user", "name": ADA}]}]
    assert policy["name"] == "Payments escalation"
    assert sorted(warnings) == sorted(["No PagerDuty team is named 'Payments'" + ASSUMED,
                                       "No PagerDuty user has the email 'ada@example.com'" + ASSUMED,
                                       "No PagerDuty schedule is named 'Payments primary'" + ASSUMED])
    assert pagerduty.writes() == []


def test_an_existing_policy_shows_a_change_to_a_target_not_created_yet(pagerduty, task):
    seed(pagerduty, users=users(("Ada Lovelace", ADA)))
    task(pd_escalation_policy, name="Payments escalation",
         rules=[{"escalation_delay_in_minutes": 30, "targets": [{"type": "user", "name": ADA}]}])
    pagerduty.clear_log()
    changed, policy, diff, warnings = task(pd_escalation_policy, check_mode=True, name="Payments escalation",
                                           rules=[{"escalation_delay_in_minutes": 30, "targets": [{"type": "user", "name": GRACE}]}])
    assert changed and diff["after"]["rules"][0]["targets"] == [{"type": "user", "name": GRACE}]
    assert policy["escalation_rules"][0]["targets"][0]["email"] == GRACE
    assert warnings == ["No PagerDuty user has the email 'grace@example.com'" + ASSUMED]
    assert pagerduty.writes() == []


@pytest.mark.parametrize("module, params, result_words", [
    (pd_team, TEAM, "No PagerDuty user has the email 'ada@example.com', 'grace@example.com'"),
    (pd_schedule, dict(SCHEDULE, teams=None), "No PagerDuty user has the email 'ada@example.com', 'grace@example.com'"),
    (pd_escalation_policy, dict(POLICY, teams=None), "No PagerDuty user has the email 'ada@example.com'"),
    (pd_user, dict(email=ADA, name="Ada Lovelace", teams=["Payments"]), "No PagerDuty team is named 'Payments'"),
])
def test_outside_check_mode_a_misspelt_name_still_fails_before_any_write(pagerduty, task, module, params, result_words):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput) as caught:
        task(module, **params)
    assert str(caught.value) == result_words
    assert pagerduty.writes() == []


@pytest.mark.parametrize("module, params, warning", [
    (pd_oncall_info, dict(user=ADA), "No PagerDuty user has the email 'ada@example.com'"),
    (pd_oncall_info, dict(schedules=["Payments primary"]), "No PagerDuty schedule is named 'Payments primary'"),
    (pd_escalation_policy_info, dict(team="Payments"), "No PagerDuty team is named 'Payments'"),
])
def test_an_info_module_in_check_mode_finds_nothing_for_a_filter_not_created_yet(pagerduty, task, module, params, warning):
    pagerduty.clear_log()
    changed, found, diff, warnings = task(module, check_mode=True, **params)
    assert (changed, found, diff) == (False, [], None)
    assert warnings == [warning + ASSUMED]
    assert all("unknown:" not in entry["path"] + str(entry["query"]) for entry in pagerduty.requests())
    with pytest.raises(InvalidInput, match=warning):
        task(module, **params)
