"""The tickets service simulator: envelopes, Location ids, 422 rules, events and reports."""

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
import requests

TICKET = {
    "organisationHumanId": "ORG-12333",
    "contractHumanId": "CON-123562",
    "tenantHumanId": "123",
    "title": "Ticket ticket",
    "description": "this is a long a fun description",
    "reporterHumanId": "USR-12453",
    "attributes": {"mainEmail": "reporter@acme.example", "phoneNumber": "+447816432764", "preferredContactMethod": "email",
                   "additionalEmails": ["one@acme.example", "two@acme.example"]},
}


def new_ticket(tickets, **changes):
    body = dict(TICKET, **changes)
    reply = tickets.post("/tickets", json=body)
    assert reply.status_code == 201, reply.text
    return reply.headers["Location"]


def assert_unprocessable(reply, *fragments):
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["title"] == "Unprocessable Entity"
    for fragment in fragments:
        assert fragment in body["message"]


def test_bearer_token_is_required(conn):
    assert requests.get(conn["tickets"]["url"] + "/tickets", timeout=5).json() == {"title": "Unauthorized", "message": "A bearer token is required."}
    wrong = requests.get(conn["tickets"]["url"] + "/tickets", headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert wrong.status_code == 401 and wrong.json()["title"] == "Unauthorized"


# Users -----------------------------------------------------------------------------


def test_logged_in_user_and_agents(tickets):
    me = tickets.get("/users").json()["data"]
    assert me == {"id": 1, "humanId": "USR-12345", "organisationId": "ORG-2134-342", "email": "operations@sipsynergy.example",
                  "name": "Operations Admin", "phoneNumber": None, "admin": True, "agent": True}
    agents = tickets.get("/users/agents").json()["data"]
    assert [agent["humanId"] for agent in agents] == ["USR-12345", "USR-12343"]


def test_create_update_delete_user(tickets):
    created = tickets.post("/users", json={"email": "john@example.com", "name": "John Doe", "phoneNumber": 123456981, "agent": True,
                                           "humanId": "USR-123-433", "organisationId": "ORG-12333"})
    assert created.status_code == 201 and created.content == b""
    user_id = created.headers["Location"]
    assert user_id == "4"
    agent = next(user for user in tickets.get("/users/agents").json()["data"] if user["id"] == 4)
    assert agent == {"id": 4, "humanId": "USR-123-433", "organisationId": "ORG-12333", "email": "john@example.com", "name": "John Doe",
                     "phoneNumber": 123456981, "admin": False, "agent": True}
    updated = tickets.patch("/users/" + user_id, json={"name": "John Q. Doe", "admin": True})
    assert updated.status_code == 202
    agent = next(user for user in tickets.get("/users/agents").json()["data"] if user["id"] == 4)
    assert (agent["name"], agent["admin"], agent["email"]) == ("John Q. Doe", True, "john@example.com")
    assert tickets.delete("/users/" + user_id).status_code == 202
    assert 4 not in [user["id"] for user in tickets.get("/users/agents").json()["data"]]
    assert tickets.delete("/users/" + user_id).status_code == 404


@pytest.mark.parametrize("body, fragment", [
    ({"name": "No Email"}, "'email' is a required property"),
    ({"email": "nobody@example.com"}, "'name' is a required property"),
    ({"email": "not-an-email", "name": "X"}, "email: 'not-an-email' is not a 'email'"),
    ({"email": "REPORTER@acme.example", "name": "X"}, "already been taken"),
    ({"email": "x@example.com", "name": "X", "humanId": "USR-12345"}, "human id has already been taken"),
    ({"email": "x@example.com", "name": "X", "organisationId": "ORG-0"}, "organisation id is invalid"),
    ({"email": "x@example.com", "name": "X", "organisationId": ["ORG-12333"]}, "organisationId: ['ORG-12333'] is not of type 'string'"),
    ({"email": "x@example.com", "name": "X", "admin": "yes"}, "admin: 'yes' is not of type 'boolean'"),
    ({"email": "x@example.com", "name": "X", "phoneNumber": "call me"}, "phone number"),
])
def test_user_create_validation(tickets, body, fragment):
    assert_unprocessable(tickets.post("/users", json=body), fragment)


def test_user_update_validation_and_unknown_user(tickets):
    assert_unprocessable(tickets.patch("/users/3", json={"email": "operations@sipsynergy.example"}), "already been taken")
    assert_unprocessable(tickets.patch("/users/3", json={"name": None}), "name")
    assert tickets.patch("/users/3", json={"email": "agent@sipsynergy.example"}).status_code == 202
    assert tickets.patch("/users/99", json={"name": "Ghost"}).status_code == 404
    assert tickets.patch("/users/abc", json={"name": "Ghost"}).status_code == 404


def test_single_user_cannot_be_read(tickets):
    reply = tickets.get("/users/2")
    assert reply.status_code == 405 and reply.json()["title"] == "Method Not Allowed"


def test_deleting_the_token_owner_invalidates_the_token(tickets):
    assert tickets.delete("/users/1").status_code == 202
    assert tickets.get("/users").status_code == 401


# Tickets ------------------------------------------------------------------------------


def test_create_and_read_ticket(tickets):
    created = tickets.post("/tickets", json=TICKET)
    assert created.status_code == 201 and created.content == b"" and created.headers["Location"] == "INC-1"
    ticket = tickets.get("/tickets/INC-1").json()["data"]
    assert ticket["id"] == "INC-1"
    assert {key: ticket[key] for key in ("organisationHumanId", "contractHumanId", "tenantHumanId", "title", "description", "reporterHumanId")} == \
        {key: TICKET[key] for key in ("organisationHumanId", "contractHumanId", "tenantHumanId", "title", "description", "reporterHumanId")}
    assert ticket["links"] == {"self": "/tickets/INC-1", "comments": "/tickets/INC-1/comments"}
    assert ticket["buyer"] == {"type": "organisations", "id": "ORG-2134-342",
                               "attributes": {"legalName": "Sip Synergy Ltd", "name": "SipSynergy", "role": "partner"}}
    assert ticket["consumer"]["id"] == "ORG-12333" and ticket["consumer"]["attributes"]["name"] == "Acme"
    datetime.strptime(ticket["dateCreated"], "%Y-%m-%dT%H:%M:%S%z")
    assert tickets.get("/tickets").json()["data"] == [ticket]


def test_ticket_attributes_are_rows(tickets):
    ticket_id = new_ticket(tickets)
    rows = tickets.get("/tickets/%s/attributes" % ticket_id).json()["data"]
    assert [(row["key"], row["value"], row["type"]) for row in rows] == [
        ("mainEmail", "reporter@acme.example", "Contact"), ("phoneNumber", "+447816432764", "Contact"),
        ("preferredContactMethod", "email", "Contact"), ("additionalEmails", "one@acme.example", "Contact"),
        ("additionalEmails", "two@acme.example", "Contact")]
    assert len({row["id"] for row in rows}) == 5


def test_single_ticket_as_a_list_when_asked(tickets, control):
    ticket_id = new_ticket(tickets)
    assert isinstance(tickets.get("/tickets/" + ticket_id).json()["data"], dict)
    assert control("tickets").put("/settings", json={"single_ticket_as_list": True}).json()["single_ticket_as_list"] is True
    data = tickets.get("/tickets/" + ticket_id).json()["data"]
    assert isinstance(data, list) and data[0]["id"] == ticket_id


@pytest.mark.parametrize("missing", ["organisationHumanId", "contractHumanId", "tenantHumanId", "description", "reporterHumanId"])
def test_ticket_required_fields(tickets, missing):
    body = {key: value for key, value in TICKET.items() if key != missing}
    assert_unprocessable(tickets.post("/tickets", json=body), "'%s' is a required property" % missing)


@pytest.mark.parametrize("changes, fragment", [
    ({"attributes": {"mainEmail": "a@b.example"}}, "attributes: 'preferredContactMethod' is a required property"),
    ({"attributes": None}, "attributes: None for not nullable"),
    ({"attributes": {"preferredContactMethod": "pigeon"}}, "attributes.preferredContactMethod: 'pigeon' is not one of ['email', 'phone']"),
    ({"attributes": {"preferredContactMethod": "email", "additionalEmails": ["bad"]}}, "additionalEmails"),
    ({"attributes": {"preferredContactMethod": "email", "mainEmail": "bad"}}, "mainEmail"),
    ({"reporterHumanId": "USR-0"}, "The selected reporterHumanId is invalid."),
    ({"organisationHumanId": "ORG-0"}, "The selected organisationHumanId is invalid."),
    ({"contractHumanId": "CON-0"}, "The selected contractHumanId is invalid."),
    ({"organisationHumanId": "ORG-2134-342"}, "does not belong to organisation ORG-2134-342"),
    ({"tenantHumanId": 123}, "tenantHumanId: 123 is not of type 'string'"),
    ({"tenantHumanId": "999"}, "The selected tenantHumanId is invalid."),
    ({"title": 5}, "title: 5 is not of type 'string'"),
    ({"organisationHumanId": {"id": "ORG-12333"}}, "organisationHumanId: {'id': 'ORG-12333'} is not of type 'string'"),
])
def test_ticket_invalid_input(tickets, changes, fragment):
    assert_unprocessable(tickets.post("/tickets", json=dict(TICKET, **changes)), fragment)
    assert tickets.get("/tickets").json()["data"] == []


def test_update_ticket(tickets):
    ticket_id = new_ticket(tickets)
    reply = tickets.patch("/tickets/" + ticket_id, json={"title": "Renamed", "attributes": {"preferredContactMethod": "phone"}})
    assert reply.status_code == 204 and reply.headers["Location"] == ticket_id
    ticket = tickets.get("/tickets/" + ticket_id).json()["data"]
    assert ticket["title"] == "Renamed" and ticket["description"] == TICKET["description"]
    rows = {row["key"]: row["value"] for row in tickets.get("/tickets/%s/attributes" % ticket_id).json()["data"]}
    assert rows["preferredContactMethod"] == "phone" and rows["mainEmail"] == "reporter@acme.example"
    assert_unprocessable(tickets.patch("/tickets/" + ticket_id, json={"reporterHumanId": "USR-0"}), "reporterHumanId")
    assert_unprocessable(tickets.patch("/tickets/" + ticket_id, json={"description": ""}), "description")
    assert_unprocessable(tickets.patch("/tickets/" + ticket_id, json={"organisationHumanId": {}}), "organisationHumanId")
    assert tickets.patch("/tickets/INC-404", json={"title": "x"}).status_code == 404


def test_delete_ticket(tickets):
    ticket_id = new_ticket(tickets)
    assert tickets.delete("/tickets/" + ticket_id).status_code == 202
    missing = tickets.get("/tickets/" + ticket_id)
    assert missing.status_code == 404 and missing.json()["title"] == "Not Found"
    assert tickets.delete("/tickets/" + ticket_id).status_code == 404
    assert new_ticket(tickets) == "INC-2"


def test_comments(tickets):
    ticket_id = new_ticket(tickets)
    created = tickets.post("/tickets/" + ticket_id, json={"ticketId": ticket_id, "description": "Something useful", "userHumanId": "USR-12343"})
    assert created.status_code == 201 and created.headers["Location"] == "1"
    comments = tickets.get("/tickets/%s/comments" % ticket_id).json()["data"]
    assert len(comments) == 1
    assert {key: comments[0][key] for key in ("id", "ticketId", "description", "userHumanId")} == \
        {"id": 1, "ticketId": ticket_id, "description": "Something useful", "userHumanId": "USR-12343"}
    assert "dateCreated" in comments[0] and "dateUpdated" in comments[0]


@pytest.mark.parametrize("body, fragment", [
    ({"description": "x", "userHumanId": "USR-12343"}, "'ticketId' is a required property"),
    ({"ticketId": "INC-1", "userHumanId": "USR-12343"}, "'description' is a required property"),
    ({"ticketId": "INC-1", "description": "x"}, "'userHumanId' is a required property"),
    ({"ticketId": "INC-9", "description": "x", "userHumanId": "USR-12343"}, "must match the ticket in the path"),
    ({"ticketId": "INC-1", "description": "x", "userHumanId": "USR-0"}, "user human id is invalid"),
])
def test_comment_validation(tickets, body, fragment):
    new_ticket(tickets)
    assert_unprocessable(tickets.post("/tickets/INC-1", json=body), fragment)


def test_comment_on_unknown_ticket(tickets):
    reply = tickets.post("/tickets/INC-5", json={"ticketId": "INC-5", "description": "x", "userHumanId": "USR-12343"})
    assert reply.status_code == 404


def test_bad_json_is_400(tickets):
    reply = tickets.post("/tickets", data="{", headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json()["title"] == "Bad Request"
    assert tickets.post("/tickets", json=[TICKET]).status_code == 400


# Groups, states --------------------------------------------------------------------------


def test_groups(tickets):
    groups = tickets.get("/groups").json()["data"]
    assert groups[0]["name"] == "MAC" and set(groups[0]) == {"id", "name", "dateCreated", "dateUpdated"}
    assert tickets.get("/groups/1").json()["data"] == groups[0]
    assert tickets.get("/groups/99").status_code == 404


def test_states_filtered_by_type(tickets):
    everything = tickets.get("/states").json()["data"]
    assert tickets.get("/states/", params={"type": "all"}).json()["data"] == everything
    assert {state["type"] for state in everything} == {1, 2, 3, 4, 5}
    priorities = tickets.get("/states", params={"type": "priority"}).json()["data"]
    assert {state["type"] for state in priorities} == {3}
    assert "P5 - Priority 5" in [state["description"] for state in priorities]
    assert tickets.get("/states", params={"type": "state"}).json()["data"][0]["description"] == "OPEN"
    assert_unprocessable(tickets.get("/states", params={"type": "colour"}), "type")


# Events -------------------------------------------------------------------------------------


def test_confirm_contacts_event_is_created_once(tickets, control):
    ticket_id = new_ticket(tickets)
    not_yet = tickets.get("/events/confirm-contacts/" + ticket_id)
    assert not_yet.status_code == 404 and not_yet.json()["title"] == "Not Found"
    assert tickets.post("/events/confirm-contacts/" + ticket_id).status_code == 201
    event = tickets.get("/events/confirm-contacts/" + ticket_id).json()["data"]
    assert event == {"id": 1, "key": "notification.ticket.confirm-contacts", "value": "Confirm contacts notification sent.", "target": ticket_id}
    assert tickets.post("/events/confirm-contacts/" + ticket_id).status_code == 201
    assert tickets.get("/events/confirm-contacts/" + ticket_id).json()["data"] == event
    writes = [entry for entry in control("tickets").get("/requests").json()["requests"] if entry["method"] == "POST"]
    assert len(writes) == 3


def test_confirm_contacts_unknown_ticket(tickets):
    assert tickets.post("/events/confirm-contacts/INC-77").status_code == 404
    assert tickets.get("/events/confirm-contacts/INC-77").status_code == 404


# Reporting ------------------------------------------------------------------------------------


def seed_old_ticket(control, days_ago):
    created = (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    body = dict(TICKET, description="old one", dateCreated=created)
    return control("tickets").post("/seed", json={"tickets": [body]}).json()["tickets"][0]


def test_report_json_by_period(tickets, control):
    recent = new_ticket(tickets)
    older = seed_old_ticket(control, 20)
    weekly = tickets.get("/reporting/tickets", params={"period": "weekly"}).json()["data"]
    monthly = tickets.get("/reporting/tickets", params={"period": "monthly"}).json()["data"]
    assert [row["ticketNumber"] for row in weekly] == [recent]
    assert [row["ticketNumber"] for row in monthly] == [recent, older]
    row = weekly[0]
    assert row["customer"] == "Acme" and row["buyer"] == "SipSynergy" and row["primaryContactEmail"] == "reporter@acme.example"
    assert row["primaryContactName"] == "Jordan Reporter" and row["status"] == "New"
    datetime.strptime(row["createdAt"], "%Y-%m-%d %H:%M:%S")
    assert monthly[1]["ticketRunTime"].startswith("480:")


def test_report_csv_download(tickets):
    ticket_id = new_ticket(tickets)
    reply = tickets.get("/reporting/tickets/download", params={"period": "monthly"})
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert rows[0]["ticketNumber"] == ticket_id
    assert list(rows[0])[:3] == ["ticketNumber", "customer", "buyer"]


def test_report_needs_a_period(tickets):
    assert_unprocessable(tickets.get("/reporting/tickets"), "period")
    assert_unprocessable(tickets.get("/reporting/tickets/download", params={"period": "daily"}), "period")


def test_frozen_clock_dates_tickets_and_reports(tickets, control):
    """With ``frozen_now`` the report is the same on any day: periods and run times count from the frozen instant."""
    assert control("tickets").put("/settings", json={"frozen_now": "2026-03-02T12:00:00Z"}).json()["frozen_now"] == "2026-03-02T12:00:00+00:00"
    recent = new_ticket(tickets)
    control("tickets").post("/seed", json={"tickets": [dict(TICKET, description="ten days", dateCreated="2026-02-20T12:00:00+0000")]})
    assert tickets.get("/tickets/" + recent).json()["data"]["dateCreated"] == "2026-03-02T12:00:00+0000"
    weekly = tickets.get("/reporting/tickets", params={"period": "weekly"}).json()["data"]
    monthly = tickets.get("/reporting/tickets", params={"period": "monthly"}).json()["data"]
    assert [row["ticketNumber"] for row in weekly] == [recent]
    expected = [("2026-03-02 12:00:00", "00:00:00"), ("2026-02-20 12:00:00", "240:00:00")]
    assert [(row["createdAt"], row["ticketRunTime"]) for row in monthly] == expected
    download = tickets.get("/reporting/tickets/download", params={"period": "weekly"})
    assert "tickets-weekly-20260302.csv" in download.headers["Content-Disposition"]
    assert control("tickets").put("/settings", json={"frozen_now": "yesterday"}).status_code == 400
