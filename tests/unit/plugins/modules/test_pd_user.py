"""pd_user through run() against the PagerDuty simulator: user fields, contact methods, notification rules, teams."""

import re

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.users import INCLUDE, method_kind
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_user

ADA = "ada@example.com"
PHONE = "2025550143"
HOME = "ada.home@example.com"


@pytest.fixture
def run(pd_module, pd_api):
    def call(check_mode=False, **params):
        return pd_user.run(pd_module(pd_user.ARGUMENT_SPEC, check_mode=check_mode, **params), pd_api)
    return call


@pytest.fixture
def teams(pagerduty):
    """Three teams, seeded; returns name -> id."""
    names = ["Payments", "Platform", "Search"]
    ids = requests.post(pagerduty.url + "/_sim/seed", json={"teams": [{"type": "team", "name": name} for name in names]}, timeout=5).json()["teams"]
    return dict(zip(names, ids))


def stored(api, email):
    """The user as the simulator holds it: fields, contact methods, rules and team names, read through the API."""
    users = [user for user in api.get("/users", params={"query": email, "include[]": list(INCLUDE)})["users"]
             if user["email"].lower() == email.lower()]
    if not users:
        return None
    user = users[0]
    methods = dict((method["id"], method) for method in user["contact_methods"])
    user["methods"] = sorted((method_kind(method), method["address"], method["label"], method.get("country_code"))
                             for method in user["contact_methods"])
    user["rules"] = sorted((rule["urgency"], rule["start_delay_in_minutes"], method_kind(methods[rule["contact_method"]["id"]]),
                            methods[rule["contact_method"]["id"]]["address"]) for rule in user["notification_rules"])
    user["team_names"] = sorted(team["name"] for team in user["teams"])
    return user


def calls(log):
    """The log as ``METHOD /path`` lines with ids replaced by ``{id}``."""
    return ["%s %s" % (entry["method"], re.sub(r"/P[A-Z0-9]{6}", "/{id}", entry["path"])) for entry in log]


# User fields ------------------------------------------------------------------------------------------

def test_create_in_check_mode_writes_nothing(pagerduty, pd_api, run):
    pagerduty.clear_log()
    changed, user, diff = run(check_mode=True, email=ADA, name="Ada Lovelace", role="user", time_zone="Europe/London")
    assert changed
    assert pagerduty.writes() == []
    assert user["email"] == ADA and user["name"] == "Ada Lovelace" and "id" not in user
    assert diff["after"] == {"email": ADA, "name": "Ada Lovelace", "role": "user", "time_zone": "Europe/London"}
    assert stored(pd_api, ADA) is None


def test_create_then_rerun_makes_one_get(pagerduty, pd_api, run):
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, name="Ada Lovelace", job_title="SRE", time_zone="Europe/London")
    assert changed and user["id"]
    assert calls(pagerduty.requests()) == ["GET /users", "POST /users"], "no re-read when the task manages no lists"
    held = stored(pd_api, ADA)
    assert (held["name"], held["job_title"], held["time_zone"]) == ("Ada Lovelace", "SRE", "Europe/London")
    assert [method["id"] for method in user["contact_methods"]] == [method["id"] for method in held["contact_methods"]]

    pagerduty.clear_log()
    changed, again, diff = run(email=ADA, name="Ada Lovelace", job_title="SRE", time_zone="Europe/London")
    log = pagerduty.requests()
    assert not changed
    assert calls(log) == ["GET /users"]
    assert sorted(log[0]["query"]["include[]"]) == ["contact_methods", "notification_rules", "teams"]
    assert again["id"] == user["id"]
    assert diff == {"before": {}, "after": {}}


def test_update_sends_and_diffs_only_the_changed_field(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace", job_title="SRE", role="user")
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, name="Ada Lovelace", job_title="Staff SRE", role="user")
    writes = pagerduty.writes()
    assert changed
    assert calls(writes) == ["PUT /users/{id}"]
    assert diff == {"before": {"job_title": "SRE"}, "after": {"job_title": "Staff SRE"}}
    assert user["job_title"] == "Staff SRE"
    assert stored(pd_api, ADA)["job_title"] == "Staff SRE"


