#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_service
short_description: Manage PagerDuty services and their integrations
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty service, identified by its exact name, with the escalation policy that is
    paged for its incidents, its timeouts, urgency rules, support hours and alert grouping.
  - Add the service's integrations (Events API v2, email, ...) by name; each is created once, and the result returns
    every integration with the routing key monitoring tools send events with.
  - Every escalation policy and vendor the task names is looked up before the first write; an unknown name fails the
    task with nothing written.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - The service's name; identifies the service (exact, case-sensitive match).
    type: str
    required: true
  description:
    description:
      - The service's description. Left as it is when unset.
    type: str
  escalation_policy:
    description:
      - The exact name of the escalation policy paged for the service's incidents.
      - Required to create a service; left as it is when unset.
    type: str
  acknowledgement_timeout:
    description:
      - Seconds after which an acknowledged incident is triggered again. V(0) turns this off.
      - Left as it is when unset (PagerDuty's default for a new service is 1800).
    type: int
  auto_resolve_timeout:
    description:
      - Seconds after which an open incident is resolved on its own. V(0) turns this off.
      - Left as it is when unset (PagerDuty's default for a new service is 14400).
    type: int
  alert_creation:
    description:
      - Whether incoming events create incidents only, or alerts and incidents. Left as it is when unset.
    type: str
    choices: [create_incidents, create_alerts_and_incidents]
  incident_urgency_rule:
    description:
      - The urgency of the service's incidents. Left as it is when unset.
      - V(use_support_hours) needs O(support_hours) (given here or already set on the service).
    type: dict
    suboptions:
      type:
        description:
          - V(constant) gives every incident O(incident_urgency_rule.urgency); V(use_support_hours) gives one urgency
            during support hours and another outside them.
        type: str
        choices: [constant, use_support_hours]
        required: true
      urgency:
        description:
          - The urgency when O(incident_urgency_rule.type=constant).
        type: str
        choices: [high, low, severity_based]
      during_support_hours:
        description:
          - The rule during support hours, when O(incident_urgency_rule.type=use_support_hours).
        type: dict
        suboptions:
          type:
            description: Always V(constant).
            type: str
            choices: [constant]
            default: constant
          urgency:
            description: The urgency during support hours.
            type: str
            choices: [high, low, severity_based]
            required: true
      outside_support_hours:
        description:
          - The rule outside support hours, when O(incident_urgency_rule.type=use_support_hours).
        type: dict
        suboptions:
          type:
            description: Always V(constant).
            type: str
            choices: [constant]
            default: constant
          urgency:
            description: The urgency outside support hours.
            type: str
            choices: [high, low, severity_based]
            required: true
  support_hours:
    description:
      - The service's support hours, used by an urgency rule of type V(use_support_hours). Left as they are when unset.
    type: dict
    suboptions:
      time_zone:
        description:
          - The IANA time zone the hours are in, such as V(Europe/London). Required.
        type: str
      days_of_week:
        description:
          - The days, 1 (Monday) to 7 (Sunday). Their order does not matter.
        type: list
        elements: int
        required: true
      start_time:
        description:
          - When support starts each day, such as V(09:00) or V(09:00:00).
        type: str
        required: true
      end_time:
        description:
          - When support ends each day, such as V(17:00).
        type: str
        required: true
  alert_grouping_parameters:
    description:
      - How alerts are grouped into incidents, as PagerDuty's C(alert_grouping_parameters). Left as they are when unset.
      - Compared as a subset, so keys the task leaves out are not compared.
    type: dict
    suboptions:
      type:
        description:
          - The grouping.
        type: str
        choices: [time, intelligent, content_based]
        required: true
      config:
        description:
          - The grouping's settings, such as C(timeout) for V(time) or C(fields) and C(aggregate) for V(content_based).
        type: dict
  integrations:
    description:
      - Integrations the service must have, matched by name. A missing one is created; one whose vendor or email
        address differs is updated.
      - Integrations of the service not listed here are left alone (they may have been added by hand, and their
        routing keys are in use), unless O(purge_integrations=true).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The integration's name; identifies it on this service.
        type: str
        required: true
      type:
        description:
          - The integration's type. PagerDuty cannot change the type of an existing integration.
        type: str
        required: true
        choices:
          - events_api_v2_inbound_integration
          - generic_events_api_inbound_integration
          - generic_email_inbound_integration
          - aws_cloudwatch_inbound_integration
          - cloudkick_inbound_integration
          - event_transformer_api_inbound_integration
          - keynote_inbound_integration
          - nagios_inbound_integration
          - pingdom_inbound_integration
          - sql_monitor_inbound_integration
      vendor:
        description:
          - The exact name of the vendor the integration is for, such as V(Datadog).
        type: str
      integration_email:
        description:
          - The address of a V(generic_email_inbound_integration), in the account's C(pagerduty.com) subdomain.
            Required for that type, refused for others.
        type: str
  purge_integrations:
    description:
      - Whether O(integrations) is the exact list of the service's integrations.
      - PagerDuty's REST API cannot delete an integration, so this never removes one. With V(true), when the service
        has an integration that O(integrations) does not list, the task fails before any write and names those
        integrations, to be removed in PagerDuty's web UI (or listed); it never reports a service as converged while
        an integration the task does not want is still there.
      - With V(false), integrations not listed are left alone.
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), remove the service even when it has open incidents, which PagerDuty then resolves.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the service, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - The service is read with one request (C(GET /services?query=<name>&include[]=integrations)), so a run that
    changes nothing makes that one request. Vendors are listed (C(GET /vendors)) only when an integration to
    create or update names one.
  - PagerDuty's REST API has no call that deletes an integration, so integrations are only ever added or updated;
    O(purge_integrations=true) checks that there is none to remove instead.
  - Removing a service with open incidents fails unless O(force=true); the open incidents are looked up with
    C(GET /incidents?service_ids[]=<id>&statuses[]=triggered&statuses[]=acknowledged&date_range=all).
  - The diff shows the changed service fields and, under C(integrations), only the integrations added or updated.
seealso:
  - module: incident.ops.pd_service_info
  - module: incident.ops.pd_escalation_policy
  - name: PagerDuty Services API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
- name: Make sure the team exists
  incident.ops.pd_team:
    name: Payments
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"
      from_email: admin@example.com

- name: Page the team lead
  incident.ops.pd_escalation_policy:
    name: Payments escalation
    teams: [Payments]
    rules:
      - escalation_delay_in_minutes: 30
        targets:
          - type: user
            name: admin@example.com

- name: Create the service with an Events API v2 integration
  incident.ops.pd_service:
    name: Payments API
    description: Card payment authorisation
    escalation_policy: Payments escalation
    acknowledgement_timeout: 600
    auto_resolve_timeout: 0
    incident_urgency_rule:
      type: use_support_hours
      during_support_hours:
        urgency: high
      outside_support_hours:
        urgency: low
    support_hours:
      time_zone: Europe/London
      days_of_week: [1, 2, 3, 4, 5]
      start_time: "09:00"
      end_time: "17:00"
    integrations:
      - name: Prometheus alerts
        type: events_api_v2_inbound_integration
        vendor: Prometheus
  register: payments_api

- name: Show the routing key Prometheus needs
  ansible.builtin.debug:
    msg: "{{ (payments_api.service.integrations | selectattr('name', 'equalto', 'Prometheus alerts') | first).integration_key }}"

- name: Remove the service, resolving its open incidents
  incident.ops.pd_service:
    name: Payments API
    state: absent
    force: true
"""

RETURN = r"""
service:
  description:
    - The service as PagerDuty returns it after the change; in check mode, what it would be.
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The service's id (absent in check mode when the service would be created).
      type: str
      returned: when the service exists
    name:
      description: The service's name.
      type: str
    description:
      description: The service's description.
      type: str
    status:
      description: V(active), V(warning), V(critical), V(maintenance) or V(disabled).
      type: str
      returned: when the service exists
    escalation_policy:
      description: A reference to the service's escalation policy; its C(summary) is the policy's name.
      type: dict
    acknowledgement_timeout:
      description: Seconds before an acknowledged incident triggers again; null when turned off.
      type: int
    auto_resolve_timeout:
      description: Seconds before an open incident is resolved; null when turned off.
      type: int
    alert_creation:
      description: Whether events create incidents only or alerts and incidents.
      type: str
    incident_urgency_rule:
      description: The urgency rule.
      type: dict
    support_hours:
      description: The support hours, when set.
      type: dict
      returned: when set
    alert_grouping_parameters:
      description: How alerts are grouped, when set.
      type: dict
      returned: when set
    teams:
      description: References to the teams of the service (those of its escalation policy).
      type: list
      elements: dict
      returned: when the service exists
    integrations:
      description:
        - The service's integrations, sorted by name, including those the task does not list.
        - C(integration_key) is the routing key events are sent with; treat it as a secret.
      type: list
      elements: dict
      contains:
        id:
          description: The integration's id.
          type: str
        name:
          description: The integration's name.
          type: str
        type:
          description: The integration's type.
          type: str
        integration_key:
          description: The routing key of an events integration. Sensitive.
          type: str
          returned: for events integrations
        integration_email:
          description: The address of an email integration.
          type: str
          returned: for email integrations
        vendor:
          description: A reference to the integration's vendor; its C(summary) is the vendor's name.
          type: dict
          returned: when the integration has a vendor
  sample:
    id: PSRV1AB
    type: service
    name: Payments API
    description: Card payment authorisation
    status: active
    escalation_policy:
      id: PQIL2IX
      type: escalation_policy_reference
      summary: Payments escalation
    acknowledgement_timeout: 600
    auto_resolve_timeout: null
    alert_creation: create_alerts_and_incidents
    incident_urgency_rule:
      type: constant
      urgency: high
    teams:
      - id: PQ9K7I8
        type: team_reference
        summary: Payments
    integrations:
      - id: PINT3GR
        type: events_api_v2_inbound_integration
        name: Prometheus alerts
        integration_key: 0c9d6a9e8f7b4b2c9a1d3e5f7a9b1c3d
        vendor:
          id: PQ7NCSU
          type: vendor_reference
          summary: Prometheus
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import NamedObject, connect, reference
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.services import (
    EMAIL_INTEGRATION, INCLUDE_INTEGRATIONS, INTEGRATION_TYPES, integration_fields, open_incidents, present_service,
    service_integrations, vendor_ids)
from ansible_collections.incident.ops.plugins.module_utils.reconcile import (
    Resource, changes, create_once, ensure, pending, plan_set, set_diff, without_none)
from ansible_collections.incident.ops.plugins.module_utils.timestamps import time_of_day
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_once, check_time_zone

URGENCIES = ["high", "low", "severity_based"]
TIMEOUTS = ("acknowledgement_timeout", "auto_resolve_timeout")
SCALARS = ("description", "alert_creation") + TIMEOUTS
SETTINGS = ("incident_urgency_rule", "support_hours", "alert_grouping_parameters")
SUPPORT_HOURS_TYPE = "fixed_time_per_day"


def constant_rule():
    return dict(type=dict(type="str", choices=["constant"], default="constant"),
                urgency=dict(type="str", choices=URGENCIES, required=True))


ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str", required=True),
    description=dict(type="str"),
    escalation_policy=dict(type="str"),
    acknowledgement_timeout=dict(type="int"),
    auto_resolve_timeout=dict(type="int"),
    alert_creation=dict(type="str", choices=["create_incidents", "create_alerts_and_incidents"]),
    incident_urgency_rule=dict(type="dict", options=dict(
        type=dict(type="str", choices=["constant", "use_support_hours"], required=True),
        urgency=dict(type="str", choices=URGENCIES),
        during_support_hours=dict(type="dict", options=constant_rule()),
        outside_support_hours=dict(type="dict", options=constant_rule()),
    )),
    support_hours=dict(type="dict", options=dict(
        time_zone=dict(type="str"),
        days_of_week=dict(type="list", elements="int", required=True),
        start_time=dict(type="str", required=True),
        end_time=dict(type="str", required=True),
    )),
    alert_grouping_parameters=dict(type="dict", options=dict(
        type=dict(type="str", choices=["time", "intelligent", "content_based"], required=True),
        config=dict(type="dict"),
    )),
    integrations=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        type=dict(type="str", required=True, choices=INTEGRATION_TYPES),
        vendor=dict(type="str"),
        integration_email=dict(type="str"),
    )),
    purge_integrations=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


