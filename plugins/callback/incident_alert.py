# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: incident_alert
type: notification
short_description: Open one incident when a playbook run ends with failed or unreachable hosts
version_added: 0.1.0
description:
  - When a playbook run ends with failed or unreachable hosts, open one incident that lists the failed tasks and hosts
    with their messages, on PagerDuty (through the Events API v2 with a routing key, or with the REST API on a service)
    or on the ITSM desk.
  - A run that keeps failing does not open a new incident each time while the previous one is open. The incident is
    keyed by the playbooks, the inventory sources and O(key); see O(key) for what makes two runs the same.
  - With O(resolve_on_success), a later run with the same key that ends without failed or unreachable hosts resolves
    the incident.
  - Nothing of a C(no_log) result is ever sent, nor the value of any option of this plugin marked secret; messages are
    shortened and at most O(max_failures) failures are listed.
  - If the incident cannot be opened or resolved (service down, refused credentials), Ansible shows a warning; the
    play's result and exit code stay what they were.
  - Enable it with C(callbacks_enabled = incident.ops.incident_alert) in the C([defaults]) section of C(ansible.cfg)
    (or E(ANSIBLE_CALLBACKS_ENABLED)) and configure it in the C([callback_incident_alert]) section or through the
    environment.
author:
  - incident.ops maintainers (@incident-ops)
requirements:
  - requests
  - the callback enabled in C(callbacks_enabled)
