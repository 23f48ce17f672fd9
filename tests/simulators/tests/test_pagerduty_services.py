"""Services, integrations, extensions, extension schemas and priorities."""

import re
from datetime import datetime, timezone

import requests

from .pagerduty_fixtures import error_of, pd_fixture, pd_server_fixture  # noqa: F401  pylint: disable=unused-import


def policy_id(pd):
    return pd.policy("EP", ("user_reference", pd.admin()["id"]))["id"]


def test_service_crud(pd):
    policy = policy_id(pd)
    service = pd.service("Checkout", policy, description="Takes money")
    assert service["status"] == "active" and service["auto_resolve_timeout"] == 14400
    assert service["acknowledgement_timeout"] == 1800
    assert service["escalation_policy"] == {**service["escalation_policy"], "id": policy, "type": "escalation_policy_reference"}
    assert service["incident_urgency_rule"] == {"type": "constant", "urgency": "high"}
    body = {"type": "service", "name": "Checkout v2", "escalation_policy": {"id": policy, "type": "escalation_policy_reference"},
            "auto_resolve_timeout": 600}
    changed = pd.put("/services/" + service["id"], json={"service": body}).json()["service"]
    assert changed["name"] == "Checkout v2" and changed["auto_resolve_timeout"] == 600
    assert changed["description"] == "Takes money"
    shown = pd.get("/services/" + service["id"], params={"include[]": "escalation_policies"}).json()["service"]
    assert shown["escalation_policy"]["type"] == "escalation_policy"
    assert [item["name"] for item in pd.get("/services", params={"query": "v2"}).json()["services"]] == ["Checkout v2"]
    assert pd.delete("/services/" + service["id"]).status_code == 204
    assert pd.get("/services/" + service["id"]).status_code == 404


def test_service_timeouts_can_be_turned_off_with_null(pd):
    policy = policy_id(pd)
    body = {"type": "service", "name": "Quiet", "escalation_policy": {"id": policy, "type": "escalation_policy_reference"},
            "auto_resolve_timeout": None, "acknowledgement_timeout": None}
    reply = pd.post("/services", json={"service": body})
    assert reply.status_code == 201, reply.text
    assert reply.json()["service"].get("auto_resolve_timeout") is None
    negative = pd.post("/services", json={"service": dict(body, name="Negative", auto_resolve_timeout=-1)})
    assert negative.status_code == 400


def test_service_name_is_unique_and_policy_is_required(pd):
    policy = policy_id(pd)
    pd.service("Search", policy)
    duplicate = pd.post("/services", json={"service": {"type": "service", "name": "search",
                                                       "escalation_policy": {"id": policy, "type": "escalation_policy_reference"}}})
    assert duplicate.status_code == 400 and "Name has already been taken" in error_of(duplicate)["errors"]
    missing = pd.post("/services", json={"service": {"type": "service", "name": "Other"}})
    assert missing.status_code == 400 and "escalation_policy" in error_of(missing)["errors"][0]


def test_integrations_get_generated_keys(pd):
    service = pd.service("Checkout", policy_id(pd))
    path = "/services/%s/integrations" % service["id"]
    reply = pd.post(path, json={"integration": {"type": "events_api_v2_inbound_integration", "name": "Events"}})
    assert reply.status_code == 201, reply.text
    integration = reply.json()["integration"]
    assert re.fullmatch(r"[0-9a-f]{32}", integration["integration_key"])
    other = pd.post(path, json={"integration": {"type": "events_api_v2_inbound_integration", "name": "Second"}}).json()
    assert other["integration"]["integration_key"] != integration["integration_key"]
    shown = pd.get("%s/%s" % (path, integration["id"])).json()["integration"]
    assert shown["service"]["id"] == service["id"]
    renamed = pd.put("%s/%s" % (path, integration["id"]), json={"integration": {
        "type": "events_api_v2_inbound_integration", "name": "Renamed"}}).json()["integration"]
    assert renamed["name"] == "Renamed" and renamed["integration_key"] == integration["integration_key"]
    listed = pd.get("/services/" + service["id"]).json()["service"]["integrations"]
    assert {item["id"] for item in listed} == {integration["id"], other["integration"]["id"]}
    bad = pd.post(path, json={"integration": {"type": "carrier_pigeon_inbound_integration", "name": "Birds"}})
    assert bad.status_code == 400


