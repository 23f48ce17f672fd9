"""itsm_incident through run() against the ITSM desk simulator."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.modules import itsm_incident

from itsm_runs import calls, runner, stored

TIM = "tim@acme.com"
OUTAGE = dict(subject="Orders database unreachable", requester_email=TIM, description="503 since 02:10",
              category="Incident", impact="on_business", urgency="urgent", priority="high", location="London",
              tags=["orders", "database"], custom_fields={"Affected Users": 1200, "Stage": "Triage"})


@pytest.fixture
def run(itsm_module):
    return runner(itsm_module, itsm_incident)


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "error.log"
    path.write_bytes(b"02:10 connection refused\n")
    return str(path)


def writes(itsm_sim):
    """Requests that change something: neither reads, nor the token, nor searches."""
    return [call for call in calls(itsm_sim) if call.startswith("POST") and not call.endswith(("/oauth/token", "/byqual"))]


def test_check_mode_create_writes_nothing(itsm_sim, itsm_module, run, log_file):
    changed, incident, diff = run(check_mode=True, attachments=[log_file], **OUTAGE)
    assert changed
    assert writes(itsm_sim) == []
    assert incident["subject"] == OUTAGE["subject"] and incident["impact"] == "ONBUSINESS"
    assert incident["file_attachments"] == [{"ref_file_name": None, "real_name": "error.log"}]
    assert incident["custom_fields"] == {"Affected Users": 1200, "Stage": "Triage"}
    assert diff["before"] == {} and "status" not in diff["after"]
    assert diff["after"]["requester_email"] == TIM and diff["after"]["attachments"] == ["error.log"]


def test_create_then_rerun_changes_nothing(itsm_sim, itsm_module, run, log_file):
    changed, incident, _diff = run(attachments=[log_file], **OUTAGE)
    assert changed and incident["id"] == 1
    held = stored(itsm_module, 1)
    assert (held["categoryName"], held["impact"], held["urgency"], held["priority"]) == ("Incident", "ONBUSINESS", "URGENT", "HIGH")
    assert held["locationName"] == "London" and held["tags"] == ["database", "orders"]
    assert held["customFieldValueDetails"] == {"1": {"type": 1, "stringValue": "Triage"}, "36": {"type": 2, "integerValue": 1200}}
    assert [item["realName"] for item in held["fileAttachments"]] == ["error.log"]

    itsm_sim.clear_log()
    changed, again, diff = run(attachments=[log_file], **OUTAGE)
    assert not changed and diff == {"before": {}, "after": {}}
    assert again["id"] == 1 and again["custom_fields"]["Affected Users"] == 1200
    ref = held["fileAttachments"][0]["refFileName"]
    assert calls(itsm_sim) == ["POST /api/oauth/token", "GET /api/ususer/form/request", "POST /api/v1/request/search/byqual",
                               "GET /api/oprfile/" + ref]


def test_update_shows_only_what_changes(itsm_sim, itsm_module, run):
    run(**OUTAGE)
    itsm_sim.clear_log()
    changed, incident, diff = run(**dict(OUTAGE, status="in_progress", custom_fields={"Affected Users": 1500, "Stage": "Triage"}))
    assert changed
    assert diff == {"before": {"status": "open", "custom_fields": {"Affected Users": 1200}},
                    "after": {"status": "in_progress", "custom_fields": {"Affected Users": 1500}}}
    assert incident["status"] == "In Progress" and incident["custom_fields"]["Affected Users"] == 1500
    assert writes(itsm_sim) == ["POST /api/v1/incident/1"]


def test_same_attachment_twice_uploads_once_and_changed_content_uploads_again(itsm_sim, itsm_module, run, log_file, tmp_path):
    run(**OUTAGE)
    run(attachments=[log_file], **OUTAGE)
    itsm_sim.clear_log()
    changed = run(attachments=[log_file], **OUTAGE)[0]
    assert not changed and writes(itsm_sim) == []
    with open(log_file, "ab") as handle:
        handle.write(b"02:11 still refused\n")
    changed, incident, diff = run(attachments=[log_file], **OUTAGE)
    assert changed and diff == {"before": {"attachments": []}, "after": {"attachments": ["error.log"]}}
    assert [item["real_name"] for item in incident["file_attachments"]] == ["error.log", "error.log"]
    assert sum(1 for call in writes(itsm_sim) if call == "POST /api/oprfile") == 1


def test_check_mode_update_uploads_nothing(itsm_sim, itsm_module, run, log_file):
    run(**OUTAGE)
    itsm_sim.clear_log()
    changed, incident, _diff = run(check_mode=True, attachments=[log_file], status="resolved", **OUTAGE)
    assert changed and writes(itsm_sim) == []
    assert incident["status"] == "Resolved" and incident["file_attachments"][0]["ref_file_name"] is None
    assert stored(itsm_module, 1)["status"] == "Open"


def test_allow_duplicate_creates_another(itsm_sim, itsm_module, run):
    run(**OUTAGE)
    changed, incident, _diff = run(allow_duplicate=True, **OUTAGE)
    assert changed and incident["id"] == 2


def test_a_closed_incident_is_not_reused(itsm_sim, itsm_module, run):
    run(status="closed", **OUTAGE)
    assert stored(itsm_module, 1)["status"] == "Closed"
    changed, incident, _diff = run(**OUTAGE)
    assert changed and incident["id"] == 2


def test_two_open_matches_are_refused(itsm_sim, itsm_module, run):
    run(**OUTAGE)
    run(allow_duplicate=True, **OUTAGE)
    with pytest.raises(InvalidInput, match=r"2 open incidents .*\(ids 1, 2\)"):
        run(**OUTAGE)


def test_by_id_updates_subject(itsm_sim, itsm_module, run):
    run(**OUTAGE)
    changed, incident, diff = run(id=1, subject="Orders DB down")
    assert changed and incident["subject"] == "Orders DB down"
    assert diff == {"before": {"subject": OUTAGE["subject"]}, "after": {"subject": "Orders DB down"}}
    with pytest.raises(InvalidInput, match="no incident with id 9"):
        run(id=9, status="closed")


def test_legacy_create(itsm_sim, itsm_module, run):
    changed, incident, _diff = run(api_version="legacy", status="pending", **OUTAGE)
    assert changed
    assert writes(itsm_sim) == ["POST /api/incident", "POST /api/v1/incident/1"]
    assert incident["category_name"] == "Incident" and incident["location_name"] == "London" and incident["status"] == "Pending"
    assert incident["custom_fields"] == {"Affected Users": 1200, "Stage": "Triage"}
    with pytest.raises(InvalidInput, match="cc_emails"):
        run(api_version="legacy", cc_emails=["a@acme.com"], **OUTAGE)


def test_api_prefix_and_api_key(itsm_sim, itsm_module):
    run = runner(itsm_module, itsm_incident, api_key="sim-itsm-api-key", client_id=None, client_secret=None, username=None,
                 password=None, api_prefix="/api")
    changed, incident, _diff = run(subject="Keyboard", requester_email=TIM)
    assert changed and incident["id"] == 1
    assert "POST /api/oauth/token" not in calls(itsm_sim)
    assert run(id=1, status="resolved")[1]["status"] == "Resolved"
    assert calls(itsm_sim)[-2:] == ["POST /api/incident/1", "GET /api/incident/1"]


@pytest.mark.parametrize("params, message", [
    (dict(requester_email=TIM), "subject must be set"),
    (dict(subject="x"), "requester_email must be set"),
    (dict(subject="x", requester_email="tim"), "requester_email 'tim' is not an email address"),
    (dict(subject="x", requester_email=TIM, custom_fields={"Colour": "red"}), "'Colour' is not a custom field"),
    (dict(subject="x", requester_email=TIM, custom_fields={"Affected Users": "many"}), "needs a INTEGER value"),
    (dict(subject="x", requester_email=TIM, custom_fields={"Stage": "Closed"}), "does not offer Closed"),
    (dict(subject="x", requester_email=TIM, location="Atlantis"), "no location named 'Atlantis'"),
    (dict(subject="x", requester_email=TIM, category="Gardening"), "no category named 'Gardening'"),
    (dict(subject="x", requester_email=TIM, attachments=["/nonexistent/file.log"]), "Cannot read the attachment"),
])
def test_bad_input_fails_before_any_write(itsm_sim, itsm_module, run, params, message):
    with pytest.raises(InvalidInput, match=message):
        run(**params)
    assert writes(itsm_sim) == []


def test_bad_enum_is_refused_by_the_argument_spec(run):
    with pytest.raises(Exception, match="impact"):
        run(subject="x", requester_email=TIM, impact="huge")


def test_incomplete_credentials(itsm_sim, itsm_module):
    run = runner(itsm_module, itsm_incident, password=None)
    with pytest.raises(InvalidInput, match="missing: password"):
        run(subject="x", requester_email=TIM)


@pytest.mark.parametrize("credentials, message", [
    (dict(client_secret="wrong-secret"), "refused the client credentials"),
    (dict(password="wrong-password"), "refused the user credentials"),
    (dict(api_key="wrong-key"), "refused the credentials and gave no reason"),
])
def test_wrong_credentials_say_which(itsm_sim, itsm_module, credentials, message):
    run = runner(itsm_module, itsm_incident, **credentials)
    with pytest.raises(ApiError) as caught:
        run(subject="x", requester_email=TIM)
    assert message in str(caught.value) and caught.value.status == 401
    for secret in credentials.values():
        assert secret not in str(caught.value)


def test_empty_500_and_failed_envelope_with_200(itsm_sim, itsm_module, run):
    itsm_sim.control("POST", "faults", json={"method": "POST", "path": "^/api/v1/incident$", "status": 500, "body": ""})
    with pytest.raises(ApiError, match="internal error and gave no reason"):
        run(subject="x", requester_email=TIM)
    itsm_sim.control("POST", "faults", json={"method": "POST", "path": "^/api/v1/incident$", "status": 200,
                                             "body": {"returnCode": "FAILED", "status": 1, "userMessage": "Requester is inactive", "id": None}})
    with pytest.raises(ApiError, match="returnCode FAILED.*Requester is inactive"):
        run(subject="x", requester_email=TIM)


def test_token_expiry_in_the_middle_of_a_run(itsm_sim, itsm_module, run, log_file):
    run(**OUTAGE)
    itsm_sim.control("PUT", "settings", json={"token_ttl": 0.5})
    itsm_sim.control("POST", "faults", json={"action": "delay", "delay_ms": 700, "method": "POST", "path": "byqual$"})
    itsm_sim.clear_log()
    changed = run(status="resolved", **OUTAGE)[0]
    log = itsm_sim.requests()
    assert [entry["status"] for entry in log if entry["path"].endswith("byqual")] == [401, 200]
    assert [entry["path"] for entry in log].count("/api/oauth/token") == 2
    assert changed and stored(itsm_module, 1)["status"] == "Resolved"
