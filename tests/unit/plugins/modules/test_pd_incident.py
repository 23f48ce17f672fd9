"""pd_incident through run() against the PagerDuty simulator."""

from datetime import datetime, timezone

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_incident

from pd_runs import runner, seed, users

ADA = "ada@example.com"
GRACE = "grace@example.com"
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def account(pagerduty):
    """Ada and Grace, a policy paging Ada, a second policy paging Grace, and the Checkout service."""
    pagerduty.server.simulator.frozen_now = NOON
    ids = seed(pagerduty, users=users(("Ada Lovelace", ADA), ("Grace Hopper", GRACE)))["users"]
    rule = [{"escalation_delay_in_minutes": 10, "targets": [{"id": ids[0], "type": "user_reference"}]}]
    other = [{"escalation_delay_in_minutes": 10, "targets": [{"id": ids[1], "type": "user_reference"}]}]
    policies = seed(pagerduty, escalation_policies=[
        {"type": "escalation_policy", "name": "Checkout EP", "escalation_rules": rule},
        {"type": "escalation_policy", "name": "Database EP", "escalation_rules": other}])["escalation_policies"]
    service = seed(pagerduty, services=[{"type": "service", "name": "Checkout", "escalation_policy": {
        "id": policies[0], "type": "escalation_policy_reference"}}])["services"][0]
    yield {"ada": ids[0], "grace": ids[1], "service": service, "database_ep": policies[1]}
    pagerduty.server.simulator.frozen_now = None


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_incident)


OPEN = dict(incident_key="disk-1", title="Disk full", service="Checkout", urgency="high", priority="P2", body="90%")


def stored(pagerduty, key="disk-1"):
    found = [item for item in pagerduty.server.simulator.incidents.values() if item["incident_key"] == key]
    return found[-1] if found else None


def test_open_check_mode_then_real_then_idempotent(pagerduty, account, run):
    pagerduty.clear_log()
    changed, preview, diff = run(check_mode=True, **OPEN)
    assert changed and preview["title"] == "Disk full" and preview["status"] == "triggered"
    assert pagerduty.writes() == [] and stored(pagerduty) is None
    assert diff["after"]["incident_key"] == "disk-1"

    changed, incident, _diff = run(**OPEN)
    assert changed and incident["priority"]["name"] == "P2" and incident["urgency"] == "high"
    assert stored(pagerduty)["body"]["details"] == "90%"
    assert [item["assignee"]["id"] for item in incident["assignments"]] == [account["ada"]]

    pagerduty.clear_log()
    changed, again, diff = run(**OPEN)
    log = pagerduty.requests()
    assert not changed and again["id"] == incident["id"] and diff == {"before": {}, "after": {}}
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", "/incidents")]
    assert log[0]["query"]["incident_key"] == "disk-1"


def test_acknowledge_note_snooze_once_then_resolve(pagerduty, account, run):
    run(**OPEN)
    task = dict(incident_key="disk-1", state="acknowledged", note="Looking at it", snooze_minutes=60)
    changed, incident, diff = run(**task)
    assert changed and incident["status"] == "acknowledged"
    assert incident["pending_actions"] == [{"type": "unacknowledge", "at": "2026-01-05T13:00:00Z"}]
    assert diff["after"] == {"status": "acknowledged", "note": "Looking at it", "snooze_minutes": 60}
    assert [note["content"] for note in stored(pagerduty)["_notes"]] == ["Looking at it"]

    pagerduty.clear_log()
    assert not run(**task)[0]
    assert [entry["path"] for entry in pagerduty.requests()] == ["/incidents", "/incidents/%s/notes" % incident["id"]]

    pagerduty.server.simulator.frozen_now = datetime(2026, 1, 5, 13, 30, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput, match="Only an acknowledged incident can be snoozed"):
        run(incident_key="disk-1", snooze_minutes=60)

    changed, resolved, diff = run(incident_key="disk-1", state="resolved", resolution="Cleaned /var")
    assert changed and resolved["status"] == "resolved" and diff["before"] == {"status": "triggered"}
    assert stored(pagerduty)["_resolution"] == "Cleaned /var"
    assert not run(incident_key="disk-1", state="resolved")[0]


def test_resolved_incidents_do_not_move_back(pagerduty, account, run):
    run(**OPEN)
    run(incident_key="disk-1", state="resolved")
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match="cannot be moved back to triggered"):
        run(state="triggered", **OPEN)
    assert pagerduty.writes() == []


def test_reassign_to_users_and_to_a_policy_only_when_different(pagerduty, account, run):
    run(**OPEN)
    changed, incident, diff = run(incident_key="disk-1", reassign_to=[GRACE])
    assert changed and diff == {"before": {"assignees": [ADA]}, "after": {"assignees": [GRACE]}}
    assert [item["assignee"]["id"] for item in incident["assignments"]] == [account["grace"]]
    assert not run(incident_key="disk-1", reassign_to=["Grace@Example.com"])[0]
    changed, incident, _diff = run(incident_key="disk-1", reassign_to=["Database EP"])
    assert changed and incident["escalation_policy"]["id"] == account["database_ep"]
    pagerduty.clear_log()
    assert not run(incident_key="disk-1", reassign_to=["Database EP"])[0]
    assert pagerduty.writes() == []