options:
  target:
    description:
      - Where the incident is opened. V(pagerduty_events) sends an alert to the Events API v2 with O(routing_key),
        V(pagerduty) opens an incident with the REST API on O(pagerduty_service), V(itsm) opens one at the desk of
        O(itsm_url).
      - When unset, the first of O(routing_key), O(pagerduty_service) and O(itsm_url) that is set decides.
    type: str
    choices: [pagerduty_events, pagerduty, itsm]
    env:
      - name: INCIDENT_ALERT_TARGET
    ini:
      - section: callback_incident_alert
        key: target
  key:
    description:
      - Added to what the de-duplication key is derived from. Runs of the same playbooks (by absolute path) on the same
        inventory sources share one incident; give each O(key) its own value to keep apart runs that should alert
        separately (for example one per C(--limit)), or the same value to keep one incident when paths change.
      - The derived key (C(ansible-<playbook>-<digest>)) is the PagerDuty C(dedup_key) and C(incident_key), and is
        part of the incident's title, by which the ITSM desk's open incident is found.
    type: str
    env:
      - name: INCIDENT_ALERT_KEY
    ini:
      - section: callback_incident_alert
        key: key
  resolve_on_success:
    description:
      - Resolve the open incident of this key when a run ends without failed or unreachable hosts.
    type: bool
    default: false
    env:
      - name: INCIDENT_ALERT_RESOLVE_ON_SUCCESS
    ini:
      - section: callback_incident_alert
        key: resolve_on_success
  max_failures:
    description:
      - How many failed tasks the incident lists in detail; the others are counted.
    type: int
    default: 20
    env:
      - name: INCIDENT_ALERT_MAX_FAILURES
    ini:
      - section: callback_incident_alert
        key: max_failures
  routing_key:
    description:
      - The integration key (32 letters and digits) of the PagerDuty service's Events API v2 integration, for
        O(target=pagerduty_events).
    type: str
    secret: true
    env:
      - name: INCIDENT_ALERT_ROUTING_KEY
      - name: PAGERDUTY_ROUTING_KEY
    ini:
      - section: callback_incident_alert
        key: routing_key
  events_url:
    description:
      - Base URL of the Events API.
    type: str
    default: https://events.pagerduty.com
    env:
      - name: PAGERDUTY_EVENTS_URL
    ini:
      - section: callback_incident_alert
        key: events_url
  severity:
    description:
      - The alert's severity, for O(target=pagerduty_events).
    type: str
    choices: [critical, error, warning, info]
    default: error
    env:
      - name: INCIDENT_ALERT_SEVERITY
    ini:
      - section: callback_incident_alert
        key: severity
  pagerduty_service:
    description:
      - The exact name of the PagerDuty service the incident is opened on, for O(target=pagerduty).
    type: str
    env:
      - name: INCIDENT_ALERT_PAGERDUTY_SERVICE
    ini:
      - section: callback_incident_alert
        key: pagerduty_service
  urgency:
    description:
      - The incident's urgency, for O(target=pagerduty); the service's rule decides when unset.
    type: str
    choices: [high, low]
    env:
      - name: INCIDENT_ALERT_URGENCY
    ini:
      - section: callback_incident_alert
        key: urgency
  pagerduty_api_token:
    description:
      - A PagerDuty REST API token, for O(target=pagerduty).
    type: str
    secret: true
    env:
      - name: PAGERDUTY_TOKEN
    ini:
      - section: callback_incident_alert
        key: pagerduty_api_token
  pagerduty_api_url:
    description:
      - Base URL of the PagerDuty REST API.
    type: str
    default: https://api.pagerduty.com
    env:
      - name: PAGERDUTY_API_URL
    ini:
      - section: callback_incident_alert
        key: pagerduty_api_url
  pagerduty_from_email:
    description:
      - Email address of the PagerDuty user the incident is opened and resolved on behalf of (the C(From) header),
        for O(target=pagerduty).
    type: str
    env:
      - name: PAGERDUTY_FROM
    ini:
      - section: callback_incident_alert
        key: pagerduty_from_email
  itsm_url:
    description:
      - Base URL of the ITSM desk, without the C(/api) path, for O(target=itsm).
    type: str
    env:
      - name: ITSM_URL
    ini:
      - section: callback_incident_alert
        key: itsm_url
  itsm_api_key:
    description:
      - An API key of the desk. When set, the OAuth2 options are not used.
    type: str
    secret: true
    env:
      - name: ITSM_API_KEY
    ini:
      - section: callback_incident_alert
        key: itsm_api_key
  itsm_client_id:
    description:
      - The OAuth2 client id of the desk (with O(itsm_client_secret), O(itsm_username) and O(itsm_password)).
    type: str
    env:
      - name: ITSM_CLIENT_ID
    ini:
      - section: callback_incident_alert
        key: itsm_client_id
  itsm_client_secret:
    description:
      - The OAuth2 client secret that goes with O(itsm_client_id).
    type: str
    secret: true
    env:
      - name: ITSM_CLIENT_SECRET
    ini:
      - section: callback_incident_alert
        key: itsm_client_secret
  itsm_username:
    description:
      - The desk user the incident is written as (OAuth2 password grant).
    type: str
    env:
      - name: ITSM_USERNAME
    ini:
      - section: callback_incident_alert
        key: itsm_username
  itsm_password:
    description:
      - The password of O(itsm_username).
    type: str
    secret: true
    env:
      - name: ITSM_PASSWORD
    ini:
      - section: callback_incident_alert
        key: itsm_password
  itsm_api_prefix:
    description:
      - The path prefix of the desk's incident and search endpoints.
    type: str
    default: /api/v1
    env:
      - name: INCIDENT_ALERT_ITSM_API_PREFIX
    ini:
      - section: callback_incident_alert
        key: itsm_api_prefix
  itsm_requester_email:
    description:
      - The requester of the desk incident. Defaults to O(itsm_username) when that is an email address.
      - The open incident of a run is the one with the run's title and this requester.
    type: str
    env:
      - name: INCIDENT_ALERT_ITSM_REQUESTER_EMAIL
    ini:
      - section: callback_incident_alert
        key: itsm_requester_email
  validate_certs:
    description:
      - Whether to verify the service's TLS certificate. Only set to V(false) for a test server.
    type: bool
    default: true
    env:
      - name: INCIDENT_ALERT_VALIDATE_CERTS
    ini:
      - section: callback_incident_alert
        key: validate_certs
  ca_path:
    description:
      - Path to a CA bundle to verify the service's certificate with.
    type: path
    env:
      - name: INCIDENT_ALERT_CA_PATH
    ini:
      - section: callback_incident_alert
        key: ca_path
  timeout:
    description:
      - Seconds to wait for each HTTP response. Kept short, since the end of the run waits for it.
    type: float
    default: 10.0
    env:
      - name: INCIDENT_ALERT_TIMEOUT
    ini:
      - section: callback_incident_alert
        key: timeout
  max_retries:
    description:
      - How many times a request is retried after a rate limit (HTTP 429), a gateway error or a dropped connection.
        An event or a create is never re-sent blindly.
    type: int
    default: 2
    env:
      - name: INCIDENT_ALERT_MAX_RETRIES
    ini:
      - section: callback_incident_alert
        key: max_retries
notes:
  - A failure counts when it fails the host, as the play recap counts it; failures of tasks with C(ignore_errors) or
    rescued by a C(rescue) block do not open an incident.
  - "Requests per run: Events API, one event (a trigger, or a resolve with O(resolve_on_success) after a clean run);
    REST API, one C(GET /incidents) for the key, then a lookup of the service and C(POST /incidents) when none is open,
    or one C(PUT /incidents) to resolve; ITSM, one search for the open incident, then a create (and the desk's token
    request when OAuth2 is used)."
  - The Events API has no way to ask whether an alert is open; PagerDuty folds a trigger with the C(dedup_key) of an
    open alert into it, so a run that fails again while the incident is open sends one event and opens nothing.
  - Ad hoc commands (C(ansible)) are not reported.