class Service(NamedObject):
    """A service found by name with its integrations; the escalation policy is compared by name."""

    collection = "services"
    key = "service"
    lookup_params = INCLUDE_INTEGRATIONS

    def current_fields(self, current):
        """The service in the task's shape: a turned-off timeout (null) reads as 0, the policy as its name."""
        fields = dict((key, current.get(key)) for key in SCALARS + SETTINGS)
        fields.update((key, current.get(key) or 0) for key in TIMEOUTS)
        fields["escalation_policy"] = (current.get("escalation_policy") or {}).get("summary")
        return fields

    def policy_reference(self, name):
        return reference("escalation_policy", self.api.require_named("escalation_policies", name)["id"])

    def resolve(self, fields):
        """Look up the escalation policy a write of ``fields`` names, before anything is written."""
        if fields.get("escalation_policy"):
            self.policy_reference(fields["escalation_policy"])

    def body(self, fields, current=None):
        """PagerDuty's shape: 0 timeouts as null; a PUT carries the name and the escalation policy, which it requires."""
        body = {"name": self.name}
        body.update((key, value) for key, value in fields.items() if key != "escalation_policy")
        body.update((key, fields[key] or None) for key in TIMEOUTS if key in fields)
        if fields.get("escalation_policy"):
            body["escalation_policy"] = self.policy_reference(fields["escalation_policy"])
        else:
            body["escalation_policy"] = reference("escalation_policy", current["escalation_policy"]["id"])
        return body

    def present(self, record):
        return present_service(record)

    def preview(self, current, changed):
        shown = dict(current)
        shown.update(self.body(changed, current))
        if "escalation_policy" in changed:
            shown["escalation_policy"] = dict(shown["escalation_policy"], summary=changed["escalation_policy"])
        else:
            shown["escalation_policy"] = current["escalation_policy"]
        return shown