def test_update_in_check_mode_predicts_and_writes_nothing(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace")
    pagerduty.clear_log()
    changed, user, diff = run(check_mode=True, email=ADA, color="teal")
    assert changed and user["color"] == "teal"
    assert diff["after"] == {"color": "teal"}
    assert pagerduty.writes() == []
    assert stored(pd_api, ADA)["color"] != "teal"


def test_delete_then_delete_again(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace")
    changed, user, diff = run(email=ADA, state="absent")
    assert changed and user is None
    assert diff["before"]["email"] == ADA and diff["after"] == {}
    assert stored(pd_api, ADA) is None

    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, state="absent")
    assert not changed and user is None
    assert calls(pagerduty.requests()) == ["GET /users"]


def test_delete_in_check_mode_writes_nothing(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace")
    pagerduty.clear_log()
    changed, user, diff = run(check_mode=True, email=ADA, state="absent")
    assert changed
    assert pagerduty.writes() == []
    assert stored(pd_api, ADA) is not None


def test_email_matches_case_insensitively(pagerduty, run):
    run(email=ADA, name="Ada Lovelace")
    pagerduty.clear_log()
    changed, user, diff = run(email="  Ada@Example.COM", name="Ada Lovelace")
    assert not changed and user["email"] == ADA
    assert pagerduty.writes() == []


@pytest.mark.parametrize("params, message", [
    (dict(email="not-an-email", name="X"), "'not-an-email' is not an email address"),
    (dict(email=ADA, name="Ada", time_zone="Mars/Olympus"), "'Mars/Olympus' is not an IANA time zone"),
])
def test_bad_input_fails_before_any_request(pagerduty, run, params, message):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        run(**params)
    assert pagerduty.requests() == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_missing_name_on_create_fails_without_writing(pagerduty, run, check_mode):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="name is required to create the user ada@example.com"):
        run(check_mode=check_mode, email=ADA, role="user")
    assert pagerduty.writes() == []


def test_invalid_role_is_refused_by_the_argument_spec(pd_module):
    with pytest.raises(Exception, match="value of role must be one of"):
        pd_module(pd_user.ARGUMENT_SPEC, email=ADA, role="superuser")


def test_api_error_surfaces_as_api_error(pagerduty, run):
    requests.post(pagerduty.url + "/_sim/faults", json={"method": "POST", "path": "^/users$", "status": 400}, timeout=5)
    with pytest.raises(ApiError, match="POST /users, HTTP 400"):
        run(email=ADA, name="Ada Lovelace")


# Contact methods --------------------------------------------------------------------------------------

def test_contact_methods_are_added_and_the_login_email_is_kept(pagerduty, pd_api, run):
    changed, user, diff = run(email=ADA, name="Ada Lovelace", contact_methods=[
        {"type": "phone", "address": PHONE, "label": "Mobile"},
        {"type": "sms", "address": PHONE, "label": "Mobile", "country_code": 44},
        {"type": "email", "address": HOME},
    ])
    assert changed
    assert stored(pd_api, ADA)["methods"] == [
        ("email", HOME, "Email", None), ("email", ADA, "Default", None),
        ("phone", PHONE, "Mobile", 1), ("sms", PHONE, "Mobile", 44)]
    assert diff["after"]["contact_methods"] == [
        {"type": "phone", "address": PHONE, "label": "Mobile", "country_code": 1},
        {"type": "sms", "address": PHONE, "label": "Mobile", "country_code": 44},
        {"type": "email", "address": HOME, "label": "Email"}]
    assert sorted(method["type"] for method in user["contact_methods"]) == [
        "email_contact_method", "email_contact_method", "phone_contact_method", "sms_contact_method"]


def test_contact_methods_rerun_is_one_get(pagerduty, run):
    methods = [{"type": "phone", "address": PHONE, "label": "Mobile"}, {"type": "email", "address": HOME, "label": "Home"}]
    run(email=ADA, name="Ada Lovelace", contact_methods=methods)
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, name="Ada Lovelace", contact_methods=[dict(methods[1], address=HOME.upper()), methods[0]])
    assert not changed and diff == {"before": {}, "after": {}}
    assert calls(pagerduty.requests()) == ["GET /users"]


