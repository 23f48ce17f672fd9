"""pd_extension, pd_extension_info and pd_extension_schema_info through run() against the PagerDuty simulator."""

import json

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import PagerDuty
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.extensions import merged_config, redacted_keys
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_extension, pd_extension_info, pd_extension_schema_info

from pd_runs import runner, seed, users

WEBHOOK = "Generic V2 Webhook"
TOKEN = "Bearer s3cr3t-t0ken"
HOOK = dict(name="Payments events", schema=WEBHOOK, endpoint_url="https://hooks.example.com/pd", services=["Payments API"],
            config={"format": "json"}, secret_config={"headers": [{"name": "Authorization", "value": TOKEN}]})


@pytest.fixture
def account(pagerduty):
    """Ada on a policy, and the services 'Payments API' and 'Search API' on it; names -> ids."""
    ada = seed(pagerduty, users=users(("Ada Lovelace", "ada@example.com")))["users"][0]
    rules = [{"escalation_delay_in_minutes": 10, "targets": [{"id": ada, "type": "user_reference"}]}]
    policy = seed(pagerduty, escalation_policies=[
        {"type": "escalation_policy", "name": "Payments escalation", "escalation_rules": rules}])["escalation_policies"][0]
    api = client(pagerduty)
    ids = {}
    for name in ("Payments API", "Search API"):
        ids[name] = api.post("/services", {"service": {"type": "service", "name": name, "escalation_policy": {
            "id": policy, "type": "escalation_policy_reference"}}})["service"]["id"]
    pagerduty.clear_log()
    return ids


def client(pagerduty):
    options = pagerduty.options
    return PagerDuty(options["api_url"], options["api_token"], from_email=options["from_email"])


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_extension)


def stored(pagerduty, name="Payments events"):
    """The extensions named ``name`` as the simulator holds them, read through the API."""
    return [item for item in client(pagerduty).get("/extensions", params={"query": name})["extensions"] if item["name"] == name]


def held_config(pagerduty, extension_id):
    """The config the simulator keeps, secrets included (what PagerDuty would send to the receiver)."""
    return pagerduty.server.simulator.extensions[extension_id]["config"]


def calls(pagerduty):
    return [(entry["method"], entry["path"]) for entry in pagerduty.requests()]


def test_check_mode_writes_nothing_and_names_secret_keys_only(pagerduty, account, run):
    changed, extension, diff = run(check_mode=True, **HOOK)
    assert changed and pagerduty.writes() == [] and stored(pagerduty) == []
    assert diff["after"]["services"] == ["Payments API"] and diff["after"]["secret_config"] == ["headers"]
    assert TOKEN not in json.dumps([extension, diff])


def test_create_then_idempotent_in_one_request(pagerduty, account, run):
    changed, extension, diff = run(**HOOK)
    assert changed
    assert calls(pagerduty)[-1] == ("POST", "/extensions")
    assert TOKEN not in json.dumps([extension, diff])
    assert extension["config"]["headers"] == "redacted"
    [held] = stored(pagerduty)
    assert held["extension_schema"]["id"] == "PJFWPEP" and held["extension_objects"][0]["id"] == account["Payments API"]
    assert held["endpoint_url"] == HOOK["endpoint_url"]
    assert held_config(pagerduty, held["id"]) == {"format": "json", "headers": [{"name": "Authorization", "value": TOKEN}]}

    pagerduty.clear_log()
    changed, again, diff = run(**HOOK)
    assert not changed and diff == {"before": {}, "after": {}}
    assert calls(pagerduty) == [("GET", "/extensions")]
    assert pagerduty.requests()[0]["query"]["query"] == "Payments events"
    assert again["id"] == held["id"]


def test_update_sends_the_whole_config_with_the_secrets(pagerduty, account, run):
    extension = run(**HOOK)[1]
    changed, updated, diff = run(**dict(HOOK, services=["Search API", "Payments API"], config={"version": 2}))
    assert changed
    assert diff == {"before": {"services": ["Payments API"], "config": {"version": None}},
                    "after": {"services": ["Payments API", "Search API"], "config": {"version": 2}}}
    assert calls(pagerduty)[-1] == ("PUT", "/extensions/%s" % extension["id"])
    assert held_config(pagerduty, extension["id"]) == {
        "format": "json", "version": 2, "headers": [{"name": "Authorization", "value": TOKEN}]}
    assert sorted(item["summary"] for item in updated["extension_objects"]) == ["Payments API", "Search API"]
    assert TOKEN not in json.dumps([updated, diff])


def test_a_secret_alone_is_written_only_with_update_secrets_always(pagerduty, account, run):
    extension = run(**HOOK)[1]
    rotated = dict(HOOK, secret_config={"headers": [{"name": "Authorization", "value": "Bearer n3w"}]})
    pagerduty.clear_log()
    assert not run(**rotated)[0] and pagerduty.writes() == []
    changed, _result, diff = run(update_secrets="always", **rotated)
    assert changed and diff == {"before": {"secret_config": None}, "after": {"secret_config": ["headers"]}}
    assert held_config(pagerduty, extension["id"])["headers"][0]["value"] == "Bearer n3w"
    assert run(update_secrets="always", **rotated)[0]