def test_urgency_and_priority_updates(pagerduty, account, run):
    run(**OPEN)
    changed, incident, diff = run(incident_key="disk-1", urgency="low", priority="P1")
    assert changed and incident["urgency"] == "low" and incident["priority"]["name"] == "P1"
    assert diff == {"before": {"urgency": "high", "priority": "P2"}, "after": {"urgency": "low", "priority": "P1"}}


def test_merge_into_a_key_then_no_op(pagerduty, account, run):
    run(**OPEN)
    run(**dict(OPEN, incident_key="disk-2", title="Disk full again"))
    changed, merged, diff = run(incident_key="disk-2", merge_into="disk-1")
    survivor = stored(pagerduty, "disk-1")
    assert changed and merged["status"] == "resolved" and diff["after"] == {"merged_into": survivor["id"]}
    assert survivor["_alerts"] == 1
    pagerduty.clear_log()
    assert not run(incident_key="disk-2", merge_into="disk-1")[0]
    assert pagerduty.writes() == []


@pytest.mark.parametrize("params, message", [
    (dict(OPEN, service="Nope"), "No PagerDuty service is named 'Nope'"),
    (dict(OPEN, priority="P9"), "No PagerDuty priority is named 'P9'"),
    (dict(OPEN, escalation_policy="Nope"), "No PagerDuty escalation policy is named 'Nope'"),
    (dict(OPEN, assignees=["nobody@example.com"]), "nobody@example.com"),
    (dict(OPEN, state="acknowledged", snooze_minutes=0), "between 1 and 10080"),
    (dict(OPEN, state="acknowledged", snooze_minutes=10081), "between 1 and 10080"),
    (dict(state="resolved"), "Resolving needs the incident's incident_key or id"),
    (dict(title="x", service="Checkout"), "Give incident_key"),
    (dict(OPEN, merge_into="disk-1"), "cannot be merged into itself"),
    (dict(OPEN, snooze_minutes=5), "Only an acknowledged incident can be snoozed"),
    (dict(ids=["PNOTHER"], state="triggered"), "needs state acknowledged or resolved"),
])
def test_bad_input_fails_before_any_write(pagerduty, account, run, params, message):
    pagerduty.clear_log()
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(**params)
    assert pagerduty.writes() == []


def test_from_email_is_needed_before_any_request(pagerduty, account, pd_module):
    api = pd_incident.connect(pd_module(pd_incident.ARGUMENT_SPEC, **dict(OPEN, from_email=None)))
    pagerduty.clear_log()
    with pytest.raises(ApiError, match="from_email"):
        pd_incident.run(pd_module(pd_incident.ARGUMENT_SPEC, **dict(OPEN, from_email=None)), api)
    assert pagerduty.requests() == []


def test_bulk_resolve_by_service_changes_only_open_ones_in_batches(pagerduty, account, run, monkeypatch):
    from ansible_collections.incident.ops.plugins.module_utils.pagerduty import incidents
    monkeypatch.setattr(incidents, "BULK_SIZE", 2)
    for number in range(3):
        run(**dict(OPEN, incident_key="k%d" % number))
    run(incident_key="k0", state="resolved")
    pagerduty.clear_log()
    changed, ids, diff = run(check_mode=True, services=["Checkout"], state="resolved")
    assert changed and len(ids) == 2 and pagerduty.writes() == []
    changed, ids, diff = run(services=["Checkout"], state="resolved")
    puts = [entry for entry in pagerduty.writes() if entry["path"] == "/incidents"]
    assert changed and len(ids) == 2 and len(puts) == 1
    assert [item["status"] for item in diff["after"]["incidents"]] == ["resolved", "resolved"]
    pagerduty.clear_log()
    assert run(services=["Checkout"], state="resolved")[:2] == (False, [])
    assert pagerduty.writes() == []


def test_bulk_batches_of_the_limit(pagerduty, account, run, monkeypatch):
    from ansible_collections.incident.ops.plugins.module_utils.pagerduty import incidents
    monkeypatch.setattr(incidents, "BULK_SIZE", 2)
    ids = [run(**dict(OPEN, incident_key="b%d" % number))[1]["id"] for number in range(3)]
    pagerduty.clear_log()
    assert run(ids=ids, state="acknowledged")[1] == ids
    assert [entry["path"] for entry in pagerduty.writes()] == ["/incidents", "/incidents"]
    assert all(item["status"] == "acknowledged" for item in pagerduty.server.simulator.incidents.values())