def test_email_integration_needs_an_address(pd):
    service = pd.service("Mail", policy_id(pd))
    path = "/services/%s/integrations" % service["id"]
    assert pd.post(path, json={"integration": {"type": "generic_email_inbound_integration", "name": "Mail"}}).status_code == 400
    reply = pd.post(path, json={"integration": {"type": "generic_email_inbound_integration", "name": "Mail",
                                                "integration_email": "mail@incident-ops.pagerduty.com"}})
    assert reply.status_code == 201 and "integration_key" not in reply.json()["integration"]


def test_extension_schemas_are_seeded(pd):
    schemas = pd.get("/extension_schemas").json()["extension_schemas"]
    labels = [schema["label"] for schema in schemas]
    assert "Generic V2 Webhook" in labels and len(labels) >= 3
    webhook = pd.get("/extension_schemas/PJFWPEP").json()["extension_schema"]
    assert webhook["key"] == "generic_v2_webhook" and webhook["type"] == "extension_schema"


def test_extension_crud(pd):
    service = pd.service("Checkout", policy_id(pd))
    body = {"type": "extension", "name": "Webhook", "endpoint_url": "https://hooks.example.com/pd",
            "extension_schema": {"id": "PJFWPEP", "type": "extension_schema_reference"},
            "extension_objects": [{"id": service["id"], "type": "service_reference"}]}
    reply = pd.post("/extensions", json={"extension": body})
    assert reply.status_code == 201, reply.text
    extension = reply.json()["extension"]
    assert extension["extension_schema"]["id"] == "PJFWPEP" and extension["temporarily_disabled"] is False
    assert extension["extension_objects"][0]["id"] == service["id"]
    found = pd.get("/extensions", params={"extension_object_id": service["id"]}).json()["extensions"]
    assert [item["id"] for item in found] == [extension["id"]]
    changed = pd.put("/extensions/" + extension["id"], json={"extension": dict(body, name="Hook")}).json()["extension"]
    assert changed["name"] == "Hook"
    assert pd.post("/extensions/%s/enable" % extension["id"]).json()["extension"]["temporarily_disabled"] is False
    assert pd.delete("/extensions/" + extension["id"]).status_code == 204
    assert pd.get("/extensions/" + extension["id"]).status_code == 404
    unknown = pd.post("/extensions", json={"extension": dict(body, extension_schema={"id": "PNOPE00", "type": "extension_schema_reference"})})
    assert unknown.status_code == 400


def test_priorities_are_seeded(pd):
    priorities = pd.get("/priorities").json()["priorities"]
    assert [priority["name"] for priority in priorities] == ["P1", "P2", "P3", "P4", "P5"]
    assert all(priority["type"] == "priority" for priority in priorities)


def test_vendors_are_listed_and_integrations_name_them(pd):
    vendors = pd.get("/vendors").json()["vendors"]
    datadog = [vendor for vendor in vendors if vendor["name"] == "Datadog"][0]
    service = pd.service("Checkout", policy_id(pd))
    path = "/services/%s/integrations" % service["id"]
    made = pd.post(path, json={"integration": {"type": "events_api_v2_inbound_integration", "name": "Datadog",
                                               "vendor": {"id": datadog["id"], "type": "vendor_reference"}}})
    assert made.status_code == 201 and made.json()["integration"]["vendor"]["summary"] == "Datadog"
    unknown = pd.post(path, json={"integration": {"type": "events_api_v2_inbound_integration", "name": "X",
                                                  "vendor": {"id": "PNOSUCH", "type": "vendor_reference"}}})
    assert unknown.status_code == 400


