"""The simulator against PagerDuty's published contract: request checks, response shapes,
pagination and rate limiting."""

import json

import pytest
import requests

from simulators import openapi

from .pagerduty_fixtures import (API_TOKEN, MEDIA_TYPE, PagerDutyClient, error_of, pd_fixture,  # noqa: F401  pylint: disable=unused-import
                                 pd_server_fixture)

BAD_REQUESTS = [
    ("unknown path", "GET", "/userz", {}, None, 404),
    ("unknown method on a known path", "PATCH", "/users", {}, None, 405),
    ("enum: user role", "POST", "/users", {}, {"user": {"type": "user", "name": "X", "email": "x@example.com",
                                                        "role": "superuser"}}, 400),
    ("required body field: email", "POST", "/users", {}, {"user": {"type": "user", "name": "X"}}, 400),
    ("required wrapper", "POST", "/users", {}, {"name": "X", "email": "x@example.com"}, 400),
    ("maxLength: name", "POST", "/users", {}, {"user": {"type": "user", "name": "N" * 101, "email": "x@example.com"}}, 400),
    ("format: email", "POST", "/users", {}, {"user": {"type": "user", "name": "X", "email": "not-an-email"}}, 400),
    ("wrong type value", "POST", "/teams", {}, {"team": {"type": "squad", "name": "X"}}, 400),
    ("not nullable: job_title", "POST", "/users", {}, {"user": {"type": "user", "name": "X", "email": "x@example.com",
                                                                "job_title": None}}, 400),
    ("query type: limit", "GET", "/users", {"limit": "ten"}, None, 400),
    ("query type: total", "GET", "/users", {"total": "yes"}, None, 400),
    ("query enum: include[]", "GET", "/users", {"include[]": "secrets"}, None, 400),
    ("query enum: statuses[]", "GET", "/incidents", {"statuses[]": "open"}, None, 400),
    ("required query: since", "GET", "/schedules/PXXXXXX/overrides", {"until": "2024-01-01T00:00:00Z"}, None, 400),
    ("team role enum", "PUT", "/teams/PXXXXXX/users/PYYYYYY", {}, {"role": "owner"}, 400),
    ("snooze maximum", "POST", "/incidents/PXXXXXX/snooze", {}, {"duration": 604801}, 400),
    ("body is not JSON", "POST", "/teams", {}, "{not json", 400),
]


@pytest.mark.parametrize("label,method,path,query,body,status", BAD_REQUESTS, ids=[case[0] for case in BAD_REQUESTS])
def test_requests_the_description_rejects_are_rejected(pd, label, method, path, query, body, status):
    kwargs = {"params": query}
    if isinstance(body, str):
        kwargs["data"] = body
    elif body is not None:
        kwargs["json"] = body
    reply = pd.request(method, path, **kwargs)
    assert reply.status_code == status, "%s was accepted: %s" % (label, reply.text)
    error = error_of(reply)
    assert error["errors"], label


def test_missing_from_is_rejected_on_every_operation_that_requires_it(pd):
    """The operations whose description marks ``From`` required, found from the description itself."""
    spec = pd.sim.spec
    bodies = {"/users": {"user": {"type": "user", "name": "X", "email": "x@example.com"}}}
    checked = []
    for template in ("/users", "/incidents", "/incidents/{id}", "/incidents/{id}/merge", "/incidents/{id}/notes",
                     "/incidents/{id}/snooze", "/incidents/{id}/status_updates"):
        for method in ("POST", "PUT"):
            operation = spec.operation(method, template)
            if operation is None or operation.header("From") is None or not operation.header("From").required:
                continue
            path = template.replace("{id}", "PXXXXXX")
            reply = pd.request(method, path, json=bodies.get(template, {}), headers={"From": None})
            assert reply.status_code == 400 and error_of(reply)["code"] == 2016, (method, template, reply.text)
            checked.append((method, template))
    assert len(checked) == 8


