# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Taking a user out of the escalation policies and schedules that name them, before the user is removed.

PagerDuty will not remove a user whom an escalation policy still targets, and
a schedule layer that still rotates through a removed user loses a shift.
``holdings`` finds both kinds of object; ``Release`` plans the edits that
take the user out and checks, before anything is written, that no policy is
left without rules and no schedule without layers.
"""

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.escalation import target_kind
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import describe_object, reference
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.teams import current_team_references
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

# Rules are sent back whole, so their assignment strategy must be read to be kept.
POLICY_PARAMS = {"include[]": ["escalation_rule_assignment_strategies"]}
SCHEDULE_PARAMS = {"include[]": ["schedule_layers"]}
RENDERED_LAYER_FIELDS = ("rendered_schedule_entries", "rendered_coverage_percentage")


def is_user(target, user_id):
    return target_kind(target) == "user" and target.get("id") == user_id


def layer_user_ids(layer):
    return [(entry.get("user") or {}).get("id") for entry in layer.get("users") or []]


def holdings(api, user_id):
    """The escalation policies whose rules target the user directly, and the schedules with the user in a layer.

    Policies are filtered server-side (``user_ids[]``); the schedule list has no
    such filter, so every schedule is read with its layers, all pages.
    """
    policies = [policy for policy in api.list("escalation_policies", dict(POLICY_PARAMS, **{"user_ids[]": [user_id]}))
                if any(is_user(target, user_id) for rule in policy.get("escalation_rules") or [] for target in rule.get("targets") or [])]
    schedules = [schedule for schedule in api.list("schedules", SCHEDULE_PARAMS)
                 if any(user_id in layer_user_ids(layer) for layer in schedule.get("schedule_layers") or [])]
    return policies, schedules


def describe(policies, schedules):
    """``escalation policy 'Ops' (P1), schedule 'Primary' (P2)``: what holds a user, for messages."""
    return ", ".join([describe_object("escalation policy", policy) for policy in policies] +
                     [describe_object("schedule", schedule) for schedule in schedules])


def policy_without(policy, user_id):
    """The PUT body of ``policy`` without the user; a rule left with no targets goes, a policy left with no rules is refused."""
    rules = []
    for rule in policy.get("escalation_rules") or []:
        targets = [reference(target_kind(target), target["id"]) for target in rule.get("targets") or []
                   if not is_user(target, user_id)]
        if not targets:
            continue
        kept = {"id": rule["id"], "escalation_delay_in_minutes": rule["escalation_delay_in_minutes"], "targets": targets}
        if rule.get("escalation_rule_assignment_strategy"):
            kept["escalation_rule_assignment_strategy"] = rule["escalation_rule_assignment_strategy"]
        rules.append(kept)
    if not rules:
        raise InvalidInput("Taking the user out of %s would leave it with no escalation rules; give it another target "
                           "or remove the policy first" % describe_object("escalation policy", policy))
    return {"escalation_policy": {"type": "escalation_policy", "name": policy["name"], "escalation_rules": rules,
                                  "teams": current_team_references(policy)}}


def schedule_without(schedule, user_id):
    """The PUT body of ``schedule`` without the user; a layer left with no users goes, a schedule left with no layers is refused."""
    layers = []
    for layer in schedule.get("schedule_layers") or []:
        users = [entry_id for entry_id in layer_user_ids(layer) if entry_id != user_id]
        if not users:
            continue
        kept = dict((key, value) for key, value in layer.items() if key not in RENDERED_LAYER_FIELDS and value is not None)
        kept["users"] = [{"user": reference("user", entry_id)} for entry_id in users]
        layers.append(kept)
    if not layers:
        raise InvalidInput("Taking the user out of %s would leave it with no layers; add someone else to it "
                           "or remove the schedule first" % describe_object("schedule", schedule))
    body = {"type": "schedule", "name": schedule["name"], "time_zone": schedule["time_zone"], "schedule_layers": layers}
    if schedule.get("description") is not None:
        body["description"] = schedule["description"]
    if schedule.get("teams"):
        body["teams"] = current_team_references(schedule)
    return {"schedule": body}


class Release:
    """The writes that take one user out of the policies and schedules holding them, planned before any is made."""

    def __init__(self, user_id, policies, schedules):
        self.user_id = user_id
        self.policies = policies
        self.schedules = schedules
        self.writes = [("/escalation_policies/%s" % policy["id"], policy_without(policy, user_id)) for policy in policies]
        self.writes += [("/schedules/%s" % schedule["id"], schedule_without(schedule, user_id)) for schedule in schedules]

    def __bool__(self):
        return bool(self.writes)

    def apply(self, api):
        for path, body in self.writes:
            api.put(path, body)

    def names(self):
        """The policies and schedules by name, for a diff."""
        shown = {}
        if self.policies:
            shown["escalation_policies"] = [policy.get("name") for policy in self.policies]
        if self.schedules:
            shown["schedules"] = [schedule.get("name") for schedule in self.schedules]
        return shown
