# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Escalation policies as the escalation policy modules read and return them.

Policies are read with ``include[]=targets``, so each user target carries its
email and each schedule target its name, and a policy can be compared with a
task without one request per target.  Whatever the read, the result shows
every target as a reference, plus ``email`` for users.
"""

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import display_name

INCLUDE_TARGETS = {"include[]": ["targets"]}
TARGET_KINDS = ("user", "schedule")


def target_kind(target):
    """``user`` or ``schedule``, for a full object or a reference."""
    kind = (target.get("type") or "").replace("_reference", "")
    return kind if kind in TARGET_KINDS else target.get("type")


def target_name(target):
    """How a task names a target: a user by email (lower case), a schedule by name."""
    if target_kind(target) == "user":
        return (target.get("email") or "").lower()
    return display_name(target)


def present_target(target, emails=None):
    """A target as a reference; ``emails`` maps user ids to emails when the API sent references only."""
    kind = target_kind(target)
    shown = {key: target.get(key) for key in ("id", "summary", "self", "html_url")}
    shown["type"] = "%s_reference" % kind
    shown["summary"] = display_name(target)
    if kind == "user":
        shown["email"] = target.get("email") or (emails or {}).get(target["id"])
    return shown


def present_policy(policy, emails=None):
    """The policy as the API sent it, with every rule's targets as references."""
    shown = dict(policy)
    shown["escalation_rules"] = [
        dict(rule, targets=[present_target(target, emails) for target in rule.get("targets") or []])
        for rule in policy.get("escalation_rules") or []
    ]
    return shown
