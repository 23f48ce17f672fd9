"""The HTTP client against a real local HTTP server: retries, backoff, errors, redaction, pagination."""

import socket
import time
from pathlib import Path

import pytest
import yaml

from ansible_collections.incident.ops.plugins.module_utils.client import (
    USER_AGENT, ApiError, Client, RetryPolicy, api_message, offset_pages, parse_retry_after, redact,
)
from ansible_collections.incident.ops.plugins.module_utils import transport
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.module_utils.version import COLLECTION_VERSION

from werkzeug import Response


def test_get_is_retried_after_a_gateway_error(httpserver, make_client, clock):
    httpserver.expect_ordered_request("/things", method="GET").respond_with_data("bad gateway", status=502)
    httpserver.expect_ordered_request("/things", method="GET").respond_with_data("unavailable", status=503)
    httpserver.expect_ordered_request("/things", method="GET").respond_with_json({"things": [1]})
    assert make_client().get("/things") == {"things": [1]}
    assert len(httpserver.log) == 3
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_idempotent_writes_are_retried(httpserver, make_client, method):
    httpserver.expect_ordered_request("/things/1", method=method).respond_with_data("", status=504)
    httpserver.expect_ordered_request("/things/1", method=method).respond_with_json({"ok": True})
    assert make_client().request(method, "/things/1")[1] == {"ok": True}
    assert len(httpserver.log) == 2


def test_retry_after_seconds_is_honoured(httpserver, make_client, clock):
    httpserver.expect_ordered_request("/things").respond_with_data("", status=429, headers={"Retry-After": "3"})
    httpserver.expect_ordered_request("/things").respond_with_json({})
    make_client().get("/things")
    assert clock.sleeps == [3.0]


def test_pagerduty_ratelimit_reset_is_honoured(httpserver, make_client, clock):
    httpserver.expect_ordered_request("/things").respond_with_data("", status=429, headers={"ratelimit-reset": "7"})
    httpserver.expect_ordered_request("/things").respond_with_json({})
    make_client().get("/things")
    assert clock.sleeps == [7.0]


def test_a_server_hint_never_exceeds_the_longest_wait(httpserver, make_client, clock):
    httpserver.expect_ordered_request("/things").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    httpserver.expect_ordered_request("/things").respond_with_json({})
    make_client().get("/things")
    assert clock.sleeps == [8.0]


def test_retries_stop_at_max_retries(httpserver, make_client, clock):
    httpserver.expect_request("/things").respond_with_data("", status=503)
    with pytest.raises(ApiError) as caught:
        make_client().get("/things")
    assert len(httpserver.log) == 4
    assert len(clock.sleeps) == 3
    assert caught.value.status == 503 and caught.value.retryable


def test_retries_stop_when_the_time_budget_is_spent(httpserver, make_client, clock):
    httpserver.expect_request("/things").respond_with_data("", status=503)
    client = make_client(retry=RetryPolicy(max_retries=50, base_delay=4.0, max_delay=30.0, budget=20.0, jitter=lambda: 1.0))
    with pytest.raises(ApiError):
        client.get("/things")
    assert clock.sleeps == [4.0, 8.0]
    assert sum(clock.sleeps) <= 20.0


def test_a_create_is_not_resent_after_a_gateway_error(httpserver, make_client):
    httpserver.expect_request("/things", method="POST").respond_with_data("", status=503)
    with pytest.raises(ApiError) as caught:
        make_client().post("/things", {"name": "x"})
    assert len(httpserver.log) == 1
    assert caught.value.retryable, "the caller must learn it may look the object up and try again"


def test_a_post_that_only_reads_is_retried_like_a_get(httpserver, make_client):
    httpserver.expect_ordered_request("/search", method="POST").respond_with_data("", status=503)
    httpserver.expect_ordered_request("/search", method="POST").respond_with_json({"found": []})
    assert make_client().post("/search", {"q": "x"}, idempotent=True) == {"found": []}
    assert len(httpserver.log) == 2


def test_a_create_is_resent_after_429_because_it_was_never_processed(httpserver, make_client):
    httpserver.expect_ordered_request("/things", method="POST").respond_with_data("", status=429, headers={"Retry-After": "1"})
    httpserver.expect_ordered_request("/things", method="POST").respond_with_json({"id": 1}, status=201)
    assert make_client().post("/things", {"name": "x"}) == {"id": 1}


def test_client_errors_are_not_retried(httpserver, make_client):
    httpserver.expect_request("/things").respond_with_json({"error": {"code": 2001, "message": "Invalid Input Provided",
                                                                      "errors": ["Role is not valid"]}}, status=400)
    with pytest.raises(ApiError) as caught:
        make_client().get("/things")
    assert len(httpserver.log) == 1
    error = caught.value
    assert (error.method, error.path, error.status, error.retryable) == ("GET", "/things", 400, False)
    assert str(error) == "The API refused the request (GET /things, HTTP 400) - API said: Invalid Input Provided; Role is not valid"


