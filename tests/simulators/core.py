"""A small threaded HTTP framework the four API simulators share.

Each simulator is a ``Simulator`` subclass: it declares routes with ``@route``,
keeps its state under ``self.lock`` and builds error replies in its vendor's
own format.  This module adds what every simulator needs and no vendor has:
the ``/_sim/`` control API (request log, reset, fault injection, settings,
seeding), artificial latency and a per-token rate limit.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
import traceback
from collections import defaultdict, deque
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CONTROL_PREFIX = "/_sim/"


class Request:
    """One parsed HTTP request, as a simulator handler sees it."""

    def __init__(self, method, target, headers, body):
        parts = urlsplit(target)
        self.method = method
        self.path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.params = {}

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name):
        """All values of a repeated parameter; ``include[]`` and ``include`` alike."""
        return self.query.get(name, []) + self.query.get(name + "[]", [])

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def json(self):
        """The body as JSON; raises ``BadRequest`` for anything that is not."""
        if not self.body:
            raise BadRequest("A request body is required.")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequest("The request body is not valid JSON: %s" % exc) from None

    def form(self):
        """The body of a form post, urlencoded or multipart, as {name: str or bytes}."""
        content_type = self.header("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            return parse_multipart(content_type, self.body)
        return {key: values[-1] for key, values in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def bearer_token(self):
        value = self.header("Authorization", "")
        scheme, _space, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else None


class UploadedFile:
    """A file part of a multipart body."""

    def __init__(self, filename, content, content_type):
        self.filename = filename
        self.content = content
        self.content_type = content_type


def parse_multipart(content_type, body):
    header = Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if not boundary:
        raise BadRequest("The multipart body has no boundary.")
    fields = {}
    for part in body.split(b"--" + boundary.encode("latin-1")):
        # Remove only the CRLF that frames a part: a file's own trailing newlines are content.
        if not part.strip(b"\r\n") or part.startswith(b"--"):
            continue
        part = part[2:] if part.startswith(b"\r\n") else part
        part = part[:-2] if part.endswith(b"\r\n") else part
        raw_headers, _blank, content = part.partition(b"\r\n\r\n")
        part_headers = Message()
        for line in raw_headers.decode("latin-1").split("\r\n"):
            name, _colon, value = line.partition(":")
            part_headers[name.strip()] = value.strip()
        disposition = Message()
        disposition["Content-Disposition"] = part_headers.get("Content-Disposition", "")
        name = disposition.get_param("name", header="Content-Disposition")
        filename = disposition.get_param("filename", header="Content-Disposition")
        if name is None:
            continue
        if filename is not None:
            fields[name] = UploadedFile(filename, content, part_headers.get("Content-Type", "application/octet-stream"))
        else:
            fields[name] = content.decode("utf-8", "replace")
    return fields


class Reply:
    """What a handler returns: a status, a JSON-able body (or bytes) and headers."""

    def __init__(self, status=200, body=None, headers=None, content_type="application/json"):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def payload(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


class SimulatorError(Exception):
    """Raised inside a handler to answer with an error in the vendor's format."""

    status = 400

    def __init__(self, message, status=None, **details):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.details = details


class BadRequest(SimulatorError):
    status = 400


class NotFound(SimulatorError):
    status = 404


class Unauthorized(SimulatorError):
    status = 401


def route(method, pattern):
    """Mark a handler method for ``METHOD /path/{name}/...``."""

    def mark(function):
        function.route = (method, pattern)
        return function

    return mark


def compile_pattern(pattern):
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/") or "/")
    return re.compile("^" + regex + "/?$")


