"""Users, contact methods, notification rules and teams."""

import requests

from .pagerduty_fixtures import ADMIN_EMAIL, error_of, pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import


def test_new_user_gets_default_contact_method_and_rules(pd):
    user = pd.user("Dana Scully", job_title="Agent")
    assert user["id"].startswith("P") and len(user["id"]) == 7 and user["id"].isupper()
    assert user["type"] == "user" and user["summary"] == "Dana Scully"
    assert user["self"].endswith("/users/" + user["id"])
    methods = pd.get("/users/%s/contact_methods" % user["id"]).json()["contact_methods"]
    assert [(item["type"], item["address"], item["label"]) for item in methods] == [
        ("email_contact_method", "dana.scully@example.com", "Default")]
    rules = pd.get("/users/%s/notification_rules" % user["id"], params={"urgency": "all"}).json()["notification_rules"]
    assert sorted(rule["urgency"] for rule in rules) == ["high", "low"]
    assert {rule["contact_method"]["id"] for rule in rules} == {methods[0]["id"]}
    assert all(rule["start_delay_in_minutes"] == 0 for rule in rules)


def test_notification_rules_list_high_urgency_by_default(pd):
    user = pd.user("Fox Mulder")
    rules = pd.get("/users/%s/notification_rules" % user["id"]).json()["notification_rules"]
    assert [rule["urgency"] for rule in rules] == ["high"]


def test_creating_a_user_needs_from_header(pd):
    reply = pd.post("/users", json={"user": {"type": "user", "name": "X", "email": "x@example.com"}},
                    headers={"From": None})
    assert reply.status_code == 400
    assert error_of(reply)["code"] == 2016
    assert "From" in error_of(reply)["message"]


def test_from_header_must_be_a_known_user(pd):
    reply = pd.post("/users", json={"user": {"type": "user", "name": "X", "email": "x@example.com"}},
                    headers={"From": "stranger@example.com"})
    assert reply.status_code == 400
    assert error_of(reply)["message"] == "Requester User Not Found"


def test_email_is_unique_case_insensitively(pd):
    pd.user("First", email="same@example.com")
    reply = pd.post("/users", json={"user": {"type": "user", "name": "Second", "email": "SAME@Example.com"}})
    assert reply.status_code == 400
    assert error_of(reply)["code"] == 2001
    assert "Email has already been taken" in error_of(reply)["errors"]


def test_query_matches_name_or_email_substring(pd):
    pd.user("Walter Skinner", email="ad@fbi.example.com")
    pd.user("Alex Krycek", email="rat@example.com")
    names = [user["name"] for user in pd.get("/users", params={"query": "SKIN"}).json()["users"]]
    assert names == ["Walter Skinner"]
    names = [user["name"] for user in pd.get("/users", params={"query": "fbi.EXAMPLE"}).json()["users"]]
    assert names == ["Walter Skinner"]


def test_include_expands_references(pd):
    user = pd.user("Monica Reyes")
    team = pd.team("X-Files")
    assert pd.put("/teams/%s/users/%s" % (team["id"], user["id"]), json={"role": "responder"}).status_code == 204
    plain = pd.get("/users/" + user["id"]).json()["user"]
    assert plain["contact_methods"][0]["type"] == "email_contact_method_reference"
    assert plain["teams"][0]["type"] == "team_reference"
    full = pd.get("/users/" + user["id"], params={"include[]": ["contact_methods", "notification_rules", "teams"]}).json()["user"]
    assert full["contact_methods"][0]["type"] == "email_contact_method"
    assert full["contact_methods"][0]["address"] == "monica.reyes@example.com"
    assert full["notification_rules"][0]["type"] == "assignment_notification_rule"
    assert full["teams"][0]["type"] == "team" and full["teams"][0]["name"] == "X-Files"
    listed = pd.get("/users", params={"query": "Monica", "include[]": "contact_methods"}).json()["users"][0]
    assert listed["contact_methods"][0]["type"] == "email_contact_method"


