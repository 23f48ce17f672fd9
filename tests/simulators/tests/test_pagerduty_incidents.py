"""Incidents: creation, de-duplication, status changes, assignment, escalation, notes, snooze, merge."""

from datetime import datetime, timezone

from .pagerduty_fixtures import ADMIN_EMAIL, error_of, pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import


def setup_service(pd):
    """A service whose policy pages Alice first and Bob second."""
    alice = pd.user("Alice")["id"]
    bob = pd.user("Bob")["id"]
    policy = pd.policy("EP", ("user_reference", alice), ("user_reference", bob))
    return pd.service("Checkout", policy["id"])["id"], alice, bob


def test_create_incident_assigns_first_level(pd):
    service, alice = setup_service(pd)[:2]
    incident = pd.incident("Disk full", service, urgency="low", body={"type": "incident_body", "details": "90%"})
    assert incident["status"] == "triggered" and incident["urgency"] == "low"
    assert incident["incident_number"] == 1 and incident["summary"] == "[#1] Disk full"
    assert [item["assignee"]["id"] for item in incident["assignments"]] == [alice]
    assert incident["assigned_via"] == "escalation_policy" and incident["escalation_level"] == 1
    assert pd.get("/services/" + service).json()["service"]["status"] == "critical"
    by_number = pd.get("/incidents/1").json()["incident"]
    assert by_number["id"] == incident["id"]


def test_create_incident_needs_from_and_required_fields(pd):
    service = setup_service(pd)[0]
    body = {"incident": {"type": "incident", "title": "X", "service": {"id": service, "type": "service_reference"}}}
    reply = pd.post("/incidents", json=body, headers={"From": None})
    assert reply.status_code == 400 and error_of(reply)["code"] == 2016
    reply = pd.post("/incidents", json={"incident": {"type": "incident", "title": "X"}})
    assert reply.status_code == 400 and "service" in error_of(reply)["errors"][0]
    reply = pd.post("/incidents", json={"incident": dict(body["incident"], urgency="urgent")})
    assert reply.status_code == 400


def test_incident_key_deduplicates_open_incidents(pd):
    service = setup_service(pd)[0]
    first = pd.incident("Disk full", service, incident_key="disk-1")
    reply = pd.post("/incidents", json={"incident": {"type": "incident", "title": "Again", "incident_key": "disk-1",
                                                     "service": {"id": service, "type": "service_reference"}}})
    assert reply.status_code == 400
    error = error_of(reply)
    assert error["message"] == "Incident Already Exists" and error["incident"]["id"] == first["id"]
    resolve = {"incident": {"type": "incident_reference", "status": "resolved"}}
    assert pd.put("/incidents/" + first["id"], json=resolve).status_code == 200
    again = pd.incident("Again", service, incident_key="disk-1")
    assert again["id"] != first["id"], "a resolved incident no longer holds its key"
    found = pd.get("/incidents", params={"incident_key": "disk-1", "statuses[]": "triggered"}).json()["incidents"]
    assert [item["id"] for item in found] == [again["id"]]


def test_status_changes(pd):
    service, alice = setup_service(pd)[:2]
    incident = pd.incident("Disk full", service)
    path = "/incidents/" + incident["id"]
    acked = pd.put(path, json={"incident": {"type": "incident_reference", "status": "acknowledged"}}).json()["incident"]
    assert acked["status"] == "acknowledged"
    assert acked["acknowledgements"][0]["acknowledger"]["summary"] == "Avery Owner"
    assert pd.get("/services/" + service).json()["service"]["status"] == "warning"
    resolved = pd.put(path, json={"incident": {"type": "incident_reference", "status": "resolved"}}).json()["incident"]
    assert resolved["status"] == "resolved" and resolved["assignments"] == [] and resolved["resolved_at"]
    reopened = pd.put(path, json={"incident": {"type": "incident_reference", "status": "triggered"}}).json()["incident"]
    assert reopened["status"] == "triggered" and reopened["resolved_at"] is None
    assert [item["assignee"]["id"] for item in reopened["assignments"]] == [alice]
    bad = pd.put(path, json={"incident": {"type": "incident_reference", "status": "closed"}})
    assert bad.status_code == 400
    assert pd.put(path, json={"incident": {"status": "resolved"}}).status_code == 400, "type is required"