class Fault:
    """An injected misbehaviour for the next ``count`` requests that match.

    ``after_handling`` makes the request be carried out first and only its
    answer be spoilt: a create whose answer is lost (``drop``) or mangled by
    a proxy (``malformed``, ``status``) after the server made the object.
    """

    ACTIONS = ("status", "drop", "malformed", "delay", "rate_limited", "expire_token")
    RESET_HEADERS = ("Retry-After", "ratelimit-reset")

    def __init__(self, spec):
        self.method = (spec.get("method") or "*").upper()
        self.path = re.compile(spec.get("path") or ".*")
        self.count = int(spec.get("count", 1))
        self.action = spec.get("action", "status")
        if self.action not in self.ACTIONS:
            raise BadRequest("fault action must be one of %s" % ", ".join(self.ACTIONS))
        self.status = int(spec.get("status", 503))
        self.headers = {str(k): str(v) for k, v in (spec.get("headers") or {}).items()}
        self.body = spec.get("body")
        self.delay = float(spec.get("delay_ms", 0)) / 1000.0
        self.after_handling = bool(spec.get("after_handling", False))
        self.reset_seconds = int(spec.get("reset_seconds", 1))
        self.reset_header = spec.get("reset_header", "vendor")
        if self.reset_header not in self.RESET_HEADERS + ("vendor", None):
            raise BadRequest("reset_header must be one of %s, vendor or null" % ", ".join(self.RESET_HEADERS))

    def matches(self, request):
        return self.count > 0 and self.method in ("*", request.method) and self.path.search(request.path)

    def reply(self, simulator):
        """The answer this fault gives instead of the real one; None drops the connection."""
        if self.action == "drop":
            return None
        if self.action == "malformed":
            return Reply(self.status if self.status != 503 else 200, b'{"truncated": [1, 2', self.headers)
        if self.action == "rate_limited":
            return self._rate_limited(simulator)
        return Reply(self.status, self.body if self.body is not None else {"error": "injected fault"}, self.headers)

    def _rate_limited(self, simulator):
        """The vendor's own 429, its wait in the header ``reset_header`` names: its usual one (vendor), another or none."""
        reply = simulator.rate_limited_reply(self.reset_seconds)
        if self.reset_header != "vendor":
            reply.headers = {name: value for name, value in reply.headers.items()
                             if name.lower() not in [header.lower() for header in self.RESET_HEADERS]}
            if self.reset_header:
                reply.headers[self.reset_header] = str(self.reset_seconds)
        reply.headers.update(self.headers)
        return reply