def test_update_and_delete_user(pd):
    user = pd.user("John Doggett")
    reply = pd.put("/users/" + user["id"], json={"user": {"type": "user", "name": "John J. Doggett",
                                                          "email": "jd@example.com", "role": "limited_user"}})
    assert reply.status_code == 200
    assert reply.json()["user"]["summary"] == "John J. Doggett"
    assert reply.json()["user"]["role"] == "limited_user"
    assert pd.delete("/users/" + user["id"]).status_code == 204
    reply = pd.get("/users/" + user["id"])
    assert reply.status_code == 404 and error_of(reply)["code"] == 2100


def test_account_owner_cannot_be_deleted(pd):
    reply = pd.delete("/users/" + pd.admin()["id"])
    assert reply.status_code == 400


def test_users_me_is_refused_for_an_account_token(pd):
    reply = pd.get("/users/me")
    assert reply.status_code == 400
    assert "account-level access token" in error_of(reply)["errors"][0]


def test_contact_method_crud_and_uniqueness(pd):
    user_id = pd.user("Jeffrey Spender")["id"]
    path = "/users/%s/contact_methods" % user_id
    phone = {"type": "phone_contact_method", "label": "Mobile", "address": "5555550100", "country_code": 1}
    created = pd.post(path, json={"contact_method": phone})
    assert created.status_code == 201, created.text
    method = created.json()["contact_method"]
    assert method["type"] == "phone_contact_method" and method["country_code"] == 1
    again = pd.post(path, json={"contact_method": dict(phone, label="Again")})
    assert again.status_code == 400
    assert "User Contact method must be unique" in error_of(again)["errors"]
    sms = pd.post(path, json={"contact_method": dict(phone, type="sms_contact_method", label="SMS")})
    assert sms.status_code == 201, "the same number may be both a phone and an SMS contact method"
    push = {"type": "push_notification_contact_method", "label": "Phone app", "address": "device-token-1"}
    assert pd.post(path, json={"contact_method": push}).status_code == 201
    updated = pd.put("%s/%s" % (path, method["id"]), json={"contact_method": dict(phone, label="Work phone")})
    assert updated.json()["contact_method"]["label"] == "Work phone"
    assert pd.get("%s/%s" % (path, method["id"])).json()["contact_method"]["label"] == "Work phone"
    assert pd.delete("%s/%s" % (path, method["id"])).status_code == 204
    assert pd.get("%s/%s" % (path, method["id"])).status_code == 404


def test_email_contact_method_must_be_unique_per_user_only(pd):
    first = pd.user("Alpha")["id"]
    second = pd.user("Beta")["id"]
    body = {"contact_method": {"type": "email_contact_method", "label": "Pager", "address": "pager@example.com"}}
    assert pd.post("/users/%s/contact_methods" % first, json=body).status_code == 201
    assert pd.post("/users/%s/contact_methods" % second, json=body).status_code == 201
    assert pd.post("/users/%s/contact_methods" % first, json=body).status_code == 400


def test_phone_contact_method_needs_country_code(pd):
    user_id = pd.user("Gamma")["id"]
    reply = pd.post("/users/%s/contact_methods" % user_id,
                    json={"contact_method": {"type": "sms_contact_method", "label": "SMS", "address": "5555550101"}})
    assert reply.status_code == 400
    assert "country_code" in error_of(reply)["errors"][0]


