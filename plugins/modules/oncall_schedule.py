#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: oncall_schedule
short_description: Manage who is on call when in the on-call schedule service
version_added: 0.1.0
description:
  - Create, update or remove one recurring on-call entry of a team member, or give the complete list of a member's
    (or a whole team's) entries with O(entries) and let O(purge) remove the rest, to keep a rotation as code.
  - An entry puts a member on call on the days that fall within its dates, months, weeks of the month and week days,
    from O(start_time) to O(end_time).
  - The service names an entry by team, member and the C(created_at) stamp it sets when the entry is created. With
    O(created_at), that entry is updated or removed. Without it, the entry meant is the member's entry with the same
    O(start_date) and O(end_date) (an unset date means an entry without that bound). If several do, one that already
    matches every field the task sets is taken, and several that differ fail the task, naming their C(created_at).
    So a re-run of the same task changes nothing.
  - Only the fields the task sets are compared; lists compare as sets.
  - Every field is checked before the first request, and an unknown member email fails before anything is written.
author:
  - incident.ops maintainers (@incident-ops)
options:
  customer_id:
    description:
      - The customer account the team belongs to; its schedule is where the module reads the team's entries.
    type: str
    required: true
  team_id:
    description:
      - The team whose schedule is managed.
    type: str
    required: true
  team_member_id:
    description:
      - The member the entry (or, with O(entries), every listed entry) belongs to.
      - With O(entries), leaving both this and O(team_member_email) unset manages the whole team's entries, each
        naming its member.
    type: str
  team_member_email:
    description:
      - The member's email (case-insensitive), looked up among the team's members, instead of O(team_member_id).
    type: str
  created_at:
    description:
      - The C(created_at) stamp of the entry to update or remove, as the service or M(incident.ops.oncall_schedule_info)
        returned it; any spelling of the same instant works.
      - With O(state=present) the entry must exist; leave this unset to create an entry.
    type: str
  start_date:
    description:
      - When the entry starts to apply, as an ISO 8601 date (V(2026-01-05), midnight UTC) or date-time with a UTC offset
        (V(2026-01-05T09:00:00+01:00)). Unset means no lower bound when the entry is created.
      - Part of how an entry is found when O(created_at) is unset.
    type: str
  end_date:
    description:
      - When the entry stops applying, in the same forms as O(start_date); it must be after O(start_date).
      - Part of how an entry is found when O(created_at) is unset.
    type: str
  months_of_year:
    description:
      - The months (1 for January to 12) the entry applies in. V([]) means every month, as unset does on creation.
    type: list
    elements: int
  weeks_of_month:
    description:
      - The weeks of the month the entry applies in. Week 1 is days 1-7, week 5 days 29-31, and V(-1) the last seven
        days of the month. V([]) means every week, as unset does on creation.
    type: list
    elements: int
  week_days:
    description:
      - The days of the week the entry applies on, V(0) for Sunday to V(6) for Saturday. Needed to create an entry.
    type: list
    elements: int
  start_time:
    description:
      - When the shift starts on each of those days, as C(HH:MM:SS) (C(HH:MM) is read as C(HH:MM:00)), in UTC. Needed
        to create an entry.
    type: str
  end_time:
    description:
      - When the shift ends, after O(start_time) on the same day; a shift that passes midnight is two entries. Needed to
        create an entry.
    type: str
  entries:
    description:
      - The complete list of the member's entries (or, without O(team_member_id) and O(team_member_email), of the
        team's), each found as a single entry is (see the description). Listed entries are created or updated; with
        O(purge=true) the others are removed.
      - Cannot be combined with the single-entry options (O(created_at), the dates, lists and times) or O(state=absent).
    type: list
    elements: dict
    suboptions:
      team_member_id:
        description: The entry's member, when the task does not name one at the top level.
        type: str
      team_member_email:
        description: The entry's member by email, when the task does not name one at the top level.
        type: str
      created_at:
        description: Like O(created_at), for this entry.
        type: str
      start_date:
        description: Like O(start_date).
        type: str
      end_date:
        description: Like O(end_date).
        type: str
      months_of_year:
        description: Like O(months_of_year).
        type: list
        elements: int
      weeks_of_month:
        description: Like O(weeks_of_month).
        type: list
        elements: int
      week_days:
        description: Like O(week_days).
        type: list
        elements: int
      start_time:
        description: Like O(start_time).
        type: str
      end_time:
        description: Like O(end_time).
        type: str
  purge:
    description:
      - With O(entries), remove the member's (or team's) entries that the list does not name.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the entry, V(absent) removes it. Removing an entry that is not there changes nothing.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.oncall
  - incident.ops.attributes
  - incident.ops.attributes.oncall
