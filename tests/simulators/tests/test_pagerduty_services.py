"""Services, integrations, extensions, extension schemas and priorities."""

import re

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
