"""pd_team through run() against the PagerDuty simulator."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_team

ADA = "ada@example.com"
GRACE = "grace@example.com"
LINUS = "linus@example.com"


@pytest.fixture
def users(pagerduty):
    """Three users, seeded through the simulator's control API; returns email -> id."""
    people = [{"type": "user", "name": "Ada Lovelace", "email": ADA}, {"type": "user", "name": "Grace Hopper", "email": GRACE},
              {"type": "user", "name": "Linus Torvalds", "email": LINUS}]
    ids = requests.post(pagerduty.url + "/_sim/seed", json={"users": people}, timeout=5).json()["users"]
    return dict(zip((ADA, GRACE, LINUS), ids))


@pytest.fixture
def run(pd_module, pd_api):
    def call(check_mode=False, **params):
        return pd_team.run(pd_module(pd_team.ARGUMENT_SPEC, check_mode=check_mode, **params), pd_api)
    return call


def stored_team(api, name):
    """The team and its members as the simulator holds them, read through the API."""
    teams = [team for team in api.get("/teams")["teams"] if team["name"] == name]
    if not teams:
        return None
    members = api.get("/teams/%s/members" % teams[0]["id"], params={"include[]": "users"})["members"]
    return dict(teams[0], members=dict((entry["user"]["email"], entry["role"]) for entry in members))


PAYMENTS = dict(name="Payments", description="Card processing",
                members=[{"email": ADA, "role": "manager"}, {"email": GRACE}])


def test_check_mode_create_predicts_and_writes_nothing(pagerduty, pd_api, users, run):
    pagerduty.clear_log()
    changed, team, diff = run(check_mode=True, **PAYMENTS)
    assert changed
    assert pagerduty.writes() == []
    assert team["name"] == "Payments" and team["description"] == "Card processing"
    assert [(member["email"], member["role"]) for member in team["members"]] == [(ADA, "manager"), (GRACE, "responder")]
    assert diff["before"] == {"members": []}
    assert diff["after"]["members"] == [{"email": ADA, "role": "manager"}, {"email": GRACE, "role": "responder"}]
    assert stored_team(pd_api, "Payments") is None


def test_create_then_idempotent(pagerduty, pd_api, users, run):
    changed, team, _diff = run(**PAYMENTS)
    assert changed and team["id"]
    stored = stored_team(pd_api, "Payments")
    assert stored["description"] == "Card processing"
    assert stored["members"] == {ADA: "manager", GRACE: "responder"}
    assert sorted(member["id"] for member in team["members"]) == sorted([users[ADA], users[GRACE]])

    pagerduty.clear_log()
    changed, again, diff = run(**PAYMENTS)
    log = pagerduty.requests()
    assert not changed
    assert [entry["method"] for entry in log] == ["GET", "GET"]
    assert [entry["path"] for entry in log] == ["/teams", "/teams/%s/members" % team["id"]]
    assert again["id"] == team["id"] and len(again["members"]) == 2
    assert diff == {"before": {}, "after": {}}


def test_member_emails_and_order_do_not_matter(pagerduty, users, run):
    run(**PAYMENTS)
    pagerduty.clear_log()
    changed = run(name="Payments", description="Card processing",
                  members=[{"email": "Grace@Example.com"}, {"email": " ADA@example.com", "role": "manager"}])[0]
    assert not changed
    assert pagerduty.writes() == []


