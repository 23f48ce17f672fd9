# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection options shared by every ITSM desk module (mirrors options.ITSM)."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the ITSM desk, without the C(/api) path, for example C(https://desk.example.com).
      - Required. If not set, the value of the E(ITSM_URL) environment variable is used; a task that has neither fails,
        naming both.
    type: str
  client_id:
    description:
      - The OAuth2 client id the desk issued to this integration, sent with O(client_secret) to the token endpoint.
      - Needed, with O(client_secret), O(username) and O(password), unless O(api_key) is set.
      - If not set, the value of the E(ITSM_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - The OAuth2 client secret that goes with O(client_id).
      - If not set, the value of the E(ITSM_CLIENT_SECRET) environment variable is used.
    type: str
  username:
    description:
      - The desk user the module acts as (OAuth2 password grant).
      - If not set, the value of the E(ITSM_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(ITSM_PASSWORD) environment variable is used.
    type: str
  api_key:
    description:
      - "An API key, sent as C(Authorization: Apikey <key>), which newer releases of the desk accept instead of OAuth2."
      - When set, O(client_id), O(client_secret), O(username) and O(password) are not used.
      - If not set, the value of the E(ITSM_API_KEY) environment variable is used.
    type: str
  api_prefix:
    description:
      - The path prefix of the desk's incident, search, location and category endpoints.
      - The desk's guide writes C(/api/v1) in its text but leaves C(/v1) out of some examples; set V(/api) for a desk
        that serves the incident endpoints without the version.
      - The token endpoint (C(/api/oauth/token)), uploads (C(/api/oprfile)), forms (C(/api/ususer/form)) and the older
        create endpoint (C(/api/incident)) are not under it.
    type: str
    default: /api/v1
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
