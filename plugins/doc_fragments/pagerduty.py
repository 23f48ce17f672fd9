# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection options shared by every PagerDuty module (mirrors options.PAGERDUTY)."""

    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - A PagerDuty REST API token, either an account token or a user token.
      - Required. If not set, the value of the E(PAGERDUTY_TOKEN) environment variable is used; a task that has neither fails,
        naming both.
      - Set it once for a play with C(module_defaults) and the C(group/incident.ops.pagerduty) action group.
    type: str
  api_url:
    description:
      - Base URL of the PagerDuty REST API.
      - If not set, the value of the E(PAGERDUTY_API_URL) environment variable is used.
    type: str
    default: https://api.pagerduty.com
  from_email:
    description:
      - Email address of a PagerDuty user on whose behalf writes are made, sent as the C(From) header.
      - PagerDuty requires it when creating users and incidents and for other writes done with an account token.
      - If not set, the value of the E(PAGERDUTY_FROM) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate. Only set to V(false) for a test server.
      - Wins over the E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) environment variables.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle to verify the API's certificate with; it must exist.
      - Wins over the E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) environment variables, which are used only when this is unset.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: float
    default: 30.0
  max_retries:
    description:
      - How many times a request is retried after a rate limit (HTTP 429), a gateway error (502, 503, 504) or a dropped connection.
      - Waits grow exponentially with jitter and honour the API's C(Retry-After) or C(ratelimit-reset) header.
      - A create (POST) is never re-sent blindly; the module first looks for the object it may already have made.
    type: int
    default: 5
notes:
  - In check mode, a user, team, schedule or escalation policy that the task names but that does not exist yet is not
    an error, since an earlier task of the play may create it; the module warns, naming it, and reports the change it
    would make. An C(_info) module then returns an empty list. Outside check mode the same name fails the task before
    anything is written.
"""

    # Lookup and callback plugins read the same options through Ansible's configuration:
    # task keywords first, then variables, then ansible.cfg, then the environment.
    PLUGIN = r"""
options:
  api_token:
    description:
      - A PagerDuty REST API token, either an account token or a user token.
    type: str
    required: true
    env:
      - name: PAGERDUTY_TOKEN
    ini:
      - section: incident_ops_pagerduty
        key: api_token
    vars:
      - name: pagerduty_api_token
  api_url:
    description:
      - Base URL of the PagerDuty REST API.
    type: str
    default: https://api.pagerduty.com
    env:
      - name: PAGERDUTY_API_URL
    ini:
      - section: incident_ops_pagerduty
        key: api_url
    vars:
      - name: pagerduty_api_url
  from_email:
    description:
      - Email address of a PagerDuty user on whose behalf writes are made, sent as the C(From) header.
    type: str
    env:
      - name: PAGERDUTY_FROM
    ini:
      - section: incident_ops_pagerduty
        key: from_email
    vars:
      - name: pagerduty_from_email
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate. Only set to V(false) for a test server.
    type: bool
    default: true
    env:
      - name: PAGERDUTY_VALIDATE_CERTS
    ini:
      - section: incident_ops_pagerduty
        key: validate_certs
    vars:
      - name: pagerduty_validate_certs
  ca_path:
    description:
      - Path to a CA bundle to verify the API's certificate with.
    type: path
    env:
      - name: PAGERDUTY_CA_PATH
    ini:
      - section: incident_ops_pagerduty
        key: ca_path
    vars:
      - name: pagerduty_ca_path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: float
    default: 30.0
    env:
      - name: PAGERDUTY_TIMEOUT
    ini:
      - section: incident_ops_pagerduty
        key: timeout
    vars:
      - name: pagerduty_timeout
  max_retries:
    description:
      - How many times a request is retried after a rate limit (HTTP 429), a gateway error (502, 503, 504) or a dropped connection.
    type: int
    default: 5
    env:
      - name: PAGERDUTY_MAX_RETRIES
    ini:
      - section: incident_ops_pagerduty
        key: max_retries
    vars:
      - name: pagerduty_max_retries
"""