def test_a_redacted_value_the_task_does_not_give_is_never_written_back(pagerduty, account, run):
    run(**HOOK)
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="headers.*secret_config"):
        run(**dict(HOOK, secret_config=None, endpoint_url="https://hooks.example.com/v2"))
    assert pagerduty.writes() == []
    with pytest.raises(InvalidInput, match="headers"):
        run(check_mode=True, **dict(HOOK, secret_config=None, endpoint_url="https://hooks.example.com/v2"))
    assert not run(**dict(HOOK, secret_config=None))[0]


def test_identity_is_name_and_schema(pagerduty, account, run):
    run(**HOOK)
    desk = dict(name="Payments events", schema="ServiceNow (v7)", services=["Payments API"],
                config={"snow_user": "pd"}, secret_config={"snow_password": "hunter2"})
    assert run(**desk)[0]
    assert sorted(item["extension_schema"]["summary"] for item in stored(pagerduty)) == ["Generic V2 Webhook", "ServiceNow (v7)"]
    pagerduty.clear_log()
    assert not run(**desk)[0] and pagerduty.writes() == []
    changed, result, diff = run(state="absent", **desk)
    assert changed and result is None and diff["before"] == {"name": "Payments events", "schema": "ServiceNow (v7)"}
    assert [item["extension_schema"]["summary"] for item in stored(pagerduty)] == [WEBHOOK]
    assert not run(state="absent", **desk)[0]


def test_delete_in_check_mode_then_for_real(pagerduty, account, run):
    run(**HOOK)
    pagerduty.clear_log()
    assert run(check_mode=True, state="absent", name=HOOK["name"], schema=WEBHOOK)[0]
    assert pagerduty.writes() == [] and len(stored(pagerduty)) == 1
    assert run(state="absent", name=HOOK["name"], schema=WEBHOOK)[0]
    assert stored(pagerduty) == []


@pytest.mark.parametrize("params,message", [
    (dict(schema="Carrier Pigeon"), "'Carrier Pigeon'.*'Generic V2 Webhook'"),
    (dict(services=["Payments API", "Nowhere"]), "'Nowhere'"),
    (dict(services=None), "services is required"),
    (dict(services=[]), "at least one service"),
    (dict(endpoint_url="hooks.example.com"), "endpoint_url"),
    (dict(config={"headers": []}), "both set headers"),
    (dict(config={"token": "redacted"}), "placeholder"),
])
def test_bad_input_fails_before_any_write(pagerduty, account, run, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**dict(HOOK, **params))
    assert pagerduty.writes() == []


def test_an_api_error_never_quotes_a_secret(pagerduty, account, run):
    pagerduty.control("POST", "faults", json={"action": "status", "method": "POST", "path": "/extensions$", "status": 400,
                                              "body": {"error": {"message": "Bad header %s" % TOKEN}}})
    with pytest.raises(ApiError) as failure:
        run(**HOOK)
    assert TOKEN not in str(failure.value)


def test_config_helpers():
    assert merged_config({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}}) == {"a": {"x": 1, "y": 3}, "b": 1}
    assert redacted_keys({"a": "redacted", "b": [{"value": "redacted"}], "c": "plain"}) == ["a", "b"]


# pd_extension_info and pd_extension_schema_info ---------------------------------------------------------------


@pytest.fixture
def info(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_extension_info)


def test_info_filters_by_name_service_and_schema(pagerduty, account, run, info):
    run(**HOOK)
    run(**dict(HOOK, name="Search events", services=["Search API"]))
    run(name="Payments desk", schema="ServiceNow (v7)", services=["Payments API"], secret_config={"snow_password": "x1y2"})
    pagerduty.clear_log()

    def names(**params):
        changed, found, diff = info(**params)
        assert not changed and diff is None
        return [item["name"] for item in found]

    assert names() == ["Payments desk", "Payments events", "Search events"]
    assert names(name="Payments events") == ["Payments events"]
    assert names(service="Payments API") == ["Payments desk", "Payments events"]
    assert names(schema=WEBHOOK) == ["Payments events", "Search events"]
    assert names(service="Payments API", schema=WEBHOOK) == ["Payments events"]
    assert pagerduty.writes() == []
    assert info(name="Payments desk")[1][0]["config"]["snow_password"] == "redacted"
    with pytest.raises(InvalidInput, match="'Nowhere'"):
        info(service="Nowhere")


def test_info_reads_every_page(pagerduty, account, pd_api, info):
    for number in range(105):
        pd_api.post("/extensions", {"extension": {
            "type": "extension", "name": "Hook %03d" % number, "extension_schema": {"id": "PJFWPEP", "type": "extension_schema_reference"},
            "extension_objects": [{"id": account["Payments API"], "type": "service_reference"}]}})
    pagerduty.clear_log()
    assert len(info()[1]) == 105
    assert [entry["query"]["offset"] for entry in pagerduty.requests()] == ["0", "100"]


def test_schema_info_lists_every_schema_or_one_label(pagerduty, pd_module):
    schemas = runner(pagerduty, pd_module, pd_extension_schema_info)
    changed, found, _diff = schemas()
    assert not changed and "Generic V2 Webhook" in [item["label"] for item in found] and len(found) >= 3
    assert [item["key"] for item in schemas(label=WEBHOOK)[1]] == ["generic_v2_webhook"]
    assert schemas(label="Nothing")[1] == []
