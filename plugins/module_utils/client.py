# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One HTTP client for every service the collection talks to.

Retries follow one rule: a request is sent again only when doing so cannot
write twice.  GET, PUT and DELETE are idempotent and are retried on 429, on
502/503/504 and on connection errors, and so is a POST the caller marks as a
read (``idempotent=True``: a search whose query is too large for a URL).  Any
other POST is retried only on 429 (the
server refused it before doing anything); on any other transient failure the
error is raised with ``retryable`` set, and the resource layer looks the
object up before it creates anything again.  A failure that no retry can
mend (a host name that does not resolve, a TLS failure) is raised at once.
"""

import email.utils
import json
import os
import random
import socket
import time

from ansible.module_utils.six.moves.urllib.parse import urljoin, urlsplit

from ansible_collections.incident.ops.plugins.module_utils.transport import (
    BadCABundle, ConnectTimeout, InvalidURL, Session, TLSFailure, TransportError, TransportTimeout, check_url)
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput
from ansible_collections.incident.ops.plugins.module_utils.version import COLLECTION_VERSION

USER_AGENT = "incident.ops/%s (+ansible collection)" % COLLECTION_VERSION
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE"))
TRANSIENT_STATUSES = frozenset((502, 503, 504))
SCHEMES = ("http", "https")
REDACTED = "********"


class ApiError(Exception):
    """Every HTTP, TLS, timeout or decoding failure, in one shape.

    ``str()`` gives a message fit for ``fail_json``: it names the call and the
    API's own words, and never carries a header or a registered secret.
    """

    def __init__(self, message, method=None, path=None, status=None, api_message=None, retryable=False, retry_after=None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self):
        parts = [self.message]
        if self.method and self.path:
            parts.append("(%s %s%s)" % (self.method, self.path, ", HTTP %s" % self.status if self.status else ""))
        if self.api_message:
            parts.append("- API said: %s" % self.api_message)
        return " ".join(parts)


def redact(text, secrets):
    """Replace every known secret in ``text``; longest first so none leaks in part."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def checked_base_url(url, what="url"):
    """The URL an API is reached at, refused at once when no request could reach it (no scheme, another scheme, no host)."""
    parts = urlsplit(url or "")
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise InvalidInput("%s %r is not an API URL: it needs http:// or https:// and a host name, such as https://api.example.com"
                           % (what, url))
    try:
        check_url(url)
    except InvalidURL as error:
        raise InvalidInput("%s %r is not a valid URL: %s" % (what, url, error)) from None
    return url


def checked_verify(validate_certs, ca_path):
    """What a certificate is verified against: the CA bundle given, no check at all, or the system's CAs."""
    if not validate_certs:
        return False
    if ca_path:
        if not os.path.exists(ca_path):
            raise InvalidInput("ca_path %r does not exist: give the path of a PEM CA bundle file or of a directory of CA "
                               "certificates" % ca_path)
        return ca_path
    return True


def _causes(error):
    """Every exception behind ``error``: the transport's error is raised from the socket's."""
    found, stack = [], [error]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        stack.extend([getattr(item, "reason", None), item.__cause__, item.__context__] + list(item.args))
    return found


def connection_failure(error):
    """Why a connection failed, in words, and whether trying again can help.

    A name that does not resolve will not resolve in a second either, so it
    is not retried; a refused or reset connection may be a server restarting.
    """
    causes = _causes(error)
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return "the host name could not be resolved (DNS); check the URL", False
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "the connection was refused (nothing listens on that port, or a firewall refuses it)", True
    if any(isinstance(cause, ConnectionResetError) for cause in causes):
        return "the connection was reset by the server", True
    return "the connection failed or was cut off", True


