"""pd_webhook_subscription through run() against the PagerDuty simulator."""

import pytest
import requests
from pd_runs import runner, seed, users

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.reconcile import CreateOutcomeUnknown, Resource
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_webhook_subscription

URL = "https://eda.example.com/pagerduty"
EVENTS = ["incident.triggered", "incident.resolved", "incident.acknowledged"]


@pytest.fixture
def account(pagerduty):
    """The services Checkout and Search, and the team Platform."""
    user = seed(pagerduty, users=users(("Ada Lovelace", "ada@example.com")))["users"][0]
    policy = seed(pagerduty, escalation_policies=[{"type": "escalation_policy", "name": "Checkout EP", "escalation_rules": [
        {"escalation_delay_in_minutes": 30, "targets": [{"type": "user_reference", "id": user}]}]}])["escalation_policies"][0]
    services = seed(pagerduty, services=[
        {"type": "service", "name": name, "escalation_policy": {"id": policy, "type": "escalation_policy_reference"}}
        for name in ("Checkout", "Search")])["services"]
    team = seed(pagerduty, teams=[{"type": "team", "name": "Platform"}])["teams"][0]
    pagerduty.clear_log()
    return {"Checkout": services[0], "Search": services[1], "Platform": team}


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_webhook_subscription)


def stored(pagerduty):
    return requests.get(pagerduty.url + "/webhook_subscriptions", headers={
        "Authorization": "Token token=" + pagerduty.options["api_token"]}, timeout=5).json()["webhook_subscriptions"]


def test_check_mode_then_create_then_nothing_to_do(pagerduty, account, run):
    changed, result, diff = run(check_mode=True, url=URL, service="Checkout", events=EVENTS, description="EDA")
    assert changed and pagerduty.writes() == []
    assert diff["after"] == {"delivery_method": {"type": "http_delivery_method", "url": URL},
                             "filter": {"type": "service_reference", "id": account["Checkout"]},
                             "events": sorted(EVENTS), "description": "EDA"}
    changed, result, diff = run(url=URL, service="Checkout", events=EVENTS, description="EDA")
    assert changed and result["id"] and len(result["delivery_method"]["secret"]) >= 32
    assert [(entry["method"], entry["path"]) for entry in pagerduty.writes()] == [("POST", "/webhook_subscriptions")]
    [saved] = stored(pagerduty)
    assert saved["filter"] == {"type": "service_reference", "id": account["Checkout"]}
    assert sorted(saved["events"]) == sorted(EVENTS) and saved["active"] is True
    pagerduty.clear_log()
    changed, result, diff = run(url=URL, service="Checkout", events=list(reversed(EVENTS)), description="EDA")
    assert not changed and result["id"] == saved["id"] and result["delivery_method"]["secret"] is None
    assert [(entry["method"], entry["path"]) for entry in pagerduty.requests()] == [
        ("GET", "/services"), ("GET", "/webhook_subscriptions")]
    assert pagerduty.requests()[1]["query"]["filter_id"] == account["Checkout"]


def test_update_changes_only_what_differs(pagerduty, account, run):
    created = run(url=URL, service="Checkout", events=EVENTS, description="EDA")[1]
    pagerduty.clear_log()
    changed, result, diff = run(url=URL, service="Checkout", events=["incident.triggered"], active=False)
    assert changed and result["id"] == created["id"]
    assert diff == {"before": {"events": sorted(EVENTS), "active": True},
                    "after": {"events": ["incident.triggered"], "active": False}}
    [write] = pagerduty.writes()
    assert (write["method"], write["path"]) == ("PUT", "/webhook_subscriptions/" + created["id"])
    [saved] = stored(pagerduty)
    assert (saved["events"], saved["active"], saved["description"]) == (["incident.triggered"], False, "EDA")
    changed, unused, diff = run(check_mode=True, url=URL, service="Checkout", description="Remediation")
    assert changed and diff["after"] == {"description": "Remediation"} and stored(pagerduty)[0]["description"] == "EDA"


def test_the_filter_is_part_of_the_identity(pagerduty, account, run):
    on_checkout = run(url=URL, service="Checkout", events=EVENTS)[1]
    on_search = run(url=URL, service="Search", events=EVENTS)[1]
    on_team = run(url=URL, team="Platform", events=EVENTS)[1]
    on_account = run(url=URL, events=EVENTS)[1]
    assert len(set(item["id"] for item in (on_checkout, on_search, on_team, on_account))) == 4
    assert on_team["filter"] == {"type": "team_reference", "id": account["Platform"]}
    assert on_account["filter"] == {"type": "account_reference"}
    assert not run(url=URL, events=EVENTS)[0]
    changed, result, diff = run(url=URL, service="Search", state="absent")
    assert changed and result is None and diff["before"]["filter"]["id"] == account["Search"]
    assert sorted(item["id"] for item in stored(pagerduty)) == sorted(item["id"] for item in (on_checkout, on_team, on_account))
    assert run(url=URL, service="Search", state="absent")[0] is False


def test_two_subscriptions_alike_cannot_be_told_apart(pagerduty, account, run):
    run(url=URL, service="Checkout", events=EVENTS)
    body = {"webhook_subscription": {"type": "webhook_subscription", "events": EVENTS, "filter": {
        "type": "service_reference", "id": account["Checkout"]}, "delivery_method": {"type": "http_delivery_method", "url": URL}}}
    requests.post(pagerduty.url + "/webhook_subscriptions", json=body, timeout=5, headers={
        "Authorization": "Token token=" + pagerduty.options["api_token"], "Content-Type": "application/json"}).raise_for_status()
    with pytest.raises(InvalidInput, match="2 webhook subscriptions deliver to"):
        run(url=URL, service="Checkout", state="absent")


def test_a_dropped_create_is_never_sent_again_and_a_rerun_converges(pagerduty, account, run, monkeypatch):
    monkeypatch.setattr(Resource, "settle_waits", (0.0, 0.0))
    requests.post(pagerduty.url + "/_sim/faults", json={"action": "drop", "method": "POST", "path": "^/webhook_subscriptions$",
                                                        "delay_ms": 0}, timeout=5).raise_for_status()
    with pytest.raises(CreateOutcomeUnknown, match="re-run to converge"):
        run(url=URL, service="Checkout", events=EVENTS)
    assert [entry["method"] for entry in pagerduty.writes()] == ["POST"]
    changed, result = run(url=URL, service="Checkout", events=EVENTS)[:2]
    assert changed and result["id"]
    assert len(stored(pagerduty)) == 1


@pytest.mark.parametrize("params, message", [
    ({"url": "eda.example.com/hook", "events": EVENTS}, "url 'eda.example.com/hook' is not an http:// or https:// URL"),
    ({"url": URL, "events": []}, "events must name at least one event type"),
    ({"url": URL}, "events is required to create"),
    ({"url": URL, "service": "Billing", "events": EVENTS}, "No PagerDuty service is named 'Billing'"),
    ({"url": URL, "team": "Nobody", "events": EVENTS}, "No PagerDuty team is named 'Nobody'"),
])
def test_bad_input_fails_before_any_write(pagerduty, account, run, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**params)
    assert pagerduty.writes() == []


def test_an_unknown_event_type_is_the_api_refusal_and_nothing_is_made(pagerduty, account, run):
    with pytest.raises(ApiError, match="POST /webhook_subscriptions, HTTP 400.*incident.exploded"):
        run(url=URL, service="Checkout", events=["incident.exploded"])
    assert stored(pagerduty) == []
