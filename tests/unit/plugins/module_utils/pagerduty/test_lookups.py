"""The PagerDuty client's lookups against the simulator: one request where the API allows, bad names as bad input."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty, reference
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput


def seed(pagerduty, **objects):
    requests.post(pagerduty.url + "/_sim/seed", json=objects, timeout=5).raise_for_status()
    pagerduty.clear_log()


def user(name, email):
    return {"type": "user", "name": name, "email": email}


def test_find_user_matches_the_whole_email_case_insensitively_in_one_request(pagerduty, pd_api):
    seed(pagerduty, users=[user("Ada", "ada@example.com"), user("Xada", "xada@example.com")])
    found = pd_api.find_user("ADA@Example.com", include=["contact_methods"])
    assert found["name"] == "Ada"
    assert found["contact_methods"][0]["address"] == "ada@example.com", "include[] expands the contact methods"
    log = pagerduty.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", "/users")]
    assert pd_api.find_user("nobody@example.com") is None


def test_find_by_name_is_exact_and_refuses_ambiguity(pagerduty, pd_api):
    seed(pagerduty, teams=[{"type": "team", "name": "Payments"}, {"type": "team", "name": "Payments Ops"}])
    assert pd_api.find_by_name("teams", "Payments")["name"] == "Payments"
    assert pd_api.find_by_name("teams", "payments") is None
    assert pd_api.find_by_name("teams", "Pay") is None


def test_names_are_resolved_once_per_run_and_unknown_names_are_bad_input(pagerduty, pd_api):
    seed(pagerduty, teams=[{"type": "team", "name": "Payments"}], users=[user("Ada", "ada@example.com")])
    first = pd_api.require_named("teams", "Payments")
    assert pd_api.require_named("teams", "Payments") is first
    assert pd_api.require_user("ada@example.com")["name"] == "Ada"
    assert pd_api.require_user("ADA@example.com")["name"] == "Ada"
    assert len(pagerduty.requests()) == 2
    with pytest.raises(InvalidInput, match="No PagerDuty escalation policy is named 'Nope'"):
        pd_api.require_named("escalation_policies", "Nope")
    with pytest.raises(InvalidInput, match="No PagerDuty user has the email 'ghost@example.com'"):
        pd_api.require_user("ghost@example.com")


def test_require_users_names_every_unknown_email_at_once(pagerduty, pd_api):
    seed(pagerduty, users=[user("Ada", "ada@example.com"), user("Grace", "grace@example.com")])
    found = pd_api.require_users(["grace@example.com", "Ada@example.com"])
    assert sorted(found) == ["ada@example.com", "grace@example.com"]
    assert len(pagerduty.requests()) == 1, "one page of users holds both"
    with pytest.raises(InvalidInput) as caught:
        pd_api.require_users(["ada@example.com", "x@example.com", "y@example.com"])
    assert "'x@example.com', 'y@example.com'" in str(caught.value)


def test_writes_that_need_from_fail_clearly_without_it(pagerduty):
    options = pagerduty.options
    api = PagerDuty(options["api_url"], options["api_token"])
    with pytest.raises(ApiError, match="needs from_email"):
        api.acting_user()
    assert PagerDuty(options["api_url"], options["api_token"], from_email="a@b.io").acting_user() == {"From": "a@b.io"}


def test_a_wrong_token_is_an_api_error_without_the_token(pagerduty):
    api = PagerDuty(pagerduty.options["api_url"], "not-the-token-123")
    with pytest.raises(ApiError) as caught:
        api.find_user("ada@example.com")
    assert caught.value.status == 401
    assert "not-the-token-123" not in str(caught.value)


def test_reference():
    assert reference("team", "P1") == {"id": "P1", "type": "team_reference"}
