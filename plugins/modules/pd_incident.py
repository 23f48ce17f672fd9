#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_incident
short_description: Open, acknowledge, resolve, reassign, snooze, annotate and merge PagerDuty incidents
version_added: 0.1.0
description:
  - Open a PagerDuty incident once, and move it on (acknowledge, resolve) from a playbook that can be run again
    without paging anyone twice.
  - The incident is named by O(incident_key) (PagerDuty's de-duplication key, the Events API's C(dedup_key)) or by
    O(id). A task without either opens nothing, since an incident it could not find again would be opened on every run.
  - A run that finds the incident in the asked state, with the asked urgency, priority, assignees and note, changes nothing.
  - With O(ids) or a filter (O(services), O(statuses), O(since)) instead, acknowledges or resolves many incidents at once.
author:
  - incident.ops maintainers (@incident-ops)
options:
  incident_key:
    description:
      - The incident's de-duplication key. A new incident gets it; an existing one is found by it.
      - When several incidents had the key over time, the open one is meant, else the latest resolved one.
    type: str
  id:
    description:
      - The id (or number) of an existing incident. Takes precedence over O(incident_key) for finding it.
    type: str
  state:
    description:
      - The status the incident should have. When unset, a new incident is V(triggered) and an existing one keeps its status.
      - PagerDuty incidents only move forward (triggered, acknowledged, resolved); asking an incident to move back
        fails, before anything is written. Use a new O(incident_key) to open a new incident.
      - An incident that does not exist is not resolved or acknowledged; V(resolved) then changes nothing.
      - In bulk mode, V(acknowledged) or V(resolved) is required.
    type: str
    choices: [triggered, acknowledged, resolved]
  title:
    description:
      - The incident's title. Required to open an incident; not compared afterwards.
    type: str
  service:
    description:
      - The name of the service the incident is opened on. Required to open an incident; not compared afterwards.
    type: str
  urgency:
    description:
      - The incident's urgency; set on creation and changed on an existing incident when it differs.
    type: str
    choices: [high, low]
  body:
    description:
      - The incident's details text, set on creation only.
    type: str
  priority:
    description:
      - The name of the incident's priority (such as V(P1)), looked up in the account's priorities; set on creation and
        changed when it differs.
    type: str
  escalation_policy:
    description:
      - The name of the escalation policy a new incident is assigned through, instead of the service's.
    type: str
  assignees:
    description:
      - The login emails of the users a new incident is assigned to directly, instead of through a policy.
    type: list
    elements: str
  conference_bridge:
    description:
      - The conference bridge of a new incident.
    type: dict
    suboptions:
      conference_number:
        description: The phone number of the bridge, with its access code.
        type: str
      conference_url:
        description: The URL of the bridge.
        type: str
  resolution:
    description:
      - The resolution PagerDuty records with the resolve (in the incident's log, not as a note). Sent only when this
        task resolves the incident.
    type: str
  note:
    description:
      - A note to add to the incident, once. A run that finds a note with the same text on the incident adds nothing.
    type: str
  snooze_minutes:
    description:
      - Snooze the incident for this many minutes (1 to 10080, a week). Only an acknowledged incident (or one this task
        acknowledges) can be snoozed; a running snooze is not started again.
    type: int
  reassign_to:
    description:
      - Reassign the incident to these users (login emails) or to one escalation policy (its name).
      - Nothing is sent when the incident is already assigned to exactly these users, or through this policy.
      - PagerDuty returns a reassigned incident to triggered.
    type: list
    elements: str
  merge_into:
    description:
      - The id or incident_key of the incident that survives; this incident is merged into it, which resolves it.
      - A resolved incident (as a merge leaves it) is not merged again.
    type: str
  ids:
    description:
      - In bulk mode, the ids of the incidents to acknowledge or resolve.
    type: list
    elements: str
  services:
    description:
      - In bulk mode, act on the incidents of these services (names).
    type: list
    elements: str
  statuses:
    description:
      - In bulk mode, act on the incidents with these statuses (default both open ones).
    type: list
    elements: str
    choices: [triggered, acknowledged]
  since:
    description:
      - In bulk mode, act on the incidents created at or after this ISO 8601 date-time (with an offset).
    type: str
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - O(from_email) is required, since PagerDuty records every incident change on a user's behalf. Without it the task fails
    before any request.
  - A run on an incident found by O(incident_key) that changes nothing makes one request (C(GET /incidents?incident_key=)),
    and one more (C(GET /incidents/{id}/notes)) when O(note) is set. A run that changes something writes with one
    C(PUT /incidents/{id}) for status, urgency, priority and assignment, then merges, adds the note and snoozes, and
    reads the incident back once.
  - Unknown services, priorities, policies and users, a snooze out of range, a merge into the incident itself and an
    incident that would have to move back fail before anything is written.
  - In bulk mode the incidents are read first (C(GET /incidents/{id}) for each of O(ids), or one listing for a filter),
    and only those not yet in O(state) are changed, with C(PUT /incidents) in batches of at most 250.
  - The diff holds only what changes (status, urgency, priority, assignees or policy, merge target, added note, snooze).
seealso:
  - module: incident.ops.pd_incident_info
  - module: incident.ops.pd_event
  - name: PagerDuty Incidents API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
- name: Open an incident for the database failover (once)
  incident.ops.pd_incident:
    incident_key: db-failover-2026-01
    title: Primary database failover in progress
    service: Checkout
    urgency: high
    priority: P2
    body: Replica promotion started by the failover runbook.
  module_defaults:
    group/incident.ops.pagerduty:
      api_token: "{{ pagerduty_token }}"
      from_email: oncall-bot@example.com

- name: Acknowledge it, hand it to the database team and snooze it while the replica catches up
  incident.ops.pd_incident:
    incident_key: db-failover-2026-01
    state: acknowledged
    note: Failover runbook running; replica lag is being watched.
    snooze_minutes: 30

- name: Resolve it with a resolution
  incident.ops.pd_incident:
    incident_key: db-failover-2026-01
    state: resolved
    resolution: Replica promoted; old primary rebuilt.

- name: Resolve every open incident of two services
  incident.ops.pd_incident:
    services: [Checkout, Payments]
    state: resolved
"""

RETURN = r"""
incident:
  description:
    - The incident as PagerDuty returns it after the task, with its assignees' user objects; in check mode, what it
      would be. Null when there is no incident to act on (resolving a key no incident holds).
    - Returned outside bulk mode.
  returned: success
  type: dict
  contains:
    id:
      description: The incident's id (absent in check mode when it would be created).
      type: str
    incident_number:
      description: The incident's number.
      type: int
    incident_key:
      description: The incident's de-duplication key.
      type: str
    title:
      description: The incident's title.
      type: str
    status:
      description: V(triggered), V(acknowledged) or V(resolved).
      type: str
    urgency:
      description: V(high) or V(low).
      type: str
    priority:
      description: The incident's priority, with its C(name).
      type: dict
    service:
      description: A reference to the incident's service.
      type: dict
    escalation_policy:
      description: A reference to the policy the incident is assigned through.
      type: dict
    assignments:
      description: Who the incident is assigned to, each with C(assignee) (a user, with its C(email)) and C(at).
      type: list
      elements: dict
    pending_actions:
      description: Pending actions; a running snooze is an C(unacknowledge) action with its C(at) time.
      type: list
      elements: dict
  sample:
    id: PT4KHLK
    incident_number: 1234
    incident_key: db-failover-2026-01
    title: Primary database failover in progress
    status: acknowledged
    urgency: high
    priority: {id: PKRBZ2B, type: priority, name: P2}
incidents:
  description: Bulk mode only. The ids of the incidents the task changed (in check mode, would change).
  returned: in bulk mode
  type: list
  elements: str
  sample: [PT4KHLK, PIJ90N7]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options, timestamps
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty import incidents
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, connect, reference
from ansible_collections.incident.ops.plugins.module_utils.reconcile import create_once, without_none
from ansible_collections.incident.ops.plugins.module_utils.validation import EMAIL, InvalidInput, check_email

MAX_SNOOZE_MINUTES = 10080
BULK_OPTIONS = ("ids", "services", "statuses", "since")

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    incident_key=dict(type="str", no_log=False),
    id=dict(type="str"),
    state=dict(type="str", choices=["triggered", "acknowledged", "resolved"]),
    title=dict(type="str"),
    service=dict(type="str"),
    urgency=dict(type="str", choices=["high", "low"]),
    body=dict(type="str"),
    priority=dict(type="str"),
    escalation_policy=dict(type="str"),
    assignees=dict(type="list", elements="str"),
    conference_bridge=dict(type="dict", options=dict(conference_number=dict(type="str"), conference_url=dict(type="str"))),
    resolution=dict(type="str"),
    note=dict(type="str"),
    snooze_minutes=dict(type="int"),
    reassign_to=dict(type="list", elements="str"),
    merge_into=dict(type="str"),
    ids=dict(type="list", elements="str"),
    services=dict(type="list", elements="str"),
    statuses=dict(type="list", elements="str", choices=["triggered", "acknowledged"]),
    since=dict(type="str"),
)
MUTUALLY_EXCLUSIVE = [("escalation_policy", "assignees")]