def test_an_email_integration_can_change_its_address(pd):
    service = pd.service("Checkout", policy_id(pd))
    path = "/services/%s/integrations" % service["id"]
    made = pd.post(path, json={"integration": {"type": "generic_email_inbound_integration", "name": "Mail",
                                               "integration_email": "checkout@acme.pagerduty.com"}}).json()["integration"]
    changed = pd.put("%s/%s" % (path, made["id"]), json={"integration": {
        "type": "generic_email_inbound_integration", "integration_email": "pay@acme.pagerduty.com"}})
    assert changed.json()["integration"]["integration_email"] == "pay@acme.pagerduty.com"


def test_deleting_a_service_resolves_its_open_incidents(pd):
    service = pd.service("Checkout", policy_id(pd))
    incident = pd.incident("Down", service["id"])
    assert pd.delete("/services/" + service["id"]).status_code == 204
    assert pd.get("/incidents/" + incident["id"]).json()["incident"]["status"] == "resolved"


def window_body(service_id, start, end, description="Deploy"):
    return {"maintenance_window": {"type": "maintenance_window", "start_time": start, "end_time": end,
                                   "description": description, "services": [{"id": service_id, "type": "service_reference"}]}}


def test_maintenance_windows_follow_the_clock(pd):
    pd.sim.frozen_now = datetime(2030, 6, 1, 12, 0, tzinfo=timezone.utc)
    team = pd.team("Payments")
    policy = pd.policy("EP", ("user_reference", pd.admin()["id"]), teams=[{"id": team["id"], "type": "team_reference"}])
    service = pd.service("Checkout", policy["id"])
    ongoing = pd.post("/maintenance_windows", json=window_body(service["id"], "2030-06-01T11:00:00Z", "2030-06-01T13:00:00Z"))
    assert ongoing.status_code == 201, ongoing.text
    ongoing = ongoing.json()["maintenance_window"]
    assert ongoing["start_time"] == "2030-06-01T12:00:00Z", "a start in the past becomes now"
    assert [item["id"] for item in ongoing["teams"]] == [team["id"]]
    future = pd.post("/maintenance_windows", json=window_body(service["id"], "2030-07-01T00:00:00Z",
                                                              "2030-07-01T02:00:00Z", "Later")).json()["maintenance_window"]
    assert pd.get("/services/" + service["id"]).json()["service"]["status"] == "maintenance"

    def listed(**params):
        return [item["id"] for item in pd.get("/maintenance_windows", params=params).json()["maintenance_windows"]]

    assert listed(filter="ongoing") == [ongoing["id"]]
    assert listed(filter="future") == [future["id"]]
    assert listed(filter="open") == [ongoing["id"], future["id"]]
    assert listed(query="later") == [future["id"]]
    assert listed(**{"service_ids[]": "PNOSUCH"}) == []
    assert listed(**{"team_ids[]": team["id"]}) == [ongoing["id"], future["id"]]
    moved = pd.put("/maintenance_windows/" + future["id"], json={"maintenance_window": {
        "type": "maintenance_window", "start_time": "2030-07-01T00:00:00Z", "end_time": "2030-07-01T04:00:00Z",
        "services": [{"id": service["id"], "type": "service_reference"}]}})
    assert moved.json()["maintenance_window"]["end_time"] == "2030-07-01T04:00:00Z"
    backwards = pd.put("/maintenance_windows/" + future["id"], json={"maintenance_window": {
        "type": "maintenance_window", "start_time": "2030-07-01T05:00:00Z", "end_time": "2030-07-01T04:00:00Z",
        "services": [{"id": service["id"], "type": "service_reference"}]}})
    assert backwards.status_code == 400
    assert pd.delete("/maintenance_windows/" + ongoing["id"]).status_code == 204
    assert listed(filter="past") == [ongoing["id"]], "an ongoing window ends, and stays as a past one"
    assert pd.delete("/maintenance_windows/" + ongoing["id"]).status_code == 405
    assert pd.delete("/maintenance_windows/" + future["id"]).status_code == 204
    assert pd.get("/maintenance_windows/" + future["id"]).status_code == 404


