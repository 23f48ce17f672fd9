"""The tickets client against the simulator: envelope, Location ids, one ticket as object or list, 422 words."""

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.tickets.api import attributes_of, is_open
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

TICKET = {"organisationHumanId": "ORG-12333", "contractHumanId": "CON-123562", "tenantHumanId": "123", "title": "T",
          "description": "D", "reporterHumanId": "USR-12453",
          "attributes": {"preferredContactMethod": "email", "additionalEmails": ["b@x.example", "a@x.example"]}}


@pytest.mark.parametrize("as_list", [False, True])
def test_one_ticket_as_object_or_list(tickets_sim, tickets_api, as_list):
    ticket_id = tickets_api.create("/tickets", TICKET)
    assert ticket_id == "INC-1"
    requests.put(tickets_sim.url + "/_sim/settings", json={"single_ticket_as_list": as_list}, timeout=5)
    assert tickets_api.ticket(ticket_id)["id"] == "INC-1"
    assert tickets_api.attributes(ticket_id) == {"preferredContactMethod": "email", "additionalEmails": ["a@x.example", "b@x.example"]}


def test_unknown_ticket(tickets_api):
    assert tickets_api.ticket("INC-9") is None
    with pytest.raises(InvalidInput, match="INC-9 was not found"):
        tickets_api.require_ticket("INC-9")


def test_422_carries_title_and_message(tickets_api):
    with pytest.raises(ApiError) as raised:
        tickets_api.create("/tickets", dict(TICKET, reporterHumanId="USR-0"))
    text = str(raised.value)
    assert "POST /tickets, HTTP 422" in text
    assert "Unprocessable Entity: This resource could not be updated" in text and "reporterHumanId is invalid" in text
    assert "tickets-api-token" not in text


def test_contacts_confirmed(tickets_api):
    ticket_id = tickets_api.create("/tickets", TICKET)
    assert tickets_api.contacts_confirmed(ticket_id) is False
    tickets_api.request("POST", "/events/confirm-contacts/" + ticket_id)
    assert tickets_api.contacts_confirmed(ticket_id) is True


def test_attribute_rows_and_open_tickets():
    rows = [{"key": "mainEmail", "value": "m@x.example"}, {"key": "additionalEmails", "value": "z@x.example"},
            {"key": "additionalEmails", "value": "a@x.example"}]
    assert attributes_of(rows) == {"mainEmail": "m@x.example", "additionalEmails": ["a@x.example", "z@x.example"]}
    assert is_open({"id": "INC-1"}) and is_open({"status": "Open"})
    assert not is_open({"status": "Closed"}) and not is_open({"state": "RESOLVED"})