def test_contact_method_update_and_purge(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=[
        {"type": "phone", "address": PHONE, "label": "Mobile"}, {"type": "email", "address": HOME}])
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, contact_methods=[{"type": "phone", "address": PHONE, "label": "Work phone", "country_code": 33}])
    assert changed
    assert calls(pagerduty.writes()) == ["PUT /users/{id}/contact_methods/{id}", "DELETE /users/{id}/contact_methods/{id}"]
    assert diff["before"] == {"contact_methods": [
        {"type": "phone", "address": PHONE, "label": "Mobile", "country_code": 1}, {"type": "email", "address": HOME, "label": "Email"}]}
    assert diff["after"] == {"contact_methods": [{"type": "phone", "address": PHONE, "label": "Work phone", "country_code": 33}]}
    assert stored(pd_api, ADA)["methods"] == [("email", ADA, "Default", None), ("phone", PHONE, "Work phone", 33)]


def test_login_email_is_never_purged(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "email", "address": HOME}])
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, contact_methods=[])
    assert changed
    assert [method["address"] for method in user["contact_methods"]] == [ADA]
    assert stored(pd_api, ADA)["methods"] == [("email", ADA, "Default", None)]
    pagerduty.clear_log()
    assert run(email=ADA, contact_methods=[])[0] is False


def test_login_email_label_can_be_set(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "email", "address": ADA.upper(), "label": "Work"}])
    assert stored(pd_api, ADA)["methods"] == [("email", ADA, "Work", None)]
    pagerduty.clear_log()
    assert run(email=ADA, contact_methods=[{"type": "email", "address": ADA, "label": "Work"}])[0] is False


def test_purge_contact_methods_false_keeps_the_others(pd_api, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "email", "address": HOME}])
    changed, user, diff = run(email=ADA, contact_methods=[{"type": "sms", "address": PHONE}], purge_contact_methods=False)
    assert changed and "before" not in diff["before"]
    assert stored(pd_api, ADA)["methods"] == [("email", HOME, "Email", None), ("email", ADA, "Default", None), ("sms", PHONE, "SMS", 1)]


def test_contact_methods_in_check_mode_write_nothing(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "email", "address": HOME}])
    pagerduty.clear_log()
    changed, user, diff = run(check_mode=True, email=ADA, contact_methods=[{"type": "push_notification", "address": "device-token-1"}])
    assert changed
    assert pagerduty.writes() == []
    assert diff["before"]["contact_methods"] == [{"type": "email", "address": HOME, "label": "Email"}]
    assert diff["after"]["contact_methods"] == [{"type": "push_notification", "address": "device-token-1", "label": "Push"}]
    assert sorted(method["address"] for method in user["contact_methods"]) == [ADA, "device-token-1"]
    assert stored(pd_api, ADA)["methods"] == [("email", HOME, "Email", None), ("email", ADA, "Default", None)]


@pytest.mark.parametrize("method, message", [
    ({"type": "email", "address": "nowhere"}, "The email contact method address 'nowhere' is not an email address"),
    ({"type": "phone", "address": "+1 202 555"}, "The phone contact method address '+1 202 555' must be digits only"),
    ({"type": "sms", "address": PHONE, "country_code": 0}, "country_code 0 of the sms contact method"),
    ({"type": "email", "address": HOME, "country_code": 1}, "country_code applies to phone and sms contact methods only"),
    ({"type": "push_notification", "address": " "}, "The push_notification contact method address must not be empty"),
])
def test_bad_contact_methods_fail_before_any_request(pagerduty, run, method, message):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        run(email=ADA, name="Ada Lovelace", contact_methods=[method])
    assert pagerduty.requests() == []


def test_a_contact_method_listed_twice_is_refused(pagerduty, run):
    with pytest.raises(InvalidInput, match="The email contact method 'ADA.HOME@example.com' is listed more than once"):
        run(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "email", "address": HOME},
                                                             {"type": "email", "address": "ADA.HOME@example.com"}])


# Notification rules -----------------------------------------------------------------------------------

