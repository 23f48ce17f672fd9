"""The shared framework: routing, multipart parsing and the ``/_sim/`` control API.

Control API behaviour is exercised on the tickets simulator (any simulator
would do); routing and parsing on a tiny simulator defined here.
"""

import time

import pytest
import requests

from simulators.core import Reply, RunningServer, Simulator, UploadedFile, route


class EchoSimulator(Simulator):
    """Answers with what it parsed, so the parsing itself can be checked."""

    name = "echo"

    @route("GET", "/items/{item_id}")
    def item(self, request):
        return Reply(200, {"item_id": request.params["item_id"], "tags": request.args("tag")})

    @route("POST", "/upload")
    def upload(self, request):
        parsed = {}
        for name, value in request.form().items():
            if isinstance(value, UploadedFile):
                parsed[name] = {"filename": value.filename, "content": value.content.decode("latin-1"), "type": value.content_type}
            else:
                parsed[name] = value
        return Reply(200, parsed)

    @route("GET", "/broken")
    def broken(self, request):
        raise KeyError("a bug in a handler")


@pytest.fixture(scope="module")
def echo():
    server = RunningServer(EchoSimulator()).start()
    yield server.url
    server.stop()


def test_route_parameters_and_repeated_query(echo):
    reply = requests.get(echo + "/items/42/", params=[("tag", "a"), ("tag[]", "b")], timeout=5)
    assert reply.json() == {"item_id": "42", "tags": ["a", "b"]}


def test_unknown_path_is_404_and_wrong_method_405(echo):
    assert requests.get(echo + "/nothing", timeout=5).status_code == 404
    assert requests.delete(echo + "/items/1", timeout=5).status_code == 405


def test_multipart_keeps_file_bytes_exactly(echo):
    content = b"line one\r\nline two\n\r\n"
    reply = requests.post(echo + "/upload", files={"file": ("notes.txt", content, "text/plain"), "note": (None, "hello")}, timeout=5)
    body = reply.json()
    assert body["file"] == {"filename": "notes.txt", "content": content.decode("latin-1"), "type": "text/plain"}
    assert body["note"] == "hello"


def test_multipart_empty_file(echo):
    reply = requests.post(echo + "/upload", files={"file": ("empty.bin", b"")}, timeout=5)
    assert reply.json()["file"]["content"] == ""


def test_urlencoded_form(echo):
    assert requests.post(echo + "/upload", data={"a": "1", "b": "two words"}, timeout=5).json() == {"a": "1", "b": "two words"}


# Control API --------------------------------------------------------------------


def test_fault_status_with_headers_and_body(tickets, control):
    faults = control("tickets")
    assert faults.post("/faults", json={"path": "^/api/tickets$", "method": "GET", "status": 503,
                                        "headers": {"Retry-After": "7"}, "body": {"title": "Service Unavailable"}}).status_code == 201
    hit = tickets.get("/tickets")
    assert hit.status_code == 503
    assert hit.headers["Retry-After"] == "7"
    assert hit.json() == {"title": "Service Unavailable"}
    assert tickets.get("/tickets").status_code == 200


def test_fault_only_matches_its_method_and_counts_down(tickets, control):
    faults = control("tickets")
    faults.post("/faults", json={"path": "/api/groups", "method": "POST", "status": 500, "count": 2})
    assert tickets.get("/groups").status_code == 200
    faults.post("/faults", json={"path": "/api/groups", "status": 502, "count": 2})
    assert [tickets.get("/groups").status_code for _attempt in range(3)] == [502, 502, 200]


def test_fault_list_and_clearing(tickets, control):
    faults = control("tickets")
    assert faults.post("/faults", json=[{"path": "/api/groups", "status": 500}, {"path": "/api/states", "status": 500}]).json() == {"faults": 2}
    assert faults.delete("/faults").status_code == 204
    assert tickets.get("/groups").status_code == 200


def test_fault_delay_then_normal_answer(tickets, control):
    faults = control("tickets")
    faults.post("/faults", json={"path": "/api/groups", "action": "delay", "delay_ms": 300})
    started = time.monotonic()
    reply = tickets.get("/groups")
    assert time.monotonic() - started >= 0.3
    assert reply.status_code == 200 and reply.json()["data"]


def test_fault_drop_closes_the_connection(tickets, control):
    faults = control("tickets")
    faults.post("/faults", json={"path": "/api/groups", "action": "drop"})
    with pytest.raises(requests.ConnectionError):
        tickets.get("/groups")
    assert tickets.get("/groups").status_code == 200


def test_fault_malformed_json(tickets, control):
    faults = control("tickets")
    faults.post("/faults", json={"path": "/api/groups", "action": "malformed"})
    reply = tickets.get("/groups")
    assert reply.status_code == 200
    with pytest.raises(ValueError):
        reply.json()


def test_fault_after_handling_carries_the_request_out_and_loses_the_answer(tickets, control):
    faults = control("tickets")
    faults.post("/faults", json={"path": "^/api/users$", "method": "POST", "action": "drop", "after_handling": True})
    user = {"email": "late@example.com", "name": "Late"}
    with pytest.raises(requests.ConnectionError):
        tickets.post("/users", json=user)
    again = tickets.post("/users", json=user)
    assert again.status_code == 422 and "already been taken" in again.json()["message"], "the user was made although its answer was lost"


