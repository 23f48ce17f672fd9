"""Bulk seeding and reset through the control API."""

import requests

from .pagerduty_fixtures import ADMIN_EMAIL, pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import

SEED = {
    "users": [{"id": "PUSER01", "type": "user", "name": "Seeded One", "email": "one@example.com", "role": "admin"},
              {"id": "PUSER02", "type": "user", "name": "Seeded Two", "email": "two@example.com"}],
    "teams": [{"id": "PTEAM01", "type": "team", "name": "Seeded Team",
               "members": [{"user": {"id": "PUSER01", "type": "user_reference"}, "role": "manager"}]}],
    "schedules": [{"id": "PSCHED1", "type": "schedule", "name": "Seeded Rota", "time_zone": "America/New_York",
                   "schedule_layers": [{"start": "2024-01-01T00:00:00Z", "rotation_virtual_start": "2024-01-01T00:00:00Z",
                                        "rotation_turn_length_seconds": 604800,
                                        "users": [{"user": {"id": "PUSER01", "type": "user_reference"}},
                                                  {"user": {"id": "PUSER02", "type": "user_reference"}}]}]}],
    "escalation_policies": [{"id": "PPOLIC1", "type": "escalation_policy", "name": "Seeded EP",
                             "escalation_rules": [{"escalation_delay_in_minutes": 30,
                                                   "targets": [{"id": "PSCHED1", "type": "schedule_reference"}]}]}],
    "services": [{"id": "PSERVC1", "type": "service", "name": "Seeded Service",
                  "escalation_policy": {"id": "PPOLIC1", "type": "escalation_policy_reference"}}],
}


def test_seed_loads_objects_in_api_shape(pd):
    reply = requests.post(pd.url + "/_sim/seed", json=SEED, timeout=5)
    assert reply.status_code == 201, reply.text
    assert reply.json() == {"users": ["PUSER01", "PUSER02"], "teams": ["PTEAM01"], "schedules": ["PSCHED1"],
                            "escalation_policies": ["PPOLIC1"], "services": ["PSERVC1"]}
    assert pd.get("/users/PUSER01").json()["user"]["teams"][0]["id"] == "PTEAM01"
    assert pd.get("/users/PUSER02/contact_methods").json()["contact_methods"][0]["address"] == "two@example.com"
    assert pd.get("/services/PSERVC1").json()["service"]["escalation_policy"]["id"] == "PPOLIC1"
    oncall = pd.get("/oncalls", params={"escalation_policy_ids[]": "PPOLIC1"}).json()["oncalls"]
    assert len(oncall) == 1 and oncall[0]["schedule"]["id"] == "PSCHED1"
    assert pd.post("/incidents", json={"incident": {"type": "incident", "title": "X", "service": {
        "id": "PSERVC1", "type": "service_reference"}}}, headers={"From": "one@example.com"}).status_code == 201


def test_seed_refuses_taken_ids_and_broken_references(pd):
    requests.post(pd.url + "/_sim/seed", json={"users": SEED["users"]}, timeout=5).raise_for_status()
    again = requests.post(pd.url + "/_sim/seed", json={"users": [dict(SEED["users"][0], email="other@example.com")]},
                          timeout=5)
    assert again.status_code == 400 and "PUSER01" in again.json()["error"]
    broken = requests.post(pd.url + "/_sim/seed", json={"services": [dict(SEED["services"][0], id="PSERVC2")]}, timeout=5)
    assert broken.status_code == 400 and "PPOLIC1" in broken.json()["error"]
    invalid = requests.post(pd.url + "/_sim/seed", json={"users": [{"type": "user", "name": "No Email"}]}, timeout=5)
    assert invalid.status_code == 400 and "email" in invalid.json()["error"], "seeds are checked against the description"


def test_reset_brings_back_a_fresh_account(pd):
    owner = pd.admin()["id"]
    requests.post(pd.url + "/_sim/seed", json=SEED, timeout=5).raise_for_status()
    requests.post(pd.url + "/_sim/reset", timeout=5).raise_for_status()
    users = pd.get("/users").json()["users"]
    assert [(user["id"], user["email"], user["role"]) for user in users] == [(owner, ADMIN_EMAIL, "owner")]
    assert pd.get("/services").json()["services"] == []


def test_ids_sent_in_a_create_request_are_ignored(pd):
    user = pd.user("Ignored Id", id="PCHOSEN")
    assert user["id"] != "PCHOSEN"