class Incident(ApiObject):
    """An incident found by id or key; opened with the ``From`` header PagerDuty requires."""

    collection = "incidents"
    key = "incident"

    def __init__(self, api, params):
        super().__init__(api)
        self.params = params

    def lookup(self):
        return incidents.find(self.api, self.params["id"], self.params["incident_key"])

    def create_headers(self):
        return self.api.acting_user()


def is_bulk(params):
    return any(params[name] is not None for name in BULK_OPTIONS)


def check_input(params):
    """What can be refused without a request: identity, bulk mixing, snooze range, merge and state together."""
    if is_bulk(params):
        if params["id"] or params["incident_key"]:
            raise InvalidInput("ids, services, statuses and since select incidents in bulk; they cannot be combined "
                               "with id or incident_key")
        if params["state"] not in ("acknowledged", "resolved"):
            raise InvalidInput("A bulk change needs state acknowledged or resolved")
        return
    if not (params["id"] or params["incident_key"]):
        if params["state"] == "resolved":
            raise InvalidInput("Resolving needs the incident's incident_key or id")
        raise InvalidInput("Give incident_key (or the id of an existing incident): an incident opened without a key "
                           "could not be found again, and every run would open another")
    minutes = params["snooze_minutes"]
    if minutes is not None and not 1 <= minutes <= MAX_SNOOZE_MINUTES:
        raise InvalidInput("snooze_minutes must be between 1 and %d (a week), got %d" % (MAX_SNOOZE_MINUTES, minutes))
    target = params["merge_into"]
    if target is not None:
        if target in (params["id"], params["incident_key"]):
            raise InvalidInput("An incident cannot be merged into itself (merge_into %r)" % target)
        if params["state"] in ("triggered", "acknowledged"):
            raise InvalidInput("A merge resolves the incident; state %s contradicts merge_into" % params["state"])
    for email in params["assignees"] or []:
        check_email(email, "assignee")


