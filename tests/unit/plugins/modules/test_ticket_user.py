"""ticket_user through run() against the tickets simulator."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import ticket_user

SAM = dict(email="Sam.New@Example.com", name="Sam New", phone_number="+447700900321", agent=True, human_id="USR-2001",
           organisation_id="ORG-2134-342")


@pytest.fixture
def run(tickets_module, tickets_api):
    def call(check_mode=False, **params):
        return ticket_user.run(tickets_module(ticket_user.ARGUMENT_SPEC, check_mode=check_mode, **params), tickets_api)
    return call


def agents(api):
    return dict((user["email"], user) for user in api.data("/users/agents"))


def test_create_update_delete(run, tickets_sim, tickets_api):
    assert run(check_mode=True, **SAM)[0] and tickets_sim.writes() == []
    changed, user, diff = run(**SAM)
    assert changed and user["id"] == 4 and diff["after"]["email"] == "Sam.New@Example.com"
    tickets_sim.clear_log()
    assert run(**dict(SAM, email="sam.new@example.com"))[0] is False
    assert [entry["method"] for entry in tickets_sim.requests()] == ["GET", "GET"]
    changed, user, diff = run(email="sam.new@example.com", admin=True, phone_number="+447700900321")
    assert changed and diff == {"before": {"admin": False}, "after": {"admin": True}}
    assert agents(tickets_api)["Sam.New@Example.com"]["admin"] is True
    assert [entry["method"] for entry in tickets_sim.writes()] == ["PATCH"]
    changed, user, diff = run(email="sam.new@example.com", state="absent")
    assert changed and user is None and "Sam.New@Example.com" not in agents(tickets_api)


def test_numbers_stored_as_numbers_compare_with_strings(run, tickets_sim, tickets_api):
    tickets_api.create("/users", {"email": "num@example.com", "name": "Num", "phoneNumber": 123456981, "agent": True})
    assert run(email="num@example.com", phone_number="123456981")[0] is False


@pytest.mark.parametrize("params, message", [
    (dict(email="not-an-email", name="X"), "not an email address"),
    (dict(email="new@example.com"), "needs name"),
    (dict(email="agent@sipsynergy.example", human_id="USR-9"), "can only be set when the user is created"),
])
def test_bad_input_writes_nothing(run, tickets_sim, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**params)
    assert tickets_sim.writes() == []
