"""pd_team_info through run() against the PagerDuty simulator."""

import pytest
import requests
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.incident.ops.plugins.modules import pd_team_info


@pytest.fixture
def account(pagerduty):
    """Two users and 'count' teams named Team 000, Team 001... (Payments has both users)."""
    def build(count=3):
        people = [{"type": "user", "name": "Ada Lovelace", "email": "ada@example.com"},
                  {"type": "user", "name": "Grace Hopper", "email": "grace@example.com"}]
        users = requests.post(pagerduty.url + "/_sim/seed", json={"users": people}, timeout=5).json()["users"]
        teams = [{"type": "team", "name": "Team %03d" % number} for number in range(count)]
        teams.append({"type": "team", "name": "Payments", "description": "Cards",
                      "members": [{"user": {"id": users[0]}, "role": "manager"}, {"user": {"id": users[1]}, "role": "observer"}]})
        requests.post(pagerduty.url + "/_sim/seed", json={"teams": teams}, timeout=5).raise_for_status()
        pagerduty.clear_log()
    return build


@pytest.fixture
def run(pd_module, pd_api):
    def call(**params):
        return pd_team_info.run(pd_module(pd_team_info.ARGUMENT_SPEC, **params), pd_api)
    return call


def test_by_name_returns_the_team_with_members(pagerduty, account, run):
    account()
    changed, teams, diff = run(name="Payments")
    assert not changed and diff is None
    assert [team["name"] for team in teams] == ["Payments"]
    assert teams[0]["description"] == "Cards"
    assert [(member["email"], member["role"], member["name"]) for member in teams[0]["members"]] == [
        ("ada@example.com", "manager", "Ada Lovelace"), ("grace@example.com", "observer", "Grace Hopper")]
    assert all(entry["method"] == "GET" for entry in pagerduty.requests())
    assert len(pagerduty.requests()) == 2


def test_name_is_exact(account, run):
    account()
    assert run(name="Team 00")[1] == []
    assert run(name="payments")[1] == []


def test_query_matches_part_of_the_name(account, run):
    account()
    teams = run(query="team 00")[1]
    assert [team["name"] for team in teams] == ["Team 000", "Team 001", "Team 002"]
    assert all(team["members"] == [] for team in teams)


def test_all_teams_over_several_pages(pagerduty, account, run):
    account(count=130)
    changed, teams, _diff = run()
    assert not changed
    assert len(teams) == 131
    lists = [entry for entry in pagerduty.requests() if entry["path"] == "/teams"]
    assert [int(entry["query"]["offset"]) for entry in lists] == [0, 100]
    assert pagerduty.writes() == []


def test_no_team_gives_an_empty_list(run):
    assert run() == (False, [], None)


def test_name_and_query_are_exclusive(pagerduty):
    validator = ArgumentSpecValidator(pd_team_info.ARGUMENT_SPEC, mutually_exclusive=pd_team_info.MUTUALLY_EXCLUSIVE)
    result = validator.validate(dict(pagerduty.options, name="Payments", query="Pay"))
    assert "mutually exclusive" in " ".join(result.error_messages)