def test_fault_rate_limited_in_the_vendor_format_with_the_wait_in_the_header_asked(tickets, control):
    faults = control("tickets")
    faults.post("/faults", json=[{"path": "/api/groups", "action": "rate_limited", "reset_seconds": 9},
                                 {"path": "/api/groups", "action": "rate_limited", "reset_seconds": 9, "reset_header": "ratelimit-reset"},
                                 {"path": "/api/groups", "action": "rate_limited", "reset_header": None}])
    vendor, other, bare = (tickets.get("/groups") for _attempt in range(3))
    assert vendor.status_code == 429 and vendor.headers["Retry-After"] == "9" and vendor.json()["title"] == "Too Many Requests"
    assert other.headers["ratelimit-reset"] == "9" and "Retry-After" not in other.headers
    assert bare.status_code == 429 and "Retry-After" not in bare.headers and "ratelimit-reset" not in bare.headers
    assert tickets.get("/groups").status_code == 200


def test_fault_expire_token_refuses_a_fixed_token_once(tickets, control):
    faults = control("tickets")
    faults.post("/faults", json={"path": "/api/groups", "action": "expire_token"})
    refused = tickets.get("/groups")
    assert refused.status_code == 401 and refused.json()["title"] == "Unauthorized"
    assert tickets.get("/groups").status_code == 200


def test_bad_fault_is_refused(control):
    faults = control("tickets")
    assert faults.post("/faults", json={"action": "explode"}).status_code == 400
    assert faults.post("/faults", data="not json", headers={"Content-Type": "application/json"}).status_code == 400


def test_request_log_shows_api_calls_only(tickets, control):
    log = control("tickets")
    tickets.get("/states", params={"type": "priority"})
    tickets.get("/groups/99")
    entries = log.get("/requests").json()["requests"]
    assert [(entry["method"], entry["path"], entry["status"]) for entry in entries] == [
        ("GET", "/api/states", 200), ("GET", "/api/groups/99", 404)]
    assert entries[0]["query"] == {"type": "priority"}
    assert log.delete("/requests").status_code == 204
    assert log.get("/requests").json()["requests"] == []


def test_reset_restores_the_seeded_state(tickets, control):
    created = tickets.post("/users", json={"email": "new.agent@example.com", "name": "New Agent", "agent": True})
    assert created.status_code == 201
    assert any(user["email"] == "new.agent@example.com" for user in tickets.get("/users/agents").json()["data"])
    root = control("tickets")
    root.post("/faults", json={"path": "/api/groups", "status": 500})
    assert root.post("/reset").status_code == 204
    assert not any(user["email"] == "new.agent@example.com" for user in tickets.get("/users/agents").json()["data"])
    assert tickets.get("/groups").status_code == 200
    assert [entry["path"] for entry in root.get("/requests").json()["requests"]] == ["/api/users/agents", "/api/groups"]


def test_latency_setting(tickets, control):
    settings = control("tickets")
    assert settings.put("/settings", json={"latency_ms": 250}).json()["latency_ms"] == 250
    started = time.monotonic()
    tickets.get("/groups")
    assert time.monotonic() - started >= 0.25
    assert settings.get("/settings").json()["latency_ms"] == 250


def test_rate_limit_per_token_in_vendor_format(conn, tickets, control):
    control("tickets").put("/settings", json={"rate_limit": 3})
    assert [tickets.get("/groups").status_code for _attempt in range(3)] == [200, 200, 200]
    limited = tickets.get("/groups")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert limited.json()["title"] == "Too Many Requests"
    other = requests.get(conn["tickets"]["url"] + "/groups", headers={"Authorization": "Bearer another"}, timeout=5)
    assert other.status_code == 401


def test_seed_through_control_api(tickets, control):
    seeded = control("tickets").post("/seed", json={
        "users": [{"email": "seeded@example.com", "name": "Seeded Agent", "agent": True, "humanId": "USR-900"}]})
    assert seeded.status_code == 201
    assert "seeded@example.com" in [user["email"] for user in tickets.get("/users/agents").json()["data"]]


def test_unknown_control_endpoint(control):
    assert control("itsm").get("/nothing").status_code == 404


def test_control_api_needs_no_credentials_and_skips_rate_limit(control):
    root = control("itsm")
    root.put("/settings", json={"rate_limit": 1})
    for _attempt in range(3):
        assert root.get("/settings").status_code == 200


def test_seed_with_a_missing_key_is_400_not_a_dropped_connection(control):
    reply = control("itsm").post("/seed", json={"users": [{"name": "no username"}]})
    assert reply.status_code == 400 and reply.json()["error"]


def test_a_handler_bug_answers_500_and_keeps_serving(echo, capsys):
    reply = requests.get(echo + "/broken", timeout=5)
    assert reply.status_code == 500
    assert reply.json() == {"error": "Internal simulator error"}
    assert "a bug in a handler" in capsys.readouterr().err
    assert requests.get(echo + "/items/1", timeout=5).status_code == 200
