"""itsm_incident_info through run() against the ITSM desk simulator."""

import pytest

from ansible_collections.incident.ops.plugins.modules import itsm_incident, itsm_incident_info

from itsm_runs import calls, runner

TIM = "tim@acme.com"


@pytest.fixture
def info(itsm_module):
    return runner(itsm_module, itsm_incident_info)


@pytest.fixture
def incidents(itsm_sim, itsm_module):
    create = runner(itsm_module, itsm_incident)
    create(subject="Disk full", requester_email=TIM, custom_fields={"Affected Users": 3})
    create(subject="Disk full", requester_email="jane@acme.com", status="resolved")
    create(subject="Printer", requester_email=TIM)
    itsm_sim.clear_log()


def test_by_id(itsm_sim, itsm_module, info, incidents):
    changed, result, diff = info(id=1)
    assert not changed and diff is None
    assert [item["id"] for item in result["incidents"]] == [1]
    assert result["incidents"][0]["custom_fields"] == {"Affected Users": 3}
    assert result["incidents"][0]["requester_email"] == TIM and "fields" not in result
    assert info(id=42)[1] == {"incidents": []}


def test_search_by_subject_requester_and_status(itsm_sim, itsm_module, info, incidents):
    assert [item["id"] for item in info(subject="Disk full")[1]["incidents"]] == [1, 2]
    assert [item["id"] for item in info(subject="Disk full", requester_email=TIM)[1]["incidents"]] == [1]
    assert [item["id"] for item in info(status="resolved")[1]["incidents"]] == [2]
    assert [item["id"] for item in info()[1]["incidents"]] == [1, 2, 3]


def test_form_lists_custom_fields_only(itsm_sim, itsm_module, info, incidents):
    result = info(form="request")[1]
    assert result["incidents"] == []
    by_name = dict((field["name"], field) for field in result["fields"])
    assert by_name["Affected Users"]["type_name"] == "INTEGER" and by_name["Stage"]["options"][0] == "Open"
    assert calls(itsm_sim) == ["POST /api/oauth/token", "GET /api/ususer/form/request"]