seealso:
  - module: incident.ops.pd_event
  - module: incident.ops.pd_incident
  - module: incident.ops.itsm_incident
"""

EXAMPLES = r"""
# ansible.cfg: page the Platform service through its Events API integration, and resolve after a clean run.
#
# [defaults]
# callbacks_enabled = incident.ops.incident_alert
#
# [callback_incident_alert]
# resolve_on_success = true
#
# and in the environment of the nightly job:
#   PAGERDUTY_ROUTING_KEY=<the integration key of the service's Events API v2 integration>

# Or open the incident with the REST API on a service:
#
# [callback_incident_alert]
# target = pagerduty
# pagerduty_service = Platform
# urgency = low
#
#   PAGERDUTY_TOKEN=... PAGERDUTY_FROM=automation@example.com

# Or at the ITSM desk:
#
# [callback_incident_alert]
# target = itsm
# itsm_url = https://desk.example.com
# itsm_requester_email = automation@example.com
#
#   ITSM_API_KEY=...
"""

import os
import socket

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.incident.ops.plugins.module_utils.client import redact
from ansible_collections.incident.ops.plugins.plugin_utils import incident_alert as alert


def result_parts(result):
    """The host name, the task and the result mapping of a callback's task result.

    ansible-core 2.19 names them ``host``, ``task`` and ``result``; older
    releases only have the underscored names, which later ones deprecate.
    """
    if hasattr(result, "result"):
        return result.host.get_name(), result.task, result.result
    return result._host.get_name(), result._task, result._result  # pylint: disable=protected-access


class CallbackModule(CallbackBase):
    """Collects the run's failures, and at the end opens (or resolves) the run's incident."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "incident.ops.incident_alert"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.playbooks = []
        self.failures = []
        self.problem = None

    def options(self):
        definitions = C.config.get_configuration_definitions("callback", self._load_name) or {}
        return dict((name, self.get_option(name)) for name in definitions)

    def secrets(self):
        """The values of every option documented as secret, kept out of the incident and of warnings."""
        definitions = C.config.get_configuration_definitions("callback", self._load_name) or {}
        return [self.get_option(name) for name, definition in definitions.items() if definition.get("secret")]

    def warn(self, what, error):
        self._display.warning("incident.ops.incident_alert %s: %s" % (what, redact(str(error), self.secrets())))

    def v2_playbook_on_start(self, playbook):
        if not self.playbooks:
            try:
                alert.check_options(self.options())
            except Exception as error:  # pylint: disable=broad-except
                self.problem = error
                self.warn("cannot report this run's failures", error)
        self.playbooks.append(alert.source_name(playbook._file_name, os.getcwd()))  # pylint: disable=protected-access

    def record(self, result, unreachable):
        host, task, values = result_parts(result)
        no_log = isinstance(task.no_log, bool) and task.no_log
        self.failures.append(alert.Failure(host, task.get_name(), task.action, alert.failure_message(values, no_log),
                                           unreachable))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self.record(result, unreachable=False)

    def v2_runner_on_unreachable(self, result):
        self.record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        if self.problem is not None or not self.playbooks:
            return
        failed = [host for host, count in stats.failures.items() if count]
        unreachable = [host for host, count in stats.dark.items() if count]
        try:
            self.report(failed, unreachable)
        except Exception as error:  # pylint: disable=broad-except
            # A notification must never fail the play or show a traceback: the run's result stays what it was.
            self.warn("could not open or resolve the run's incident", error)

    def report(self, failed, unreachable):
        options = self.options()
        cwd = os.getcwd()
        inventories = [alert.source_name(source, cwd) for source in context.CLIARGS.get("inventory") or C.DEFAULT_HOST_LIST]
        key = alert.alert_key(self.playbooks, inventories, options.get("key"))
        if not (failed or unreachable):
            if options.get("resolve_on_success"):
                done = alert.connect(options, socket.gethostname()).resolve(key, alert.title_for(key, self.playbooks))
                if done:
                    self._display.display("incident.ops.incident_alert: %s" % done)
            return
        hosts = set(failed) | set(unreachable)
        report = alert.Report(key, self.playbooks, inventories, [item for item in self.failures if item.host in hosts],
                              failed, unreachable, options.get("max_failures") or 20, self.secrets())
        done = alert.connect(options, socket.gethostname()).open(report)
        self._display.display("incident.ops.incident_alert: %s" % done)