class Integration(Resource):
    """One integration of a service, found by its name; after a lost answer to a create, the service is read again."""

    def __init__(self, api, service_id, name, vendors):
        self.api = api
        self.service_id = service_id
        self.name = name
        self.vendors = vendors

    def path(self, current=None):
        path = "/services/%s/integrations" % self.service_id
        return "%s/%s" % (path, current["id"]) if current else path

    def find(self):
        service = self.api.get("/services/%s" % self.service_id, params=INCLUDE_INTEGRATIONS)["service"]
        found = [item for item in service_integrations(service) if item.get("name") == self.name]
        return found[0] if found else None

    def body(self, fields, kind):
        body = {"type": kind, "name": self.name}
        if fields.get("integration_email"):
            body["integration_email"] = fields["integration_email"]
        if fields.get("vendor"):
            body["vendor"] = reference("vendor", self.vendors[fields["vendor"]])
        return {"integration": body}

    def create(self, desired):
        return self.api.post(self.path(), self.body(desired, desired["type"]))["integration"]

    def update(self, current, changed):
        return self.api.put(self.path(current), self.body(changed, current["type"]))["integration"]


def desired_rule(rule, support_hours_known):
    """The urgency rule without unset keys; each type needs its own parts."""
    if rule is None:
        return None
    if rule["type"] == "constant":
        if not rule["urgency"]:
            raise InvalidInput("incident_urgency_rule of type constant needs an urgency")
        return {"type": "constant", "urgency": rule["urgency"]}
    if not rule["during_support_hours"] or not rule["outside_support_hours"]:
        raise InvalidInput("incident_urgency_rule of type use_support_hours needs during_support_hours and outside_support_hours")
    if not support_hours_known:
        raise InvalidInput("incident_urgency_rule of type use_support_hours needs support_hours on the service")
    return {"type": "use_support_hours", "during_support_hours": dict(rule["during_support_hours"]),
            "outside_support_hours": dict(rule["outside_support_hours"])}