def test_maintenance_window_needs_from_and_a_future_end(pd):
    pd.sim.frozen_now = datetime(2030, 6, 1, 12, 0, tzinfo=timezone.utc)
    service = pd.service("Checkout", policy_id(pd))
    body = window_body(service["id"], "2030-05-01T00:00:00Z", "2030-05-02T00:00:00Z")
    assert pd.post("/maintenance_windows", json=body).status_code == 400
    missing = pd.post("/maintenance_windows", json=window_body(service["id"], "2030-07-01T00:00:00Z", "2030-07-02T00:00:00Z"),
                      headers={"From": None})
    assert missing.status_code == 400 and error_of(missing)["code"] == 2016


def test_frozen_now_is_a_setting(pd):
    reply = requests.put(pd.url + "/_sim/settings", json={"frozen_now": "2030-06-01T12:00:00Z"}, timeout=5)
    assert reply.json()["frozen_now"] == "2030-06-01T12:00:00Z"
    assert pd.sim.now() == datetime(2030, 6, 1, 12, 0, tzinfo=timezone.utc)
    requests.put(pd.url + "/_sim/settings", json={"frozen_now": None}, timeout=5)
    assert pd.sim.frozen_now is None


def extension_body(name, service_id, schema_id="PJFWPEP", **fields):
    return dict({"type": "extension", "name": name, "extension_schema": {"id": schema_id, "type": "extension_schema_reference"},
                 "extension_objects": [{"id": service_id, "type": "service_reference"}]}, **fields)


def test_extensions_are_filtered_by_query_service_and_schema(pd):
    policy = policy_id(pd)
    checkout, search = pd.service("Checkout", policy)["id"], pd.service("Search", policy)["id"]
    made = {}
    for name, service, schema in (("Checkout hook", checkout, "PJFWPEP"), ("Search hook", search, "PJFWPEP"),
                                  ("Checkout desk", checkout, "PZCEBH7")):
        reply = pd.post("/extensions", json={"extension": extension_body(name, service, schema)})
        assert reply.status_code == 201, reply.text
        made[name] = reply.json()["extension"]["id"]

    def names(**params):
        return [item["name"] for item in pd.get("/extensions", params=params).json()["extensions"]]

    assert names(query="HOOK") == ["Checkout hook", "Search hook"]
    assert names(extension_object_id=checkout) == ["Checkout desk", "Checkout hook"]
    assert names(extension_schema_id="PZCEBH7") == ["Checkout desk"]
    assert names(query="checkout", extension_schema_id="PJFWPEP") == ["Checkout hook"]
    full = pd.get("/extensions", params={"query": "Search", "include[]": ["extension_schemas", "extension_objects"]}).json()
    assert full["extensions"][0]["extension_schema"]["label"] == "Generic V2 Webhook"
    assert full["extensions"][0]["extension_objects"][0]["type"] == "service"
    plain = pd.get("/extensions", params={"query": "Search"}).json()["extensions"][0]
    assert plain["extension_schema"]["summary"] == "Generic V2 Webhook"
    assert plain["extension_objects"][0]["summary"] == "Search"


def test_extension_secrets_read_back_redacted_and_a_put_replaces_config(pd):
    service = pd.service("Checkout", policy_id(pd))["id"]
    config = {"snow_user": "pd", "snow_password": "hunter2", "sync_options": "manual_sync"}
    created = pd.post("/extensions", json={"extension": extension_body("Desk", service, "PZCEBH7", config=config)}).json()
    extension = created["extension"]
    assert extension["config"] == dict(config, snow_password="redacted")
    headers = [{"name": "Authorization", "value": "Token t0p"}]
    hook = pd.post("/extensions", json={"extension": extension_body("Hook", service, config={"headers": headers})}).json()
    assert hook["extension"]["config"]["headers"] == [{"name": "Authorization", "value": "redacted"}]
    replaced = pd.put("/extensions/" + extension["id"],
                      json={"extension": extension_body("Desk", service, "PZCEBH7", config={"snow_user": "ops"})})
    assert replaced.json()["extension"]["config"] == {"snow_user": "ops"}
    kept = pd.put("/extensions/" + extension["id"], json={"extension": extension_body("Desk", service, "PZCEBH7")})
    assert kept.json()["extension"]["config"] == {"snow_user": "ops"}
