# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP/1.1 on the standard library alone, for ``client.Client``.

Every module runs in a fresh Python process, and importing a third-party
HTTP stack there (``requests`` brings urllib3, idna, charset_normalizer,
certifi, typing_extensions and http.cookiejar) cost more CPU than the rest
of the module together.  ``http.client`` and ``ssl`` are already loaded by
``AnsibleModule``, so this session adds almost nothing to a module's start.

It offers what the client needs and no more: a base of default headers,
query strings (lists repeat their key), JSON, form and multipart bodies,
Basic credentials, TLS verification with an optional CA file, proxies from
the environment, and one keep-alive connection per host and thread (the
bulk modules send from several threads at once).  It never follows
redirects: the APIs it talks to answer where they are asked.
"""

import base64
import http.client
import json
import os
import re
import select
import socket
import ssl
import threading

from ansible.module_utils.six.moves.urllib.parse import urlencode, urlsplit

# A reused keep-alive connection that the server closed just as it was used fails with one of
# these; a request that cannot write twice is then sent once more on a new connection.
STALE_CONNECTION = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest)
RESENDABLE = frozenset(("GET", "HEAD", "PUT", "DELETE"))


class TransportError(Exception):
    """The request got no HTTP answer: refused, cut off, or not sent."""


class TransportTimeout(TransportError):
    """No answer within the timeout."""


class ConnectTimeout(TransportTimeout):
    """No connection within the timeout."""


class TLSFailure(TransportError):
    """The TLS handshake failed: an untrusted certificate, or a server that does not speak TLS."""


class BadCABundle(TransportError):
    """The CA bundle to verify certificates against cannot be read."""


class InvalidURL(TransportError):
    """A URL no request can be sent to."""


# A host name, an IPv4 address or a bracketed IPv6 one; what the resolver makes of it is learnt when connecting.
HOST = re.compile(r"^([A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])$")


def check_url(url):
    """Raise ``InvalidURL`` for a URL whose host or port no request could use (spaces, stray characters, a bad port)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if ":" in host and not host.endswith("]"):
        host = host.rsplit(":", 1)[0]
    if not HOST.match(host):
        raise InvalidURL("the host %r holds characters no host name has" % host)
    try:
        parts.port  # pylint: disable=pointless-statement
    except ValueError as error:
        raise InvalidURL(str(error)) from None


class Response:
    """An HTTP answer: ``status_code``, case-insensitive ``headers``, the body as ``content`` bytes."""

    def __init__(self, status_code, headers, content):
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content.decode("utf-8"))


def query_string(params):
    """``a=1&b=x&b=y``: None values dropped, lists repeated, as the APIs' ``include[]`` wants."""
    if not params:
        return ""
    pairs = []
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None:
                pairs.append((key, "true" if item is True else "false" if item is False else item))
    return urlencode(pairs)


