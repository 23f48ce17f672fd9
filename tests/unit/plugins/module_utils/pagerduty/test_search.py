"""PagerDuty.search and find_by_name against the simulator: exact name, part of a name, or everything."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError

NAMES = ["Payments", "Payments EU", "Search"]


@pytest.fixture
def teams(pagerduty):
    seeded = [{"type": "team", "name": name} for name in NAMES]
    requests.post(pagerduty.url + "/_sim/seed", json={"teams": seeded}, timeout=5).raise_for_status()
    pagerduty.clear_log()


def names(found):
    return sorted(item["name"] for item in found)


def test_a_name_is_matched_exactly_after_the_api_narrows_the_list(pagerduty, pd_api, teams):
    assert names(pd_api.search("teams", name="Payments")) == ["Payments"]
    assert [entry["query"].get("query") for entry in pagerduty.requests()] == ["Payments"]


def test_a_query_keeps_every_partial_match(pd_api, teams):
    assert names(pd_api.search("teams", query="pay")) == ["Payments", "Payments EU"]


def test_neither_lists_everything_without_a_query(pagerduty, pd_api, teams):
    assert names(pd_api.search("teams")) == NAMES
    assert "query" not in pagerduty.requests()[0]["query"]


def test_find_by_name_gives_the_one_object_or_none(pd_api, teams):
    assert pd_api.find_by_name("teams", "Payments")["name"] == "Payments"
    assert pd_api.find_by_name("teams", "Nobody") is None


def test_find_by_name_refuses_two_of_one_name(pd_api, monkeypatch):
    monkeypatch.setattr(pd_api, "list", lambda collection, params: [{"name": "Primary", "id": "P1"}, {"name": "Primary", "id": "P2"}])
    with pytest.raises(ApiError, match="2 schedules are named 'Primary'"):
        pd_api.find_by_name("schedules", "Primary")