def api_message(body):
    """The human part of an error body, whatever service sent it."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            words = [error.get("message")] + list(error.get("errors") or [])
            return "; ".join(str(w) for w in words if w) or None
        for key in ("error_description", "message", "userMessage", "error", "title", "errors"):
            value = body.get(key)
            if value:
                return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        return None
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return None


def parse_retry_after(headers, now=None):
    """Seconds the server asked us to wait, from Retry-After or ratelimit-reset."""
    value = headers.get("Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - (time.time() if now is None else now))
    reset = headers.get("ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset))
        except ValueError:
            return None
    return None


class RetryPolicy:
    """When to try again and how long to wait: capped exponential backoff with full jitter."""

    def __init__(self, max_retries=5, base_delay=0.5, max_delay=30.0, budget=120.0, jitter=None):
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.budget = budget
        self.jitter = jitter or random.random

    def backoff(self, attempt):
        """Delay before retry number ``attempt`` (0-based) when the server gave no hint."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        return ceiling / 2.0 + self.jitter() * ceiling / 2.0

    def delay(self, attempt, hint=None):
        if hint is not None:
            return min(self.max_delay, hint)
        return self.backoff(attempt)

    @staticmethod
    def allows(method, error, idempotent=None):
        """A 429 was never processed, so any method may go again; other failures only idempotent ones.

        ``idempotent`` overrides what the method says: True for a POST that only reads.
        """
        if error.status == 429:
            return True
        return error.retryable and (method in IDEMPOTENT_METHODS if idempotent is None else idempotent)


def environment_ca_bundle(verify):
    """The CA bundle of REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE when the task set neither validate_certs=false nor ca_path.

    Hosts that point these variables at a corporate bundle keep working as
    they did when the modules used the requests library, which reads them.
    """
    if verify is True:
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return verify


