"""pd_escalation_policy through run() against the PagerDuty simulator."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_escalation_policy

ADA = "ada@example.com"
GRACE = "grace@example.com"
START = "2024-01-01T00:00:00Z"


def seed(pagerduty, **data):
    reply = requests.post(pagerduty.url + "/_sim/seed", json=data, timeout=5)
    reply.raise_for_status()
    return reply.json()


@pytest.fixture
def account(pagerduty):
    """Users Ada and Grace, schedules Primary and Secondary, teams Payments and Search; names -> ids."""
    users = seed(pagerduty, users=[{"type": "user", "name": "Ada Lovelace", "email": ADA},
                                   {"type": "user", "name": "Grace Hopper", "email": GRACE}])["users"]
    layer = {"start": START, "rotation_virtual_start": START, "rotation_turn_length_seconds": 604800,
             "users": [{"user": {"id": user_id, "type": "user_reference"}} for user_id in users]}
    created = seed(pagerduty, teams=[{"type": "team", "name": "Payments"}, {"type": "team", "name": "Search"}],
                   schedules=[{"type": "schedule", "name": name, "time_zone": "Etc/UTC", "schedule_layers": [layer]}
                              for name in ("Primary", "Secondary")])
    ids = dict(zip((ADA, GRACE), users))
    ids.update(zip(("Payments", "Search"), created["teams"]))
    ids.update(zip(("Primary", "Secondary"), created["schedules"]))
    pagerduty.clear_log()
    return ids


@pytest.fixture
def run(pd_module, pd_api):
    def call(check_mode=False, **params):
        return pd_escalation_policy.run(pd_module(pd_escalation_policy.ARGUMENT_SPEC, check_mode=check_mode, **params), pd_api)
    return call


def user(email):
    return {"type": "user", "name": email}


def schedule(name):
    return {"type": "schedule", "name": name}


POLICY = dict(name="Payments escalation", description="Primary, then Ada", num_loops=2, teams=["Payments"],
              rules=[{"escalation_delay_in_minutes": 15, "targets": [schedule("Primary"), user(GRACE)]},
                     {"escalation_delay_in_minutes": 30, "targets": [user(ADA)]}])


def stored(api, name="Payments escalation"):
    """The policy as the simulator holds it, read through the API: rules as (delay, {(type, id)})."""
    found = [policy for policy in api.get("/escalation_policies")["escalation_policies"] if policy["name"] == name]
    if not found:
        return None
    policy = found[0]
    rules = [(rule["escalation_delay_in_minutes"], set((target["type"], target["id"]) for target in rule["targets"]))
             for rule in policy["escalation_rules"]]
    return dict(policy, rules=rules, team_ids=[team["id"] for team in policy["teams"]])


def test_check_mode_create_writes_nothing(pagerduty, pd_api, account, run):
    changed, policy, diff = run(check_mode=True, **POLICY)
    assert changed
    assert pagerduty.writes() == []
    assert stored(pd_api) is None
    assert diff["before"] == {}
    assert diff["after"]["name"] == "Payments escalation"
    assert diff["after"]["rules"][0]["targets"] == [schedule("Primary"), user(GRACE)]
    assert policy["teams"] == ["Payments"] and policy["num_loops"] == 2


def test_create_then_idempotent(pagerduty, pd_api, account, run):
    changed, policy, _diff = run(**POLICY)
    assert changed and policy["id"]
    writes = pagerduty.writes()
    assert [(entry["method"], entry["path"]) for entry in writes] == [("POST", "/escalation_policies")]
    held = stored(pd_api)
    assert held["rules"] == [(15, {("schedule_reference", account["Primary"]), ("user_reference", account[GRACE])}),
                             (30, {("user_reference", account[ADA])})]
    assert held["team_ids"] == [account["Payments"]]
    assert held["description"] == "Primary, then Ada" and held["num_loops"] == 2
    assert policy["escalation_rules"][1]["targets"][0]["email"] == ADA

    pagerduty.clear_log()
    changed, again, diff = run(**POLICY)
    log = pagerduty.requests()
    assert not changed and diff == {"before": {}, "after": {}}
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", "/escalation_policies")]
    assert log[0]["query"]["include[]"] == "targets"
    assert again["id"] == policy["id"]
    assert [target["email"] for target in again["escalation_rules"][1]["targets"]] == [ADA]


def test_target_order_and_email_case_are_no_change(pagerduty, account, run):
    run(**POLICY)
    pagerduty.clear_log()
    shuffled = dict(POLICY, rules=[{"escalation_delay_in_minutes": 15, "targets": [user("Grace@Example.com"), schedule("Primary")]},
                                   {"escalation_delay_in_minutes": 30, "targets": [user(ADA), user(ADA)]}])
    changed = run(**shuffled)[0]
    assert not changed and pagerduty.writes() == []


def test_rule_order_is_a_change(pagerduty, pd_api, account, run):
    run(**POLICY)
    swapped = dict(POLICY, rules=list(reversed(POLICY["rules"])))
    changed, policy, diff = run(**swapped)
    assert changed
    assert list(diff["before"]) == ["rules"] and list(diff["after"]) == ["rules"]
    assert [rule[0] for rule in stored(pd_api)["rules"]] == [30, 15]
    assert [rule["escalation_delay_in_minutes"] for rule in policy["escalation_rules"]] == [30, 15]


def test_update_diff_holds_only_changed_fields(pagerduty, pd_api, account, run):
    run(**POLICY)
    pagerduty.clear_log()
    changed, policy, diff = run(name="Payments escalation", description="Now with Secondary", num_loops=2,
                                rules=[POLICY["rules"][0], {"escalation_delay_in_minutes": 30, "targets": [schedule("Secondary")]}])
    assert changed
    assert diff["before"] == {"description": "Primary, then Ada",
                              "rules": [dict(POLICY["rules"][0], targets=[schedule("Primary"), user(GRACE)]),
                                        {"escalation_delay_in_minutes": 30, "targets": [user(ADA)]}]}
    assert diff["after"]["description"] == "Now with Secondary"
    assert diff["after"]["rules"][1] == {"escalation_delay_in_minutes": 30, "targets": [schedule("Secondary")]}
    assert [entry["method"] for entry in pagerduty.writes()] == ["PUT"]
    held = stored(pd_api)
    assert held["rules"][1] == (30, {("schedule_reference", account["Secondary"])})
    assert held["team_ids"] == [account["Payments"]], "a PUT that does not change the team keeps it"
    assert policy["description"] == "Now with Secondary"


def test_scalar_update_keeps_rules_and_team_without_resolving_them(pagerduty, pd_api, account, run):
    run(**POLICY)
    before = stored(pd_api)
    pagerduty.clear_log()
    changed, _policy, diff = run(name="Payments escalation", on_call_handoff_notifications="always")
    assert changed
    assert diff == {"before": {"on_call_handoff_notifications": "if_has_services"},
                    "after": {"on_call_handoff_notifications": "always"}}
    assert [entry["method"] for entry in pagerduty.requests()] == ["GET", "PUT"]
    after = stored(pd_api)
    assert after["rules"] == before["rules"] and after["team_ids"] == before["team_ids"]
    assert [rule["id"] for rule in after["escalation_rules"]] == [rule["id"] for rule in before["escalation_rules"]]


def test_team_change_and_detach(pd_api, account, run):
    run(**POLICY)
    changed, policy, diff = run(name="Payments escalation", teams=["Search"])
    assert changed and diff == {"before": {"teams": ["Payments"]}, "after": {"teams": ["Search"]}}
    assert stored(pd_api)["team_ids"] == [account["Search"]]
    assert [team["id"] for team in policy["teams"]] == [account["Search"]]
    changed, policy, _diff = run(name="Payments escalation", teams=[])
    assert changed and stored(pd_api)["team_ids"] == []


def test_check_mode_update_predicts_and_writes_nothing(pagerduty, pd_api, account, run):
    run(**POLICY)
    pagerduty.clear_log()
    changed, policy, _diff = run(check_mode=True, name="Payments escalation", teams=["Search"],
                                 rules=[{"escalation_delay_in_minutes": 5, "targets": [user(ADA)]}])
    assert changed and pagerduty.writes() == []
    assert [team["summary"] for team in policy["teams"]] == ["Search"]
    assert policy["escalation_rules"] == [{"escalation_delay_in_minutes": 5, "targets": [
        {"id": account[ADA], "type": "user_reference", "summary": "Ada Lovelace", "email": ADA,
         "self": policy["escalation_rules"][0]["targets"][0]["self"], "html_url": policy["escalation_rules"][0]["targets"][0]["html_url"]}]}]
    assert stored(pd_api)["team_ids"] == [account["Payments"]]


def test_from_header_is_sent_on_create(pagerduty, account, pd_module):
    options = pagerduty.options
    api = PagerDuty(options["api_url"], options["api_token"], from_email="nobody@example.com")
    with pytest.raises(Exception, match="Requester User Not Found"):
        pd_escalation_policy.run(pd_module(pd_escalation_policy.ARGUMENT_SPEC, **POLICY), api)
    anonymous = PagerDuty(options["api_url"], options["api_token"])
    changed = pd_escalation_policy.run(pd_module(pd_escalation_policy.ARGUMENT_SPEC, **POLICY), anonymous)[0]
    assert changed


def test_delete_then_delete_again(pagerduty, pd_api, account, run):
    run(**POLICY)
    pagerduty.clear_log()
    changed, policy, _diff = run(check_mode=True, name="Payments escalation", state="absent")
    assert changed and policy is None and pagerduty.writes() == []
    changed, policy, diff = run(name="Payments escalation", state="absent")
    assert changed and policy is None
    assert diff == {"before": {"name": "Payments escalation"}, "after": {}}
    assert stored(pd_api) is None
    pagerduty.clear_log()
    changed = run(name="Payments escalation", state="absent")[0]
    assert not changed
    assert [entry["method"] for entry in pagerduty.requests()] == ["GET"]


def test_delete_refused_while_services_use_it(pagerduty, pd_api, account, run):
    policy = run(**POLICY)[1]
    seed(pagerduty, services=[{"type": "service", "name": "Checkout", "escalation_policy": {"id": policy["id"], "type": "escalation_policy_reference"}},
                              {"type": "service", "name": "Refunds", "escalation_policy": {"id": policy["id"], "type": "escalation_policy_reference"}}])
    pagerduty.clear_log()
    for check_mode in (True, False):
        with pytest.raises(InvalidInput) as failure:
            run(check_mode=check_mode, name="Payments escalation", state="absent")
        assert "'Checkout'" in str(failure.value) and "'Refunds'" in str(failure.value)
    assert pagerduty.writes() == []
    assert stored(pd_api) is not None


@pytest.mark.parametrize("change, message", [
    (dict(rules=[{"escalation_delay_in_minutes": 5, "targets": []}]), "rule 1 has no targets"),
    (dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [user("nobody@example.com")]}]),
     "No PagerDuty user has the email 'nobody@example.com'"),
    (dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [user("ada")]}]), "rule 1: the user target 'ada' is not an email"),
    (dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [schedule("Nightly")]}]), "No PagerDuty schedule is named 'Nightly'"),
    (dict(teams=["Billing"]), "No PagerDuty team is named 'Billing'"),
    (dict(teams=["Payments", "Search"]), "one team per escalation policy"),
    (dict(num_loops=-1), "num_loops must not be negative"),
    (dict(rules=[{"escalation_delay_in_minutes": 5, "targets": [user(ADA)]},
                 {"escalation_delay_in_minutes": 5, "targets": [user("user%d@example.com" % n) for n in range(11)]}]),
     "rule 2 has 11 targets"),
])
def test_bad_input_fails_before_any_write(pagerduty, pd_api, account, run, change, message):
    for existing in (False, True):
        if existing:
            run(**POLICY)
            pagerduty.clear_log()
        with pytest.raises(InvalidInput) as failure:
            run(**dict(POLICY, **change))
        assert message in str(failure.value)
        assert pagerduty.writes() == []
    assert stored(pd_api)["rules"] == [(15, {("schedule_reference", account["Primary"]), ("user_reference", account[GRACE])}),
                                       (30, {("user_reference", account[ADA])})]


def test_rules_are_needed_to_create(pagerduty, account, run):
    with pytest.raises(InvalidInput, match="rules is required"):
        run(name="Payments escalation")
    assert pagerduty.writes() == []


def test_target_type_is_checked_by_the_argument_spec(pd_module):
    with pytest.raises(Exception, match="type"):
        pd_module(pd_escalation_policy.ARGUMENT_SPEC, name="x",
                  rules=[{"escalation_delay_in_minutes": 5, "targets": [{"type": "team", "name": "Payments"}]}])


def test_every_unknown_user_target_is_named(pagerduty, account, run):
    rules = [{"escalation_delay_in_minutes": 5, "targets": [user("nobody@example.com"), user(ADA)]},
             {"escalation_delay_in_minutes": 5, "targets": [user("noone@example.com")]}]
    with pytest.raises(InvalidInput) as failure:
        run(name="Payments escalation", rules=rules)
    assert "'nobody@example.com'" in str(failure.value) and "'noone@example.com'" in str(failure.value)
    assert pagerduty.writes() == []
