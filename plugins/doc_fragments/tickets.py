# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection options shared by every tickets-service module (mirrors options.TICKETS)."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the tickets service's API, including its C(/api) path, for example C(https://tickets.example.com/api).
      - Required. If not set, the value of the E(TICKETS_URL) environment variable is used; a task that has neither fails,
        naming both.
    type: str
  api_token:
    description:
      - The bearer token the tickets service issued.
      - Required. If not set, the value of the E(TICKETS_TOKEN) environment variable is used; a task that has neither fails,
        naming both.
    type: str
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate. Only set to V(false) for a test server.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle to verify the API's certificate with.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: float
    default: 30.0
  max_retries:
    description:
      - How many times a request is retried after a rate limit (HTTP 429), a gateway error (502, 503, 504) or a dropped connection.
      - Waits grow exponentially with jitter and honour the API's C(Retry-After) header.
      - A create is never re-sent blindly; the module first looks for the object it may already have made.
    type: int
    default: 5
"""