def test_reassign_and_escalate(pd):
    service, alice, bob = setup_service(pd)
    carol = pd.user("Carol")["id"]
    incident = pd.incident("Disk full", service)
    path = "/incidents/" + incident["id"]
    escalated = pd.put(path, json={"incident": {"type": "incident_reference", "escalation_level": 2}}).json()["incident"]
    assert escalated["escalation_level"] == 2
    assert [item["assignee"]["id"] for item in escalated["assignments"]] == [bob]
    assert pd.put(path, json={"incident": {"type": "incident_reference", "escalation_level": 3}}).status_code == 400
    reassigned = pd.put(path, json={"incident": {"type": "incident_reference", "assignments": [
        {"assignee": {"id": carol, "type": "user_reference"}}]}}).json()["incident"]
    assert [item["assignee"]["id"] for item in reassigned["assignments"]] == [carol]
    assert reassigned["assigned_via"] == "direct_assignment"
    mine = pd.get("/incidents", params={"user_ids[]": carol}).json()["incidents"]
    assert [item["id"] for item in mine] == [incident["id"]]
    assert alice not in [item["assignee"]["id"] for item in reassigned["assignments"]]


def test_direct_assignment_on_create_excludes_policy(pd):
    service, bob = setup_service(pd)[::2]
    other = pd.policy("Other", ("user_reference", bob))["id"]
    body = {"type": "incident", "title": "X", "service": {"id": service, "type": "service_reference"},
            "assignments": [{"assignee": {"id": bob, "type": "user_reference"}}],
            "escalation_policy": {"id": other, "type": "escalation_policy_reference"}}
    assert pd.post("/incidents", json={"incident": body}).status_code == 400
    del body["escalation_policy"]
    created = pd.post("/incidents", json={"incident": body}).json()["incident"]
    assert created["assigned_via"] == "direct_assignment"


def test_bulk_update_is_all_or_nothing(pd):
    service = setup_service(pd)[0]
    first = pd.incident("One", service)
    second = pd.incident("Two", service)
    body = {"incidents": [{"id": first["id"], "type": "incident_reference", "status": "acknowledged"},
                          {"id": "PNOSUCH", "type": "incident_reference", "status": "acknowledged"}]}
    assert pd.put("/incidents", json=body).status_code == 404
    assert pd.get("/incidents/" + first["id"]).json()["incident"]["status"] == "triggered"
    body["incidents"][1]["id"] = second["id"]
    reply = pd.put("/incidents", json=body)
    assert reply.status_code == 200
    assert [item["status"] for item in reply.json()["incidents"]] == ["acknowledged", "acknowledged"]
    assert pd.put("/incidents", json=body, headers={"From": None}).status_code == 400


def test_notes(pd):
    service = setup_service(pd)[0]
    incident = pd.incident("Disk full", service)
    path = "/incidents/%s/notes" % incident["id"]
    reply = pd.post(path, json={"note": {"content": "Looking at it"}})
    assert reply.status_code == 200, reply.text
    note = reply.json()["note"]
    assert note["content"] == "Looking at it" and note["user"]["summary"] == "Avery Owner"
    assert [item["id"] for item in pd.get(path).json()["notes"]] == [note["id"]]
    assert pd.post(path, json={"note": {}}).status_code == 400
    assert pd.post(path, json={"note": {"content": "x"}}, headers={"From": None}).status_code == 400


def test_snooze_needs_acknowledged_incident(pd):
    pd.sim.frozen_now = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)
    service = setup_service(pd)[0]
    incident = pd.incident("Disk full", service)
    path = "/incidents/%s/snooze" % incident["id"]
    assert pd.post(path, json={"duration": 3600}).status_code == 400
    pd.put("/incidents/" + incident["id"], json={"incident": {"type": "incident_reference", "status": "acknowledged"}})
    reply = pd.post(path, json={"duration": 3600})
    assert reply.status_code == 201
    assert reply.json()["incident"]["pending_actions"] == [{"type": "unacknowledge", "at": "2024-03-10T13:00:00Z"}]
    assert pd.post(path, json={"duration": 0}).status_code == 400, "the description's minimum is one second"


def test_merge(pd):
    service = setup_service(pd)[0]
    target = pd.incident("Target", service)
    source = pd.incident("Source", service)
    reply = pd.put("/incidents/%s/merge" % target["id"],
                   json={"source_incidents": [{"id": source["id"], "type": "incident_reference"}]})
    assert reply.status_code == 200, reply.text
    assert reply.json()["incident"]["id"] == target["id"]
    assert pd.get("/incidents/" + source["id"]).json()["incident"]["status"] == "resolved"
    again = pd.put("/incidents/%s/merge" % target["id"],
                   json={"source_incidents": [{"id": source["id"], "type": "incident_reference"}]})
    assert again.status_code == 400 and error_of(again)["message"] == "Arguments Caused Error"


