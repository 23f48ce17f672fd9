"""pd_escalation_policy_info through run() against the PagerDuty simulator."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_escalation_policy_info

ADA = "ada@example.com"
GRACE = "grace@example.com"
START = "2024-01-01T00:00:00Z"


@pytest.fixture
def account(pagerduty):
    """Ada directly on 'Direct', Grace through the schedule on 'Scheduled' (team Payments), and 'count' filler policies."""
    def post(**data):
        reply = requests.post(pagerduty.url + "/_sim/seed", json=data, timeout=5)
        reply.raise_for_status()
        return reply.json()

    def build(count=0):
        ada, grace = post(users=[{"type": "user", "name": "Ada Lovelace", "email": ADA},
                                 {"type": "user", "name": "Grace Hopper", "email": GRACE}])["users"]
        layer = {"start": START, "rotation_virtual_start": START, "rotation_turn_length_seconds": 86400,
                 "users": [{"user": {"id": grace, "type": "user_reference"}}]}
        made = post(teams=[{"type": "team", "name": "Payments"}, {"type": "team", "name": "Search"}],
                    schedules=[{"type": "schedule", "name": "Primary", "time_zone": "Etc/UTC", "schedule_layers": [layer]}])
        payments, primary = made["teams"][0], made["schedules"][0]

        def policy(name, target, teams=()):
            return {"type": "escalation_policy", "name": name, "teams": [{"id": team, "type": "team_reference"} for team in teams],
                    "escalation_rules": [{"escalation_delay_in_minutes": 10, "targets": [target]}]}
        policies = [policy("Direct", {"id": ada, "type": "user_reference"}),
                    policy("Scheduled", {"id": primary, "type": "schedule_reference"}, [payments])]
        policies += [policy("Filler %03d" % number, {"id": ada, "type": "user_reference"}) for number in range(count)]
        post(escalation_policies=policies)
        pagerduty.clear_log()
    return build


@pytest.fixture
def run(pd_module, pd_api):
    def call(**params):
        return pd_escalation_policy_info.run(pd_module(pd_escalation_policy_info.ARGUMENT_SPEC, **params), pd_api)
    return call


def names(policies):
    return [policy["name"] for policy in policies]


def test_by_name_with_targets_and_emails(pagerduty, account, run):
    account()
    changed, policies, diff = run(name="Direct")
    assert not changed and diff is None
    assert names(policies) == ["Direct"]
    target = policies[0]["escalation_rules"][0]["targets"][0]
    assert target["type"] == "user_reference" and target["email"] == ADA and target["summary"] == "Ada Lovelace"
    log = pagerduty.requests()
    assert len(log) == 1 and log[0]["method"] == "GET" and log[0]["query"]["include[]"] == "targets"


def test_name_is_exact_and_query_is_not(account, run):
    account(count=2)
    assert run(name="direct")[1] == []
    assert names(run(query="filler")[1]) == ["Filler 000", "Filler 001"]


def test_user_filter_finds_direct_and_scheduled_targets(pagerduty, account, run):
    account()
    assert names(run(user=ADA)[1]) == ["Direct"]
    assert names(run(user=GRACE)[1]) == ["Scheduled"]
    lists = [entry for entry in pagerduty.requests() if entry["path"] == "/escalation_policies"]
    assert all("user_ids[]" in entry["query"] for entry in lists)


def test_team_filter(account, run):
    account()
    assert names(run(team="Payments")[1]) == ["Scheduled"]
    assert run(team="Search")[1] == []


def test_all_policies_over_several_pages(pagerduty, account, run):
    account(count=120)
    changed, policies, _diff = run()
    assert not changed and len(policies) == 122
    offsets = [int(entry["query"]["offset"]) for entry in pagerduty.requests() if entry["path"] == "/escalation_policies"]
    assert offsets == [0, 100]
    assert pagerduty.writes() == []


@pytest.mark.parametrize("params, message", [
    (dict(user="nobody@example.com"), "No PagerDuty user has the email 'nobody@example.com'"),
    (dict(user="ada"), "user 'ada' is not an email address"),
    (dict(team="Billing"), "No PagerDuty team is named 'Billing'"),
])
def test_unknown_filters_fail_clearly(account, run, params, message):
    account()
    with pytest.raises(InvalidInput) as failure:
        run(**params)
    assert message in str(failure.value)