def test_connection_errors_are_retried_then_reported(make_client, clock):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(base_url="http://127.0.0.1:%d/" % port)
    with pytest.raises(ApiError) as caught:
        client.get("/things")
    assert len(clock.sleeps) == 3
    assert str(caught.value).startswith("Could not reach 127.0.0.1:%d: the connection was refused" % port)
    assert caught.value.retryable


def test_a_dropped_connection_is_retried(httpserver, make_client):
    def drop(request):
        raise ConnectionResetError("gone")

    calls = []

    def flaky(request):
        calls.append(1)
        if len(calls) == 1:
            return drop(request)
        return Response('{"ok": true}', content_type="application/json")

    httpserver.expect_request("/things").respond_with_handler(flaky)
    assert make_client().get("/things") == {"ok": True}
    assert len(calls) == 2


def test_malformed_json_is_retried_for_reads_then_reported(httpserver, make_client):
    httpserver.expect_request("/things").respond_with_data('{"broken": [1', content_type="application/json")
    with pytest.raises(ApiError) as caught:
        make_client().get("/things")
    assert len(httpserver.log) == 4
    assert "malformed JSON" in str(caught.value)


def test_a_timeout_is_reported_as_one(httpserver, make_client):
    def slow(request):
        time.sleep(0.6)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    client = make_client(retry=RetryPolicy(max_retries=0))
    client.timeout = 0.2
    with pytest.raises(ApiError) as caught:
        client.get("/slow")
    assert "timed out: %s did not answer within 0.2 s" % client.host in str(caught.value)
    assert caught.value.retryable


def test_tls_failure_is_one_clear_error(httpserver, make_client):
    client = make_client(base_url=httpserver.url_for("/").replace("http://", "https://"), retry=RetryPolicy(max_retries=0))
    with pytest.raises(ApiError) as caught:
        client.get("/things")
    assert str(caught.value).startswith("The TLS handshake with %s failed" % client.host)
    assert not caught.value.retryable


def test_secrets_never_reach_the_error(httpserver, make_client):
    token = "s3cr3t-token-value"
    echoed = {"message": "bad token %s for Authorization: Token token=%s" % (token, token)}
    httpserver.expect_request("/things").respond_with_json(echoed, status=403)
    with pytest.raises(ApiError) as caught:
        make_client(secrets=[token]).get("/things")
    text = str(caught.value)
    assert token not in text
    assert "********" in text


def test_user_agent_names_the_collection_and_its_version(httpserver, make_client):
    httpserver.expect_request("/things").respond_with_json({})
    make_client().get("/things")
    assert httpserver.log[0][0].headers["User-Agent"] == USER_AGENT
    with open(Path(__file__).parents[4] / "galaxy.yml") as galaxy:
        assert yaml.safe_load(galaxy)["version"] == COLLECTION_VERSION
    assert COLLECTION_VERSION in USER_AGENT


def test_offset_pages_walks_every_page(httpserver, make_client):
    for offset, more in ((0, True), (2, True), (4, False)):
        httpserver.expect_ordered_request("/users", query_string={"offset": str(offset), "limit": "2"}).respond_with_json(
            {"users": [{"id": offset}, {"id": offset + 1}], "more": more})
    items = list(offset_pages(make_client(), "/users", "users", page_size=2))
    assert [item["id"] for item in items] == [0, 1, 2, 3, 4, 5]


def test_offset_pages_stops_at_the_offset_cap_with_a_clear_error(httpserver, make_client):
    httpserver.expect_request("/users").respond_with_json({"users": [{"id": 1}] * 100, "more": True})
    with pytest.raises(ApiError) as caught:
        list(offset_pages(make_client(), "/users", "users"))
    assert len(httpserver.log) == 100
    assert "more than 10000 items" in str(caught.value)


@pytest.mark.parametrize("attempt", range(12))
def test_backoff_stays_within_its_bounds(attempt):
    low = RetryPolicy(base_delay=0.5, max_delay=30.0, jitter=lambda: 0.0).backoff(attempt)
    high = RetryPolicy(base_delay=0.5, max_delay=30.0, jitter=lambda: 1.0).backoff(attempt)
    ceiling = min(30.0, 0.5 * 2 ** attempt)
    assert low == ceiling / 2
    assert high == ceiling
    assert 0 < low <= high <= 30.0


def test_backoff_grows_exponentially_until_capped():
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_retry_after_parsing():
    assert parse_retry_after({"Retry-After": "12"}) == 12.0
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0) == 10.0
    assert parse_retry_after({"ratelimit-reset": "5"}) == 5.0
    assert parse_retry_after({}) is None
    assert parse_retry_after({"ratelimit-reset": "soon"}) is None


def test_api_message_reads_each_services_error_shape():
    assert api_message({"error": {"message": "Not Found", "errors": ["no such user"]}}) == "Not Found; no such user"
    assert api_message({"returnCode": "FAILED", "userMessage": "Location does not exist"}) == "Location does not exist"
    assert api_message({"title": "Unprocessable Entity", "message": "title is required"}) == "title is required"
    assert api_message("") is None


