#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_webhook_subscription
short_description: Manage PagerDuty v3 webhook subscriptions
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty generic v3 webhook subscription, so that PagerDuty sends the incident
    events of one service, one team or the whole account to a URL, such as the
    C(incident.ops.pagerduty_webhook) event source of Event-Driven Ansible.
  - A subscription is identified by its delivery URL together with its filter (the service, the team, or the
    account); the same URL may receive the events of several services through one subscription each.
  - PagerDuty signs every webhook with a secret it generates when the subscription is created and shows only in
    that answer; the module returns it then (see RV(webhook_subscription.delivery_method.secret)).
author:
  - incident.ops maintainers (@incident-ops)
options:
  url:
    description:
      - The URL PagerDuty delivers the webhooks to (C(http://) or C(https://)).
      - Part of the subscription's identity; PagerDuty cannot change the URL of a subscription, so a new URL is a new
        subscription.
    type: str
    required: true
  service:
    description:
      - Deliver the events of the incidents of the service with this exact name.
      - Part of the subscription's identity. Mutually exclusive with O(team); with neither, the subscription covers the
        whole account.
    type: str
  team:
    description:
      - Deliver the events of the incidents of the team with this exact name (the teams of the incident's escalation
        policy).
      - Part of the subscription's identity. Mutually exclusive with O(service).
    type: str
  events:
    description:
      - The event types to deliver, such as V(incident.triggered), V(incident.acknowledged) and V(incident.resolved).
        Their order does not matter.
      - Required to create a subscription; left as they are when unset.
      - PagerDuty names the event types it knows; an unknown one fails the task without writing anything.
    type: list
    elements: str
  description:
    description:
      - A short description of the subscription. Left as it is when unset.
    type: str
  active:
    description:
      - Whether PagerDuty sends webhooks for this subscription. Left as it is when unset; a new subscription is active.
    type: bool
  state:
    description:
      - V(present) creates or updates the subscription, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - The service or team is looked up by name first (one request), then the subscriptions of that filter are listed
    (C(GET /webhook_subscriptions?filter_type=...&filter_id=...)); a run that changes nothing makes these two
    requests, or one for an account-wide subscription.
  - Two subscriptions with the same URL and filter cannot be told apart; the task then fails naming them.
  - Custom headers are not managed, because PagerDuty redacts their values when it answers, so they could not be compared.
seealso:
  - module: incident.ops.pd_team
  - name: PagerDuty webhook subscriptions API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
  - name: Verifying PagerDuty webhook signatures
    description: How a receiver checks the X-PagerDuty-Signature header with the subscription's secret.
    link: https://developer.pagerduty.com/docs/webhooks/webhook-signatures/
"""

EXAMPLES = r"""
- name: Send the checkout service's incidents to the remediation listener
  incident.ops.pd_webhook_subscription:
    url: https://eda.example.com/pagerduty
    service: Checkout
    description: Event-Driven Ansible remediation
    events:
      - incident.triggered
      - incident.acknowledged
      - incident.resolved
  register: checkout_hook
  no_log: true  # the answer to a create carries the signing secret

- name: Keep the signing secret for the listener (PagerDuty shows it only once)
  ansible.builtin.copy:
    dest: /etc/eda/pagerduty-secret
    content: "{{ checkout_hook.webhook_subscription.delivery_method.secret }}"
    mode: "0600"
  when: checkout_hook.webhook_subscription.delivery_method.secret
  no_log: true

- name: Pause the deliveries during maintenance
  incident.ops.pd_webhook_subscription:
    url: https://eda.example.com/pagerduty
    service: Checkout
    active: false

- name: Remove the subscription
  incident.ops.pd_webhook_subscription:
    url: https://eda.example.com/pagerduty
    service: Checkout
    state: absent
"""

RETURN = r"""
webhook_subscription:
  description:
    - The subscription as PagerDuty returns it after the change; in check mode, what it would be.
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The subscription's id (absent in check mode when it would be created).
      type: str
      returned: when the subscription exists
      sample: PY1OL64
    type:
      description: Always C(webhook_subscription).
      type: str
      returned: when the subscription exists
    active:
      description: Whether PagerDuty sends webhooks for it.
      type: bool
      sample: true
    description:
      description: The subscription's description.
      type: str
      sample: Event-Driven Ansible remediation
    events:
      description: The event types delivered.
      type: list
      elements: str
      sample: [incident.acknowledged, incident.resolved, incident.triggered]
    filter:
      description: What the subscription covers, C({type, id}) with C(type) one of C(service_reference),
        C(team_reference) or C(account_reference) (no C(id)).
      type: dict
      sample:
        type: service_reference
        id: P393ZNQ
    delivery_method:
      description: Where and how the webhooks are sent.
      type: dict
      contains:
        url:
          description: The delivery URL.
          type: str
          sample: https://eda.example.com/pagerduty
        secret:
          description:
            - The secret PagerDuty signs each webhook with (HMAC-SHA256, sent as C(X-PagerDuty-Signature)).
            - Only in the run that creates the subscription; null afterwards, as PagerDuty never shows it again.
          type: str
          returned: always
        type:
          description: Always C(http_delivery_method).
          type: str
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, connect
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    url=dict(type="str", required=True),
    service=dict(type="str"),
    team=dict(type="str"),
    events=dict(type="list", elements="str"),
    description=dict(type="str"),
    active=dict(type="bool"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
MUTUALLY_EXCLUSIVE = [("service", "team")]
WEB_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


class Subscription(ApiObject):
    """The subscription delivering to ``url`` with ``target`` as its filter."""

    collection = "webhook_subscriptions"
    key = "webhook_subscription"

    def __init__(self, api, url, target):
        super().__init__(api)
        self.url = url
        self.target = target

    def lookup(self):
        params = {"filter_type": self.target["type"].replace("_reference", "")}
        if self.target.get("id"):
            params["filter_id"] = self.target["id"]
        found = [item for item in self.api.list(self.collection, params)
                 if (item.get("delivery_method") or {}).get("url") == self.url and same_filter(item.get("filter"), self.target)]
        if len(found) > 1:
            raise InvalidInput("%d webhook subscriptions deliver to %s with the same filter (%s); remove all but one in "
                               "PagerDuty first" % (len(found), self.url, ", ".join(item["id"] for item in found)))
        return found[0] if found else None

    def current_fields(self, current):
        return {"description": current.get("description"), "events": sorted(current.get("events") or []),
                "active": current.get("active")}


def same_filter(have, want):
    have = have or {}
    return have.get("type") == want["type"] and have.get("id") == want.get("id")


def target_filter(api, params):
    """The filter the task names: a service or team looked up by name, else the whole account."""
    for option, collection in (("service", "services"), ("team", "teams")):
        if params[option] is not None:
            return {"type": option + "_reference", "id": api.require_named(collection, params[option])["id"]}
    return {"type": "account_reference"}


def delivery_url(value):
    url = value.strip()
    if not WEB_URL.match(url):
        raise InvalidInput("url %r is not an http:// or https:// URL" % value)
    return url


def desired_events(events):
    """The event types once each and sorted, since their order means nothing; None leaves them alone."""
    if events is None:
        return None
    wanted = sorted(set(event.strip() for event in events))
    if not wanted or "" in wanted:
        raise InvalidInput("events must name at least one event type, such as incident.triggered, and no empty one")
    return wanted


def run(module, api):
    params = module.params
    url = delivery_url(params["url"])
    desired = {"description": params["description"], "events": desired_events(params["events"]), "active": params["active"]}
    subscription = Subscription(api, url, target_filter(api, params))
    current = subscription.look()
    if params["state"] == "present" and current is None and desired["events"] is None:
        raise InvalidInput("events is required to create the webhook subscription for %s" % url)
    identity = {"delivery_method": {"type": "http_delivery_method", "url": url}, "filter": subscription.target}
    return ensure(subscription, desired, params["state"], module.check_mode, identity=identity).as_tuple()


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "webhook_subscription")


if __name__ == "__main__":
    main()