def reassignment(params):
    """``("users", emails)`` or ``("policy", name)`` for ``reassign_to``; None when it is unset."""
    targets = params["reassign_to"]
    if not targets:
        return None
    emails = [target.strip().lower() for target in targets if EMAIL.match(target.strip())]
    if len(emails) == len(targets):
        return "users", sorted(set(emails))
    if len(targets) == 1 and not emails:
        return "policy", targets[0].strip()
    raise InvalidInput("reassign_to takes user emails or one escalation policy name, not both: %s" % ", ".join(targets))


# Opening ---------------------------------------------------------------------------------------------------


def new_incident(api, params):
    """The body of ``POST /incidents``, with every name resolved (unknown ones fail here, before the write)."""
    missing = [name for name in ("title", "service") if not params[name]]
    if missing:
        raise InvalidInput("Opening an incident needs %s" % " and ".join(missing))
    body = {"title": params["title"], "incident_key": params["incident_key"], "urgency": params["urgency"],
            "service": reference("service", incidents.require_services(api, [params["service"]])[0])}
    if params["body"]:
        body["body"] = {"type": "incident_body", "details": params["body"]}
    if params["priority"]:
        body["priority"] = reference("priority", incidents.require_priority(api, params["priority"])["id"])
    if params["escalation_policy"]:
        body["escalation_policy"] = reference("escalation_policy",
                                              api.require_named("escalation_policies", params["escalation_policy"])["id"])
    if params["assignees"]:
        users = api.require_users(params["assignees"])
        body["assignments"] = [{"assignee": reference("user", user["id"])} for user in users.values()]
    if params["conference_bridge"]:
        body["conference_bridge"] = without_none(params["conference_bridge"])
    return without_none(body)


