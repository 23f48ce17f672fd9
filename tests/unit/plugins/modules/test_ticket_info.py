"""ticket_info and ticket_report_info through run() against the tickets simulator."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import ticket_info, ticket_report_info

BODY = {"organisationHumanId": "ORG-12333", "contractHumanId": "CON-123562", "tenantHumanId": "123", "title": "One",
        "description": "first", "reporterHumanId": "USR-12453", "attributes": {"preferredContactMethod": "phone"}}


@pytest.fixture
def seeded(tickets_sim):
    requests.put(tickets_sim.url + "/_sim/settings", json={"frozen_now": "2026-03-02T12:00:00Z"}, timeout=5)
    tickets = [dict(BODY, dateCreated="2026-03-01T12:00:00+0000"), dict(BODY, title="Two", dateCreated="2026-02-10T06:00:00+0000")]
    requests.post(tickets_sim.url + "/_sim/seed", json={"tickets": tickets}, timeout=5).raise_for_status()
    tickets_sim.clear_log()
    return tickets_sim


def info(tickets_module, tickets_api, **params):
    return ticket_info.run(tickets_module(ticket_info.ARGUMENT_SPEC, **params), tickets_api)


def report(tickets_module, tickets_api, **params):
    return ticket_report_info.run(tickets_module(ticket_report_info.ARGUMENT_SPEC, **params), tickets_api)


def test_one_ticket_with_details(seeded, tickets_module, tickets_api):
    changed, found, diff = info(tickets_module, tickets_api, id="INC-2")
    assert not changed and diff is None
    assert found["tickets"][0]["title"] == "Two" and found["tickets"][0]["attributes"] == {"preferredContactMethod": "phone"}
    assert found["tickets"][0]["comments"] == [] and list(found) == ["tickets"]
    with pytest.raises(InvalidInput, match="INC-9 was not found"):
        info(tickets_module, tickets_api, id="INC-9")


def test_filters_and_other_collections(seeded, tickets_module, tickets_api):
    found = info(tickets_module, tickets_api, title="One", gather=["tickets", "agents", "groups", "states", "me"],
                 state_type="priority")[1]
    assert [ticket["id"] for ticket in found["tickets"]] == ["INC-1"]
    assert [agent["humanId"] for agent in found["agents"]] == ["USR-12345", "USR-12343"]
    assert found["groups"][0]["name"] == "MAC" and {state["type"] for state in found["states"]} == {3}
    assert found["me"]["humanId"] == "USR-12345"
    assert info(tickets_module, tickets_api, organisation_id="ORG-2134-342")[1] == {"tickets": []}
    assert len(seeded.requests()) == 6


@pytest.mark.parametrize("form", ["json", "csv"])
def test_report_rows_do_not_follow_the_calendar(seeded, tickets_module, tickets_api, form):
    weekly = report(tickets_module, tickets_api, period="weekly", format=form)
    assert weekly[0] is False
    assert [(row["ticketNumber"], row["createdAt"], row["ticketRunTime"]) for row in weekly[1]] == [
        ("INC-1", "2026-03-01 12:00:00", "24:00:00")]
    monthly = report(tickets_module, tickets_api, period="monthly", format=form)[1]
    assert [row["ticketRunTime"] for row in monthly] == ["24:00:00", "486:00:00"]


def test_report_dest_needs_csv_and_an_existing_folder(seeded, tickets_module, tickets_api, tmp_path):
    with pytest.raises(InvalidInput, match="does not exist"):
        report(tickets_module, tickets_api, period="weekly", dest=str(tmp_path / "missing" / "r.csv"))
    with pytest.raises(InvalidInput, match="format=csv"):
        report(tickets_module, tickets_api, period="weekly", format="json", dest=str(tmp_path / "r.csv"))
    assert seeded.requests() == []
