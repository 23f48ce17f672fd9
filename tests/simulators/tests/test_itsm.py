"""The ITSM desk simulator: OAuth2 flows, incidents, uploads, custom fields and search."""

import base64
import json
import time

import pytest
import requests

INCIDENT_KEYS = {"id", "requesterEmail", "requesterName", "ccEmailSet", "subject", "description", "categoryName", "status",
                 "impact", "priority", "urgency", "locationName", "tags", "spam", "fileAttachments", "customFieldValueDetails"}


def token_request(options, client_secret=None, **form):
    return requests.post(options["url"] + "/api/oauth/token", auth=(options["client_id"], client_secret or options["client_secret"]),
                         files={key: (None, value) for key, value in form.items()}, timeout=5)


def password_grant(options, password=None):
    return token_request(options, grant_type="password", username=options["username"], password=password or options["password"])


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def assert_failed(reply, status, *fragments):
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["returnCode"] == "FAILED" and body["status"] != 0 and body["id"] is None
    for fragment in fragments:
        assert fragment in body["userMessage"]


def upload(itsm, name="screen.png", content=b"\x89PNG fake\r\n"):
    reply = itsm.post("/api/oprfile", files={"file": (name, content, "image/png")})
    assert reply.status_code == 200, reply.text
    return reply.json()