RULES = [
    {"urgency": "high", "contact_method": {"type": "sms", "address": PHONE}},
    {"urgency": "high", "start_delay_in_minutes": 5, "contact_method": {"type": "phone", "address": PHONE}},
    {"urgency": "low", "contact_method": {"type": "email", "address": ADA}},
]
METHODS = [{"type": "sms", "address": PHONE, "label": "Mobile"}, {"type": "phone", "address": PHONE, "label": "Mobile"}]


def test_rules_use_contact_methods_created_in_the_same_task(pagerduty, pd_api, run):
    changed, user, diff = run(email=ADA, name="Ada Lovelace", contact_methods=METHODS, notification_rules=RULES)
    assert changed
    assert stored(pd_api, ADA)["rules"] == [("high", 0, "sms", PHONE), ("high", 5, "phone", PHONE), ("low", 0, "email", ADA)]
    shown = sorted((rule["urgency"], rule["contact_method"]["type"], rule["contact_method"]["address"]) for rule in user["notification_rules"])
    assert shown == [("high", "phone_contact_method", PHONE), ("high", "sms_contact_method", PHONE), ("low", "email_contact_method", ADA)]

    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, name="Ada Lovelace", contact_methods=METHODS, notification_rules=list(reversed(RULES)))
    assert not changed
    assert calls(pagerduty.requests()) == ["GET /users"]


def test_writes_go_in_the_safe_order(pagerduty, pd_api, teams, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "email", "address": HOME}], teams=["Search"],
        notification_rules=[{"contact_method": {"type": "email", "address": HOME}}, {"urgency": "low", "contact_method": {"type": "email", "address": ADA}}])
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, name="Ada L.", contact_methods=METHODS, notification_rules=RULES, teams=["Payments"])
    assert changed
    assert calls(pagerduty.writes()) == [
        "PUT /users/{id}",
        "POST /users/{id}/contact_methods", "POST /users/{id}/contact_methods",
        "POST /users/{id}/notification_rules", "POST /users/{id}/notification_rules",
        "DELETE /users/{id}/notification_rules/{id}",
        "DELETE /users/{id}/contact_methods/{id}",
        "PUT /teams/{id}/users/{id}", "DELETE /teams/{id}/users/{id}",
    ]
    assert diff["before"]["notification_rules"] == [
        {"urgency": "high", "start_delay_in_minutes": 0, "contact_method": {"type": "email", "address": HOME}}]
    assert diff["after"]["notification_rules"] == [
        {"urgency": "high", "start_delay_in_minutes": 0, "contact_method": {"type": "sms", "address": PHONE}},
        {"urgency": "high", "start_delay_in_minutes": 5, "contact_method": {"type": "phone", "address": PHONE}}]
    assert diff["before"]["teams"] == ["Search"] and diff["after"]["teams"] == ["Payments"]
    assert diff["before"]["name"] == "Ada Lovelace"
    held = stored(pd_api, ADA)
    assert held["rules"] == [("high", 0, "sms", PHONE), ("high", 5, "phone", PHONE), ("low", 0, "email", ADA)]
    assert held["team_names"] == ["Payments"]


def test_removing_a_contact_method_removes_its_rules_first_even_when_rules_are_unmanaged(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=METHODS, notification_rules=RULES)
    pagerduty.clear_log()
    changed, user, diff = run(email=ADA, contact_methods=[METHODS[0]])
    assert changed
    assert calls(pagerduty.writes()) == ["DELETE /users/{id}/notification_rules/{id}", "DELETE /users/{id}/contact_methods/{id}"]
    assert diff["before"]["notification_rules"] == [
        {"urgency": "high", "start_delay_in_minutes": 5, "contact_method": {"type": "phone", "address": PHONE}}]
    assert len(user["notification_rules"]) == 2
    assert stored(pd_api, ADA)["rules"] == [("high", 0, "sms", PHONE), ("low", 0, "email", ADA)]


def test_purge_notification_rules_false_keeps_the_others(pd_api, run):
    run(email=ADA, name="Ada Lovelace", contact_methods=METHODS)
    changed, user, diff = run(email=ADA, notification_rules=[RULES[0]], purge_notification_rules=False)
    assert changed
    assert stored(pd_api, ADA)["rules"] == [("high", 0, "email", ADA), ("high", 0, "sms", PHONE), ("low", 0, "email", ADA)]