notes:
  - The team's entries are read with one request to the query host (C(GET /v1/customer/{customer_id}/schedule)), and an
    email costs one more to the customer host (C(GET /v1/team/{team_id}/members)); a run that changes nothing makes only
    these reads (and the sign-in, without O(api_token)).
  - Writes go to the command host. C(PUT) replaces a whole entry, so an update sends the stored fields with the changed
    ones over them. With O(entries), removals go first, then updates, then creations, so an entry that replaces another
    does not overlap it.
  - The service refuses an entry that overlaps another one of the same member (HTTP 409) and invalid fields (HTTP 422);
    the task fails with the service's words and the fields it names.
  - The diff shows the changed fields of one entry, or under C(entries) the entries added, changed and removed.
seealso:
  - module: incident.ops.oncall_schedule_info
"""

EXAMPLES = r"""
- name: Put Avery on call on weekday mornings in the first quarter
  incident.ops.oncall_schedule:
    customer_id: c03b02ec-244f-4d2c-8f68-3910071ed5c8
    team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
    team_member_email: avery@example.com
    start_date: "2026-01-01"
    end_date: "2026-04-01"
    week_days: [1, 2, 3, 4, 5]
    start_time: "08:00:00"
    end_time: "12:00:00"
  module_defaults:
    group/incident.ops.oncall:
      api_token: "{{ oncall_token }}"

- name: Move the same entry to the afternoon (found by its dates)
  incident.ops.oncall_schedule:
    customer_id: c03b02ec-244f-4d2c-8f68-3910071ed5c8
    team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
    team_member_email: avery@example.com
    start_date: "2026-01-01"
    end_date: "2026-04-01"
    start_time: "13:00:00"
    end_time: "17:00:00"

- name: Keep the team's rotation as code, removing every other entry
  incident.ops.oncall_schedule:
    customer_id: c03b02ec-244f-4d2c-8f68-3910071ed5c8
    team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
    entries:
      - team_member_email: avery@example.com
        week_days: [1, 3, 5]
        start_time: "09:00:00"
        end_time: "17:00:00"
      - team_member_email: blake@example.com
        week_days: [2, 4]
        start_time: "09:00:00"
        end_time: "17:00:00"
      - team_member_email: casey@example.com
        weeks_of_month: [-1]
        week_days: [0, 6]
        start_time: "00:00:00"
        end_time: "23:59:59"
    purge: true

- name: Remove Avery's first-quarter entry
  incident.ops.oncall_schedule:
    customer_id: c03b02ec-244f-4d2c-8f68-3910071ed5c8
    team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
    team_member_email: avery@example.com
    start_date: "2026-01-01"
    end_date: "2026-04-01"
    state: absent
"""

RETURN = r"""
entries:
  description:
    - The entries the task manages as they are after the run (in check mode, as they would be), with dates as UTC
      instants and lists sorted.
    - One entry, or none after O(state=absent); with O(entries), every entry of the member (or team).
  returned: always
  type: list
  elements: dict
  contains:
    team_id:
      description: The entry's team.
      type: str
      returned: when the service returns it
    team_member_id:
      description: The entry's member.
      type: str
    created_at:
      description: The stamp that names the entry; absent in check mode for an entry that would be created.
      type: str
      returned: when the entry exists
    start_date:
      description: When the entry starts to apply, or null for no lower bound.
      type: str
    end_date:
      description: When the entry stops applying, or null for no upper bound.
      type: str
    months_of_year:
      description: The months it applies in; empty for every month.
      type: list
      elements: int
    weeks_of_month:
      description: The weeks of the month it applies in (-1 for the last seven days); empty for every week.
      type: list
      elements: int
    week_days:
      description: The days of the week it applies on, 0 for Sunday.
      type: list
      elements: int
    start_time:
      description: When each shift starts, C(HH:MM:SS) UTC.
      type: str
    end_time:
      description: When each shift ends, C(HH:MM:SS) UTC.
      type: str
  sample:
    - team_id: 445a5c1f-c0eb-403a-96d7-3976e5dc74ed
      team_member_id: 7d1e5a7c-3f0b-4c8e-9a51-2b6f4d9e0c11
      created_at: "2026-01-02T10:15:00.123456Z"
      start_date: "2026-01-01T00:00:00Z"
      end_date: "2026-04-01T00:00:00Z"
      months_of_year: []
      weeks_of_month: []
      week_days: [1, 2, 3, 4, 5]
      start_time: "08:00:00"
      end_time: "12:00:00"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.oncall.api import connect
from ansible_collections.incident.ops.plugins.module_utils.oncall.entries import (
    ENTRY_OPTIONS, Entry, TeamSchedule, check_creatable, desired_entry, fields_of, pair_entries,
)
from ansible_collections.incident.ops.plugins.module_utils.reconcile import SetPlan, changes, ensure, set_diff
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email