def create(itsm, **fields):
    body = {"subject": "Printer on fire", "requesterEmail": "tim@acme.com"}
    body.update(fields)
    reply = itsm.post("/api/v1/incident", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()["id"]


# OAuth2 ------------------------------------------------------------------------------


def test_password_grant_multipart(conn):
    reply = password_grant(conn["itsm"])
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"access_token", "token_type", "refresh_token", "expires_in", "scope", "jti"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 7199
    claims = jwt_claims(body["access_token"])
    assert claims["user_name"] == conn["itsm"]["username"] and claims["jti"] == body["jti"]
    assert jwt_claims(body["refresh_token"])["ati"] == body["jti"]


def test_password_grant_urlencoded(conn):
    options = conn["itsm"]
    reply = requests.post(options["url"] + "/api/oauth/token", auth=(options["client_id"], options["client_secret"]),
                          data={"grant_type": "password", "username": options["username"], "password": options["password"]}, timeout=5)
    assert reply.status_code == 200 and reply.json()["access_token"]


def test_bad_client_credentials_are_401_with_empty_body(conn):
    reply = token_request(conn["itsm"], client_secret="wrong", grant_type="password", username="tim@acme.com", password="123")
    assert reply.status_code == 401 and reply.content == b""
    assert reply.headers["WWW-Authenticate"].startswith("Basic")
    unauthenticated = requests.post(conn["itsm"]["url"] + "/api/oauth/token", data={"grant_type": "password"}, timeout=5)
    assert unauthenticated.status_code == 401 and unauthenticated.content == b""


def test_bad_user_password_is_401_with_empty_body(conn):
    reply = password_grant(conn["itsm"], password="not-it")
    assert reply.status_code == 401 and reply.content == b""


def test_unsupported_or_missing_grant_type(conn):
    assert token_request(conn["itsm"], grant_type="client_credentials").json()["error"] == "unsupported_grant_type"
    assert token_request(conn["itsm"], username="tim@acme.com").json()["error"] == "invalid_request"


def test_api_needs_a_bearer_token(conn):
    missing = requests.get(conn["itsm"]["url"] + "/api/v1/incident/1", timeout=5)
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
    unknown = requests.get(conn["itsm"]["url"] + "/api/v1/incident/1", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_token"
    assert "invalid_token" in unknown.headers["WWW-Authenticate"]


def test_access_token_expires(conn, control):
    assert control("itsm").put("/settings", json={"token_ttl": 0.3}).json()["token_ttl"] == 0.3
    token = password_grant(conn["itsm"]).json()["access_token"]
    headers = {"Authorization": "Bearer " + token}
    assert requests.get(conn["itsm"]["url"] + "/api/ususer/form/request", headers=headers, timeout=5).status_code == 200
    time.sleep(0.4)
    expired = requests.get(conn["itsm"]["url"] + "/api/ususer/form/request", headers=headers, timeout=5)
    assert expired.status_code == 401 and "expired" in expired.json()["error_description"]


def test_expire_token_fault_ends_the_access_token_it_meets(conn, control):
    token = password_grant(conn["itsm"]).json()["access_token"]
    headers = {"Authorization": "Bearer " + token}
    control("itsm").post("/faults", json={"path": "^/api/ususer/form/", "action": "expire_token"})
    url = conn["itsm"]["url"] + "/api/ususer/form/request"
    expired = requests.get(url, headers=headers, timeout=5)
    assert expired.status_code == 401 and "expired" in expired.json()["error_description"]
    assert requests.get(url, headers=headers, timeout=5).status_code == 401, "the token stays expired"


def test_refresh_grant_is_single_use_and_revokes_the_old_access_token(conn):
    options = conn["itsm"]
    first = password_grant(options).json()
    refreshed = token_request(options, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert second["access_token"] != first["access_token"]
    url = options["url"] + "/api/ususer/form/request"
    assert requests.get(url, headers={"Authorization": "Bearer " + first["access_token"]}, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer " + second["access_token"]}, timeout=5).status_code == 200
    reused = token_request(options, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reused.status_code == 401 and reused.content == b""


def test_expired_refresh_token_is_401(conn, control):
    control("itsm").put("/settings", json={"refresh_ttl": 0.2})
    first = password_grant(conn["itsm"]).json()
    time.sleep(0.3)
    reply = token_request(conn["itsm"], grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reply.status_code == 401 and reply.content == b""


def test_reset_forgets_tokens(conn, itsm, control):
    assert itsm.get("/api/ususer/form/request").status_code == 200
    control("itsm").post("/reset")
    assert itsm.get("/api/ususer/form/request").status_code == 401


# Incidents -------------------------------------------------------------------------------


def test_create_then_get_with_defaults(itsm):
    reply = itsm.post("/api/v1/incident", json={"tags": ["mouse"], "subject": "Need a new keyboard", "description": "Need a wireless keyboard",
                                                "requesterEmail": "tim@acme.com", "requesterName": "Tim", "locationName": "Ahmedabad"})
    assert reply.status_code == 200
    assert reply.json() == {"returnCode": "SUCCESS", "status": 0, "userMessage": None, "id": 1}
    incident = itsm.get("/api/v1/incident/1").json()
    assert set(incident) == INCIDENT_KEYS
    assert incident == {"id": 1, "requesterEmail": "tim@acme.com", "requesterName": "Tim", "ccEmailSet": [],
                        "subject": "Need a new keyboard", "description": "Need a wireless keyboard", "categoryName": "Service Request",
                        "status": "Open", "impact": "LOW", "priority": "LOW", "urgency": "LOW", "locationName": "Ahmedabad",
                        "tags": ["mouse"], "spam": False, "fileAttachments": None, "customFieldValueDetails": {}}


def test_requester_name_defaults_to_the_registered_user(itsm):
    incident_id = create(itsm, requesterEmail="jane@acme.com")
    assert itsm.get("/api/v1/incident/%d" % incident_id).json()["requesterName"] == "Jane Doe"
    other = create(itsm, requesterEmail="stranger@example.com")
    assert itsm.get("/api/v1/incident/%d" % other).json()["requesterName"] is None


def test_create_with_everything(itsm):
    attachment = upload(itsm)
    incident_id = create(itsm, categoryName="Incident", impact="ONBUSINESS", urgency="URGENT", priority="HIGH",
                         ccEmailSet=["b@acme.com", "a@acme.com"], tags=["db", "outage"], locationName="London",
                         attachmentsRefNames=[attachment["refFileName"]],
                         customFieldValueDetails={"1": {"type": 1, "stringValue": "Triage"}, "36": {"type": 2, "integerValue": 120},
                                                  "37": {"type": 3, "doubleValue": 1500.5}, "38": {"type": 4, "booleanValue": True},
                                                  "39": {"type": 5, "longValue": 9007199254740993}, "40": {"type": 7, "integerListValue": [3, 4]},
                                                  "41": {"type": 8, "stringListValue": ["api", "web"]}, "42": {"type": 10, "bigStringValue": "x" * 5000},
                                                  "35": {"type": 1, "stringValue": None}})
    incident = itsm.get("/api/v1/incident/%d" % incident_id).json()
    assert incident["categoryName"] == "Incident"
    assert (incident["impact"], incident["urgency"], incident["priority"]) == ("ONBUSINESS", "URGENT", "HIGH")
    assert incident["ccEmailSet"] == ["a@acme.com", "b@acme.com"]
    assert incident["fileAttachments"] == [{"refFileName": attachment["refFileName"], "realName": "screen.png"}]
    assert incident["customFieldValueDetails"]["39"] == {"type": 5, "longValue": 9007199254740993}
    assert incident["customFieldValueDetails"]["35"] == {"type": 1, "stringValue": None}
    assert len(incident["customFieldValueDetails"]) == 9


def test_required_fields(itsm):
    assert_failed(itsm.post("/api/v1/incident", json={"description": "no subject"}), 400, "subject is required", "requesterEmail is required")
    assert_failed(itsm.post("/api/v1/incident", json={"subject": "  ", "requesterEmail": "tim@acme.com"}), 400, "subject")
    assert_failed(itsm.post("/api/v1/incident", json={"subject": "x", "requesterEmail": "not-an-email"}), 400, "requesterEmail")


@pytest.mark.parametrize("field, value, fragment", [
    ("impact", "HIGH", "impact must be one of LOW, ONUSER, ONDEPARTMENT, ONBUSINESS"),
    ("urgency", "low", "urgency must be one of"),
    ("priority", "CRITICAL", "priority must be one of"),
    ("locationName", "Atlantis", "Location 'Atlantis' does not exist"),
    ("categoryName", "Gardening", "Category 'Gardening' does not exist"),
    ("ccEmailSet", ["ok@acme.com", "broken"], "ccEmailSet"),
    ("tags", "single", "tags must be a list"),
    ("attachmentsRefNames", ["NoSuchFile"], "NoSuchFile were not uploaded"),
])
def test_create_rejects_invalid_values(itsm, field, value, fragment):
    reply = itsm.post("/api/v1/incident", json={"subject": "x", "requesterEmail": "tim@acme.com", field: value})
    assert_failed(reply, 400, fragment)
    assert itsm.get("/api/v1/incident/1").status_code == 404


@pytest.mark.parametrize("details, fragment", [
    ({"999": {"type": 1, "stringValue": "x"}}, "Custom field 999 does not exist"),
    ({"36": {"type": 1, "stringValue": "x"}}, "Custom field 36 is of type 2 (INTEGER)"),
    ({"36": {"type": 2, "integerValue": "12"}}, "needs a INTEGER in integerValue"),
    ({"36": {"type": 2, "integerValue": 2 ** 31}}, "needs a INTEGER"),
    ({"38": {"type": 4, "booleanValue": 1}}, "needs a BOOLEAN"),
    ({"37": {"type": 3, "doubleValue": True}}, "needs a DOUBLE"),
    ({"40": {"type": 7, "integerListValue": [1, "2"]}}, "needs a INTEGER LIST"),
    ({"41": {"type": 8, "stringListValue": "api"}}, "needs a STRING LIST"),
    ({"1": {"type": 1, "stringValue": "Closed"}}, "does not offer Closed"),
    ({"1": {"stringValue": "Open"}}, "needs a numeric type"),
    ([1, 2], "customFieldValueDetails must be an object"),
])
def test_custom_fields_are_checked_against_the_form(itsm, details, fragment):
    reply = itsm.post("/api/v1/incident", json={"subject": "x", "requesterEmail": "tim@acme.com", "customFieldValueDetails": details})
    assert_failed(reply, 400, fragment)


def test_update_fields_status_and_spam(itsm):
    incident_id = create(itsm, tags=["a"], customFieldValueDetails={"35": {"type": 1, "stringValue": "REF-1"}})
    first = upload(itsm, "one.txt", b"1\n")
    create_second = upload(itsm, "two.txt", b"2\n")
    itsm.post("/api/v1/incident/%d" % incident_id, json={"attachmentsRefNames": [first["refFileName"]]})
    reply = itsm.post("/api/v1/incident/%d" % incident_id, json={
        "status": "Resolved", "spam": True, "priority": "URGENT", "tags": ["b", "c"], "description": None,
        "attachmentsRefNames": [create_second["refFileName"]],
        "customFieldValueDetails": {"36": {"type": 2, "integerValue": 7}},
        "requesterEmail": "jane@acme.com", "ccEmailSet": ["x@acme.com"]})
    assert reply.json() == {"returnCode": "SUCCESS", "status": 0, "userMessage": None, "id": incident_id}
    incident = itsm.get("/api/v1/incident/%d" % incident_id).json()
    assert (incident["status"], incident["spam"], incident["priority"], incident["tags"]) == ("Resolved", True, "URGENT", ["b", "c"])
    assert incident["requesterEmail"] == "tim@acme.com" and incident["ccEmailSet"] == []
    assert [item["realName"] for item in incident["fileAttachments"]] == ["one.txt", "two.txt"]
    assert incident["customFieldValueDetails"] == {"35": {"type": 1, "stringValue": "REF-1"}, "36": {"type": 2, "integerValue": 7}}


@pytest.mark.parametrize("body, fragment", [
    ({"status": "Done"}, "status must be one of Open, In Progress, Pending, Resolved, Closed"),
    ({"spam": "yes"}, "spam must be true or false"),
    ({"locationName": "Nowhere"}, "Location 'Nowhere' does not exist"),
])
def test_update_rejects_invalid_values(itsm, body, fragment):
    incident_id = create(itsm)
    assert_failed(itsm.post("/api/v1/incident/%d" % incident_id, json=body), 400, fragment)
    assert itsm.get("/api/v1/incident/%d" % incident_id).json()["status"] == "Open"


def test_unknown_incident(itsm):
    assert_failed(itsm.get("/api/v1/incident/77"), 404, "77")
    assert_failed(itsm.post("/api/v1/incident/77", json={"status": "Closed"}), 404, "77")
    not_a_number = itsm.get("/api/v1/incident/abc")
    assert not_a_number.status_code == 400 and not_a_number.json()["error"] == "Bad Request"


def test_legacy_create_with_category_id(itsm):
    reply = itsm.post("/api/incident", json={"impact": "ONUSER", "urgency": "MEDIUM", "priority": "LOW", "tags": ["rest"],
                                             "subject": "Test Subject", "description": "Test Description", "category": 5,
                                             "fieldValueDetails": {"1": {"type": 1, "stringValue": "Open"}},
                                             "requesterEmail": "tim@acme.com", "requesterName": "Tim"})
    assert reply.json()["returnCode"] == "SUCCESS"
    incident = itsm.get("/api/incident/%d" % reply.json()["id"]).json()
    assert incident["categoryName"] == "Network" and incident["impact"] == "ONUSER"
    assert incident["customFieldValueDetails"] == {"1": {"type": 1, "stringValue": "Open"}}
    assert_failed(itsm.post("/api/incident", json={"subject": "x", "requesterEmail": "tim@acme.com", "category": 42}), 400, "42")


def test_legacy_update_path(itsm):
    incident_id = create(itsm)
    assert itsm.post("/api/incident/%d" % incident_id, json={"status": "Resolved"}).json()["returnCode"] == "SUCCESS"
    assert itsm.get("/api/v1/incident/%d" % incident_id).json()["status"] == "Resolved"


def test_writes_need_json(itsm):
    form = itsm.post("/api/v1/incident", data={"subject": "x"})
    assert form.status_code == 415 and form.json()["status"] == 415
    broken = itsm.post("/api/v1/incident", data="{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and "JSON parse error" in broken.json()["message"]
    not_object = itsm.post("/api/v1/incident", json=["a"])
    assert not_object.status_code == 400


def test_unknown_route_is_a_spring_error(itsm):
    reply = itsm.get("/api/v2/nothing")
    assert reply.status_code == 404
    assert reply.json()["error"] == "Not Found" and reply.json()["status"] == 404 and "/api/v2/nothing" in reply.json()["message"]


# Uploads, forms, search --------------------------------------------------------------------


def test_upload_returns_a_reference(itsm):
    body = upload(itsm, "simple_add_your_logo.jpg")
    assert set(body) == {"refFileName", "realName", "link"}
    assert len(body["refFileName"]) == 10 and body["refFileName"].isalnum()
    assert body["realName"] == "simple_add_your_logo.jpg" and body["link"] is None


def test_upload_needs_a_file_part(itsm):
    assert_failed(itsm.post("/api/oprfile", files={"other": ("a.txt", b"a")}), 400, "'file'")
    assert itsm.post("/api/oprfile", json={"file": "a"}).status_code == 400


def test_form_lists_custom_fields(itsm):
    form = itsm.get("/api/ususer/form/request").json()
    assert form["module"] == "request"
    by_id = {field["id"]: field for field in form["fields"]}
    assert {field["type"] for field in form["fields"]} == {1, 2, 3, 4, 5, 7, 8, 10}
    assert by_id[1]["name"] == "Stage" and by_id[1]["typeName"] == "STRING" and by_id[1]["valueKey"] == "stringValue"
    assert by_id[40]["typeName"] == "INTEGER LIST"
    assert itsm.get("/api/ususer/form/incident").json()["fields"] == form["fields"]
    assert_failed(itsm.get("/api/ususer/form/nothing"), 404, "nothing")


def test_search_by_qualification_with_paging(itsm):
    for number in range(5):
        create(itsm, subject="Disk full", requesterEmail="jane@acme.com" if number % 2 else "tim@acme.com")
    create(itsm, subject="Other")
    found = itsm.post("/api/v1/request/search/byqual", json={"qualDetails": {"subject": "Disk full", "requesterEmail": "tim@acme.com"}}).json()
    assert found["totalCount"] == 3 and [item["id"] for item in found["objectList"]] == [1, 3, 5]
    page = itsm.post("/api/v1/request/search/byqual", params={"offset": 1, "size": 2}, json={"qualDetails": {"subject": "Disk full"}}).json()
    assert page["totalCount"] == 5 and [item["id"] for item in page["objectList"]] == [2, 3]
    everything = itsm.post("/api/v1/request/search/byqual", json={}).json()
    assert everything["totalCount"] == 6 and set(everything["objectList"][0]) == INCIDENT_KEYS
    itsm.post("/api/v1/incident/6", json={"status": "Closed"})
    closed = itsm.post("/api/v1/request/search/byqual", json={"qualDetails": {"status": "Closed"}}).json()
    assert [item["subject"] for item in closed["objectList"]] == ["Other"]


def test_search_rejects_unknown_fields_and_bad_paging(itsm):
    assert_failed(itsm.post("/api/v1/request/search/byqual", json={"qualDetails": {"colour": "red"}}), 400, "colour")
    assert_failed(itsm.post("/api/v1/request/search/byqual", params={"size": 0}, json={}), 400, "size")
    assert_failed(itsm.post("/api/v1/request/search/byqual", params={"offset": "x"}, json={}), 400, "offset")


def test_search_page_size_is_capped(itsm, control):
    control("itsm").post("/seed", json={"incidents": [{"subject": "bulk %d" % n, "requesterEmail": "tim@acme.com"} for n in range(120)]})
    page = itsm.post("/api/v1/request/search/byqual", params={"size": 500}, json={}).json()
    assert page["totalCount"] == 120 and len(page["objectList"]) == 100


def test_seed_locations_and_users(conn, control):
    control("itsm").post("/seed", json={"locations": ["Pune"], "users": [{"username": "api@acme.com", "password": "pw", "name": "API"}]})
    options = dict(conn["itsm"], username="api@acme.com", password="pw")
    token = password_grant(options).json()["access_token"]
    reply = requests.post(options["url"] + "/api/v1/incident", headers={"Authorization": "Bearer " + token},
                          json={"subject": "x", "requesterEmail": "api@acme.com", "locationName": "Pune"}, timeout=5)
    assert reply.json()["returnCode"] == "SUCCESS"


def test_rate_limit_reply_is_an_envelope(itsm, control):
    control("itsm").put("/settings", json={"rate_limit": 1})
    assert itsm.get("/api/ususer/form/request").status_code == 200
    limited = itsm.get("/api/ususer/form/request")
    assert limited.status_code == 429 and limited.json()["returnCode"] == "FAILED" and "Retry-After" in limited.headers


# API keys, downloads, location and category look-ups -----------------------------------------


def test_api_key_scheme(conn, control):
    url = conn["itsm"]["url"] + "/api/ususer/form/request"
    assert requests.get(url, headers={"Authorization": "Apikey sim-itsm-api-key"}, timeout=5).status_code == 200
    wrong = requests.get(url, headers={"Authorization": "Apikey not-a-key"}, timeout=5)
    assert wrong.status_code == 401 and wrong.content == b""
    control("itsm").post("/seed", json={"api_keys": {"team-key": "jane@acme.com"}})
    assert requests.get(url, headers={"Authorization": "Apikey team-key"}, timeout=5).status_code == 200


def test_uploaded_bytes_read_back(itsm):
    content = b"line one\r\nline two\n\n"
    ref = upload(itsm, "notes.txt", content)["refFileName"]
    reply = itsm.get("/api/oprfile/" + ref)
    assert reply.status_code == 200 and reply.content == content
    assert reply.headers["Content-Type"] == "image/png"
    assert_failed(itsm.get("/api/oprfile/NoSuchFile"), 404, "NoSuchFile")


def test_locations_and_categories_by_name(itsm):
    london = itsm.post("/api/v1/location/search/byqual", json={"qualDetails": {"name": "London"}}).json()
    assert london["totalCount"] == 1 and london["objectList"][0]["name"] == "London"
    assert itsm.post("/api/v1/location/search/byqual", json={"qualDetails": {"name": "Atlantis"}}).json()["totalCount"] == 0
    network = itsm.post("/api/v1/category/request/search/byqual", json={"qualDetails": {"name": "Network"}}).json()
    assert network["objectList"] == [{"id": 5, "name": "Network"}]
    assert itsm.post("/api/v1/category/incident/search/byqual", json={}).json()["totalCount"] == 5
    assert_failed(itsm.post("/api/v1/category/change/search/byqual", json={}), 404, "change")
    assert_failed(itsm.post("/api/v1/location/search/byqual", json={"qualDetails": {"city": "x"}}), 400, "city")


def test_searches_are_served_without_the_version_too(itsm):
    create(itsm)
    assert itsm.post("/api/request/search/byqual", json={}).json()["totalCount"] == 1
    assert itsm.post("/api/location/search/byqual", json={"qualDetails": {"name": "Berlin"}}).json()["totalCount"] == 1
    assert itsm.post("/api/category/request/search/byqual", json={}).json()["totalCount"] == 5
