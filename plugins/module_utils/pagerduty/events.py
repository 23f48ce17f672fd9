# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty's Events API v2: alert and change events sent with an integration's routing key.

It is another service than the REST API: its own base URL, no token (the
routing key in each event's body is the credential), answers 202 with a
``dedup_key``, and refuses an event with 400 ``{"status", "message",
"errors"}``.  The shared ``Client`` sends it, so a 429 is retried after the
wait PagerDuty asks for, and a POST whose answer is lost is sent again only
when its ``dedup_key`` makes that harmless.
"""

from ansible_collections.incident.ops.plugins.module_utils.client import Client, RetryPolicy
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

ROUTING_KEY_LENGTH = 32
SEVERITIES = ("critical", "error", "warning", "info")


class Events(Client):
    """A client of ``events.pagerduty.com`` (or another Events API v2 host) that keeps the routing key secret."""

    def __init__(self, events_url, routing_key, **kwargs):
        super().__init__(events_url, secrets=(routing_key,), **kwargs)
        self.routing_key = routing_key
        self.session.headers["Content-Type"] = "application/json"

    def fail(self, message, method=None, path=None, status=None, body=None, retryable=False, retry_after=None):
        """The API's ``errors`` list says what is wrong with an event; keep it in the message."""
        if isinstance(body, dict) and body.get("errors"):
            body = "%s: %s" % (body.get("message") or body.get("status"), "; ".join(str(item) for item in body["errors"]))
        return super().fail(message, method, path, status, body, retryable, retry_after)

    def send(self, event):
        """Enqueue an alert event; returns PagerDuty's answer (``status``, ``message``, ``dedup_key``).

        An event with a ``dedup_key`` may be sent again when its answer is lost:
        PagerDuty folds a second trigger into the incident the first opened,
        and acknowledging or resolving twice is the same as once.  Without one,
        a second trigger would open a second incident, so it is not re-sent.
        """
        return self.post("/v2/enqueue", dict(event, routing_key=self.routing_key), idempotent=bool(event.get("dedup_key")))

    def send_change(self, event):
        """Enqueue a change event; returns PagerDuty's answer."""
        return self.post("/v2/change/enqueue", dict(event, routing_key=self.routing_key))


def check_routing_key(routing_key):
    """An integration key is 32 letters and digits; anything else is refused before a request."""
    if not routing_key or len(routing_key) != ROUTING_KEY_LENGTH or not routing_key.isalnum():
        raise InvalidInput("routing_key must be the %d letters and digits of an Events API v2 integration key (got %d "
                           "characters); a REST API token is not a routing key" % (ROUTING_KEY_LENGTH, len(routing_key or "")))
    return routing_key


def connect_events(params):
    return Events(params["events_url"], check_routing_key(params["routing_key"]), timeout=params["timeout"],
                  validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
                  retry=RetryPolicy(max_retries=params["max_retries"]))
