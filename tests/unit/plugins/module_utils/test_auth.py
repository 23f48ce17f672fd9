"""Auth schemes against a real local token endpoint and API."""

import base64
import socket

import pytest
from werkzeug import Response

from ansible_collections.incident.ops.plugins.module_utils.auth import ApiKey, BearerToken, OAuthPasswordGrant, PagerDutyToken, SignInToken
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError

CLIENT_ID, CLIENT_SECRET = "desk-client", "desk-client-secret"
USERNAME, PASSWORD = "tim@acme.example", "hunter2-password"


class TokenEndpoint:
    """A token endpoint that hands out numbered tokens and records each grant."""

    def __init__(self, expires_in=3600, refresh_works=True):
        self.grants = []
        self.expires_in = expires_in
        self.refresh_works = refresh_works

    def __call__(self, request):
        expected = "Basic " + base64.b64encode(("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        if request.headers.get("Authorization") != expected:
            return Response("", status=401)
        grant = request.form.get("grant_type")
        if not grant:
            return Response('{"error": "invalid_request", "error_description": "Missing grant type"}', status=400,
                            content_type="application/json")
        self.grants.append(grant)
        if grant == "password" and (request.form.get("username"), request.form.get("password")) != (USERNAME, PASSWORD):
            return Response("", status=401)
        if grant == "refresh_token" and not self.refresh_works:
            return Response("", status=401)
        number = len(self.grants)
        body = '{"access_token": "access-%d", "token_type": "bearer", "refresh_token": "refresh-%d", "expires_in": %d}' % (
            number, number, self.expires_in)
        return Response(body, content_type="application/json")


def rejects_first_request(body):
    """An API handler that answers 401 once, then ``body`` to whatever token it is shown."""
    seen = []

    def handler(request):
        seen.append(request.headers.get("Authorization"))
        if len(seen) == 1:
            return Response("", status=401)
        return Response(body, content_type="application/json")

    handler.seen = seen
    return handler


def grant(password=PASSWORD, clock=None):
    kwargs = {"clock": clock} if clock else {}
    return OAuthPasswordGrant("/api/oauth/token", CLIENT_ID, CLIENT_SECRET, USERNAME, password, **kwargs)


def test_token_is_fetched_once_for_many_requests(httpserver, make_client):
    endpoint = TokenEndpoint()
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(endpoint)
    httpserver.expect_request("/api/v1/incident/1", headers={"Authorization": "Bearer access-1"}).respond_with_json({"id": 1})
    client = make_client(auth=grant())
    for attempt in range(3):
        assert client.get("/api/v1/incident/1") == {"id": 1}
    assert endpoint.grants == ["password"]


def test_a_401_refreshes_with_the_refresh_token(httpserver, make_client):
    endpoint = TokenEndpoint()
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(endpoint)
    api = rejects_first_request('{"id": 1}')
    httpserver.expect_request("/api/v1/incident/1").respond_with_handler(api)
    assert make_client(auth=grant()).get("/api/v1/incident/1") == {"id": 1}
    assert endpoint.grants == ["password", "refresh_token"]
    assert api.seen == ["Bearer access-1", "Bearer access-2"]


def test_a_failed_refresh_falls_back_to_the_password_grant(httpserver, make_client):
    endpoint = TokenEndpoint(refresh_works=False)
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(endpoint)
    api = rejects_first_request('{"id": 1}')
    httpserver.expect_request("/api/v1/incident/1").respond_with_handler(api)
    assert make_client(auth=grant()).get("/api/v1/incident/1") == {"id": 1}
    assert endpoint.grants == ["password", "refresh_token", "password"]
    assert api.seen == ["Bearer access-1", "Bearer access-3"]


def test_an_expired_token_is_refreshed_before_the_request(httpserver, make_client, clock):
    endpoint = TokenEndpoint(expires_in=60)
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(endpoint)
    httpserver.expect_request("/api/v1/incident/1").respond_with_json({"id": 1})
    client = make_client(auth=grant(clock=clock))
    client.get("/api/v1/incident/1")
    clock.now += 45  # past expires_in less the safety margin
    client.get("/api/v1/incident/1")
    assert endpoint.grants == ["password", "refresh_token"]
    assert httpserver.log[-1][0].headers["Authorization"] == "Bearer access-2"


def test_a_second_401_is_not_retried_forever(httpserver, make_client):
    endpoint = TokenEndpoint()
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(endpoint)
    httpserver.expect_request("/api/v1/incident/1").respond_with_data("", status=401)
    with pytest.raises(ApiError) as caught:
        make_client(auth=grant()).get("/api/v1/incident/1")
    assert caught.value.status == 401
    assert endpoint.grants == ["password", "refresh_token"]


def test_bad_credentials_fail_without_leaking_them(httpserver, make_client):
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(TokenEndpoint())
    auth = grant(password="wrong-password-123")
    with pytest.raises(ApiError) as caught:
        make_client(auth=auth).get("/api/v1/incident/1")
    text = str(caught.value)
    assert "refused the user credentials: check username and password" in text
    for secret in ("wrong-password-123", CLIENT_SECRET):
        assert secret not in text


def test_bad_client_credentials_are_told_apart_from_bad_user_credentials(httpserver, make_client):
    endpoint = TokenEndpoint()
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(endpoint)
    auth = OAuthPasswordGrant("/api/oauth/token", CLIENT_ID, "wrong-client-secret", USERNAME, PASSWORD)
    with pytest.raises(ApiError) as caught:
        make_client(auth=auth).get("/api/v1/incident/1")
    text = str(caught.value)
    assert "refused the client credentials: check client_id and client_secret" in text
    assert caught.value.status == 401
    for secret in ("wrong-client-secret", PASSWORD):
        assert secret not in text
    assert endpoint.grants == []


def test_api_key_header(httpserver, make_client):
    httpserver.expect_request("/api/v1/incident/1", headers={"Authorization": "Apikey key-abc"}).respond_with_json({"id": 1})
    client = make_client(auth=ApiKey("key-abc"))
    assert client.get("/api/v1/incident/1") == {"id": 1}
    assert client.fail("echo key-abc").message == "echo ********"


def test_an_api_echoing_the_access_token_is_redacted(httpserver, make_client):
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(TokenEndpoint())
    httpserver.expect_request("/api/v1/incident/1").respond_with_json({"userMessage": "token access-1 lacks scope"}, status=403)
    with pytest.raises(ApiError) as caught:
        make_client(auth=grant()).get("/api/v1/incident/1")
    assert "access-1" not in str(caught.value)


def test_pagerduty_token_header(httpserver, make_client):
    httpserver.expect_request("/users", headers={"Authorization": "Token token=pd-abc"}).respond_with_json({"users": []})
    assert make_client(auth=PagerDutyToken("pd-abc")).get("/users") == {"users": []}


def test_bearer_token_header(httpserver, make_client):
    httpserver.expect_request("/tickets", headers={"Authorization": "Bearer tk-abc"}).respond_with_json({"data": []})
    assert make_client(auth=BearerToken("tk-abc")).get("/tickets") == {"data": []}


class SignIn:
    """An on-call style ``POST /v1/auth`` that hands out numbered tokens for one email and password."""

    def __init__(self):
        self.count = 0

    def __call__(self, request):
        if request.json != {"email": USERNAME, "password": PASSWORD}:
            return Response('{"message": "Invalid email or password"}', status=401, content_type="application/json")
        self.count += 1
        return Response('{"token": "signed-%d", "expires_in": 3600}' % self.count, content_type="application/json")


def test_sign_in_once_and_again_after_a_401(httpserver, make_client):
    sign_in = SignIn()
    httpserver.expect_request("/v1/auth", method="POST").respond_with_handler(sign_in)
    api = rejects_first_request('{"schedules": []}')
    httpserver.expect_request("/v1/customer/c1/schedule").respond_with_handler(api)
    client = make_client(auth=SignInToken(make_client(), USERNAME, PASSWORD))
    assert client.get("/v1/customer/c1/schedule") == {"schedules": []}
    assert client.get("/v1/customer/c1/schedule") == {"schedules": []}
    assert api.seen == ["Bearer signed-1", "Bearer signed-2", "Bearer signed-2"]
    assert sign_in.count == 2


def test_a_refused_sign_in_fails_once_without_the_password(httpserver, make_client):
    sign_in = SignIn()
    httpserver.expect_request("/v1/auth", method="POST").respond_with_handler(sign_in)
    signer = make_client()
    with pytest.raises(ApiError) as caught:
        make_client(auth=SignInToken(signer, USERNAME, "wrong-password-123")).get("/v1/customer/c1/schedule")
    assert "Signing in as %s failed" % USERNAME in str(caught.value) and caught.value.status == 401
    assert "wrong-password-123" not in str(caught.value)
    assert len(httpserver.log) == 1


def closed_port_url():
    """A URL where nothing listens: every request to it fails without an answer."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d/" % probe.getsockname()[1]


def test_a_sign_in_that_gets_no_answer_says_why_not_check_the_password(make_client):
    url = closed_port_url()
    with pytest.raises(ApiError) as caught:
        make_client(base_url=url, auth=SignInToken(make_client(base_url=url), USERNAME, PASSWORD)).get("/v1/customer/c1/schedule")
    assert "the connection was refused" in str(caught.value) and "check email and password" not in str(caught.value)
    assert caught.value.status is None


def test_a_token_grant_that_gets_no_answer_says_why(make_client):
    with pytest.raises(ApiError) as caught:
        make_client(base_url=closed_port_url(), auth=grant()).get("/api/v1/incident/1")
    assert "the connection was refused" in str(caught.value) and "(POST /api/oauth/token)" in str(caught.value)
    assert "grant" not in str(caught.value)