def desired_support_hours(hours):
    """Support hours as PagerDuty keeps them: times as HH:MM:SS, days once each in order."""
    if hours is None:
        return None
    if not hours["time_zone"]:
        raise InvalidInput("support_hours needs a time_zone, such as Europe/London")
    days = sorted(set(hours["days_of_week"]))
    if not days or any(day < 1 or day > 7 for day in days):
        raise InvalidInput("support_hours.days_of_week must list days from 1 (Monday) to 7 (Sunday), got %s"
                           % hours["days_of_week"])
    return {"type": SUPPORT_HOURS_TYPE, "time_zone": check_time_zone(hours["time_zone"], "support_hours.time_zone"),
            "days_of_week": days, "start_time": time_of_day(hours["start_time"], "support_hours.start_time"),
            "end_time": time_of_day(hours["end_time"], "support_hours.end_time")}


def desired_service(params, current):
    """The service fields the task sets, in the shape ``Service.current_fields`` gives; the name is the identity."""
    for key in TIMEOUTS:
        if params[key] is not None and params[key] < 0:
            raise InvalidInput("%s must be 0 (off) or more seconds, got %d" % (key, params[key]))
    desired = dict((key, params[key]) for key in SCALARS + ("escalation_policy",))
    desired["support_hours"] = desired_support_hours(params["support_hours"])
    known = desired["support_hours"] is not None or bool(current and current.get("support_hours"))
    desired["incident_urgency_rule"] = desired_rule(params["incident_urgency_rule"], known)
    grouping = params["alert_grouping_parameters"]
    desired["alert_grouping_parameters"] = without_none(grouping) if grouping else None
    return desired