def preview_of_new(params):
    """What check mode shows for an incident it would open: the fields as the task names them."""
    return without_none({"incident_key": params["incident_key"], "title": params["title"], "status": "triggered",
                         "urgency": params["urgency"], "service": {"summary": params["service"]},
                         "priority": {"name": params["priority"]} if params["priority"] else None})


# Changing -----------------------------------------------------------------------------------------------------


class Plan:
    """The writes one run makes on an incident, planned (and every name resolved) before the first of them."""

    def __init__(self):
        self.put = {}
        self.merge_target = None
        self.note = None
        self.snooze = None
        self.before = {}
        self.after = {}

    @property
    def changed(self):
        return bool(self.put or self.merge_target or self.note or self.snooze)

    def record(self, field, before, after):
        self.before[field] = before
        self.after[field] = after


def plan_status(plan, incident, params):
    wanted = params["state"]
    incidents.refuse_moving_back(incident, wanted)
    if wanted and wanted != incident["status"] and not params["merge_into"]:
        plan.put["status"] = wanted
        if wanted == "resolved" and params["resolution"]:
            plan.put["resolution"] = params["resolution"]
        plan.record("status", incident["status"], wanted)


def plan_fields(api, plan, incident, params):
    if params["urgency"] and params["urgency"] != incident.get("urgency"):
        plan.put["urgency"] = params["urgency"]
        plan.record("urgency", incident.get("urgency"), params["urgency"])
    have = incidents.priority_name(incident)
    if params["priority"] and params["priority"] != have:
        plan.put["priority"] = reference("priority", incidents.require_priority(api, params["priority"])["id"])
        plan.record("priority", have, params["priority"])


def plan_reassignment(api, plan, incident, params):
    wanted = reassignment(params)
    if wanted is None:
        return
    kind, target = wanted
    if kind == "users":
        have = incidents.assignee_emails(incident)
        if have == target:
            return
        users = api.require_users(target)
        plan.put["assignments"] = [{"assignee": reference("user", users[email]["id"])} for email in target]
        plan.record("assignees", have, target)
    else:
        have = (incident.get("escalation_policy") or {}).get("summary")
        if have == target and incident.get("assigned_via") == "escalation_policy":
            return
        policy = api.require_named("escalation_policies", target)
        plan.put["escalation_policy"] = reference("escalation_policy", policy["id"])
        plan.record("escalation_policy", have, target)
    if incident["status"] == "resolved":
        raise InvalidInput("%s is resolved and cannot be reassigned" % incident["id"])


def plan_merge(api, plan, incident, params):
    """Merge unless the incident is resolved already (a merge leaves it so, and PagerDuty merges no resolved incident)."""
    if not params["merge_into"] or incident["status"] == "resolved":
        return
    target = incidents.by_key(api, params["merge_into"]) or incidents.by_id(api, params["merge_into"])
    if target is None:
        raise InvalidInput("No incident has the id or incident_key %r to merge into" % params["merge_into"])
    if target.get("id") == incident.get("id"):
        raise InvalidInput("An incident cannot be merged into itself (merge_into %r)" % params["merge_into"])
    if target["status"] == "resolved":
        raise InvalidInput("The incident to merge into (%s) is resolved; PagerDuty merges only into an open incident"
                           % target["id"])
    plan.merge_target = target
    plan.record("merged_into", None, target["id"])


def plan_note(api, plan, incident, params):
    text = (params["note"] or "").strip()
    if not text:
        return
    if incident.get("id") and any((note.get("content") or "").strip() == text for note in incidents.notes(api, incident)):
        return
    plan.note = text
    plan.record("note", None, text)


def plan_snooze(plan, incident, params):
    minutes = params["snooze_minutes"]
    if minutes is None:
        return
    status = plan.put.get("status", incident["status"])
    if "assignments" in plan.put or "escalation_policy" in plan.put:
        status = plan.put.get("status", "triggered")
    if status != "acknowledged":
        raise InvalidInput("Only an acknowledged incident can be snoozed; %s would be %s (set state: acknowledged)"
                           % (incident.get("id") or "the new incident", status))
    if incidents.snoozed(incident) and status == incident["status"]:
        return
    plan.snooze = minutes
    plan.record("snooze_minutes", None, minutes)