def test_rules_in_check_mode_write_nothing(pagerduty, pd_api, run):
    run(email=ADA, name="Ada Lovelace")
    pagerduty.clear_log()
    changed, user, diff = run(check_mode=True, email=ADA, contact_methods=METHODS, notification_rules=RULES)
    assert changed
    assert pagerduty.writes() == []
    assert diff["before"]["notification_rules"] == [
        {"urgency": "high", "start_delay_in_minutes": 0, "contact_method": {"type": "email", "address": ADA}}]
    assert len(diff["after"]["notification_rules"]) == 2
    predicted = sorted((rule["urgency"], rule["start_delay_in_minutes"], rule["contact_method"]["type"]) for rule in user["notification_rules"])
    assert predicted == [("high", 0, "sms_contact_method"), ("high", 5, "phone_contact_method"), ("low", 0, "email_contact_method")]
    assert stored(pd_api, ADA)["rules"] == [("high", 0, "email", ADA), ("low", 0, "email", ADA)]


@pytest.mark.parametrize("params, message", [
    (dict(notification_rules=[{"contact_method": {"type": "sms", "address": PHONE}}]),
     "The notification rule high urgency after 0 minutes to sms 2025550143 names a contact method the user would not have"),
    (dict(contact_methods=[], notification_rules=[{"contact_method": {"type": "email", "address": HOME}}]),
     "names a contact method the user would not have"),
    (dict(notification_rules=[RULES[2], dict(RULES[2], contact_method={"type": "email", "address": ADA.upper()})]),
     "The notification rule low urgency after 0 minutes to email ada@example.com is listed more than once"),
    (dict(notification_rules=[{"start_delay_in_minutes": -1, "contact_method": {"type": "email", "address": ADA}}]),
     "start_delay_in_minutes must not be negative"),
])
def test_bad_rules_fail_before_any_write(pagerduty, pd_api, run, params, message):
    run(email=ADA, name="Ada Lovelace", contact_methods=[{"type": "email", "address": HOME}])
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        run(email=ADA, name="Changed", **params)
    assert pagerduty.writes() == []
    assert stored(pd_api, ADA)["name"] == "Ada Lovelace"


def test_rule_naming_a_method_for_a_new_user_fails_before_creating_it(pagerduty, run):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="names a contact method the user would not have"):
        run(email=ADA, name="Ada Lovelace", notification_rules=[{"contact_method": {"type": "sms", "address": PHONE}}])
    assert pagerduty.writes() == []


def test_new_user_rules_are_compared_with_what_pagerduty_created(pagerduty, pd_api, run):
    """PagerDuty gives new users default rules; the task's list replaces them in the same run."""
    changed, user, diff = run(email=ADA, name="Ada Lovelace", notification_rules=[RULES[2]])
    assert changed
    assert stored(pd_api, ADA)["rules"] == [("low", 0, "email", ADA)]
    assert diff["before"]["notification_rules"] == [
        {"urgency": "high", "start_delay_in_minutes": 0, "contact_method": {"type": "email", "address": ADA}}]
    pagerduty.clear_log()
    assert run(email=ADA, name="Ada Lovelace", notification_rules=[RULES[2]])[0] is False
    assert calls(pagerduty.requests()) == ["GET /users"]


# Teams -----------------------------------------------------------------------------------------------

def team_roles(api, team_id):
    members = api.get("/teams/%s/members" % team_id)["members"]
    return dict((entry["user"]["id"], entry["role"]) for entry in members)


def test_teams_are_joined_and_left(pagerduty, pd_api, teams, run):
    changed, user, diff = run(email=ADA, name="Ada Lovelace", teams=["Payments", "Platform"], team_role="responder")
    assert changed
    assert sorted(team["name"] for team in user["teams"]) == ["Payments", "Platform"]
    assert diff["after"]["teams"] == ["Payments", "Platform"]
    assert team_roles(pd_api, teams["Payments"]) == {user["id"]: "responder"}

    pagerduty.clear_log()
    assert run(email=ADA, teams=["Platform", "Payments"])[0] is False
    assert calls(pagerduty.requests()) == ["GET /users"]

    changed, user, diff = run(email=ADA, teams=["Search", "Platform"])
    assert changed
    assert diff == {"before": {"teams": ["Payments"]}, "after": {"teams": ["Search"]}}
    assert stored(pd_api, ADA)["team_names"] == ["Platform", "Search"]
    assert team_roles(pd_api, teams["Search"]) == {user["id"]: "manager"}