def desired_integrations(integrations):
    """The integrations the task lists, once each by name, with an address exactly for email integrations."""
    wanted, seen = [], set()
    for entry in integrations or []:
        name = check_once(seen, entry["name"].strip(), "The integration %r" % entry["name"])
        email = entry["integration_email"]
        if entry["type"] == EMAIL_INTEGRATION:
            if not email:
                raise InvalidInput("The integration %r is a %s and needs integration_email" % (name, EMAIL_INTEGRATION))
            check_email(email, "integration_email of %r" % name)
        elif email:
            raise InvalidInput("integration_email is for %s integrations only; %r is a %s" % (EMAIL_INTEGRATION, name, entry["type"]))
        wanted.append({"name": name, "type": entry["type"], "vendor": entry["vendor"], "integration_email": email})
    return wanted


def plan_integrations(current, wanted, purge=False):
    """Integrations to add or update, matched by name; refused before any write: a type PagerDuty cannot change and,
    with ``purge``, an integration the task does not list, which the API cannot delete.
    """
    plan = plan_set([integration_fields(item) for item in service_integrations(current or {})], wanted,
                    lambda item: item["name"], purge=purge)
    if plan.remove:
        raise InvalidInput("purge_integrations: the service %r has integrations the task does not list: %s. PagerDuty's API "
                           "cannot delete an integration; remove them in PagerDuty's web UI, or list them"
                           % (current["name"], ", ".join("%r (%s)" % (item["name"], item["id"]) for item in plan.remove)))
    for have, item in plan.update:
        if have["type"] != item["type"]:
            raise InvalidInput("The integration %r is a %s; PagerDuty cannot change an integration's type, so give the %s "
                               "another name" % (item["name"], have["type"], item["type"]))
    return plan


def shown_integration(item):
    return without_none({key: item.get(key) for key in ("name", "type", "vendor", "integration_email")})


def write_integrations(api, service_id, current, plan, vendors):
    """Update, then create the planned integrations; the result lists every integration of the service, by name."""
    by_id = dict((item["id"], item) for item in service_integrations(current or {}))
    for have, item in plan.update:
        by_id[have["id"]] = Integration(api, service_id, have["name"], vendors).update(have, changes(have, item))
    for item in plan.add:
        made = create_once(Integration(api, service_id, item["name"], vendors), without_none(item))[0]
        by_id[made["id"]] = made
    return sorted(by_id.values(), key=lambda item: item.get("name") or "")


def remove(module, service, current):
    """Remove the service; open incidents (which PagerDuty resolves) stop it unless ``force``."""
    params = module.params
    if current is not None:
        opened = open_incidents(service.api, current["id"])
        if opened and not params["force"]:
            raise InvalidInput("The service %r has %d open incidents, which PagerDuty resolves when the service is removed; "
                               "resolve them first or set force: true" % (current["name"], len(opened)))
        if opened:
            module.warn("PagerDuty resolves the %d open incidents of the service %r as it removes it" % (len(opened), current["name"]))
    return ensure(service, {}, "absent", module.check_mode, identity={"name": params["name"]}).as_tuple()


def run(module, api):
    params = module.params
    service = Service(api, params["name"])
    current = service.look()
    if params["state"] == "absent":
        return remove(module, service, current)
    desired = desired_service(params, current)
    if current is None and not desired["escalation_policy"]:
        raise InvalidInput("escalation_policy is required to create the service %r" % params["name"])
    service.resolve(pending(service, current, without_none(desired)))
    plan = plan_integrations(current, desired_integrations(params["integrations"]), params["purge_integrations"])
    touched = plan.add + [item for unused, item in plan.update]
    vendors = vendor_ids(api, sorted(set(item["vendor"] for item in touched if item["vendor"])))
    outcome = ensure(service, desired, "present", module.check_mode, identity={"name": params["name"]})
    if module.check_mode:
        integrations = service_integrations(current or {}) + [shown_integration(item) for item in plan.add]
    else:
        integrations = write_integrations(api, outcome.result["id"], current, plan, vendors)
    result = dict(outcome.result, integrations=integrations)
    if plan.changed:
        outcome.diff["before"]["integrations"], outcome.diff["after"]["integrations"] = set_diff(plan, shown_integration)
    return outcome.changed or plan.changed, result, outcome.diff


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "service")


if __name__ == "__main__":
    main()