def test_notification_rule_crud(pd):
    user_id = pd.user("Delta")["id"]
    path = "/users/%s/contact_methods" % user_id
    method = pd.post(path, json={"contact_method": {"type": "sms_contact_method", "label": "SMS",
                                                    "address": "5555550102", "country_code": 1}}).json()["contact_method"]
    rule_body = {"type": "assignment_notification_rule", "start_delay_in_minutes": 5, "urgency": "high",
                 "contact_method": {"id": method["id"], "type": "sms_contact_method_reference"}}
    created = pd.post("/users/%s/notification_rules" % user_id, json={"notification_rule": rule_body})
    assert created.status_code == 201, created.text
    rule = created.json()["notification_rule"]
    assert rule["start_delay_in_minutes"] == 5 and rule["contact_method"]["id"] == method["id"]
    rule_path = "/users/%s/notification_rules/%s" % (user_id, rule["id"])
    shown = pd.get(rule_path, params={"include[]": "contact_methods"}).json()["notification_rule"]
    assert shown["contact_method"]["address"] == "5555550102"
    changed = pd.put(rule_path, json={"notification_rule": dict(rule_body, start_delay_in_minutes=10, urgency="low")})
    assert changed.json()["notification_rule"]["urgency"] == "low"
    assert pd.delete(rule_path).status_code == 204
    assert pd.get(rule_path).status_code == 404


def test_notification_rule_needs_the_users_own_contact_method(pd):
    owner_method = pd.get("/users/%s/contact_methods" % pd.admin()["id"]).json()["contact_methods"][0]
    user_id = pd.user("Epsilon")["id"]
    reply = pd.post("/users/%s/notification_rules" % user_id, json={"notification_rule": {
        "type": "assignment_notification_rule", "start_delay_in_minutes": 0, "urgency": "high",
        "contact_method": {"id": owner_method["id"], "type": "email_contact_method_reference"}}})
    assert reply.status_code == 400


def test_deleting_a_contact_method_deletes_its_rules(pd):
    user_id = pd.user("Zeta")["id"]
    method = pd.get("/users/%s/contact_methods" % user_id).json()["contact_methods"][0]
    assert pd.delete("/users/%s/contact_methods/%s" % (user_id, method["id"])).status_code == 204
    rules = pd.get("/users/%s/notification_rules" % user_id, params={"urgency": "all"}).json()["notification_rules"]
    assert rules == []


def test_team_membership_roles(pd):
    team = pd.team("Response")
    alice = pd.user("Alice")
    bob = pd.user("Bob")
    assert pd.put("/teams/%s/users/%s" % (team["id"], alice["id"]), json={"role": "manager"}).status_code == 204
    assert pd.put("/teams/%s/users/%s" % (team["id"], bob["id"]), json={"role": "observer"}).status_code == 204
    members = pd.get("/teams/%s/members" % team["id"]).json()["members"]
    assert [(member["user"]["id"], member["role"]) for member in members] == [(alice["id"], "manager"), (bob["id"], "observer")]
    assert pd.put("/teams/%s/users/%s" % (team["id"], bob["id"]), json={"role": "responder"}).status_code == 204
    assert pd.get("/teams/%s/members" % team["id"]).json()["members"][1]["role"] == "responder"
    bad = pd.put("/teams/%s/users/%s" % (team["id"], bob["id"]), json={"role": "boss"})
    assert bad.status_code == 400 and "role" in error_of(bad)["errors"][0]
    assert pd.delete("/teams/%s/users/%s" % (team["id"], bob["id"])).status_code == 204
    assert len(pd.get("/teams/%s/members" % team["id"]).json()["members"]) == 1
    listed = pd.get("/users", params={"team_ids[]": team["id"]}).json()["users"]
    assert [user["id"] for user in listed] == [alice["id"]]


def test_team_crud_and_unique_name(pd):
    team = pd.team("Platform")
    assert pd.post("/teams", json={"team": {"type": "team", "name": "platform"}}).status_code == 400
    changed = pd.put("/teams/" + team["id"], json={"team": {"type": "team", "name": "Platform Ops", "description": "Ops"}})
    assert changed.json()["team"]["name"] == "Platform Ops"
    assert [item["name"] for item in pd.get("/teams", params={"query": "ops"}).json()["teams"]] == ["Platform Ops"]
    assert pd.delete("/teams/" + team["id"]).status_code == 204
    assert pd.get("/teams/" + team["id"]).status_code == 404


