"""pd_incident_info through run() against the PagerDuty simulator."""

from datetime import datetime, timezone

import pytest

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import pd_incident, pd_incident_info

from pd_runs import runner, seed, users


@pytest.fixture
def opened(pagerduty, pd_module):
    """Three incidents on Checkout, opened on 2025-01-10, 2025-05-10 and 2025-09-10; the second has a note."""
    sim = pagerduty.server.simulator
    ada = seed(pagerduty, users=users(("Ada Lovelace", "ada@example.com")))["users"][0]
    policy = seed(pagerduty, escalation_policies=[{"type": "escalation_policy", "name": "EP", "escalation_rules": [
        {"escalation_delay_in_minutes": 10, "targets": [{"id": ada, "type": "user_reference"}]}]}])["escalation_policies"][0]
    seed(pagerduty, services=[{"type": "service", "name": "Checkout",
                               "escalation_policy": {"id": policy, "type": "escalation_policy_reference"}}])
    open_incident = runner(pagerduty, pd_module, pd_incident)
    for month, key in ((1, "jan"), (5, "may"), (9, "sep")):
        sim.frozen_now = datetime(2025, month, 10, tzinfo=timezone.utc)
        open_incident(incident_key=key, title="Incident " + key, service="Checkout", urgency="low" if key == "may" else "high")
    open_incident(incident_key="may", note="Seen")
    yield
    sim.frozen_now = None


@pytest.fixture
def run(pagerduty, pd_module):
    return runner(pagerduty, pd_module, pd_incident_info)


def keys(found):
    return [incident["incident_key"] for incident in found]


def test_every_incident_of_any_age_without_a_range(opened, run):
    changed, found, diff = run()
    assert not changed and diff is None and keys(found) == ["jan", "may", "sep"]


def test_filters(opened, run):
    assert keys(run(urgencies=["low"])[1]) == ["may"]
    assert keys(run(incident_key="sep")[1]) == ["sep"]
    assert keys(run(services=["Checkout"], statuses=["triggered"])[1]) == ["jan", "may", "sep"]
    assert run(statuses=["resolved"])[1] == []


def test_a_range_over_six_months_is_read_in_pieces(pagerduty, opened, run):
    pagerduty.clear_log()
    found = run(since="2025-01-01T00:00:00Z", until="2025-12-01T00:00:00Z")[1]
    assert keys(found) == ["jan", "may", "sep"]
    ranges = [(entry["query"]["since"], entry["query"]["until"]) for entry in pagerduty.requests()]
    assert ranges == [("2025-01-01T00:00:00Z", "2025-06-30T00:00:00Z"), ("2025-06-30T00:00:00Z", "2025-12-01T00:00:00Z")]
    assert keys(run(since="2025-05-01T00:00:00+02:00", until="2025-06-01T00:00:00Z")[1]) == ["may"]


def test_by_id_with_notes_and_alerts(pagerduty, opened, run):
    incident = run(incident_key="may")[1][0]
    pagerduty.clear_log()
    [found] = run(id=incident["id"], include_notes=True, include_alerts=True)[1]
    assert [note["content"] for note in found["notes"]] == ["Seen"] and found["alerts"] == []
    assert len(pagerduty.requests()) == 3
    assert run(id="PNOTHER")[1] == []


def test_bad_input(opened, run):
    with pytest.raises(InvalidInput, match="must be later"):
        run(since="2025-02-01T00:00:00Z", until="2025-01-01T00:00:00Z")
    with pytest.raises(InvalidInput, match="no UTC offset"):
        run(since="2025-02-01T00:00:00", until="2025-03-01T00:00:00Z")
    with pytest.raises(InvalidInput, match="No PagerDuty service is named 'Nope'"):
        run(services=["Nope"])