class Simulator:
    """Base class: routing, the control API, faults, latency and rate limiting."""

    name = "base"
    log_limit = 10000

    def __init__(self, latency_ms=0, rate_limit=0):
        self.lock = threading.RLock()
        self.latency = latency_ms / 1000.0
        self.rate_limit = rate_limit
        self.requests = deque(maxlen=self.log_limit)
        self.faults = []
        self.hits = defaultdict(deque)
        self.routes = []
        for attribute in dir(type(self)):
            handler = getattr(self, attribute)
            spec = getattr(handler, "route", None)
            if spec:
                self.routes.append((spec[0], compile_pattern(spec[1]), handler))
        self.reset()

    # Hooks for subclasses ---------------------------------------------------

    def reset(self):
        """Bring the state back to a fresh, seeded account."""

    def seed(self, data):
        """Load bulk data posted to ``/_sim/seed``; returns a JSON-able summary."""
        raise BadRequest("%s has no bulk seeding" % self.name)

    def error_reply(self, error):
        return Reply(error.status, {"error": error.message})

    def rate_key(self, request):
        """The identity a rate limit counts against, or None to exempt the request."""
        return request.header("Authorization")

    def rate_limited_reply(self, reset_seconds):
        return Reply(429, {"error": "Too many requests"}, {"Retry-After": str(reset_seconds)})

    def authenticate(self, request):
        """Raise ``Unauthorized`` unless the request carries valid credentials."""

    def expire_token(self, request):
        """Expire the token ``request`` carries, as if its lifetime ended now; True when there was one to expire.

        Simulators that issue tokens override this; a fixed token cannot
        expire, so by default the request alone is refused as unauthenticated.
        """
        return False

    # Dispatch -----------------------------------------------------------------

    def handle(self, request):
        """Answer one request; returns a Reply, or None to drop the connection.

        Control requests are answered first and kept out of the request log,
        so the log shows only what a client sent to the vendor API.
        """
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        started = time.monotonic()
        reply = self._serve(request)
        self._record(request, reply.status if reply is not None else 0, started)
        return reply

    def _serve(self, request):
        fault = self._take_fault(request)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.action == "expire_token":
                if not self.expire_token(request):
                    return self.error_reply(Unauthorized("The access token has expired"))
            elif fault.action != "delay":
                if fault.after_handling:
                    self._answer(request)
                return fault.reply(self)
        if self.latency:
            time.sleep(self.latency)
        return self._answer(request)

    def _answer(self, request):
        """The real answer: rate limit, route, authentication, then the handler."""
        try:
            limited = self._check_rate(request)
            if limited is not None:
                return limited
            handler, params = self._find_route(request)
            request.params = params
            self.authenticate(request)
            return handler(request)
        except SimulatorError as error:
            return self.error_reply(error)
        except Exception:  # pylint: disable=broad-except
            # A simulator bug must surface as a server error the test can see, not as a dropped connection.
            traceback.print_exc()
            return self.error_reply(SimulatorError("Internal simulator error", status=500))

    def _find_route(self, request):
        allowed = False
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match:
                if method == request.method:
                    return handler, match.groupdict()
                allowed = True
        if allowed:
            raise SimulatorError("Method %s is not allowed on %s" % (request.method, request.path), status=405)
        raise NotFound("Not found: %s" % request.path)

    def _take_fault(self, request):
        with self.lock:
            for fault in self.faults:
                if fault.matches(request):
                    fault.count -= 1
                    return fault
        return None

    def _check_rate(self, request):
        if not self.rate_limit:
            return None
        key = self.rate_key(request)
        if key is None:
            return None
        now = time.monotonic()
        with self.lock:
            window = self.hits[key]
            while window and now - window[0] >= 60:
                window.popleft()
            if len(window) >= self.rate_limit:
                return self.rate_limited_reply(max(1, int(60 - (now - window[0])) + 1))
            window.append(now)
        return None

    def _record(self, request, status, started):
        with self.lock:
            self.requests.append({
                "method": request.method,
                "path": request.path,
                "query": {key: values if len(values) > 1 else values[0] for key, values in request.query.items()},
                "status": status,
                "latency_ms": round((time.monotonic() - started) * 1000, 3),
            })

    # Control API --------------------------------------------------------------

    def _control(self, request):
        action = request.path[len(CONTROL_PREFIX):].strip("/")
        try:
            if request.method == "GET" and action == "requests":
                with self.lock:
                    return Reply(200, {"requests": list(self.requests)})
            if request.method == "DELETE" and action == "requests":
                with self.lock:
                    self.requests.clear()
                return Reply(204)
            if request.method == "POST" and action == "reset":
                with self.lock:
                    self.requests.clear()
                    self.faults = []
                    self.hits.clear()
                    self.reset()
                return Reply(204)
            if request.method == "POST" and action == "faults":
                body = request.json()
                new = [Fault(spec) for spec in (body if isinstance(body, list) else [body])]
                with self.lock:
                    self.faults.extend(new)
                return Reply(201, {"faults": len(self.faults)})
            if request.method == "DELETE" and action == "faults":
                with self.lock:
                    self.faults = []
                return Reply(204)
            if request.method == "PUT" and action == "settings":
                return Reply(200, self._apply_settings(request.json()))
            if request.method == "GET" and action == "settings":
                return Reply(200, self._settings())
            if request.method == "POST" and action == "seed":
                with self.lock:
                    return Reply(201, self.seed(request.json()))
        except (SimulatorError, KeyError, ValueError, TypeError, re.error) as error:
            return Reply(400, {"error": str(error)})
        return Reply(404, {"error": "unknown control endpoint %s %s" % (request.method, request.path)})

    def _apply_settings(self, settings):
        with self.lock:
            if "latency_ms" in settings:
                self.latency = float(settings["latency_ms"]) / 1000.0
            if "rate_limit" in settings:
                self.rate_limit = int(settings["rate_limit"])
                self.hits.clear()
            return self._settings()

    def _settings(self):
        return {"latency_ms": self.latency * 1000.0, "rate_limit": self.rate_limit}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 65536
    server_version = "incident-ops-simulator"
    simulator = None

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Keep the console quiet; the control API has the request log."""

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, self.path, self.headers, body)
        reply = self.simulator.handle(request)
        if reply is None:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        payload = reply.payload()
        self.send_response(reply.status)
        if payload or reply.status not in (204, 304):
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class RunningServer:
    """A simulator served on a port in a background thread."""

    def __init__(self, simulator, host="127.0.0.1", port=0, tls_cert=None, tls_key=None):
        handler = type("Handler", (_Handler,), {"simulator": simulator})
        self.simulator = simulator
        try:
            self.httpd = SimulatorServer((host, port), handler)
        except OSError as error:
            # The socket's own message ("Address already in use") names no address; say which one.
            raise OSError(error.errno, "the %s simulator cannot listen on %s:%d: %s"
                          % (simulator.name, host, port, error.strerror or error)) from error
        scheme = "http"
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            # The handshake runs on the first read, in the request's own thread, so a stalled client cannot block accept().
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True, do_handshake_on_connect=False)
            scheme = "https"
        self.host, self.port = self.httpd.server_address[:2]
        self.url = "%s://%s:%d" % (scheme, host, self.port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="sim-%s" % simulator.name, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