def test_authentication(pd):
    bare = requests.get(pd.url + "/users", headers={"Accept": MEDIA_TYPE, "Content-Type": "application/json"}, timeout=5)
    assert bare.status_code == 401 and error_of(bare)["code"] == 2006
    wrong = pd.get("/users", headers={"Authorization": "Token token=wrong"})
    assert wrong.status_code == 401
    bearer = pd.get("/users", headers={"Authorization": "Bearer " + API_TOKEN})
    assert bearer.status_code == 200
    no_scheme = pd.get("/users", headers={"Authorization": API_TOKEN})
    assert no_scheme.status_code == 401


def test_accept_header(pd):
    assert pd.get("/users", headers={"Accept": "application/vnd.pagerduty+json; version=2"}).status_code == 200
    assert pd.get("/users", headers={"Accept": "application/json"}).status_code == 200
    missing = pd.get("/users", headers={"Accept": None})
    assert missing.status_code == 400 and "Accept" in error_of(missing)["errors"][0], "the description marks Accept required"
    old = pd.get("/users", headers={"Accept": "application/vnd.pagerduty+json;version=1"})
    assert old.status_code == 400 and "version" in error_of(old)["errors"][0]
    assert pd.get("/users", headers={"Accept": "text/html"}).status_code == 406


def test_content_type_is_checked_on_writes(pd):
    form = pd.post("/teams", data="team[name]=X", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and error_of(form)["errors"] == ["params must be a Hash"]
    assert pd.post("/teams", json={"team": {"type": "team", "name": "X"}},
                   headers={"Content-Type": "application/json; charset=utf-8"}).status_code == 201


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/teams", {"team": {"type": "team", "name": "Bare"}}),
    ("PUT", "/users/{id}", {"user": {"type": "user", "name": "Bare", "email": "bare@example.com"}}),
], ids=["POST", "PUT"])
def test_a_write_without_content_type_is_refused(pd, method, path, body):
    user = pd.user("Writer")
    reply = pd.request(method, path.replace("{id}", user["id"]), data=json.dumps(body), headers={"Content-Type": None})
    assert "Content-Type" not in reply.request.headers
    assert reply.status_code == 400, reply.text
    assert pd.get("/teams", params={"query": "Bare"}).json()["teams"] == []
    assert pd.get("/users/" + user["id"]).json()["user"]["name"] == "Writer"


def test_a_get_without_content_type_is_answered(pd):
    """Erratum (openapi.HEADER_ERRATA): the description marks Content-Type required on every
    operation, but PagerDuty answers a GET without it, as curl and pdpyras send it."""
    user = pd.user("Reader")
    for path in ("/users", "/users/" + user["id"], "/teams", "/schedules", "/escalation_policies", "/oncalls"):
        reply = pd.get(path, headers={"Content-Type": None})
        assert "Content-Type" not in reply.request.headers
        assert reply.status_code == 200, (path, reply.text)


def test_read_only_fields_sent_back_are_ignored_and_nullable_is_honoured(pd):
    user = pd.user("Round Trip")
    user["name"] = "Round Tripped"
    user["description"] = None
    reply = pd.put("/users/" + user["id"], json={"user": user})
    assert reply.status_code == 200, reply.text
    assert reply.json()["user"]["name"] == "Round Tripped"
    assert reply.json()["user"]["contact_methods"] == user["contact_methods"]


def test_pagination(pd):
    for number in range(30):
        pd.sim.create_user({"name": "Paged %02d" % number, "email": "paged%02d@example.com" % number})
    first = pd.get("/users", params={"query": "Paged"}).json()
    assert (first["limit"], first["offset"], first["more"], first["total"]) == (25, 0, True, None)
    assert len(first["users"]) == 25
    second = pd.get("/users", params={"query": "Paged", "offset": 25, "total": "true"}).json()
    assert (len(second["users"]), second["more"], second["total"]) == (5, False, 30)
    assert second["users"][0]["name"] == "Paged 25"
    clamped = pd.get("/users", params={"limit": 500}).json()
    assert clamped["limit"] == 100
    too_far = pd.get("/users", params={"offset": 9950, "limit": 100})
    assert too_far.status_code == 400
    assert error_of(too_far)["message"] == "Arguments Caused Error" and "10000" in error_of(too_far)["errors"][0]
    assert pd.get("/users", params={"offset": 9900, "limit": 100}).status_code == 200


