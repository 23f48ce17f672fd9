"""pd_user_info through run() against the PagerDuty simulator."""

import pytest
import requests
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_user, pd_user_info

ADA = "ada@example.com"
OWNER = "owner@incident-ops.example.com"


@pytest.fixture
def run(pd_module, pd_api):
    def call(**params):
        return pd_user_info.run(pd_module(pd_user_info.ARGUMENT_SPEC, **params), pd_api)
    return call


@pytest.fixture
def ada(pd_module, pd_api, pagerduty):
    """Ada with an SMS number, a rule on it and a team, made with pd_user."""
    requests.post(pagerduty.url + "/_sim/seed", json={"teams": [{"type": "team", "name": "Payments"}]}, timeout=5)
    params = dict(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "sms", "address": "2025550143", "label": "Mobile"}],
                  notification_rules=[{"contact_method": {"type": "sms", "address": "2025550143"}}], teams=["Payments"])
    return pd_user.run(pd_module(pd_user.ARGUMENT_SPEC, **params), pd_api)[1]


def test_by_email_returns_the_user_in_full_with_one_request(pagerduty, ada, run):
    pagerduty.clear_log()
    changed, users, diff = run(email="ADA@example.com")
    assert not changed and diff is None
    assert [user["id"] for user in users] == [ada["id"]]
    user = users[0]
    assert sorted(method["address"] for method in user["contact_methods"]) == ["2025550143", ADA]
    assert [(rule["urgency"], rule["contact_method"]["type"], rule["contact_method"]["address"], rule["contact_method"]["label"])
            for rule in user["notification_rules"]] == [("high", "sms_contact_method", "2025550143", "Mobile")]
    assert [team["name"] for team in user["teams"]] == ["Payments"]
    log = pagerduty.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", "/users")]
    assert sorted(log[0]["query"]["include[]"]) == ["contact_methods", "notification_rules", "teams"]


def test_an_unknown_email_gives_an_empty_list(run):
    assert run(email="nobody@example.com") == (False, [], None)


def test_a_bad_email_fails_before_any_request(pagerduty, run):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="'nobody' is not an email address"):
        run(email="nobody")
    assert pagerduty.requests() == []


def test_query_is_a_substring_search(ada, run):
    changed, users, diff = run(query="lovelace")
    assert [user["email"] for user in users] == [ADA]
    changed, users, diff = run(query="example.com")
    assert sorted(user["email"] for user in users) == [ADA, OWNER]


def test_everyone_every_page_one_request_per_page(pagerduty, run):
    people = [{"type": "user", "name": "Person %03d" % number, "email": "person%03d@example.com" % number} for number in range(150)]
    requests.post(pagerduty.url + "/_sim/seed", json={"users": people}, timeout=5).raise_for_status()
    pagerduty.clear_log()
    changed, users, diff = run()
    assert len(users) == 151
    assert len(set(user["id"] for user in users)) == 151
    assert all(user["contact_methods"] and user["notification_rules"][0]["contact_method"].get("address") for user in users)
    log = pagerduty.requests()
    assert [(entry["method"], entry["path"], entry["query"]["offset"]) for entry in log] == [("GET", "/users", "0"), ("GET", "/users", "100")]


def test_email_and_query_are_mutually_exclusive():
    validator = ArgumentSpecValidator(pd_user_info.ARGUMENT_SPEC, mutually_exclusive=pd_user_info.MUTUALLY_EXCLUSIVE)
    result = validator.validate({"api_token": "x", "email": ADA, "query": "ada"})
    assert any("mutually exclusive" in message for message in result.error_messages)