def test_redact_replaces_longest_secret_first():
    assert redact("token abcdef and abc", ["abc", "abcdef"]) == "token ******** and ********"


def test_client_rejects_nothing_without_auth(httpserver):
    client = Client(httpserver.url_for("/"))
    httpserver.expect_request("/open").respond_with_json({"ok": 1})
    assert client.get("/open") == {"ok": 1}


# Connection failures: each cause named with the host; what no retry can mend is not retried.

def test_a_host_name_that_does_not_resolve_is_named_and_not_retried(make_client, clock, monkeypatch):
    resolve = socket.getaddrinfo

    def no_such_host(host, *args, **kwargs):
        if host == "pagerduty.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    client = make_client(base_url="https://pagerduty.invalid:8443/")
    with pytest.raises(ApiError) as caught:
        client.get("/users")
    assert clock.sleeps == []
    assert str(caught.value) == ("Could not reach pagerduty.invalid:8443: the host name could not be resolved (DNS); "
                                 "check the URL (GET /users)")
    assert not caught.value.retryable


@pytest.mark.parametrize("url", ["api.pagerduty.com", "ftp://api.pagerduty.com", "http://", "", "localhost:8080/api"])
def test_a_url_no_request_could_reach_is_refused_when_the_client_is_built(url):
    with pytest.raises(InvalidInput) as caught:
        Client(url)
    assert repr(url) in str(caught.value) and "http:// or https://" in str(caught.value)


def test_a_url_with_a_host_no_request_could_use_is_refused_when_the_client_is_built():
    with pytest.raises(InvalidInput) as caught:
        Client("https://api pagerduty.com")
    assert str(caught.value).startswith("url 'https://api pagerduty.com' is not a valid URL: ")


def test_a_host_name_the_resolver_cannot_encode_fails_at_once_without_retries(make_client, clock):
    with pytest.raises(ApiError) as caught:
        make_client(base_url="http://api..example.com/").get("/users")
    assert clock.sleeps == [] and not caught.value.retryable
    assert str(caught.value).startswith("The URL is not valid: ") and "(GET /users)" in str(caught.value)


def test_the_url_option_is_named_in_the_refusal():
    with pytest.raises(InvalidInput) as caught:
        Client("api.pagerduty.com", url_option="api_url")
    assert str(caught.value).startswith("api_url 'api.pagerduty.com' is not an API URL")


def test_a_reset_connection_is_named_and_retried(httpserver, make_client, clock):
    def reset(request):
        raise ConnectionResetError("gone")

    httpserver.expect_request("/things").respond_with_handler(reset)
    with pytest.raises(ApiError) as caught:
        make_client().get("/things")
    assert len(clock.sleeps) == 3
    assert caught.value.retryable and str(caught.value).startswith("Could not reach localhost:")


# TLS settings: validate_certs and ca_path win over the CA bundle variables (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE).

@pytest.fixture
def sent_verify(monkeypatch):
    """What the transport is told to verify against, request by request."""
    seen = []
    send = transport.Session.request

    def recording(self, *args, **kwargs):
        seen.append(kwargs.get("verify"))
        return send(self, *args, **kwargs)

    monkeypatch.setattr(transport.Session, "request", recording)
    return seen


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_validate_certs_false_wins_over_the_ca_bundle_variables(httpserver, make_client, sent_verify, monkeypatch, variable):
    monkeypatch.setenv(variable, "/etc/ssl/some-corporate-bundle.pem")
    httpserver.expect_request("/things").respond_with_json({})
    make_client(validate_certs=False).get("/things")
    assert sent_verify == [False]


def test_ca_path_wins_over_the_ca_bundle_variables(httpserver, make_client, sent_verify, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/some-corporate-bundle.pem")
    httpserver.expect_request("/things").respond_with_json({})
    make_client(ca_path=str(bundle)).get("/things")
    assert sent_verify == [str(bundle)]


def test_the_ca_bundle_variables_apply_when_nothing_else_is_set(httpserver, make_client, sent_verify, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/some-corporate-bundle.pem")
    httpserver.expect_request("/things").respond_with_json({})
    make_client().get("/things")
    assert sent_verify == ["/etc/ssl/some-corporate-bundle.pem"]


def test_a_ca_path_that_does_not_exist_is_bad_input(tmp_path):
    missing = str(tmp_path / "nowhere.pem")
    with pytest.raises(InvalidInput) as caught:
        Client("https://api.example.com", ca_path=missing)
    assert str(caught.value).startswith("ca_path %r does not exist" % missing)
    Client("https://api.example.com", ca_path=missing, validate_certs=False)  # not read when nothing is verified


def test_a_ca_bundle_that_cannot_be_read_is_one_clear_error(make_client, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
    client = make_client(base_url="https://127.0.0.1:9/", retry=RetryPolicy(max_retries=0))
    with pytest.raises(ApiError) as caught:
        client.get("/things")
    assert str(caught.value).startswith("The CA bundle could not be used")
