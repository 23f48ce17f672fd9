"""pd_users through run() against the PagerDuty simulator: many users in one task, concurrently, as pd_user would."""

import re

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.entrypoint import PartialFailure
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_users

from pd_runs import runner, seed


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_users)


def people(count, start=0, **extra):
    return [dict({"email": "person%03d@example.com" % number, "name": "Person %03d" % number}, **extra)
            for number in range(start, start + count)]


def calls(log):
    return ["%s %s" % (entry["method"], re.sub(r"/P[A-Z0-9]{6}", "/{id}", entry["path"])) for entry in log]


def stored_emails(pagerduty):
    reply = requests.get(pagerduty.url + "/users", params={"limit": 100}, timeout=5,
                         headers={"Authorization": "Token token=%s" % pagerduty.options["api_token"],
                                  "Accept": "application/vnd.pagerduty+json;version=2", "Content-Type": "application/json"})
    return sorted(user["email"] for user in reply.json()["users"])


def test_check_mode_writes_nothing_and_diffs_each_user(pagerduty, run):
    pagerduty.clear_log()
    changed, result, diff = run(check_mode=True, users=people(3))
    assert changed and result["changed_users"] == ["person000@example.com", "person001@example.com", "person002@example.com"]
    assert pagerduty.writes() == []
    assert [item["after_header"] for item in diff] == result["changed_users"]
    assert diff[0]["after"] == {"email": "person000@example.com", "name": "Person 000"}
    assert calls(pagerduty.requests()) == ["GET /users"] * 3


def test_first_run_creates_each_user_in_two_requests_then_the_rerun_reads_once_per_user(pagerduty, run):
    pagerduty.clear_log()
    changed, result, diff = run(users=people(12))
    assert changed and len(result["changed_users"]) == 12 and result["failed_users"] == []
    log = calls(pagerduty.requests())
    assert sorted(log) == sorted(["GET /users"] * 12 + ["POST /users"] * 12)
    assert [user["email"] for user in result["users"]] == [item["email"] for item in people(12)], "results keep the order"

    pagerduty.clear_log()
    changed, result, diff = run(users=people(12))
    assert not changed and result["changed_users"] == [] and diff == []
    assert calls(pagerduty.requests()) == ["GET /users"] * 12


def test_a_team_is_looked_up_once_for_every_user_who_joins_it(pagerduty, run):
    team_id = seed(pagerduty, teams=[{"type": "team", "name": "Payments"}])["teams"][0]
    pagerduty.clear_log()
    changed, result, diff = run(users=people(5, teams=["Payments"], team_role="responder"))
    assert changed
    log = calls(pagerduty.requests())
    assert log.count("GET /teams") == 1
    assert log.count("PUT /teams/{id}/users/{id}") == 5
    assert len(log) == 1 + 5 * 3, "one team lookup, then lookup, create and membership per user"
    assert all(user["teams"][0]["id"] == team_id for user in result["users"])


def test_updates_diff_only_what_changed_for_each_user(pagerduty, run):
    run(users=people(3))
    wanted = people(3)
    wanted[1]["job_title"] = "SRE"
    changed, result, diff = run(users=wanted)
    assert changed and result["changed_users"] == ["person001@example.com"]
    assert diff == [{"before": {"job_title": ""}, "after": {"job_title": "SRE"},
                     "before_header": "person001@example.com", "after_header": "person001@example.com"}]


def test_bad_input_fails_before_any_request(pagerduty, run):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="listed more than once"):
        run(users=people(2) + [{"email": "PERSON000@example.com", "name": "Again"}])
    with pytest.raises(InvalidInput, match="IANA time zone"):
        run(users=people(2) + [{"email": "x@example.com", "name": "X", "time_zone": "Mars/Base"}])
    assert pagerduty.requests() == []


def test_an_unknown_team_fails_before_any_write(pagerduty, run):
    with pytest.raises(InvalidInput, match="No PagerDuty team is named 'Nowhere'"):
        run(users=people(3) + people(1, start=3, teams=["Nowhere"]))
    assert pagerduty.writes() == []


def test_one_failing_user_does_not_stop_the_others(pagerduty, run):
    requests.post(pagerduty.url + "/_sim/faults", timeout=5,
                  json={"method": "POST", "path": "^/users$", "status": 400, "count": 1})
    with pytest.raises(PartialFailure) as caught:
        run(users=people(4), concurrency=1)
    failure = caught.value
    assert failure.changed and len(failure.result["changed_users"]) == 3
    assert [item["email"] for item in failure.result["failed_users"]] == ["person000@example.com"]
    assert "1 of 4 users failed: person000@example.com" in str(failure)
    assert len(stored_emails(pagerduty)) == 1 + 3


def test_a_rate_limited_answer_is_waited_out_and_retried(pagerduty, run):
    requests.post(pagerduty.url + "/_sim/faults", timeout=5,
                  json={"method": "GET", "path": "^/users$", "status": 429, "count": 2, "headers": {"ratelimit-reset": "1"}})
    changed, result, diff = run(users=people(3))
    assert changed and result["failed_users"] == [] and len(result["changed_users"]) == 3


def test_concurrency_and_rate_limit_must_be_positive(run):
    with pytest.raises(InvalidInput, match="at least 1"):
        run(users=people(1), concurrency=0)