class Client:
    """An HTTP session (``transport.Session``) bound to one base URL, one auth scheme and one retry policy.

    A URL no request could reach and a CA bundle that does not exist are bad
    input, refused when the client is built.  ``warnings`` collects what a run
    should tell the user without failing; ``entrypoint.execute`` shows them.
    ``throttle``, when set, is asked before every request is sent and told of
    every 429, so that threads sharing the client keep to one request budget.
    """

    def __init__(self, base_url, auth=None, timeout=30, validate_certs=True, ca_path=None,
                 retry=None, secrets=(), sleep=time.sleep, clock=time.monotonic, error_class=ApiError, url_option="url",
                 throttle=None):
        self.base_url = checked_base_url(base_url, url_option).rstrip("/") + "/"
        self.host = urlsplit(self.base_url).netloc.rpartition("@")[2]
        self.verify = checked_verify(validate_certs, ca_path)
        self.warnings = []
        self.auth = auth
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.secrets = set(s for s in secrets if s)
        self.sleep = sleep
        self.clock = clock
        self.error_class = error_class
        self.throttle = throttle
        self.session = Session()
        self.session.verify = self.verify
        self.session.trust_env = True
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        if auth is not None:
            auth.bind(self)

    def url(self, path):
        return urljoin(self.base_url, path.lstrip("/"))

    def fail(self, message, method=None, path=None, status=None, body=None, retryable=False, retry_after=None):
        """Build the error to raise, with every known secret taken out."""
        secrets = self.secrets | (self.auth.secrets() if self.auth else set())
        text = api_message(body)
        return self.error_class(
            redact(message, secrets), method=method, path=path, status=status,
            api_message=redact(text, secrets) if text else None, retryable=retryable, retry_after=retry_after,
        )

    def request(self, method, path, params=None, json_body=None, data=None, files=None, headers=None, expect_json=True,
                basic_auth=None, idempotent=None):
        """Send one logical request and return ``(status, body, headers)``.

        Transient failures are retried as the module docstring says, a 401 makes
        the auth scheme refresh its credentials once, and everything else
        becomes one ``ApiError``.  ``basic_auth`` replaces the auth scheme for
        this request (token endpoints authenticate the client, not the user).
        ``idempotent=True`` says that sending this request twice changes
        nothing (a search sent as POST), so it is retried like a GET.
        """
        method = method.upper()
        started = self.clock()
        attempt = 0
        refreshed = False
        while True:
            try:
                return self._send_once(method, path, params, json_body, data, files, headers, expect_json, basic_auth)
            except ApiError as error:
                if error.status == 401 and not (refreshed or basic_auth) and self.auth is not None and self.auth.refresh():
                    refreshed = True
                    continue
                wait = self.retry.delay(attempt, error.retry_after)
                if not (self.retry.allows(method, error, idempotent) and self._may_wait(attempt, started, wait)):
                    raise
            self.sleep(wait)
            attempt += 1

    def _may_wait(self, attempt, started, wait):
        return attempt < self.retry.max_retries and (self.clock() - started) + wait <= self.retry.budget

    def _send_once(self, method, path, params, json_body, data, files, headers, expect_json, basic_auth):
        merged = dict(headers or {})
        if self.auth is not None and basic_auth is None:
            merged.update(self.auth.headers())
        if self.throttle is not None:
            self.throttle.acquire()
        try:
            response = self.session.request(method, self.url(path), params=params, json=json_body, data=data, files=files,
                                            headers=merged, timeout=self.timeout, auth=basic_auth,
                                            verify=environment_ca_bundle(self.verify))
        except BadCABundle as error:
            raise self.fail("The CA bundle could not be used: %s" % error, method, path) from None
        except TLSFailure:
            raise self.fail("The TLS handshake with %s failed: the certificate is not trusted or the server does not speak TLS; "
                            "set ca_path, or validate_certs=false only for a test server" % self.host, method, path) from None
        except ConnectTimeout:
            raise self.fail("The request timed out connecting to %s after %s s" % (self.host, self.timeout), method, path,
                            retryable=True) from None
        except TransportTimeout:
            raise self.fail("The request timed out: %s did not answer within %s s" % (self.host, self.timeout), method, path,
                            retryable=True) from None
        except InvalidURL as error:
            raise self.fail("The URL is not valid: %s" % error, method, path) from None
        except TransportError as error:
            cause, retryable = connection_failure(error)
            raise self.fail("Could not reach %s: %s" % (self.host, cause), method, path, retryable=retryable) from None
        if response.status_code >= 400:
            retry_after = parse_retry_after(response.headers)
            if response.status_code == 429 and self.throttle is not None:
                self.throttle.hold(retry_after)
            raise self.fail("The API refused the request", method, path, response.status_code, self._error_body(response),
                            retryable=response.status_code == 429 or response.status_code in TRANSIENT_STATUSES,
                            retry_after=retry_after)
        if not response.content or not expect_json:
            return response.status_code, response.content or None, response.headers
        try:
            return response.status_code, response.json(), response.headers
        except ValueError:
            raise self.fail("The API answered with malformed JSON", method, path, response.status_code, retryable=True) from None

    @staticmethod
    def _error_body(response):
        try:
            return response.json()
        except ValueError:
            return response.text

    def get(self, path, params=None, headers=None):
        return self.request("GET", path, params=params, headers=headers)[1]

    def post(self, path, body=None, headers=None, params=None, idempotent=None):
        return self.request("POST", path, params=params, json_body=body, headers=headers, idempotent=idempotent)[1]

    def put(self, path, body=None, headers=None, params=None):
        return self.request("PUT", path, params=params, json_body=body, headers=headers)[1]

    def patch(self, path, body=None, headers=None, params=None):
        return self.request("PATCH", path, params=params, json_body=body, headers=headers)[1]

    def delete(self, path, params=None, headers=None):
        return self.request("DELETE", path, params=params, headers=headers)[1]


def offset_pages(client, path, key, params=None, page_size=100, max_offset=10000):
    """Every item of an offset/limit/more list, page by page.

    Stops with a clear error instead of asking for the part of the list the
    API will not serve (PagerDuty refuses offset + limit above 10,000).
    """
    query = dict(params or {})
    offset = 0
    while True:
        if offset + page_size > max_offset:
            raise client.fail("The list has more than %d items, the most the API pages through; narrow the query" % max_offset,
                              "GET", path)
        query.update(offset=offset, limit=page_size)
        page = client.get(path, params=query) or {}
        items = page.get(key) or []
        yield from items
        if not page.get("more") or not items:
            return
        offset += len(items)