def plan_changes(api, incident, params):
    plan = Plan()
    plan_status(plan, incident, params)
    plan_fields(api, plan, incident, params)
    plan_reassignment(api, plan, incident, params)
    plan_merge(api, plan, incident, params)
    plan_note(api, plan, incident, params)
    plan_snooze(plan, incident, params)
    return plan


def write(api, incident, plan):
    """The planned writes, in an order PagerDuty accepts: fields and status, merge, note, snooze."""
    path = "/incidents/%s" % incident["id"]
    headers = api.acting_user()
    if plan.put:
        api.put(path, {"incident": dict(plan.put, type="incident_reference")}, headers=headers)
    if plan.merge_target:
        api.put("/incidents/%s/merge" % plan.merge_target["id"],
                {"source_incidents": [reference("incident", incident["id"])]}, headers=headers)
    if plan.note:
        api.post(path + "/notes", {"note": {"content": plan.note}}, headers=headers)
    if plan.snooze:
        api.post(path + "/snooze", {"duration": plan.snooze * 60}, headers=headers)
    return incidents.by_id(api, incident["id"])


def preview(incident, plan):
    """The incident as check mode expects it after the plan."""
    shown = dict(incident)
    shown.update((key, value) for key, value in plan.after.items() if key in ("status", "urgency"))
    if "priority" in plan.after:
        shown["priority"] = {"name": plan.after["priority"]}
    if plan.merge_target:
        shown["status"] = "resolved"
    return shown


def run_one(module, api):
    params = module.params
    resource = Incident(api, params)
    current = resource.look()
    if current is None:
        if params["id"] and not params["incident_key"]:
            raise InvalidInput("No PagerDuty incident has the id %r" % params["id"])
        if params["state"] == "resolved":
            return False, None, {"before": {}, "after": {}}
        body = new_incident(api, params)
        base = dict(preview_of_new(params), status="triggered", pending_actions=[])
        plan = plan_changes(api, base, dict(params, state=None if params["state"] == "triggered" else params["state"]))
        diff = {"before": {}, "after": dict(body, **plan.after)}
        if module.check_mode:
            return True, preview(base, plan), diff
        created = create_once(resource, body)[0]
        return True, write(api, created, plan) if plan.changed else created, diff
    plan = plan_changes(api, current, params)
    if not plan.changed:
        return False, current, {"before": {}, "after": {}}
    diff = {"before": plan.before, "after": plan.after}
    return True, preview(current, plan) if module.check_mode else write(api, current, plan), diff


# Bulk ------------------------------------------------------------------------------------------------------------


def bulk_candidates(api, params):
    """The incidents a bulk task selects: by id (an unknown id is bad input) or by one filtered listing."""
    if params["ids"]:
        found = [(incident_id, incidents.by_id(api, incident_id)) for incident_id in params["ids"]]
        unknown = [incident_id for incident_id, incident in found if incident is None]
        if unknown:
            raise InvalidInput("No PagerDuty incident has the id %s" % ", ".join(repr(item) for item in unknown))
        return [incident for unused, incident in found]
    query = {"statuses[]": params["statuses"] or list(incidents.OPEN)}
    if params["services"]:
        query["service_ids[]"] = incidents.require_services(api, params["services"])
    if params["since"]:
        query["since"] = timestamps.canonical(params["since"], "since")
    else:
        query["date_range"] = "all"
    return api.list("incidents", query)


def run_bulk(module, api):
    params = module.params
    wanted = params["state"]
    selected = bulk_candidates(api, params)
    targets = [incident for incident in selected if incident["status"] != wanted and not
               incidents.moves_back(incident["status"], wanted)]
    ids = [incident["id"] for incident in targets]
    diff = {"before": {"incidents": [{"id": item["id"], "status": item["status"]} for item in targets]},
            "after": {"incidents": [{"id": item["id"], "status": wanted} for item in targets]}}
    if ids and not module.check_mode:
        body = {"status": wanted}
        if wanted == "resolved" and params["resolution"]:
            body["resolution"] = params["resolution"]
        incidents.bulk_update(api, ids, body)
    return bool(ids), ids, diff


def run(module, api):
    check_input(module.params)
    api.acting_user()
    return (run_bulk if is_bulk(module.params) else run_one)(module, api)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
    execute(module, connect, run, "incidents" if is_bulk(module.params) else "incident")


if __name__ == "__main__":
    main()