def test_a_read_only_user_cannot_join_a_team(pd):
    team = pd.team("Response")
    reader = pd.user("Reader", role="read_only_user")
    refused = pd.put("/teams/%s/users/%s" % (team["id"], reader["id"]), json={"role": "responder"})
    assert refused.status_code == 400 and "read_only_user" in error_of(refused)["errors"][0]
    assert pd.get("/teams/%s/members" % team["id"]).json()["members"] == []


def test_a_team_that_still_owns_policies_or_schedules_cannot_be_deleted(pd):
    team = pd.team("Owners")
    alice = pd.user("Alice")
    schedule = pd.schedule("Owners rotation", [alice["id"]], teams=[{"id": team["id"], "type": "team_reference"}])
    policy = pd.policy("Owners policy", ("user_reference", alice["id"]), teams=[{"id": team["id"], "type": "team_reference"}])
    refused = pd.delete("/teams/" + team["id"])
    assert refused.status_code == 400
    detail = error_of(refused)["errors"][0]
    assert "Owners policy" in detail and "Owners rotation" in detail
    assert pd.delete("/escalation_policies/" + policy["id"]).status_code == 204
    assert pd.delete("/schedules/" + schedule["id"]).status_code == 204
    assert pd.delete("/teams/" + team["id"]).status_code == 204


def test_seed_users_option_adds_generated_users(pd_server):
    from simulators.pagerduty import PagerDutySimulator  # pylint: disable=import-outside-toplevel
    simulator = PagerDutySimulator(seed_users=150)
    assert len(simulator.users) == 151
    assert simulator.connection_options("http://x")["from_email"] == ADMIN_EMAIL
    assert pd_server.simulator.spec is simulator.spec, "the description is parsed once per process"


def assign_incident(pd, title, user_id):
    """An open incident assigned directly to one user, on a service whose policy pages the account owner."""
    policy = pd.policy("EP " + title, ("user_reference", pd.admin()["id"]))
    service = pd.service("Service " + title, policy["id"])
    return pd.incident(title, service["id"], assignments=[{"assignee": {"id": user_id, "type": "user_reference"}}])


def test_a_user_assigned_to_open_incidents_cannot_be_deleted(pd):
    """The description: 400 while the user has assigned incidents, unless the account has offboarding."""
    dana = pd.user("Dana")["id"]
    triggered = assign_incident(pd, "Triggered", dana)
    acknowledged = assign_incident(pd, "Acknowledged", dana)
    acknowledge = {"incident": {"type": "incident_reference", "status": "acknowledged"}}
    reply = pd.put("/incidents/" + acknowledged["id"], json=acknowledge)
    assert reply.json()["incident"]["status"] == "acknowledged"
    refused = pd.delete("/users/" + dana)
    assert refused.status_code == 400
    detail = error_of(refused)["errors"][0]
    assert triggered["id"] in detail and acknowledged["id"] in detail
    assert pd.get("/users/" + dana).status_code == 200, "nothing is removed"

    pd.put("/incidents/" + triggered["id"], json={"incident": {"type": "incident_reference", "status": "resolved"}})
    still = pd.delete("/users/" + dana)
    assert still.status_code == 400 and triggered["id"] not in error_of(still)["errors"][0], "a resolved incident is not held"
    pd.put("/incidents/" + acknowledged["id"], json={"incident": {"type": "incident_reference", "status": "resolved"}})
    assert pd.delete("/users/" + dana).status_code == 204


def test_offboarding_accounts_delete_assigned_users_and_reassign(pd):
    requests.put(pd.url + "/_sim/settings", json={"offboarding": True}, timeout=5).raise_for_status()
    dana = pd.user("Dana")["id"]
    incident = assign_incident(pd, "Triggered", dana)
    assert pd.delete("/users/" + dana).status_code == 204
    shown = pd.get("/incidents/" + incident["id"]).json()["incident"]
    assert [entry["assignee"]["id"] for entry in shown["assignments"]] == [pd.admin()["id"]], \
        "the incident goes back to its escalation level's on-calls"
    assert requests.put(pd.url + "/_sim/settings", json={"offboarding": "yes"}, timeout=5).status_code == 400
