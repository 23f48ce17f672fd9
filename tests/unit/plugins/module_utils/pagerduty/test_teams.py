"""How schedules and escalation policies name, compare and write the teams they belong to."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.teams import (
    current_team_references, desired_team_names, named_team_references, shown_team_references, team_names)
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

TEAMS = {"Payments": {"id": "PT1", "name": "Payments"}, "Search": {"id": "PT2", "name": "Search"}}


class FakeApi:
    def __init__(self):
        self.asked = []

    def require_named(self, collection, name):
        self.asked.append((collection, name))
        if name not in TEAMS:
            raise InvalidInput("No PagerDuty team is named %r" % name)
        return TEAMS[name]


def test_desired_names_are_stripped_once_each_and_sorted():
    assert desired_team_names([" Search", "Payments", "Search "]) == ["Payments", "Search"]
    assert desired_team_names([]) == []
    assert desired_team_names(None) is None


def test_current_names_come_from_references_or_objects():
    record = {"teams": [{"id": "PT2", "type": "team_reference", "summary": "Search"}, {"id": "PT1", "name": "Payments"}]}
    assert team_names(record) == ["Payments", "Search"]
    assert team_names({"teams": None}) == [] and team_names({}) == []


def test_named_references_look_each_team_up():
    api = FakeApi()
    assert named_team_references(api, ["Search", "Payments"]) == [
        {"id": "PT2", "type": "team_reference"}, {"id": "PT1", "type": "team_reference"}]
    assert api.asked == [("teams", "Search"), ("teams", "Payments")]
    with pytest.raises(InvalidInput, match="'Nobody'"):
        named_team_references(api, ["Nobody"])


def test_shown_references_carry_the_name():
    assert shown_team_references(FakeApi(), ["Payments"]) == [{"id": "PT1", "type": "team_reference", "summary": "Payments"}]


def test_current_references_send_the_teams_back_as_they_are():
    assert current_team_references({"teams": [{"id": "PT1", "summary": "Payments", "self": "x"}]}) == [
        {"id": "PT1", "type": "team_reference"}]
    assert current_team_references({}) == []
