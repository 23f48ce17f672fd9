"""Check mode on a fresh account: names a task refers to but nobody has created yet are assumed, with a warning."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, PagerDuty, connect
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput


@pytest.fixture
def check_api(pagerduty):
    options = pagerduty.options
    return PagerDuty(options["api_url"], options["api_token"], from_email=options["from_email"], check_mode=True)


def seed_ada(pagerduty):
    requests.post(pagerduty.url + "/_sim/seed", json={"users": [{"type": "user", "name": "Ada", "email": "ada@example.com"}]},
                  timeout=5).raise_for_status()
    pagerduty.clear_log()


def test_an_unknown_user_is_assumed_in_check_mode_with_a_warning(pagerduty, check_api):
    user = check_api.require_user("Grace@Example.com")
    assert user["email"] == "grace@example.com" and user["type"] == "user" and user["id"]
    assert check_api.warnings == ["No PagerDuty user has the email 'Grace@Example.com': assumed to be created by an earlier "
                                  "task (or misspelt); check mode goes on"]
    assert check_api.require_user("grace@example.com") is user, "looked up once per run"
    assert check_api.users_by_id([user["id"]]) == {user["id"]: user}, "a stand-in is never asked for by id"
    assert all(entry["method"] == "GET" for entry in pagerduty.requests())


def test_require_users_assumes_only_the_unknown_ones_and_warns_once(pagerduty, check_api):
    seed_ada(pagerduty)
    found = check_api.require_users(["ada@example.com", "grace@example.com", "linus@example.com"])
    assert found["ada@example.com"]["name"] == "Ada" and found["ada@example.com"] not in check_api.assumed
    assert [user["email"] for user in check_api.assumed] == ["grace@example.com", "linus@example.com"]
    assert len(check_api.warnings) == 1
    assert "'grace@example.com', 'linus@example.com'" in check_api.warnings[0]


@pytest.mark.parametrize("collection, kind, words", [
    ("teams", "team", "No PagerDuty team is named 'Payments'"),
    ("schedules", "schedule", "No PagerDuty schedule is named 'Payments primary'"),
    ("escalation_policies", "escalation_policy", "No PagerDuty escalation policy is named 'Payments'"),
])
def test_an_unknown_named_object_is_assumed_in_check_mode(check_api, collection, kind, words):
    name = words.rsplit("'", 2)[1]
    found = check_api.require_named(collection, name)
    assert (found["type"], found["name"], found["summary"]) == (kind, name, name)
    assert check_api.warnings == [words + ": assumed to be created by an earlier task (or misspelt); check mode goes on"]


def test_outside_check_mode_an_unknown_name_is_still_bad_input(pagerduty, pd_api):
    with pytest.raises(InvalidInput, match="No PagerDuty team is named 'Payments'"):
        pd_api.require_named("teams", "Payments")
    with pytest.raises(InvalidInput, match="No PagerDuty user has the email 'grace@example.com'"):
        pd_api.require_users(["grace@example.com"])
    assert pd_api.assumed == [] and pd_api.warnings == []


def test_a_stand_in_never_reaches_the_api(pagerduty, check_api):
    team = check_api.require_named("teams", "Payments")
    pagerduty.clear_log()
    with pytest.raises(ApiError, match="Check mode assumed that the team 'Payments' exist"):
        check_api.put("/teams/%s/users/P1" % team["id"], {"role": "manager"})
    with pytest.raises(ApiError):
        check_api.post("/escalation_policies", {"escalation_policy": {"teams": [{"id": "PREAL"}]}})
    with pytest.raises(ApiError):
        check_api.get("/escalation_policies", params={"team_ids[]": [team["id"]]})
    assert pagerduty.requests() == []
    assert check_api.get("/teams")["teams"] == [], "a read that names no stand-in still goes out"


def test_connect_passes_check_mode_requires_the_token_naming_its_variable_and_a_scheme(pagerduty):
    class Module:
        check_mode = True
        params = dict(pagerduty.options, timeout=5.0, validate_certs=True, ca_path=None, max_retries=1)

    assert connect(Module()).check_mode
    Module.params = dict(Module.params, api_token=None)
    with pytest.raises(InvalidInput) as caught:
        connect(Module())
    assert "api_token (or the PAGERDUTY_TOKEN environment variable)" in str(caught.value)
    Module.params = dict(Module.params, api_token="t", api_url="api.pagerduty.com")
    with pytest.raises(InvalidInput) as caught:
        connect(Module())
    assert str(caught.value).startswith("api_url 'api.pagerduty.com' is not an API URL: it needs http:// or https://")


@pytest.mark.parametrize("status, words, taken", [
    (400, "Invalid Input Provided; Email has already been taken", True),
    (400, "Invalid Input Provided; Name has already been taken", True),
    (400, "Invalid Input Provided; Name is too long", False),
    (500, "already been taken", False),
])
def test_a_taken_email_or_name_means_the_object_exists(pd_api, status, words, taken):
    error = ApiError("The API refused the request", method="POST", path="/teams", status=status, api_message=words)
    assert ApiObject(pd_api).already_exists(error) is taken
