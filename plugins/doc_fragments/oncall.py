# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection options shared by every on-call schedule service module (mirrors options.ONCALL)."""

    DOCUMENTATION = r"""
options:
  query_url:
    description:
      - Base URL of the service's query host, which serves reads.
      - If not set, the value of the E(ONCALL_QUERY_URL) environment variable is used.
    type: str
    default: https://incident-query.api.pinghome.io
  command_url:
    description:
      - Base URL of the service's command host, which takes writes.
      - If not set, the value of the E(ONCALL_COMMAND_URL) environment variable is used.
    type: str
    default: https://incident-cmd.api.pinghome.io
  customer_url:
    description:
      - Base URL of the service's customer query host, which lists a team's members; used to find a member by email.
      - If not set, the value of the E(ONCALL_CUSTOMER_URL) environment variable is used.
    type: str
    default: https://customer-query.api.pinghome.io
  auth_url:
    description:
      - Base URL of the service's auth host, where O(email) and O(password) are exchanged for a bearer token.
      - If not set, the value of the E(ONCALL_AUTH_URL) environment variable is used.
    type: str
    default: https://auth.api.pinghome.io
  api_token:
    description:
      - A bearer token for the service. Either this or O(email) and O(password) is needed; when both are set, this token is used.
      - A fixed token cannot be renewed, so a 401 answer fails the task; a token got with O(email) and O(password) is
        fetched again once after a 401.
      - If not set, the value of the E(ONCALL_TOKEN) environment variable is used.
    type: str
  email:
    description:
      - The email of the account to sign in with, when no O(api_token) is given.
      - If not set, the value of the E(ONCALL_EMAIL) environment variable is used.
    type: str
  password:
    description:
      - The password of O(email).
      - If not set, the value of the E(ONCALL_PASSWORD) environment variable is used.
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
