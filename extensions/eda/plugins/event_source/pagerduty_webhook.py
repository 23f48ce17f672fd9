# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""An Event-Driven Ansible source for PagerDuty v3 webhooks.

Only requests whose ``X-PagerDuty-Signature`` holds a ``v1=`` HMAC-SHA256 of
the raw body made with one of the configured secrets reach the rulebook;
every other request is answered 401 and dropped.  The server is asyncio's
own, so the source needs nothing beyond the standard library.
"""

DOCUMENTATION = r"""
---
short_description: Receive PagerDuty v3 webhooks, verify their signature, and turn them into events.
description:
  - Listen for the webhooks of a PagerDuty v3 webhook subscription (see the C(incident.ops.pd_webhook_subscription)
    module) and put each one whose C(X-PagerDuty-Signature) is valid on the rulebook's queue.
  - A request without a signature, or whose signatures were not made with O(secret), is answered 401 and never
    reaches the rulebook. A body that is not a PagerDuty event is answered 400.
  - Each event carries PagerDuty's own fields at the top (C(event_type), C(resource_type), C(occurred_at), C(agent),
    C(data)), and for incident events the incident's C(service) (a reference with C(id) and C(summary)), C(urgency),
    C(status) and C(incident_id), so that conditions stay short.
options:
  secret:
    description:
      - The signing secret PagerDuty returned when the subscription was created, or a list of secrets while one is
        being rotated.
    type: str
    required: true
  host:
    description:
      - The address to listen on.
    type: str
    default: 0.0.0.0
  port:
    description:
      - The TCP port to listen on.
    type: int
    default: 5000
  max_body_bytes:
    description:
      - The largest request body accepted; a larger one is answered 413 without being read.
    type: int
    default: 1048576
"""

EXAMPLES = r"""
- name: Remediate checkout incidents
  hosts: all
  sources:
    - incident.ops.pagerduty_webhook:
        host: 0.0.0.0
        port: 5000
        secret: "{{ pagerduty_webhook_secret }}"
  rules:
    - name: A checkout incident was triggered
      condition: event.event_type == "incident.triggered" and event.service.summary == "Checkout"
      action:
        run_playbook:
          name: incident.ops.pagerduty_remediation
"""

import asyncio
import hashlib
import hmac
import json
import logging
from http import HTTPStatus

LOGGER = logging.getLogger(__name__)
SIGNATURE_HEADER = "x-pagerduty-signature"
KEPT_HEADERS = ("x-webhook-id", "x-webhook-subscription", "user-agent")
MAX_HEADER_BYTES = 16384
READ_TIMEOUT = 10.0


class Refused(Exception):
    """A request the source answers with an error status and never queues."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def secrets_of(value):
    """The configured secrets as bytes: one string, or a list while a secret is rotated."""
    found = [value] if isinstance(value, str) else list(value or [])
    found = [secret.encode("utf-8") for secret in found if secret]
    if not found:
        raise ValueError("incident.ops.pagerduty_webhook needs the subscription's signing secret (secret)")
    return found


def signed(body, header, secrets):
    """True when one ``v1=`` signature of ``header`` is the HMAC-SHA256 of ``body`` with one of ``secrets``.

    Signatures are compared in constant time; other signature versions are ignored, as PagerDuty asks.
    """
    offered = [part.strip()[3:] for part in (header or "").split(",") if part.strip().startswith("v1=")]
    expected = [hmac.new(secret, body, hashlib.sha256).hexdigest() for secret in secrets]
    return any(hmac.compare_digest(want, have) for want in expected for have in offered)


def to_event(payload, headers):
    """The rulebook event for a webhook body: PagerDuty's event, plus the incident's service and urgency."""
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), dict) or "event_type" not in payload["event"]:
        raise Refused(HTTPStatus.BAD_REQUEST, "the body is not a PagerDuty v3 webhook event")
    event = dict(payload["event"])
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    if event.get("resource_type") == "incident" or data.get("type") == "incident":
        event.update(incident_id=data.get("id"), service=data.get("service"), urgency=data.get("urgency"),
                     status=data.get("status"))
    event["meta"] = {"headers": dict((name, headers[name]) for name in KEPT_HEADERS if name in headers)}
    return event


async def read_request(reader, max_body):
    """The method, path, lower-cased headers and raw body of one HTTP/1.1 request."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise Refused(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are too large") from None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise Refused(HTTPStatus.BAD_REQUEST, "not an HTTP/1.x request")
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    if parts[0] != "POST":
        raise Refused(HTTPStatus.METHOD_NOT_ALLOWED, "PagerDuty webhooks are POST requests")
    if "chunked" in headers.get("transfer-encoding", "").lower() or "content-length" not in headers:
        raise Refused(HTTPStatus.LENGTH_REQUIRED, "a Content-Length is required")
    try:
        length = int(headers["content-length"])
    except ValueError:
        raise Refused(HTTPStatus.BAD_REQUEST, "the Content-Length is not a number") from None
    if length < 0 or length > max_body:
        raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the body is larger than %d bytes" % max_body)
    return parts[0], parts[1], headers, await reader.readexactly(length)


async def answer(writer, status, message=None):
    body = json.dumps({"status": status.phrase, "message": message} if message else {"status": status.phrase}).encode()
    writer.write(("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                  % (status.value, status.phrase, len(body))).encode("latin-1") + body)
    try:
        await writer.drain()
    finally:
        writer.close()


class Listener:
    """Answers each connection's one request and queues the events whose signature holds."""

    def __init__(self, queue, secrets, max_body):
        self.queue = queue
        self.secrets = secrets
        self.max_body = max_body

    async def handle(self, reader, writer):
        peer = writer.get_extra_info("peername")
        try:
            unused_method, path, headers, body = await asyncio.wait_for(read_request(reader, self.max_body), READ_TIMEOUT)
            if not signed(body, headers.get(SIGNATURE_HEADER), self.secrets):
                raise Refused(HTTPStatus.UNAUTHORIZED, "missing or invalid X-PagerDuty-Signature")
            try:
                payload = json.loads(body.decode("utf-8"))
            except ValueError:
                raise Refused(HTTPStatus.BAD_REQUEST, "the body is not JSON") from None
            event = to_event(payload, headers)
            event["meta"]["endpoint"] = path
            await self.queue.put(event)
            LOGGER.info("Queued PagerDuty %s from %s", event.get("event_type"), peer)
            await answer(writer, HTTPStatus.ACCEPTED)
        except Refused as refusal:
            LOGGER.warning("Refused a request from %s: %s", peer, refusal.reason)
            await answer(writer, refusal.status, refusal.reason)
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
            writer.close()


async def main(queue, args):
    """Serve until cancelled, putting each verified PagerDuty webhook event on ``queue``."""
    listener = Listener(queue, secrets_of(args.get("secret")), int(args.get("max_body_bytes", 1048576)))
    server = await asyncio.start_server(listener.handle, args.get("host", "0.0.0.0"), int(args.get("port", 5000)),
                                        limit=MAX_HEADER_BYTES)
    LOGGER.info("Listening for PagerDuty webhooks on %s", ", ".join(str(sock.getsockname()) for sock in server.sockets))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":

    class _PrintingQueue:
        """Prints what a rulebook would receive: ``python pagerduty_webhook.py SECRET [PORT]`` to try it by hand."""

        async def put(self, event):
            print(json.dumps(event, indent=2))

    import sys

    asyncio.run(main(_PrintingQueue(), {"secret": sys.argv[1], "port": int(sys.argv[2]) if len(sys.argv) > 2 else 5000}))