def test_status_update_and_priority(pd):
    service = setup_service(pd)[0]
    incident = pd.incident("Disk full", service, priority={"id": "PKRBZ1A", "type": "priority_reference"})
    assert incident["priority"]["name"] == "P1"
    reply = pd.post("/incidents/%s/status_updates" % incident["id"], json={"message": "Mitigated"})
    assert reply.status_code == 200 and reply.json()["status_update"]["message"] == "Mitigated"
    changed = pd.put("/incidents/" + incident["id"], json={"incident": {"type": "incident_reference", "priority": "P3"}})
    assert changed.json()["incident"]["priority"]["name"] == "P3"


def test_list_filters(pd):
    service = setup_service(pd)[0]
    first = pd.incident("One", service, urgency="low")
    pd.incident("Two", service)
    low = pd.get("/incidents", params={"urgencies[]": "low"}).json()["incidents"]
    assert [item["id"] for item in low] == [first["id"]]
    assert pd.get("/incidents", params={"statuses[]": "bogus"}).status_code == 400
    assert len(pd.get("/incidents", params={"service_ids[]": service, "date_range": "all"}).json()["incidents"]) == 2
    assert pd.get("/incidents", params={"since": "2001-01-01T00:00:00Z", "until": "2001-01-02T00:00:00Z"}).json()["incidents"] == []


def test_disabled_service_refuses_incidents(pd):
    service = setup_service(pd)[0]
    policy = pd.get("/services/" + service).json()["service"]["escalation_policy"]["id"]
    pd.put("/services/" + service, json={"service": {"type": "service", "status": "disabled",
                                                     "escalation_policy": {"id": policy, "type": "escalation_policy_reference"}}})
    reply = pd.post("/incidents", json={"incident": {"type": "incident", "title": "X",
                                                     "service": {"id": service, "type": "service_reference"}}},
                    headers={"From": ADMIN_EMAIL})
    assert reply.status_code == 400


def test_list_refuses_a_range_over_six_months(pd):
    reply = pd.get("/incidents", params={"since": "2024-01-01T00:00:00Z", "until": "2024-07-15T00:00:00Z"})
    assert reply.status_code == 400 and error_of(reply)["message"] == "Invalid Query Date Range"
    assert pd.get("/incidents", params={"since": "2024-01-01T00:00:00Z", "until": "2024-06-30T00:00:00Z"}).status_code == 200


def test_a_snooze_that_ran_out_returns_the_incident_to_triggered(pd):
    service = setup_service(pd)[0]
    pd.sim.frozen_now = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)
    incident = pd.incident("Disk full", service)
    path = "/incidents/" + incident["id"]
    pd.put(path, json={"incident": {"type": "incident_reference", "status": "acknowledged"}})
    snoozed = pd.post(path + "/snooze", json={"duration": 3600}).json()["incident"]
    assert snoozed["pending_actions"] == [{"type": "unacknowledge", "at": "2024-03-10T13:00:00Z"}]
    pd.sim.frozen_now = datetime(2024, 3, 10, 13, 0, 1, tzinfo=timezone.utc)
    woken = pd.get(path).json()["incident"]
    assert woken["status"] == "triggered" and woken["pending_actions"] == []


def test_resolution_is_kept_with_the_resolve_and_alerts_move_on_merge(pd):
    service = setup_service(pd)[0]
    target = pd.incident("Disk full", service)
    source = pd.incident("Disk full again", service)
    pd.sim.incidents[source["id"]]["_alert_records"].append({"id": "PALERT1", "type": "alert", "status": "triggered"})
    body = {"source_incidents": [{"id": source["id"], "type": "incident_reference"}]}
    assert pd.put("/incidents/%s/merge" % target["id"], json=body).status_code == 200
    [alert] = pd.get("/incidents/%s/alerts" % target["id"]).json()["alerts"]
    assert alert["id"] == "PALERT1" and alert["incident"]["id"] == target["id"]
    assert pd.get("/incidents/%s/alerts" % source["id"]).json()["alerts"] == []
    resolve = {"incident": {"type": "incident_reference", "status": "resolved", "resolution": "Disk cleaned"}}
    assert pd.put("/incidents/" + target["id"], json=resolve).status_code == 200
    assert pd.sim.incidents[target["id"]]["_resolution"] == "Disk cleaned"