def test_purge_teams_false_keeps_the_others(pd_api, teams, run):
    run(email=ADA, name="Ada Lovelace", teams=["Payments"])
    changed, user, diff = run(email=ADA, teams=["Search"], purge_teams=False)
    assert changed and diff["after"] == {"teams": ["Search"]} and diff["before"] == {"teams": []}
    assert stored(pd_api, ADA)["team_names"] == ["Payments", "Search"]


def test_empty_teams_leaves_every_team(pd_api, teams, run):
    run(email=ADA, name="Ada Lovelace", teams=["Payments", "Search"])
    changed, user, diff = run(email=ADA, teams=[])
    assert changed and user["teams"] == []
    assert stored(pd_api, ADA)["team_names"] == []


def test_teams_in_check_mode_write_nothing(pagerduty, pd_api, teams, run):
    run(email=ADA, name="Ada Lovelace", teams=["Payments"])
    pagerduty.clear_log()
    changed, user, diff = run(check_mode=True, email=ADA, teams=["Search"])
    assert changed and [team["name"] for team in user["teams"]] == ["Search"]
    assert pagerduty.writes() == []
    assert stored(pd_api, ADA)["team_names"] == ["Payments"]


def test_an_unknown_team_fails_before_any_write(pagerduty, pd_api, teams, run):
    run(email=ADA, name="Ada Lovelace")
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="No PagerDuty team is named 'Paymnets'"):
        run(email=ADA, name="Ada L.", contact_methods=METHODS, teams=["Payments", "Paymnets"])
    assert pagerduty.writes() == []
    assert stored(pd_api, ADA)["name"] == "Ada Lovelace"


def test_an_unknown_team_fails_before_creating_the_user(pagerduty, pd_api, teams, run):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="No PagerDuty team is named 'Nope'"):
        run(email=ADA, name="Ada Lovelace", teams=["Nope"])
    assert pagerduty.writes() == []


def test_read_only_users_cannot_join_teams(pagerduty, teams, run):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="PagerDuty does not put read_only_user users on teams; ada@example.com cannot join Payments"):
        run(email=ADA, name="Ada Lovelace", role="read_only_user", teams=["Payments"])
    assert pagerduty.writes() == []


def test_a_team_listed_twice_is_refused(run):
    with pytest.raises(InvalidInput, match="The team 'Payments' is listed more than once"):
        run(email=ADA, name="Ada Lovelace", teams=["Payments", " Payments"])


# The whole profile at once ------------------------------------------------------------------------------

def test_full_onboarding_converges_in_one_run(pagerduty, pd_api, teams, run):
    profile = dict(email=ADA, name="Ada Lovelace", role="user", time_zone="Europe/London", job_title="SRE",
                   contact_methods=[{"type": "email", "address": ADA, "label": "Work"}] + METHODS,
                   notification_rules=RULES, teams=["Payments", "Platform"], team_role="observer")
    pagerduty.clear_log()
    changed, predicted, diff = run(check_mode=True, **profile)
    assert changed and pagerduty.writes() == []
    assert sorted(team["name"] for team in predicted["teams"]) == ["Payments", "Platform"]

    changed, user, diff = run(**profile)
    assert changed
    held = stored(pd_api, ADA)
    assert held["methods"] == [("email", ADA, "Work", None), ("phone", PHONE, "Mobile", 1), ("sms", PHONE, "Mobile", 1)]
    assert held["rules"] == [("high", 0, "sms", PHONE), ("high", 5, "phone", PHONE), ("low", 0, "email", ADA)]
    assert held["team_names"] == ["Payments", "Platform"]
    assert len(user["contact_methods"]) == 3 and len(user["notification_rules"]) == 3

    pagerduty.clear_log()
    changed, again, diff = run(**profile)
    assert not changed and diff == {"before": {}, "after": {}}
    assert calls(pagerduty.requests()) == ["GET /users"]
    assert again["id"] == user["id"]