def test_rate_limit_per_token(pd):
    requests.put(pd.url + "/_sim/settings", json={"rate_limit": 3}, timeout=5).raise_for_status()
    statuses = [pd.get("/priorities").status_code for attempt in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = pd.get("/priorities")
    assert limited.status_code == 429 and error_of(limited)["code"] == 2020
    assert limited.headers["ratelimit-limit"] == "3" and limited.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(limited.headers["ratelimit-reset"]) <= 61
    assert "Retry-After" not in limited.headers
    other = pd.get("/priorities", headers={"Authorization": "Bearer " + API_TOKEN})
    assert other.status_code == 200, "each token has its own budget"


def check(pd, method, template, reply):
    assert reply.status_code < 300, reply.text
    body = reply.json() if reply.content else None
    errors = pd.sim.spec.response_errors(method, template, reply.status_code, body)
    assert not errors, "%s %s %s: %s" % (method, template, reply.status_code, errors[:5])
    return body


def test_responses_match_the_description(pd):
    """Create, get and list every resource and validate each answer against the description's schemas.

    Answers are checked without ``include[]``: the description types expanded
    lists as references, while PagerDuty (and the simulator) put full objects there.
    """
    new_user = {"type": "user", "name": "Schema User", "email": "schema@example.com"}
    user = check(pd, "POST", "/users", pd.post("/users", json={"user": new_user}))["user"]
    uid = user["id"]
    check(pd, "GET", "/users/{id}", pd.get("/users/" + uid))
    check(pd, "GET", "/users", pd.get("/users", params={"total": "true"}))
    method = check(pd, "POST", "/users/{id}/contact_methods", pd.post("/users/%s/contact_methods" % uid, json={
        "contact_method": {"type": "sms_contact_method", "label": "SMS", "address": "5555550199", "country_code": 1}}))
    method_id = method["contact_method"]["id"]
    check(pd, "GET", "/users/{id}/contact_methods/{contact_method_id}",
          pd.get("/users/%s/contact_methods/%s" % (uid, method_id)))
    check(pd, "GET", "/users/{id}/contact_methods", pd.get("/users/%s/contact_methods" % uid))
    rule = check(pd, "POST", "/users/{id}/notification_rules", pd.post("/users/%s/notification_rules" % uid, json={
        "notification_rule": {"type": "assignment_notification_rule", "start_delay_in_minutes": 3, "urgency": "low",
                              "contact_method": {"id": method_id, "type": "sms_contact_method_reference"}}}))
    check(pd, "GET", "/users/{id}/notification_rules/{notification_rule_id}",
          pd.get("/users/%s/notification_rules/%s" % (uid, rule["notification_rule"]["id"])))
    check(pd, "GET", "/users/{id}/notification_rules", pd.get("/users/%s/notification_rules" % uid))
    team = check(pd, "POST", "/teams", pd.post("/teams", json={"team": {"type": "team", "name": "Schema Team"}}))["team"]
    check(pd, "GET", "/teams/{id}", pd.get("/teams/" + team["id"]))
    check(pd, "GET", "/teams", pd.get("/teams"))
    pd.put("/teams/%s/users/%s" % (team["id"], uid), json={"role": "responder"})
    check(pd, "GET", "/teams/{id}/members", pd.get("/teams/%s/members" % team["id"]))
    schedule = check(pd, "POST", "/schedules", pd.post("/schedules", json={"schedule": {
        "type": "schedule", "name": "Schema Rota", "time_zone": "Europe/Paris",
        "schedule_layers": [{"start": "2024-01-01T00:00:00Z", "rotation_virtual_start": "2024-01-01T00:00:00Z",
                             "rotation_turn_length_seconds": 86400, "users": [{"user": {"id": uid, "type": "user_reference"}}],
                             "restrictions": [{"type": "weekly_restriction", "start_time_of_day": "08:00:00",
                                               "duration_seconds": 36000, "start_day_of_week": 1}]}]}}))["schedule"]
    check(pd, "GET", "/schedules/{id}", pd.get("/schedules/" + schedule["id"]))
    check(pd, "GET", "/schedules", pd.get("/schedules", params={"include[]": "schedule_layers"}))
    override = check(pd, "POST", "/schedules/{id}/overrides", pd.post("/schedules/%s/overrides" % schedule["id"], json={
        "overrides": [{"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z",
                       "user": {"id": uid, "type": "user_reference"}}]}))
    assert override[0]["status"] == 201
    check(pd, "GET", "/schedules/{id}/overrides", pd.get("/schedules/%s/overrides" % schedule["id"], params={
        "since": "2029-12-31T00:00:00Z", "until": "2030-01-03T00:00:00Z"}))
    check(pd, "GET", "/schedules/{id}/users", pd.get("/schedules/%s/users" % schedule["id"]))
    policy = check(pd, "POST", "/escalation_policies", pd.post("/escalation_policies", json={"escalation_policy": {
        "type": "escalation_policy", "name": "Schema EP", "teams": [{"id": team["id"], "type": "team_reference"}],
        "escalation_rules": [{"escalation_delay_in_minutes": 15, "targets": [
            {"id": schedule["id"], "type": "schedule_reference"}, {"id": uid, "type": "user_reference"}]}]}}))["escalation_policy"]
    check(pd, "GET", "/escalation_policies/{id}", pd.get("/escalation_policies/" + policy["id"]))
    check(pd, "GET", "/escalation_policies", pd.get("/escalation_policies"))
    check(pd, "GET", "/oncalls", pd.get("/oncalls", params={"since": "2024-01-01T00:00:00Z", "until": "2024-01-03T00:00:00Z"}))
    check(pd, "GET", "/oncalls", pd.get("/oncalls"))
    new_service = {"type": "service", "name": "Schema Service",
                   "escalation_policy": {"id": policy["id"], "type": "escalation_policy_reference"}}
    service = check(pd, "POST", "/services", pd.post("/services", json={"service": new_service}))["service"]
    check(pd, "GET", "/services/{id}", pd.get("/services/" + service["id"]))
    check(pd, "GET", "/services", pd.get("/services"))
    integration = check(pd, "POST", "/services/{id}/integrations", pd.post("/services/%s/integrations" % service["id"], json={
        "integration": {"type": "generic_events_api_inbound_integration", "name": "Events"}}))["integration"]
    check(pd, "GET", "/services/{id}/integrations/{integration_id}",
          pd.get("/services/%s/integrations/%s" % (service["id"], integration["id"])))
    check(pd, "GET", "/extension_schemas", pd.get("/extension_schemas"))
    check(pd, "GET", "/extension_schemas/{id}", pd.get("/extension_schemas/PJFWPEP"))
    extension = check(pd, "POST", "/extensions", pd.post("/extensions", json={"extension": {
        "type": "extension", "name": "Schema Hook", "endpoint_url": "https://hooks.example.com",
        "extension_schema": {"id": "PJFWPEP", "type": "extension_schema_reference"},
        "extension_objects": [{"id": service["id"], "type": "service_reference"}]}}))["extension"]
    check(pd, "GET", "/extensions/{id}", pd.get("/extensions/" + extension["id"]))
    check(pd, "GET", "/extensions", pd.get("/extensions"))
    check(pd, "GET", "/priorities", pd.get("/priorities"))
    check(pd, "GET", "/vendors", pd.get("/vendors"))
    window = check(pd, "POST", "/maintenance_windows", pd.post("/maintenance_windows", json={"maintenance_window": {
        "type": "maintenance_window", "start_time": "2099-01-01T00:00:00Z", "end_time": "2099-01-01T02:00:00Z",
        "description": "Schema window", "services": [{"id": service["id"], "type": "service_reference"}]}}))
    window_id = window["maintenance_window"]["id"]
    check(pd, "GET", "/maintenance_windows/{id}", pd.get("/maintenance_windows/" + window_id))
    check(pd, "GET", "/maintenance_windows", pd.get("/maintenance_windows", params={"filter": "future"}))
    check(pd, "PUT", "/maintenance_windows/{id}", pd.put("/maintenance_windows/" + window_id, json={"maintenance_window": {
        "type": "maintenance_window", "start_time": "2099-01-01T00:00:00Z", "end_time": "2099-01-01T03:00:00Z",
        "services": [{"id": service["id"], "type": "service_reference"}]}}))
    incident = check(pd, "POST", "/incidents", pd.post("/incidents", json={"incident": {
        "type": "incident", "title": "Schema incident", "service": {"id": service["id"], "type": "service_reference"},
        "priority": {"id": "PKRBZ2B", "type": "priority_reference"},
        "body": {"type": "incident_body", "details": "Disk at 95%"}}}))["incident"]
    check(pd, "GET", "/incidents/{id}", pd.get("/incidents/" + incident["id"]))
    check(pd, "GET", "/incidents", pd.get("/incidents"))
    check(pd, "PUT", "/incidents/{id}", pd.put("/incidents/" + incident["id"], json={"incident": {
        "type": "incident_reference", "status": "acknowledged"}}))
    check(pd, "POST", "/incidents/{id}/snooze", pd.post("/incidents/%s/snooze" % incident["id"], json={"duration": 60}))
    check(pd, "POST", "/incidents/{id}/notes", pd.post("/incidents/%s/notes" % incident["id"], json={"note": {"content": "hi"}}))
    check(pd, "GET", "/incidents/{id}/notes", pd.get("/incidents/%s/notes" % incident["id"]))
    check(pd, "POST", "/incidents/{id}/status_updates", pd.post("/incidents/%s/status_updates" % incident["id"],
                                                                json={"message": "Working on it"}))
    other = pd.incident("Second", service["id"])
    check(pd, "PUT", "/incidents", pd.put("/incidents", json={"incidents": [
        {"id": other["id"], "type": "incident_reference", "status": "acknowledged"}]}))
    check(pd, "PUT", "/incidents/{id}/merge", pd.put("/incidents/%s/merge" % incident["id"], json={
        "source_incidents": [{"id": other["id"], "type": "incident_reference"}]}))


def test_error_bodies_match_the_description(pd):
    reply = pd.get("/users/PNOSUCH")
    assert not pd.sim.spec.response_errors("GET", "/users/{id}", 404, reply.json())


def test_spec_location(monkeypatch, tmp_path):
    """``$PAGERDUTY_OPENAPI_SPEC`` first, else ``shared/specs/`` beside a parent folder."""
    real = openapi.find_spec().resolve()
    monkeypatch.setenv(openapi.SPEC_ENV, str(tmp_path / "missing.json"))
    with pytest.raises(FileNotFoundError, match=openapi.SPEC_ENV):
        openapi.find_spec()
    monkeypatch.delenv(openapi.SPEC_ENV)
    assert openapi.find_spec(real.parents[2] / "checkout" / "tests" / "openapi.py") == real
    with pytest.raises(FileNotFoundError, match="not found"):
        openapi.find_spec(tmp_path / "nowhere" / "file.py")


def test_literal_paths_win_over_templates(pd):
    operation, values = pd.sim.spec.match("GET", "/users/me")
    assert operation.template == "/users/me" and values == {}
    operation, values = pd.sim.spec.match("GET", "/users/PABC123/contact_methods")
    assert operation.template == "/users/{id}/contact_methods" and values == {"id": "PABC123"}