def multipart(files, fields=None):
    """A multipart/form-data body for ``files`` (``{name: (filename, bytes)}``) and plain ``fields``; returns (type, body)."""
    boundary = os.urandom(16).hex()
    chunks = []
    for name, value in (fields or {}).items():
        chunks.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n' % (boundary, name)).encode("utf-8"))
        chunks.append((value if isinstance(value, bytes) else str(value).encode("utf-8")) + b"\r\n")
    for name, (filename, content) in files.items():
        chunks.append(('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                       'Content-Type: application/octet-stream\r\n\r\n' % (boundary, name, filename)).encode("utf-8"))
        chunks.append((content if isinstance(content, bytes) else str(content).encode("utf-8")) + b"\r\n")
    chunks.append(("--%s--\r\n" % boundary).encode("utf-8"))
    return "multipart/form-data; boundary=%s" % boundary, b"".join(chunks)


def encode_body(json_body=None, data=None, files=None):
    """The body and its Content-Type (None when the caller's headers decide) for one of the body kinds."""
    if files:
        return multipart(files, data if isinstance(data, dict) else None)
    if json_body is not None:
        return "application/json", json.dumps(json_body).encode("utf-8")
    if isinstance(data, dict):
        return "application/x-www-form-urlencoded", urlencode(data).encode("utf-8")
    if data is not None:
        return None, data if isinstance(data, bytes) else str(data).encode("utf-8")
    return None, None


def proxy_for(scheme, host, environ=None):
    """The proxy URL the environment sets for this host (``https_proxy``, ``http_proxy``, ``no_proxy``), or None."""
    environ = os.environ if environ is None else environ

    def env(name):
        return environ.get(name.lower()) or environ.get(name.upper())

    for entry in (env("no_proxy") or "").split(","):
        entry = entry.strip().lstrip(".").lower()
        if entry == "*" or (entry and (host.lower() == entry or host.lower().endswith("." + entry))):
            return None
    return env("%s_proxy" % scheme) or None


def dropped(connection):
    """True when the server closed an idle keep-alive connection: its socket reads as ready (at EOF) without a request."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def basic_credentials(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")


class Session:
    """Default headers, TLS settings and keep-alive connections for one client.

    ``verify`` is True, False or a CA bundle path, as the client sets it;
    ``trust_env`` makes proxies come from the environment.
    """

    def __init__(self):
        self.headers = {}
        self.verify = True
        self.trust_env = True
        self._local = threading.local()
        self._tls = {}

    def tls_context(self, verify):
        """The TLS context for ``verify``, built on first use (it loads the CA store) and kept."""
        key = verify if isinstance(verify, str) else bool(verify)
        if key not in self._tls:
            if verify is False:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            elif isinstance(verify, str):
                try:
                    if os.path.isdir(verify):
                        context = ssl.create_default_context(capath=verify)
                    else:
                        context = ssl.create_default_context(cafile=verify)
                except (OSError, ssl.SSLError) as error:
                    raise BadCABundle("%s: %s" % (verify, error)) from error
            else:
                context = ssl.create_default_context()
            self._tls[key] = context
        return self._tls[key]

    def request(self, method, url, params=None, json=None, data=None, files=None, headers=None, timeout=None, auth=None,
                verify=None):
        """Send one request and read the whole answer; raises ``TransportError`` and its kinds when none comes.

        ``verify`` (True, False or a CA bundle path) replaces the session's for this request.
        """
        parts = urlsplit(url)
        target = parts.path or "/"
        query = "&".join(q for q in (parts.query, query_string(params)) if q)
        if query:
            target += "?" + query
        content_type, body = encode_body(json, data, files)
        merged = dict(self.headers)
        if content_type:
            merged["Content-Type"] = content_type
        merged.update(headers or {})
        if auth is not None:
            merged["Authorization"] = basic_credentials(*auth)
        merged.setdefault("Accept-Encoding", "identity")
        try:
            return self._exchange(parts, method, target, body, merged, timeout, self.verify if verify is None else verify)
        except TransportError:
            raise
        except ssl.SSLError as error:
            raise TLSFailure(str(error)) from error
        except (socket.timeout, TimeoutError) as error:
            raise TransportTimeout(str(error)) from error
        except (UnicodeError, http.client.InvalidURL) as error:
            raise InvalidURL(str(error)) from error
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(str(error)) from error

    def _exchange(self, parts, method, target, body, headers, timeout, verify):
        key = (parts.scheme, parts.hostname, parts.port)
        connections = self._connections()
        connection = connections.get(key)
        if connection is not None and dropped(connection):
            connection.close()
        reused = connection is not None
        if connection is None:
            connection = connections[key] = self._connect(parts, timeout, verify)
        if connection.sock is None:
            try:
                connection.connect()
            except (socket.timeout, TimeoutError) as error:
                connections.pop(key, None)
                raise ConnectTimeout(str(error)) from error
            except BaseException:
                connections.pop(key, None)
                raise
        if connection.proxied_plain:
            target = "%s://%s%s" % (parts.scheme, parts.netloc, target)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            try:
                connection.request(method, target, body=body, headers=headers)
                answer = connection.getresponse()
            except STALE_CONNECTION:
                if not (reused and method in RESENDABLE):
                    raise
                connection.close()
                connection.request(method, target, body=body, headers=headers)
                answer = connection.getresponse()
            content = answer.read()
        except BaseException:
            connection.close()
            connections.pop(key, None)
            raise
        if answer.will_close:
            connection.close()
            connections.pop(key, None)
        return Response(answer.status, answer.headers, content)

    def _connections(self):
        if not hasattr(self._local, "connections"):
            self._local.connections = {}
        return self._local.connections

    def _connect(self, parts, timeout, verify):
        """A connection to the host, through the environment's proxy when one applies (CONNECT for HTTPS)."""
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        proxy = proxy_for(parts.scheme, parts.hostname) if self.trust_env else None
        host, real_port = parts.hostname, port
        if proxy:
            proxy_parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
            host, port = proxy_parts.hostname, proxy_parts.port or 80
        if https:
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=self.tls_context(verify))
            if proxy:
                connection.set_tunnel(parts.hostname, real_port)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.proxied_plain = bool(proxy) and not https
        return connection

    def close(self):
        for connection in self._connections().values():
            connection.close()
        self._local.connections = {}
