"""ticket through run() against the tickets simulator."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import ticket

NEW = dict(title="VPN down", description="Nobody can reach the VPN", organisation_id="ORG-12333", contract_id="CON-123562",
           tenant_id="123", reporter_id="USR-12453",
           attributes={"main_email": "it@acme.example", "preferred_contact_method": "email",
                       "additional_emails": ["b@acme.example", "a@acme.example"]},
           comments=[{"description": "Looking at it", "user_id": "USR-12343"}], confirm_contacts=True)


@pytest.fixture
def run(tickets_module, tickets_api):
    def call(check_mode=False, **params):
        return ticket.run(tickets_module(ticket.ARGUMENT_SPEC, check_mode=check_mode, **params), tickets_api)
    return call


def test_open_then_nothing_to_do(run, tickets_sim, tickets_api):
    checked, predicted, diff = run(check_mode=True, **NEW)
    assert checked and tickets_sim.writes() == [] and predicted["title"] == "VPN down"
    assert diff["after"]["comments"] == [{"description": "Looking at it", "user_id": "USR-12343"}]
    changed, created, diff = run(**NEW)
    assert changed and created["id"] == "INC-1"
    assert created["attributes"] == {"mainEmail": "it@acme.example", "preferredContactMethod": "email",
                                     "additionalEmails": ["a@acme.example", "b@acme.example"]}
    assert [comment["description"] for comment in created["comments"]] == ["Looking at it"]
    assert tickets_api.contacts_confirmed("INC-1")
    assert diff["after"]["confirm_contacts"] is True
    tickets_sim.clear_log()
    changed, again, diff = run(**NEW)
    assert not changed and again["id"] == "INC-1"
    assert [(entry["method"], entry["path"]) for entry in tickets_sim.requests()] == [
        ("GET", "/api/tickets"), ("GET", "/api/tickets/INC-1/attributes"), ("GET", "/api/tickets/INC-1/comments"),
        ("GET", "/api/events/confirm-contacts/INC-1")]


def test_update_by_id_sends_only_changes(run, tickets_sim, tickets_api):
    run(**NEW)
    tickets_sim.clear_log()
    changed, updated, diff = run(id="INC-1", attributes={"phone_number": "+447700900123", "preferred_contact_method": "phone"},
                                 comments=[{"description": "Looking at it", "user_id": "USR-12343"},
                                           {"description": "Fixed", "user_id": "USR-12345"}])
    assert changed
    assert diff == {"before": {"phoneNumber": None, "preferredContactMethod": "email", "comments": []},
                    "after": {"phoneNumber": "+447700900123", "preferredContactMethod": "phone",
                              "comments": [{"description": "Fixed", "user_id": "USR-12345"}]}}
    assert updated["attributes"]["mainEmail"] == "it@acme.example" and updated["attributes"]["preferredContactMethod"] == "phone"
    assert [comment["description"] for comment in updated["comments"]] == ["Looking at it", "Fixed"]
    assert [entry["method"] for entry in tickets_sim.writes()] == ["PATCH", "POST"]


def test_dedupe_can_be_turned_off_and_two_matches_fail(run, tickets_api):
    run(**NEW)
    changed, second, unused = run(dedupe_by_title=False, **dict(NEW, comments=None, confirm_contacts=False))
    assert changed and second["id"] == "INC-2"
    with pytest.raises(InvalidInput, match="2 open tickets are titled 'VPN down' .INC-1, INC-2."):
        run(**NEW)


def test_delete(run, tickets_sim, tickets_api):
    run(**NEW)
    changed, gone, diff = run(id="INC-1", state="absent")
    assert changed and gone is None and diff["before"] == {"id": "INC-1"}
    assert tickets_api.ticket("INC-1") is None
    assert run(id="INC-1", state="absent")[0] is False


@pytest.mark.parametrize("params, message", [
    (dict(id="INC-77", title="x"), "Ticket INC-77 was not found"),
    (dict(NEW, attributes={"main_email": "not-an-email", "preferred_contact_method": "email"}), "not an email address"),
    (dict(NEW, organisation_id=None, contract_id=None), "needs organisation_id, contract_id"),
    (dict(NEW, comments=[{"description": "a", "user_id": "U"}, {"description": "a ", "user_id": "U"}]), "more than once"),
])
def test_bad_input_writes_nothing(run, tickets_sim, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**params)
    assert tickets_sim.writes() == []


def test_invalid_contact_method_is_refused_by_the_argument_spec(run, tickets_sim):
    with pytest.raises(Exception, match="preferred_contact_method") as raised:
        run(**dict(NEW, attributes={"preferred_contact_method": "pigeon"}))
    assert type(raised.value).__name__ == "ModuleFailed"
    assert tickets_sim.requests() == []


def test_api_422_names_title_and_message(run, tickets_sim):
    with pytest.raises(ApiError, match="Unprocessable Entity: .*reporterHumanId is invalid"):
        run(**dict(NEW, reporter_id="USR-0"))
    assert [entry["status"] for entry in tickets_sim.writes()] == [422]
