# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Authentication schemes, one small class each.

A scheme gives the headers for the next request, may refresh itself once
after a 401, and names its secrets so that the client can keep them out of
every error message.
"""

import time


class AuthScheme:
    """The interface the client relies on; also the "no credentials" scheme."""

    client = None

    def bind(self, client):
        self.client = client

    def headers(self):
        return {}

    def refresh(self):
        """Get fresh credentials after a 401; True when a retry may succeed."""
        return False

    def secrets(self):
        return set()


class PagerDutyToken(AuthScheme):
    """PagerDuty REST v2: an account or a user API token."""

    def __init__(self, token):
        self.token = token

    def headers(self):
        return {"Authorization": "Token token=%s" % self.token}

    def secrets(self):
        return {self.token}


class BearerToken(AuthScheme):
    """A fixed bearer token."""

    def __init__(self, token):
        self.token = token

    def headers(self):
        return {"Authorization": "Bearer %s" % self.token}

    def secrets(self):
        return {self.token}


class ApiKey(AuthScheme):
    """An API key sent as ``Authorization: Apikey <key>`` (newer ITSM desk releases)."""

    def __init__(self, key):
        self.key = key

    def headers(self):
        return {"Authorization": "Apikey %s" % self.key}

    def secrets(self):
        return {self.key}


class OAuthPasswordGrant(AuthScheme):
    """OAuth2 resource-owner password grant, client id and secret sent as HTTP Basic.

    The token is fetched once per module run, on the first request.  When it
    expires or the API answers 401, the refresh-token grant is tried first and
    the password grant again if that fails.
    """

    EXPIRY_MARGIN = 30

    def __init__(self, token_url, client_id, client_secret, username, password, clock=time.monotonic):
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.clock = clock
        self.access_token = None
        self.refresh_token = None
        self.expires_at = None

    def headers(self):
        if self.access_token is None:
            self._grant(grant_type="password", username=self.username, password=self.password)
        elif self.expires_at is not None and self.clock() >= self.expires_at:
            self.refresh()
        return {"Authorization": "Bearer %s" % self.access_token}

    def refresh(self):
        if self.refresh_token:
            try:
                self._grant(grant_type="refresh_token", refresh_token=self.refresh_token)
                return True
            except self.client.error_class:
                self.refresh_token = None
        self._grant(grant_type="password", username=self.username, password=self.password)
        return True

    def secrets(self):
        return {self.client_secret, self.password, self.access_token, self.refresh_token}

    def _grant(self, **form):
        client = self.client
        try:
            token = client.request("POST", self.token_url, data=form, basic_auth=(self.client_id, self.client_secret))[1]
        except client.error_class as error:
            if error.status is None:
                raise  # no answer at all (TLS, timeout, unreachable): its own cause says more than a guess about credentials
            raise client.fail(self._refusal(form["grant_type"], error), error.method, error.path, error.status) from None
        if not isinstance(token, dict) or not token.get("access_token"):
            raise client.fail("The token endpoint answered without an access_token", "POST", self.token_url)
        self.access_token = token["access_token"]
        self.refresh_token = token.get("refresh_token") or self.refresh_token
        expires_in = token.get("expires_in")
        self.expires_at = self.clock() + max(0, float(expires_in) - self.EXPIRY_MARGIN) if expires_in else None

    def _refusal(self, grant_type, error):
        """Say which credentials the token endpoint refused, without showing any of them.

        Bad client and bad user credentials both get a 401 with an empty body,
        so one more request without a grant type tells them apart: the token
        endpoint authenticates the client first, and answers 401 to a client
        it does not know but 400 (no grant type) to one it does.
        """
        if error.status != 401:
            return "The token endpoint failed the %s grant" % grant_type
        try:
            self.client.request("POST", self.token_url, data={}, basic_auth=(self.client_id, self.client_secret))
        except self.client.error_class as probe:
            if probe.status == 401:
                return "The token endpoint refused the client credentials: check client_id and client_secret"
        if grant_type == "refresh_token":
            return "The token endpoint refused the refresh token"
        return "The token endpoint accepted the client but refused the user credentials: check username and password"


class SignInToken(AuthScheme):
    """A bearer token got by signing in with an email and a password (``POST /v1/auth``).

    The sign-in goes through ``signer``, a client without credentials on the
    auth host, so that a refused sign-in is never itself "refreshed".  The
    token is fetched on the first request and once more after a 401: tokens
    expire, and one scheme may serve several hosts' clients, which then share
    the token.
    """

    REFUSALS = (400, 401, 403, 422)

    def __init__(self, signer, email, password, path="/v1/auth"):
        self.signer = signer
        self.email = email
        self.password = password
        self.path = path
        self.token = None

    def headers(self):
        if self.token is None:
            self._sign_in()
        return {"Authorization": "Bearer %s" % self.token}

    def refresh(self):
        """Sign in again, unless the refused request was the first sign-in itself: that would only be refused again."""
        if self.token is None:
            return False
        self._sign_in()
        return True

    def secrets(self):
        return {self.password, self.token}

    def _sign_in(self):
        signer = self.signer
        signer.secrets.add(self.password)
        try:
            answer = signer.post(self.path, {"email": self.email, "password": self.password})
        except signer.error_class as error:
            if error.status not in self.REFUSALS:
                raise  # not a refusal (TLS, timeout, a server error): its own cause, not a hint about the password
            raise signer.fail("Signing in as %s failed; check email and password" % self.email,
                              error.method, error.path, error.status, error.api_message) from None
        token = answer.get("token") or answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise signer.fail("The sign-in answered without a token", "POST", self.path)
        self.token = token
