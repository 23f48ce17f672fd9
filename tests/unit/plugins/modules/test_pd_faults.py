"""Faults and races: a lost create answer, two runs creating the same object, and empty input, against the simulator."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty
from ansible_collections.incident.ops.plugins.module_utils.reconcile import CreateOutcomeUnknown
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_escalation_policy, pd_schedule, pd_team, pd_user

from pd_runs import seed, users

ADA = "ada@example.com"
START = "2024-01-01T00:00:00Z"
POLICY = dict(name="Payments escalation", rules=[{"escalation_delay_in_minutes": 30, "targets": [{"type": "user", "name": ADA}]}])
SCHEDULE = dict(name="Payments primary", time_zone="Etc/UTC",
                layers=[{"name": "Rotation", "start": START, "rotation_virtual_start": START,
                         "rotation_turn_length_seconds": 604800, "users": [ADA]}])


def inject(pagerduty, **fault):
    requests.post(pagerduty.url + "/_sim/faults", json=fault, timeout=5).raise_for_status()


def stored(pagerduty, collection, name):
    """The objects of ``collection`` named ``name``, as the simulator holds them."""
    api = client(pagerduty)
    return [item for item in api.list(collection) if item.get("name") == name]


def client(pagerduty, **kwargs):
    options = pagerduty.options
    return PagerDuty(options["api_url"], options["api_token"], from_email=options["from_email"], **kwargs)


@pytest.fixture
def task(pd_module):
    def call(module, api, **params):
        return module.run(pd_module(module.ARGUMENT_SPEC, **params), api)
    return call


@pytest.fixture
def ada(pagerduty):
    seed(pagerduty, users=users(("Ada Lovelace", ADA)))
    pagerduty.clear_log()


# A create slower than the client's timeout: the answer is lost, the object appears later; it is never sent twice.

@pytest.mark.parametrize("module, collection, params", [
    (pd_escalation_policy, "escalation_policies", POLICY),
    (pd_schedule, "schedules", SCHEDULE),
])
def test_a_create_slower_than_the_timeout_makes_exactly_one_object(pagerduty, ada, task, module, collection, params):
    inject(pagerduty, method="POST", path="^/%s$" % collection, action="delay", delay_ms=2500)
    changed, result, _diff = task(module, client(pagerduty, timeout=1), **params)
    assert changed and result["name"] == params["name"]
    assert len(stored(pagerduty, collection, params["name"])) == 1
    posts = [entry for entry in pagerduty.requests() if entry["method"] == "POST"]
    assert len(posts) == 1, "the create was sent once"
    pagerduty.clear_log()
    assert task(module, client(pagerduty), **params)[0] is False, "the next run converges"
    assert pagerduty.writes() == []


@pytest.mark.parametrize("module, collection, params", [
    (pd_escalation_policy, "escalation_policies", POLICY),
    (pd_schedule, "schedules", SCHEDULE),
    (pd_team, "teams", dict(name="Payments")),
])
def test_a_lost_create_that_never_appears_fails_asking_for_a_rerun(pagerduty, ada, task, clock, module, collection, params):
    inject(pagerduty, method="POST", path="^/%s$" % collection, action="drop")
    with pytest.raises(CreateOutcomeUnknown) as caught:
        task(module, client(pagerduty, sleep=clock.sleep, clock=clock), **params)
    assert "the create may still complete on the server" in str(caught.value) and "re-run to converge" in str(caught.value)
    assert "(POST /%s)" % collection in str(caught.value)
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert len([entry for entry in pagerduty.requests() if entry["method"] == "POST"]) == 1
    assert stored(pagerduty, collection, params["name"]) == []


# Two runs create the same object: the loser is told the email or name is taken, finds the winner's and converges.

def racing(api, path, rival):
    """Make ``api`` lose the race for its first POST to ``path``: ``rival()`` creates the object just before it."""
    post = api.post
    raced = []

    def post_after_rival(where, body=None, **kwargs):
        if where == path and not raced:
            raced.append(rival())
        return post(where, body, **kwargs)

    api.post = post_after_rival
    return raced


def test_a_team_created_by_another_run_meanwhile_is_converged(pagerduty, task):
    api = client(pagerduty)
    theirs = {"team": {"type": "team", "name": "Payments", "description": "theirs"}}
    raced = racing(api, "/teams", lambda: client(pagerduty).post("/teams", theirs))
    changed, team, _diff = task(pd_team, api, name="Payments", description="ours")
    assert raced and changed
    held = stored(pagerduty, "teams", "Payments")
    assert len(held) == 1 and held[0]["description"] == "ours" and team["id"] == held[0]["id"]


def test_a_user_created_by_another_run_meanwhile_is_converged(pagerduty, task):
    api = client(pagerduty)
    rival = client(pagerduty)
    raced = racing(api, "/users", lambda: rival.post("/users", {"user": {"type": "user", "name": "Ada", "email": ADA}},
                                                     headers=rival.acting_user()))
    changed, user, _diff = task(pd_user, api, email=ADA, name="Ada Lovelace", job_title="Engineer")
    assert raced and changed
    held = [found for found in client(pagerduty).list("users") if found["email"] == ADA]
    assert len(held) == 1 and held[0]["name"] == "Ada Lovelace" and held[0]["job_title"] == "Engineer"
    assert user["id"] == held[0]["id"]


# Empty names and lists are refused before any request.

@pytest.mark.parametrize("module, params, words", [
    (pd_team, dict(name=""), "name must not be empty"),
    (pd_team, dict(name="   ", state="absent"), "name must not be empty"),
    (pd_escalation_policy, dict(POLICY, rules=[]), "rules must not be empty: PagerDuty requires at least one escalation rule"),
    (pd_escalation_policy, dict(POLICY, name=""), "name must not be empty"),
    (pd_escalation_policy, dict(POLICY, teams=[""]), "a team name in teams must not be empty"),
    (pd_escalation_policy, dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [{"type": "schedule", "name": " "}]}],
                                name="P"), "rule 1: a schedule target's name must not be empty"),
    (pd_schedule, dict(SCHEDULE, layers=[]), "layers must not be empty: PagerDuty requires at least one layer in a schedule"),
    (pd_schedule, dict(SCHEDULE, name=""), "name must not be empty"),
    (pd_schedule, dict(SCHEDULE, teams=[" "]), "a team name in teams must not be empty"),
    (pd_schedule, dict(SCHEDULE, layers=[dict(SCHEDULE["layers"][0], name="")]), "layers[0] name must not be empty"),
    (pd_user, dict(email=ADA, name=""), "name must not be empty"),
    (pd_user, dict(email=ADA, name="Ada", teams=[""]), "a team name in teams must not be empty"),
])
def test_empty_names_and_lists_are_refused_before_any_request(pagerduty, task, module, params, words):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput) as caught:
        task(module, client(pagerduty), **params)
    assert str(caught.value) == words
    assert pagerduty.requests() == []