MEMBER_OPTIONS = {"team_member_id": dict(type="str"), "team_member_email": dict(type="str"), "created_at": dict(type="str")}

ARGUMENT_SPEC = options.argument_spec(
    options.ONCALL,
    customer_id=dict(type="str", required=True),
    team_id=dict(type="str", required=True),
    entries=dict(type="list", elements="dict", options=dict(MEMBER_OPTIONS, **ENTRY_OPTIONS),
                 mutually_exclusive=[("team_member_id", "team_member_email")]),
    purge=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    **dict(MEMBER_OPTIONS, **ENTRY_OPTIONS)
)
MUTUALLY_EXCLUSIVE = [("team_member_id", "team_member_email")] + [("entries", name) for name in ["created_at"] + list(ENTRY_OPTIONS)]
REQUIRED_ONE_OF = [("team_member_id", "team_member_email", "entries")]


def member_of(api, team_id, spec):
    """The member id a task or an entry names, by id or by email; None when it names none."""
    if spec.get("team_member_email"):
        return api.member_id_by_email(team_id, check_email(spec["team_member_email"].strip(), "team_member_email"))
    return spec.get("team_member_id")


def shown(entry):
    return {key: value for key, value in entry.items() if value is not None}


def run_one(module, api, schedule):
    params = module.params
    wanted = desired_entry(params)
    member = member_of(api, params["team_id"], params)
    entry = Entry(schedule, member, dict(wanted, created_at=params["created_at"]))
    current = entry.look()
    if params["state"] == "present" and current is None:
        if params["created_at"]:
            raise InvalidInput("Member %s has no entry created at %s; leave created_at out to create one" % (member, params["created_at"]))
        check_creatable(wanted, "The entry of member %s" % member)
    outcome = ensure(entry, wanted, params["state"], module.check_mode, identity={"team_member_id": member})
    return outcome.changed, [outcome.result] if outcome.result is not None else [], outcome.diff


def wanted_entries(module, api):
    """The listed entries, every field checked before the first request, then each member resolved."""
    params = module.params
    checked = [(spec, desired_entry(spec, "entries[%d]" % index)) for index, spec in enumerate(params["entries"])]
    scope = member_of(api, params["team_id"], params)
    wanted = []
    for index, (spec, fields) in enumerate(checked):
        member = member_of(api, params["team_id"], spec) or scope
        if member is None:
            raise InvalidInput("entries[%d] names no member: set its team_member_id or team_member_email, or the task's" % index)
        if scope is not None and member != scope:
            raise InvalidInput("entries[%d] names another member than the task's; leave the task's member unset to manage "
                               "the whole team" % index)
        wanted.append(dict(fields, team_member_id=member, created_at=spec.get("created_at")))
    return scope, wanted


def plan_entries(current, wanted, purge):
    pairs, unlisted = pair_entries(current, wanted)
    add = []
    for index, (want, have) in enumerate(zip(wanted, pairs)):
        if have is None:
            if want.get("created_at"):
                raise InvalidInput("entries[%d]: member %s has no entry created at %s" % (index, want["team_member_id"], want["created_at"]))
            check_creatable(want, "entries[%d]" % index)
            add.append(want)
    update = [(have, want) for want, have in zip(wanted, pairs) if have is not None and changes(have, fields_of(want))]
    return SetPlan(add, update, unlisted if purge else [])


def run_entries(module, api, schedule):
    scope, wanted = wanted_entries(module, api)
    current = schedule.load(scope)
    plan = plan_entries(current, wanted, module.params["purge"])
    changed_ones = [have for have, unused in plan.update]
    after = [have for have in current if have not in plan.remove and have not in changed_ones]
    if module.check_mode:
        after += [dict(have, **fields_of(want)) for have, want in plan.update]
        after += [dict(fields_of(want), team_member_id=want["team_member_id"]) for want in plan.add]
    else:
        for have in plan.remove:
            schedule.delete(have)
        after += [schedule.replace(have, fields_of(want)) for have, want in plan.update]
        after += [schedule.create(fields_of(want), want["team_member_id"]) for want in plan.add]
    diff = None
    if plan.changed:
        before, added = set_diff(plan, shown)
        diff = {"before": {"entries": before}, "after": {"entries": added}}
    return plan.changed, after, diff


def run(module, api):
    schedule = TeamSchedule(api, module.params["customer_id"], module.params["team_id"])
    if module.params["entries"] is not None:
        if module.params["state"] == "absent":
            raise InvalidInput("entries lists the entries to keep; use purge to remove the others, or state=absent without entries")
        return run_entries(module, api, schedule)
    return run_one(module, api, schedule)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_one_of=REQUIRED_ONE_OF,
                           supports_check_mode=True)
    execute(module, connect, run, "entries")


if __name__ == "__main__":
    main()