def test_update_shows_only_what_changes(pagerduty, pd_api, users, run):
    run(**PAYMENTS)
    pagerduty.clear_log()
    changed, team, diff = run(name="Payments", description="Cards and payouts",
                              members=[{"email": ADA, "role": "manager"}, {"email": GRACE, "role": "observer"},
                                       {"email": LINUS}])
    assert changed
    assert diff["before"] == {"description": "Card processing", "members": [{"email": GRACE, "role": "responder"}]}
    assert diff["after"] == {"description": "Cards and payouts",
                             "members": [{"email": LINUS, "role": "responder"}, {"email": GRACE, "role": "observer"}]}
    assert stored_team(pd_api, "Payments")["members"] == {ADA: "manager", GRACE: "observer", LINUS: "responder"}
    assert sorted(member["email"] for member in team["members"]) == [ADA, GRACE, LINUS]
    assert [(entry["method"], entry["path"].split("/")[-1]) for entry in pagerduty.writes()] == [
        ("PUT", team["id"]), ("PUT", users[LINUS]), ("PUT", users[GRACE])]


def test_purge_removes_members_not_listed(pagerduty, pd_api, users, run):
    run(**PAYMENTS)
    changed, team, diff = run(name="Payments", members=[{"email": GRACE}])
    assert changed
    assert diff["before"] == {"members": [{"email": ADA, "role": "manager"}]}
    assert diff["after"] == {"members": []}
    assert stored_team(pd_api, "Payments")["members"] == {GRACE: "responder"}
    assert [member["email"] for member in team["members"]] == [GRACE]


def test_no_purge_keeps_other_members(pagerduty, pd_api, users, run):
    run(**PAYMENTS)
    changed, team, _diff = run(name="Payments", members=[{"email": LINUS, "role": "observer"}], purge_members=False)
    assert changed
    assert stored_team(pd_api, "Payments")["members"] == {ADA: "manager", GRACE: "responder", LINUS: "observer"}
    assert len(team["members"]) == 3


def test_members_unset_are_left_alone(pagerduty, users, run):
    run(**PAYMENTS)
    pagerduty.clear_log()
    changed, team, _diff = run(name="Payments")
    assert not changed and pagerduty.writes() == []
    assert len(team["members"]) == 2


def test_empty_member_list_empties_the_team(pagerduty, pd_api, users, run):
    run(**PAYMENTS)
    changed, team, _diff = run(name="Payments", members=[])
    assert changed and team["members"] == []
    assert stored_team(pd_api, "Payments")["members"] == {}


def test_check_mode_update_writes_nothing(pagerduty, pd_api, users, run):
    run(**PAYMENTS)
    pagerduty.clear_log()
    changed, team, diff = run(check_mode=True, name="Payments", description="New", members=[{"email": LINUS}])
    assert changed and pagerduty.writes() == []
    assert team["description"] == "New"
    assert [member["email"] for member in team["members"]] == [LINUS]
    assert diff["before"]["members"] == [{"email": ADA, "role": "manager"}, {"email": GRACE, "role": "responder"}]
    assert stored_team(pd_api, "Payments")["description"] == "Card processing"


def test_delete_then_delete_again(pagerduty, pd_api, users, run):
    run(**PAYMENTS)
    pagerduty.clear_log()
    changed, team, _diff = run(check_mode=True, name="Payments", state="absent")
    assert changed and team is None
    assert pagerduty.writes() == [] and stored_team(pd_api, "Payments")
    changed, team, diff = run(name="Payments", state="absent")
    assert changed and team is None
    assert diff == {"before": {"name": "Payments"}, "after": {}}
    assert stored_team(pd_api, "Payments") is None
    pagerduty.clear_log()
    changed, team, _diff = run(name="Payments", state="absent")
    assert not changed and team is None
    assert [entry["method"] for entry in pagerduty.requests()] == ["GET"]


@pytest.mark.parametrize("members, message", [
    ([{"email": "not-an-email"}], "member email 'not-an-email' is not an email address"),
    ([{"email": "nobody@example.com"}], "No PagerDuty user has the email 'nobody@example.com'"),
    ([{"email": ADA}, {"email": "ADA@example.com"}], "The member 'ADA@example.com' is listed more than once"),
])
def test_bad_members_fail_before_any_write(pagerduty, pd_api, users, run, members, message):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput) as failure:
        run(name="Payments", members=[{"email": GRACE}] + members)
    assert message in str(failure.value)
    assert pagerduty.writes() == []
    assert stored_team(pd_api, "Payments") is None


