"""pd_maintenance_window and its _info twin through run(), with the clock of the simulator and of the module pinned."""

from datetime import datetime, timezone

import pytest

from ansible_collections.incident.ops.plugins.module_utils import timestamps
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_maintenance_window, pd_maintenance_window_info

from pd_runs import runner, seed, users

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=timezone.utc)
WINDOW = dict(services=["Checkout"], description="Database upgrade", start="2030-06-02T22:00:00Z", end="2030-06-03T01:00:00Z")


@pytest.fixture
def clock(pagerduty, monkeypatch):
    """Noon on 1 June 2030, for the simulator and the module alike."""
    simulator = pagerduty.server.simulator
    simulator.frozen_now = NOW
    monkeypatch.setattr(timestamps, "now", lambda: NOW)
    yield NOW
    simulator.frozen_now = None


@pytest.fixture
def account(pagerduty, clock):
    ada = seed(pagerduty, users=users(("Ada Lovelace", "ada@example.com")))["users"][0]
    team = seed(pagerduty, teams=[{"type": "team", "name": "Payments"}])["teams"][0]
    policy = seed(pagerduty, escalation_policies=[{
        "type": "escalation_policy", "name": "EP", "teams": [{"id": team, "type": "team_reference"}],
        "escalation_rules": [{"escalation_delay_in_minutes": 10, "targets": [{"id": ada, "type": "user_reference"}]}]}])
    ref = {"id": policy["escalation_policies"][0], "type": "escalation_policy_reference"}
    seed(pagerduty, services=[{"type": "service", "name": name, "escalation_policy": ref} for name in ("Checkout", "Search")])
    pagerduty.clear_log()


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_maintenance_window)


@pytest.fixture
def info(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_maintenance_window_info)


def windows(pagerduty):
    return list(pagerduty.server.simulator.maintenance_windows.values())


def test_future_window_check_create_idempotent_move_delete(pagerduty, account, run):
    changed, shown, diff = run(check_mode=True, **WINDOW)
    assert changed and pagerduty.writes() == [] and diff["after"]["start"] == "2030-06-02T22:00:00Z"
    changed, made, _diff = run(**WINDOW)
    assert changed and made["start_time"] == "2030-06-02T22:00:00Z" and made["services"][0]["summary"] == "Checkout"
    assert [entry["method"] for entry in pagerduty.writes()] == ["POST"]
    pagerduty.clear_log()
    changed, again, diff = run(**dict(WINDOW, start="2030-06-03T00:00:00+02:00"))
    assert not changed and again["id"] == made["id"]
    assert [(entry["method"], entry["path"]) for entry in pagerduty.requests()] == [("GET", "/maintenance_windows")]
    changed, moved, diff = run(**dict(WINDOW, end="2030-06-03T03:00:00Z"))
    assert changed and diff == {"before": {"end": "2030-06-03T01:00:00Z"}, "after": {"end": "2030-06-03T03:00:00Z"}}
    assert moved["end_time"] == "2030-06-03T03:00:00Z" and len(windows(pagerduty)) == 1
    changed, gone, diff = run(services=["Checkout"], description="Database upgrade", state="absent")
    assert changed and gone is None and windows(pagerduty) == []
    assert not run(services=["Checkout"], description="Database upgrade", state="absent")[0]


def test_duration_window_is_not_extended_by_a_rerun(pagerduty, account, run, monkeypatch):
    params = dict(services=["Search", "Checkout"], description="Deploy", duration_minutes=60)
    made = run(**params)[1]
    assert made["start_time"] == "2030-06-01T12:00:00Z" and made["end_time"] == "2030-06-01T13:00:00Z"
    later = datetime(2030, 6, 1, 12, 30, tzinfo=timezone.utc)
    pagerduty.server.simulator.frozen_now = later
    monkeypatch.setattr(timestamps, "now", lambda: later)
    assert not run(**dict(params, services=["Checkout", "Search"]))[0]
    changed = run(services=["Checkout", "Search"], description="Deploy", state="absent")[0]
    window = windows(pagerduty)[0]
    assert changed and window["_end"] == later, "an ongoing window is ended, not deleted"
    assert not run(services=["Checkout", "Search"], description="Deploy", state="absent")[0]


def test_ongoing_window_keeps_its_start(pagerduty, account, run):
    params = dict(WINDOW, start="2030-06-01T08:00:00Z", end="2030-06-01T18:00:00Z")
    made = run(**params)[1]
    assert made["start_time"] == "2030-06-01T12:00:00Z"
    assert not run(**params)[0]


@pytest.mark.parametrize("params,message", [
    (dict(services=["Nope"]), "'Nope'"),
    (dict(end="2030-06-02T21:00:00Z"), "not after start"),
    (dict(start="2030-05-01T00:00:00Z", end="2030-05-02T00:00:00Z"), "in the past"),
    (dict(end="2030-06-03"), "ISO 8601"),
    (dict(end=None), "end or duration_minutes"),
])
def test_bad_input_fails_before_any_write(pagerduty, account, run, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**dict(WINDOW, **params))
    assert pagerduty.writes() == []


def test_info_by_state_service_and_team(pagerduty, account, run, info):
    run(**WINDOW)
    run(services=["Search"], description="Now", duration_minutes=30)
    assert [item["description"] for item in info()[1]] == ["Now", "Database upgrade"]
    assert [item["description"] for item in info(when="future")[1]] == ["Database upgrade"]
    assert [item["description"] for item in info(when="ongoing")[1]] == ["Now"]
    assert info(when="past")[1] == []
    assert [item["description"] for item in info(services=["Checkout"])[1]] == ["Database upgrade"]
    assert len(info(team="Payments")[1]) == 2
    with pytest.raises(InvalidInput, match="'Elsewhere'"):
        info(services=["Elsewhere"])
