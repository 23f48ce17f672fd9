"""The tickets simulator against its OpenAPI description: the file is valid OpenAPI 3,
requests it forbids are refused, and every answer the simulator gives fits it."""

import pytest
import yaml
from openapi_spec_validator import validate

from simulators import openapi, tickets as tickets_simulator

from .test_tickets import TICKET, new_ticket


def test_the_description_is_valid_openapi():
    with open(tickets_simulator.SPEC_PATH, encoding="utf-8") as handle:
        validate(yaml.safe_load(handle))


BAD_REQUESTS = [
    ("unknown path", "GET", "/ticketz", {}, None, 404),
    ("method the description lacks", "PUT", "/tickets/INC-1", {}, dict(TICKET), 405),
    ("integer path parameter", "PATCH", "/users/abc", {}, {"name": "X"}, 404),
    ("query enum: type", "GET", "/states", {"type": "colour"}, None, 422),
    ("required query: period", "GET", "/reporting/tickets", {}, None, 422),
    ("query enum: period", "GET", "/reporting/tickets/download", {"period": "daily"}, None, 422),
    ("required body field", "POST", "/tickets", {}, {key: value for key, value in TICKET.items() if key != "description"}, 422),
    ("attribute enum", "PATCH", "/tickets/INC-1", {}, {"attributes": {"preferredContactMethod": "pigeon"}}, 422),
    ("body type: admin", "PATCH", "/users/2", {}, {"admin": "yes"}, 422),
    ("format: email", "POST", "/users", {}, {"email": "nobody", "name": "N"}, 422),
    ("required body", "POST", "/tickets/INC-1", {}, None, 422),
]


@pytest.mark.parametrize("label,method,path,query,body,status", BAD_REQUESTS, ids=[case[0] for case in BAD_REQUESTS])
def test_requests_the_description_rejects_are_refused(tickets, control, label, method, path, query, body, status):
    new_ticket(tickets)
    control("tickets").delete("/requests")
    reply = tickets.request(method, path, params=query, json=body)
    assert reply.status_code == status, (label, reply.text)
    assert set(reply.json()) == {"title", "message"}
    assert [entry["method"] for entry in control("tickets").get("/requests").json()["requests"]] == [method]
    assert len(tickets.get("/tickets").json()["data"]) == 1


def test_every_answer_fits_the_description(tickets, control):
    """A tour of every operation; each JSON answer is checked against its response schema."""
    spec = openapi.load_spec(tickets_simulator.SPEC_PATH, errata=())
    ticket_id = new_ticket(tickets)
    calls = [
        ("GET", "/users", None, None), ("GET", "/users/agents", None, None),
        ("POST", "/users", None, {"email": "new@example.com", "name": "New", "phoneNumber": "+447700900999"}),
        ("PATCH", "/users/4", None, {"phoneNumber": None}), ("GET", "/tickets", None, None),
        ("GET", "/tickets/" + ticket_id, None, None), ("PATCH", "/tickets/" + ticket_id, None, {"title": "Renamed"}),
        ("POST", "/tickets/" + ticket_id, None, {"ticketId": ticket_id, "description": "Seen", "userHumanId": "USR-12343"}),
        ("GET", "/tickets/%s/comments" % ticket_id, None, None), ("GET", "/tickets/%s/attributes" % ticket_id, None, None),
        ("GET", "/groups", None, None), ("GET", "/groups/2", None, None), ("GET", "/states", {"type": "priority"}, None),
        ("GET", "/events/confirm-contacts/" + ticket_id, None, None), ("POST", "/events/confirm-contacts/" + ticket_id, None, None),
        ("GET", "/events/confirm-contacts/" + ticket_id, None, None), ("GET", "/reporting/tickets", {"period": "weekly"}, None),
        ("GET", "/reporting/tickets/download", {"period": "monthly"}, None), ("GET", "/tickets/INC-99", None, None),
        ("POST", "/tickets", None, dict(TICKET, reporterHumanId="USR-0")), ("DELETE", "/users/4", None, None),
        ("DELETE", "/tickets/" + ticket_id, None, None),
    ]
    problems = []
    for method, path, query, body in calls:
        reply = tickets.request(method, path, params=query, json=body)
        operation = spec.match(method, path)[0]
        is_json = reply.headers.get("Content-Type", "").startswith("application/json")
        answer = reply.json() if reply.content and is_json else None
        for problem in spec.response_errors(method, operation.template, reply.status_code, answer):
            problems.append("%s %s %s: %s" % (method, path, reply.status_code, problem))
        assert reply.status_code < 500, (method, path, reply.text)
    assert problems == []


def test_single_ticket_as_a_list_fits_the_description(tickets, control):
    spec = openapi.load_spec(tickets_simulator.SPEC_PATH, errata=())
    ticket_id = new_ticket(tickets)
    control("tickets").put("/settings", json={"single_ticket_as_list": True})
    answer = tickets.get("/tickets/" + ticket_id).json()
    assert isinstance(answer["data"], list)
    assert spec.response_errors("GET", "/tickets/{ticketId}", 200, answer) == []