def test_unknown_member_fails_an_update_before_any_write(pagerduty, users, run):
    run(**PAYMENTS)
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="nobody@example.com"):
        run(name="Payments", description="Changed", members=[{"email": "nobody@example.com"}])
    assert pagerduty.writes() == []


def test_invalid_role_is_refused_by_the_argument_spec(pd_module):
    with pytest.raises(Exception, match="role"):
        pd_module(pd_team.ARGUMENT_SPEC, name="Payments", members=[{"email": ADA, "role": "owner"}])


def test_new_members_are_resolved_together(pagerduty, users, run):
    changed = run(name="Payments", members=[{"email": ADA}, {"email": GRACE}, {"email": LINUS}])[0]
    assert changed
    log = pagerduty.requests()
    first_write = next(index for index, entry in enumerate(log) if entry["method"] != "GET")
    assert [entry["path"] for entry in log[:first_write]] == ["/teams", "/users"]


def test_every_unknown_member_is_named(pagerduty, users, run):
    with pytest.raises(InvalidInput) as failure:
        run(name="Payments", members=[{"email": "nobody@example.com"}, {"email": ADA}, {"email": "noone@example.com"}])
    assert "'nobody@example.com'" in str(failure.value) and "'noone@example.com'" in str(failure.value)
    assert pagerduty.writes() == []


def test_read_only_users_cannot_join(pagerduty, users, run):
    requests.post(pagerduty.url + "/_sim/seed", json={"users": [
        {"type": "user", "name": "Reader", "email": "reader@example.com", "role": "read_only_user"}]}, timeout=5).raise_for_status()
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="read_only_user role join a team: reader@example.com"):
        run(name="Payments", members=[{"email": ADA}, {"email": "reader@example.com"}])
    assert pagerduty.writes() == []


def test_a_team_that_owns_a_policy_is_not_deleted(pagerduty, pd_api, users, run):
    team = run(**PAYMENTS)[1]
    rule = {"escalation_delay_in_minutes": 5, "targets": [{"id": users[ADA], "type": "user_reference"}]}
    requests.post(pagerduty.url + "/_sim/seed", json={"escalation_policies": [
        {"type": "escalation_policy", "name": "Payments escalation", "escalation_rules": [rule],
         "teams": [{"id": team["id"], "type": "team_reference"}]}]}, timeout=5).raise_for_status()
    pagerduty.clear_log()
    for check_mode in (True, False):
        with pytest.raises(InvalidInput) as failure:
            run(check_mode=check_mode, name="Payments", state="absent")
        assert "escalation policy 'Payments escalation'" in str(failure.value)
    assert pagerduty.writes() == []
    assert stored_team(pd_api, "Payments") is not None


def test_a_team_that_a_service_belongs_to_is_not_removed(pagerduty, pd_api, users, run):
    """A service belongs to its escalation policy's teams; the refusal names both, before any write."""
    team_id = run(name="Platform")[1]["id"]
    seed = requests.post(pagerduty.url + "/_sim/seed", json={"escalation_policies": [{
        "type": "escalation_policy", "name": "Platform EP", "teams": [{"id": team_id, "type": "team_reference"}],
        "escalation_rules": [{"escalation_delay_in_minutes": 30, "targets": [{"type": "user_reference", "id": users[ADA]}]}]}]},
        timeout=5).json()
    requests.post(pagerduty.url + "/_sim/seed", json={"services": [{"type": "service", "name": "Checkout", "escalation_policy": {
        "id": seed["escalation_policies"][0], "type": "escalation_policy_reference"}}]}, timeout=5).raise_for_status()
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=r"escalation policy 'Platform EP' .*, service 'Checkout' "):
        run(name="Platform", state="absent")
    assert pagerduty.writes() == []
