#!/usr/bin/python
# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pd_schedule
short_description: Manage PagerDuty on-call schedules, their layers and overrides
version_added: 0.1.0
description:
  - Create, update or remove a PagerDuty schedule, identified by its exact name, with its rotation layers, and add
    overrides to it.
  - Layer users are named and compared by login email.
  - Every user and team the task names is looked up before the first write; an unknown one fails the task with
    nothing written.
  - All timestamps are compared as instants, never as text, so V(2026-01-05T09:00:00Z) and
    V(2026-01-05T10:00:00+01:00) are the same value. PagerDuty answers in the schedule's time zone; that is no change.
author:
  - incident.ops maintainers (@incident-ops)
options:
  name:
    description:
      - The schedule's name; identifies the schedule (exact, case-sensitive match).
    type: str
    required: true
  time_zone:
    description:
      - The schedule's time zone, as an IANA name such as V(Europe/Paris). Restrictions are read in this time zone.
      - Required to create a schedule; left as it is when unset.
    type: str
  description:
    description:
      - The schedule's description. Left as it is when unset.
    type: str
  teams:
    description:
      - The names of the teams the schedule belongs to. Left as they are when unset.
    type: list
    elements: str
  layers:
    description:
      - The schedule's rotation layers. Required to create a schedule; left as they are when unset.
      - Layers are matched by O(layers[].name). A listed layer that does not exist is added; a layer of the schedule
        that is not listed is ended (PagerDuty keeps a layer's past, so a started layer is given an end at the time of
        the run; a layer that has not started yet is dropped). Layers that have already ended are ignored.
      - The order of the layers is sent as given (a later layer takes precedence, as in PagerDuty's web
        interface), but changing only the order is not detected as a change, because PagerDuty lists layers in
        another order than it takes them.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The layer's name, unique within the schedule; identifies the layer.
        type: str
        required: true
      start:
        description:
          - When the layer starts, an ISO 8601 date-time with a UTC offset.
          - Used when the layer is created (defaults to O(layers[].rotation_virtual_start) there). On an existing
            layer it is compared only when it is in the future. PagerDuty rewrites the start of a layer that it
            changes once it has started (the layer as it was ends, the new version starts at the time of the
            update), so a start in the past is taken as met and is never a change.
        type: str
      rotation_virtual_start:
        description:
          - The instant the rotation is counted from (whose turn it is), an ISO 8601 date-time with a UTC offset.
            It may lie before O(layers[].start). Compared as an instant.
        type: str
        required: true
      rotation_turn_length_seconds:
        description:
          - How long each user's turn lasts, in seconds (V(86400) for daily, V(604800) for weekly rotations).
        type: int
        required: true
      users:
        description:
          - The login emails of the users on the layer, in rotation order (the order matters). A user may appear more
            than once.
        type: list
        elements: str
        required: true
      restrictions:
        description:
          - When the layer may put someone on call. Without restrictions, the layer covers the whole day.
          - Compared as a set; their order does not matter.
        type: list
        elements: dict
        default: []
        suboptions:
          type:
            description:
              - V(daily_restriction) repeats every day; V(weekly_restriction) once a week from
                O(layers[].restrictions[].start_day_of_week).
            type: str
            choices: [daily_restriction, weekly_restriction]
            required: true
          start_time_of_day:
            description:
              - When the window opens, as V(HH:MM) or V(HH:MM:SS) in the schedule's time zone.
            type: str
            required: true
          duration_seconds:
            description:
              - How long the window stays open, in seconds; at most a day for a daily restriction, a week for a weekly one.
            type: int
            required: true
          start_day_of_week:
            description:
              - The ISO day the weekly window opens on, V(1) for Monday to V(7) for Sunday. Required for, and only used
                by, a weekly restriction.
            type: int
  overrides:
    description:
      - Overrides to add to the schedule. Each is created once and never duplicated; an existing override matches
        when its user, start and end are the same (start and end compared as instants).
      - Overrides the schedule has but that are not listed are left alone.
    type: list
    elements: dict
    suboptions:
      user:
        description:
          - The login email of the user who takes the shift.
        type: str
        required: true
      start:
        description:
          - When the override starts, an ISO 8601 date-time with a UTC offset.
        type: str
        required: true
      end:
        description:
          - When the override ends, an ISO 8601 date-time with a UTC offset, after O(overrides[].start).
        type: str
        required: true
  state:
    description:
      - V(present) creates or updates the schedule, V(absent) removes it.
      - PagerDuty refuses to remove a schedule that an escalation policy still uses; the task then fails naming the
        policies, with nothing written.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - incident.ops.pagerduty
  - incident.ops.attributes
  - incident.ops.attributes.pagerduty
notes:
  - The schedule and its layers are read with one request (C(GET /schedules?query=<name>&include[]=schedule_layers)).
    The layer users' emails come from one page of C(GET /users) in accounts of up to 100 users, and from as few
    requests as possible in larger ones. A run that changes nothing makes two GETs, three when O(overrides) is set.
  - A date-time without a UTC offset is refused, since the same clock time is another instant in every time zone.
  - PagerDuty cannot delete a layer; removing one from O(layers) ends it, and its past stays in the schedule's history.
seealso:
  - module: incident.ops.pd_schedule_info
  - module: incident.ops.pd_oncall_info
  - module: incident.ops.pd_escalation_policy
  - name: PagerDuty Schedules API
    description: The API this module calls.
    link: https://developer.pagerduty.com/api-reference/
"""

EXAMPLES = r"""
# These tasks run top to bottom on an account where none of their objects exist yet.
# They take their connection from the play, once for every incident.ops PagerDuty module:
#
#   module_defaults:
#     group/incident.ops.pagerduty:
#       api_token: "{{ vault_pagerduty_token }}"
#       from_email: you@example.com  # the login email of an existing user of the account

- name: Create the team the schedule belongs to
  incident.ops.pd_team:
    name: Payments

- name: Create the users who take turns
  incident.ops.pd_user:
    email: "{{ item.email }}"
    name: "{{ item.name }}"
  loop:
    - {email: ada@example.com, name: Ada Lovelace}
    - {email: grace@example.com, name: Grace Hopper}
    - {email: linus@example.com, name: Linus Torvalds}
  loop_control:
    label: "{{ item.email }}"

- name: Weekly primary rotation, weekdays only, plus a holiday override
  incident.ops.pd_schedule:
    name: Payments primary
    time_zone: Europe/Paris
    description: Primary on-call for the payments team
    teams: [Payments]
    layers:
      - name: Weekdays
        start: "2026-01-05T09:00:00+01:00"
        rotation_virtual_start: "2026-01-05T09:00:00+01:00"
        rotation_turn_length_seconds: 604800
        users:
          - ada@example.com
          - grace@example.com
          - linus@example.com
        restrictions:
          - type: weekly_restriction
            start_day_of_week: 1
            start_time_of_day: "09:00"
            duration_seconds: 388800
    overrides:
      - user: grace@example.com
        start: "2026-12-24T18:00:00+01:00"
        end: "2026-12-26T09:00:00+01:00"

- name: A daily night rotation in a second schedule
  incident.ops.pd_schedule:
    name: Payments nights
    time_zone: Europe/Paris
    layers:
      - name: Nights
        rotation_virtual_start: "2026-01-05T20:00:00+01:00"
        rotation_turn_length_seconds: 86400
        users: [grace@example.com, linus@example.com]
        restrictions:
          - type: daily_restriction
            start_time_of_day: "20:00"
            duration_seconds: 43200

- name: Retire the night rotation (a schedule that no escalation policy uses)
  incident.ops.pd_schedule:
    name: Payments nights
    state: absent
"""

RETURN = r"""
schedule:
  description:
    - The schedule as PagerDuty returns it after the change; in check mode, what it would be.
    - Every user reference (of the schedule and of its layers) carries the user's C(email).
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The schedule's id (absent in check mode when the schedule would be created).
      type: str
    type:
      description: Always V(schedule).
      type: str
    summary:
      description: A short description of the schedule (its name).
      type: str
    self:
      description: The API URL of the schedule.
      type: str
    html_url:
      description: The URL of the schedule's page in PagerDuty's web interface.
      type: str
    name:
      description: The schedule's name.
      type: str
    time_zone:
      description: The schedule's time zone (an IANA name); times in the schedule are given in it.
      type: str
    description:
      description: The schedule's description.
      type: str
      returned: when set
    schedule_layers:
      description: The schedule's rotation layers, including layers that have ended.
      type: list
      elements: dict
      contains:
        id:
          description: The layer's id.
          type: str
        name:
          description: The layer's name.
          type: str
        start:
          description: When the layer starts (PagerDuty moves it to the time of the last change of a started layer).
          type: str
        end:
          description: When the layer ends; null for a layer without an end.
          type: str
        rotation_virtual_start:
          description: The instant the rotation is counted from.
          type: str
        rotation_turn_length_seconds:
          description: How long each user's turn lasts, in seconds.
          type: int
        users:
          description: The layer's users in rotation order, each as C(user), a user reference with C(email).
          type: list
          elements: dict
          contains:
            user:
              description: The user, as a reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: The reference's type, V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
        restrictions:
          description: When the layer may put someone on call; empty when it covers the whole day.
          type: list
          elements: dict
          contains:
            type:
              description: V(daily_restriction) or V(weekly_restriction).
              type: str
            start_time_of_day:
              description: When the window opens, as V(HH:MM:SS) in the schedule's time zone.
              type: str
            duration_seconds:
              description: How long the window stays open, in seconds.
              type: int
            start_day_of_week:
              description: The ISO day a weekly window opens on (1 for Monday).
              type: int
              returned: for weekly restrictions
        rendered_schedule_entries:
          description: Who the layer puts on call when, in the rendered window.
          type: list
          elements: dict
          contains:
            start:
              description: When the entry starts.
              type: str
            end:
              description: When the entry ends.
              type: str
            user:
              description: Who is on call, as a user reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
          returned: when PagerDuty's answer renders the schedule
        rendered_coverage_percentage:
          description: How much of the rendered window the layer covers, in percent.
          type: float
          returned: when PagerDuty's answer renders the schedule
    users:
      description: Every user of the schedule's layers, as references with C(email).
      type: list
      elements: dict
      contains:
        id:
          description: The user's id.
          type: str
        type:
          description: The reference's type, V(user_reference).
          type: str
        summary:
          description: The user's name.
          type: str
        self:
          description: The API URL of the user.
          type: str
        html_url:
          description: The URL of the user's page in PagerDuty's web interface.
          type: str
        email:
          description: The user's login email.
          type: str
    teams:
      description: The teams the schedule belongs to.
      type: list
      elements: dict
      contains:
        id:
          description: The team's id.
          type: str
        type:
          description: The reference's type, V(team_reference).
          type: str
        summary:
          description: The team's name.
          type: str
        self:
          description: The API URL of the team.
          type: str
        html_url:
          description: The URL of the team's page in PagerDuty's web interface.
          type: str
    escalation_policies:
      description: The escalation policies that use the schedule.
      type: list
      elements: dict
      contains:
        id:
          description: The escalation policy's id.
          type: str
        type:
          description: The reference's type, V(escalation_policy_reference).
          type: str
        summary:
          description: The escalation policy's name.
          type: str
        self:
          description: The API URL of the escalation policy.
          type: str
        html_url:
          description: The URL of the escalation policy's page in PagerDuty's web interface.
          type: str
    final_schedule:
      description: Who is on call when, all layers and overrides combined.
      type: dict
      returned: when PagerDuty's answer renders the schedule
      contains:
        name:
          description: The name of this view, such as C(Final Schedule) or C(Overrides).
          type: str
        rendered_schedule_entries:
          description: The entries of the window, in time order.
          type: list
          elements: dict
          contains:
            start:
              description: When the entry starts.
              type: str
            end:
              description: When the entry ends.
              type: str
            user:
              description: Who is on call, as a user reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
        rendered_coverage_percentage:
          description: How much of the window has someone on call, in percent.
          type: float
    overrides_subschedule:
      description: The overrides in the rendered window.
      type: dict
      returned: when PagerDuty's answer renders the schedule
      contains:
        name:
          description: The name of this view, such as C(Final Schedule) or C(Overrides).
          type: str
        rendered_schedule_entries:
          description: The entries of the window, in time order.
          type: list
          elements: dict
          contains:
            start:
              description: When the entry starts.
              type: str
            end:
              description: When the entry ends.
              type: str
            user:
              description: Who is on call, as a user reference with C(email).
              type: dict
              contains:
                id:
                  description: The user's id.
                  type: str
                type:
                  description: V(user_reference).
                  type: str
                summary:
                  description: The user's name.
                  type: str
                self:
                  description: The API URL of the user.
                  type: str
                html_url:
                  description: The URL of the user's page in PagerDuty's web interface.
                  type: str
                email:
                  description: The user's login email.
                  type: str
        rendered_coverage_percentage:
          description: How much of the window has someone on call, in percent.
          type: float
    overrides:
      description: The overrides the task names, as PagerDuty holds them.
      type: list
      elements: dict
      returned: when O(overrides) is set
      contains:
        id:
          description: The override's id (absent in check mode for one that would be created).
          type: str
        start:
          description: When the override starts.
          type: str
        end:
          description: When the override ends.
          type: str
        user:
          description: Who takes the shift, as a user reference with C(email).
          type: dict
          contains:
            id:
              description: The user's id.
              type: str
            type:
              description: The reference's type, V(user_reference).
              type: str
            summary:
              description: The user's name.
              type: str
            self:
              description: The API URL of the user.
              type: str
            html_url:
              description: The URL of the user's page in PagerDuty's web interface.
              type: str
            email:
              description: The user's login email.
              type: str
  sample:
    id: PI7DH85
    type: schedule
    name: Payments primary
    time_zone: Europe/Paris
    description: Primary on-call for the payments team
    teams:
      - id: PQ9K7I8
        type: team_reference
        summary: Payments
    escalation_policies: []
    schedule_layers:
      - id: PG68P1M
        name: Weekdays
        start: "2026-01-05T09:00:00+01:00"
        rotation_virtual_start: "2026-01-05T09:00:00+01:00"
        rotation_turn_length_seconds: 604800
        users:
          - user:
              id: PXPGF42
              type: user_reference
              summary: Ada Lovelace
              email: ada@example.com
        restrictions:
          - type: weekly_restriction
            start_day_of_week: 1
            start_time_of_day: "09:00:00"
            duration_seconds: 388800
    overrides:
      - id: Q3X6MJ1LUKD6QW
        start: "2026-12-24T18:00:00+01:00"
        end: "2026-12-26T09:00:00+01:00"
        user:
          id: PXPGF43
          type: user_reference
          summary: Grace Hopper
          email: grace@example.com
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.incident.ops.plugins.module_utils import options, timestamps
from ansible_collections.incident.ops.plugins.module_utils.entrypoint import execute
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import NamedObject, connect, reference, refuse_if_used
from ansible_collections.incident.ops.plugins.module_utils.reconcile import changes, ensure, matches, pending, without_none
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.schedules import (
    INCLUDE_LAYERS, live_layers, present_schedule, user_ids, with_email)
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.teams import (
    current_team_references, desired_team_names, named_team_references, shown_team_references, team_names)
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_filled, check_time_zone

SCALARS = ("time_zone", "description")
LAYER_KEYS = ("start", "rotation_virtual_start", "rotation_turn_length_seconds", "users", "restrictions")
RESTRICTION_LIMITS = {"daily_restriction": 86400, "weekly_restriction": 604800}

ARGUMENT_SPEC = options.argument_spec(
    options.PAGERDUTY,
    name=dict(type="str", required=True),
    time_zone=dict(type="str"),
    description=dict(type="str"),
    teams=dict(type="list", elements="str"),
    layers=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        start=dict(type="str"),
        rotation_virtual_start=dict(type="str", required=True),
        rotation_turn_length_seconds=dict(type="int", required=True),
        users=dict(type="list", elements="str", required=True),
        restrictions=dict(type="list", elements="dict", default=[], options=dict(
            type=dict(type="str", choices=["daily_restriction", "weekly_restriction"], required=True),
            start_time_of_day=dict(type="str", required=True),
            duration_seconds=dict(type="int", required=True),
            start_day_of_week=dict(type="int"),
        )),
    )),
    overrides=dict(type="list", elements="dict", options=dict(
        user=dict(type="str", required=True),
        start=dict(type="str", required=True),
        end=dict(type="str", required=True),
    )),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def restriction_key(restriction):
    return (restriction["type"], restriction["start_time_of_day"], restriction["duration_seconds"],
            restriction.get("start_day_of_week") or 0)


def canonical_restrictions(restrictions):
    """Restrictions in one order and one spelling, so they compare as a set."""
    found = []
    for restriction in restrictions or []:
        entry = {"type": restriction["type"], "start_time_of_day": timestamps.time_of_day(restriction["start_time_of_day"]),
                 "duration_seconds": restriction["duration_seconds"]}
        if restriction["type"] == "weekly_restriction":
            entry["start_day_of_week"] = restriction.get("start_day_of_week")
        if entry not in found:
            found.append(entry)
    return sorted(found, key=restriction_key)


def by_name(layers):
    return sorted(layers, key=lambda layer: layer["name"])


class Schedule(NamedObject):
    """A schedule found by name, its layers compared by name and its users by email."""

    collection = "schedules"
    key = "schedule"
    lookup_params = INCLUDE_LAYERS

    def __init__(self, api, name, moment):
        super().__init__(api, name)
        self.moment = moment
        self.layers = {}
        self.order = []
        self.compare_layers = True

    def want_layers(self, layers, order):
        """Remember the task's layers: their ``start`` for the comparison rule, and their order for the write."""
        self.layers = dict((layer["name"], layer) for layer in layers or [])
        self.order = list(order)

    def emails(self, current):
        ids = [entry["user"]["id"] for layer in live_layers(current, self.moment) for entry in layer.get("users") or []]
        return dict((user_id, user.get("email") or user_id) for user_id, user in self.api.users_by_id(ids).items())

    def current_layer(self, layer, emails):
        """A layer of the API in the task's shape.

        A started layer's ``start`` is PagerDuty's to move (it is the time of the
        last change), so when the task's start for the layer is in the past,
        the task's own value is reported and the two never differ.
        """
        shown = {
            "name": layer.get("name"),
            "start": timestamps.canonical(layer["start"], "start"),
            "rotation_virtual_start": timestamps.canonical(layer["rotation_virtual_start"], "rotation_virtual_start"),
            "rotation_turn_length_seconds": layer.get("rotation_turn_length_seconds"),
            "users": [emails.get(entry["user"]["id"], entry["user"]["id"]).lower() for entry in layer.get("users") or []],
            "restrictions": canonical_restrictions(layer.get("restrictions")),
        }
        wanted = self.layers.get(shown["name"])
        if wanted and wanted["start"] and not timestamps.is_future(wanted["start"], self.moment):
            shown["start"] = wanted["start"]
        return shown

    def current_fields(self, current):
        fields = dict((key, current.get(key)) for key in SCALARS)
        fields["teams"] = team_names(current)
        if self.compare_layers:
            emails = self.emails(current)
            fields["layers"] = by_name(self.current_layer(layer, emails) for layer in live_layers(current, self.moment))
        return fields

    # Names to PagerDuty objects, looked up once per run; unknown ones are bad input.

    def user(self, email):
        return self.api.require_user(email)

    # Request bodies.

    def written_layer(self, layer):
        """A layer of the API as a request sends it back, unchanged."""
        keys = ("id", "name", "start", "end", "rotation_virtual_start", "rotation_turn_length_seconds")
        written = dict((key, layer[key]) for key in keys if layer.get(key) is not None)
        written["users"] = [{"user": reference("user", entry["user"]["id"])} for entry in layer.get("users") or []]
        written["restrictions"] = [without_none(restriction) for restriction in layer.get("restrictions") or []]
        return written

    def layer_bodies(self, wanted, current):
        """Every layer of a PUT or POST: the task's, in its order, then the started layers it drops, ended now.

        A matched layer with no change goes back exactly as PagerDuty sent it, so
        PagerDuty keeps its start; a changed one keeps its id, its end and, unless
        the task moves it to the future, its start.  A dropped layer that has not
        started yet cannot be given an end before its start, so it is left out.
        """
        wanted = dict((layer["name"], layer) for layer in wanted)
        emails = self.emails(current) if current else {}
        have, spare = self.live_layers_by_name(current)
        bodies = []
        for name in self.order:
            old = have.pop(name, None)
            if old is not None and not changes(self.current_layer(old, emails), wanted[name]):
                bodies.append(self.written_layer(old))
            else:
                bodies.append(self.task_layer(wanted[name], old))
        ended = self.moment.replace(microsecond=0)
        for old in list(have.values()) + spare:
            if timestamps.parse(old["start"], "start") < ended:
                bodies.append(dict(self.written_layer(old), end=timestamps.canonical(ended)))
        return bodies

    def live_layers_by_name(self, current):
        """The live layers by name, and the spare ones: a second layer of a name is not the task's layer, the first is."""
        have, spare = {}, []
        for layer in live_layers(current, self.moment) if current else []:
            if layer.get("name") in have:
                spare.append(layer)
            else:
                have[layer.get("name")] = layer
        return have, spare

    def task_layer(self, want, old):
        """The task's layer as a write sends it, in place of ``old`` (None for a new layer)."""
        body = {"name": want["name"], "rotation_virtual_start": want["rotation_virtual_start"],
                "rotation_turn_length_seconds": want["rotation_turn_length_seconds"],
                "users": [{"user": reference("user", self.user(email)["id"])} for email in want["users"]],
                "restrictions": want["restrictions"]}
        if old is None:
            body["start"] = want["start"] or want["rotation_virtual_start"]
        else:
            body["id"] = old["id"]
            future = want["start"] and timestamps.is_future(want["start"], self.moment)
            body["start"] = want["start"] if future else old["start"]
            if old.get("end"):
                body["end"] = old["end"]
        return body

    def body(self, fields, current=None):
        """A whole schedule: PagerDuty replaces what a PUT leaves out, so unchanged parts are sent back as they are."""
        current = current or {}
        body = {"name": self.name, "time_zone": fields.get("time_zone") or current.get("time_zone")}
        description = fields.get("description", current.get("description"))
        if description is not None:
            body["description"] = description
        if "teams" in fields:
            body["teams"] = named_team_references(self.api, fields["teams"])
        elif current.get("teams"):
            body["teams"] = current_team_references(current)
        if "layers" in fields:
            body["schedule_layers"] = self.layer_bodies(fields["layers"], current or None)
        else:
            body["schedule_layers"] = [self.written_layer(layer) for layer in live_layers(current, self.moment)]
        return body

    # Writes and results.

    def present(self, record):
        """The schedule with every user reference carrying its email, from the users this run has read."""
        return present_schedule(record, self.api.users_by_id(user_ids([record])))

    def preview(self, current, changed):
        """The schedule as a write of ``changed`` would leave it, without the ids PagerDuty would give."""
        shown = dict(current or {}, name=self.name, type="schedule")
        shown.update((key, changed[key]) for key in SCALARS if key in changed)
        if "teams" in changed:
            shown["teams"] = shown_team_references(self.api, changed["teams"])
        if "layers" in changed:
            layers = self.layer_bodies(changed["layers"], current)
            for layer in layers:
                layer["users"] = [{"user": dict(entry["user"], summary=self.known(entry["user"]["id"]).get("name"))}
                                  for entry in layer["users"]]
            shown["schedule_layers"] = layers
        return self.present(shown)

    def known(self, user_id):
        return self.api.users_by_id([user_id]).get(user_id) or {}


def desired_layers(layers):
    """The task's layers in the shape ``Schedule.current_layer`` gives, sorted by name; checked before any request."""
    check_filled(layers, "layers", "PagerDuty requires at least one layer in a schedule")
    if layers is None:
        return None
    wanted = []
    for number, layer in enumerate(layers):
        check_filled(layer["name"], "layers[%d] name" % number)
        what = "layers[%d] (%s)" % (number, layer["name"])
        if layer["name"] in [other["name"] for other in wanted]:
            raise InvalidInput("%s: layer names must be unique within a schedule, %r is used twice" % (what, layer["name"]))
        if layer["rotation_turn_length_seconds"] < 1:
            raise InvalidInput("%s: rotation_turn_length_seconds must be at least 1, got %d"
                               % (what, layer["rotation_turn_length_seconds"]))
        if not layer["users"]:
            raise InvalidInput("%s has no users: every layer needs at least one user to put on call" % what)
        for restriction in layer["restrictions"] or []:
            check_restriction(restriction, what)
        wanted.append({
            "name": layer["name"],
            "start": timestamps.canonical(layer["start"], "%s start" % what),
            "rotation_virtual_start": timestamps.canonical(layer["rotation_virtual_start"], "%s rotation_virtual_start" % what),
            "rotation_turn_length_seconds": layer["rotation_turn_length_seconds"],
            "users": [check_email(email.strip(), "%s user" % what).lower() for email in layer["users"]],
            "restrictions": canonical_restrictions(layer["restrictions"]),
        })
    return by_name(wanted)


def check_restriction(restriction, what):
    kind = restriction["type"]
    timestamps.time_of_day(restriction["start_time_of_day"], "%s restriction start_time_of_day" % what)
    if not 0 < restriction["duration_seconds"] <= RESTRICTION_LIMITS[kind]:
        raise InvalidInput("%s: a %s lasts between 1 and %d seconds, got %d"
                           % (what, kind, RESTRICTION_LIMITS[kind], restriction["duration_seconds"]))
    day = restriction.get("start_day_of_week")
    if kind == "weekly_restriction" and (day is None or not 1 <= day <= 7):
        raise InvalidInput("%s: a weekly_restriction needs start_day_of_week from 1 (Monday) to 7 (Sunday), got %s"
                           % (what, day))


def desired_overrides(overrides):
    """The task's overrides as (email, start, end) with canonical instants, duplicates dropped."""
    wanted = []
    for number, override in enumerate(overrides or []):
        what = "overrides[%d]" % number
        entry = (check_email(override["user"].strip(), "%s user" % what).lower(),
                 timestamps.canonical(override["start"], "%s start" % what), timestamps.canonical(override["end"], "%s end" % what))
        if timestamps.parse(entry[2]) <= timestamps.parse(entry[1]):
            raise InvalidInput("%s ends at %s, which is not after its start %s" % (what, override["end"], override["start"]))
        if entry not in wanted:
            wanted.append(entry)
    return wanted


def desired_schedule(params):
    """The schedule fields the task sets, in the shape ``Schedule.current_fields`` gives; the name is the identity."""
    check_filled(params["name"], "name")
    check_time_zone(params["time_zone"])
    desired = dict((key, params[key]) for key in SCALARS)
    desired.update(teams=desired_team_names(params["teams"]), layers=desired_layers(params["layers"]))
    return desired


def ensure_overrides(api, schedule_id, wanted, check_mode):
    """Create the overrides of ``wanted`` that the schedule lacks; return (all of them as PagerDuty holds them, added)."""
    if not wanted:
        return [], []
    have = existing_overrides(api, schedule_id, wanted)
    kept, missing = [], []
    for email, start, end in wanted:
        user = api.require_user(email)
        found = have.get((user["id"], timestamps.parse(start), timestamps.parse(end)))
        if found is not None:
            kept.append(dict(found, user=with_email(found["user"], {user["id"]: user})))
        else:
            shown = dict(reference("user", user["id"]), summary=user.get("name"), email=user.get("email"))
            missing.append({"start": start, "end": end, "user": shown})
    added = [{"user": entry["user"]["email"], "start": entry["start"], "end": entry["end"]} for entry in missing]
    if not missing or check_mode:
        return kept + missing, added
    return kept + create_overrides(api, schedule_id, missing), added


def existing_overrides(api, schedule_id, wanted):
    """The schedule's overrides in the span of ``wanted``, keyed by user id, start and end as instants, for matching."""
    if schedule_id is None:
        return {}
    window = {"since": min(entry[1] for entry in wanted), "until": max(entry[2] for entry in wanted), "overflow": "true"}
    found = api.get("/schedules/%s/overrides" % schedule_id, params=window).get("overrides") or []
    return dict(((override["user"]["id"], timestamps.parse(override["start"]), timestamps.parse(override["end"])), override)
                for override in found)


def create_overrides(api, schedule_id, missing):
    """Create ``missing`` in one POST; PagerDuty answers override by override, so any refusal fails, naming each."""
    path = "/schedules/%s/overrides" % schedule_id
    replies = api.post(path, {"overrides": [dict(entry, user=reference("user", entry["user"]["id"])) for entry in missing]})
    refused = [reply for reply in replies or [] if reply.get("status") not in (200, 201)]
    if refused:
        details = "; ".join(
            "%s from %s to %s: %s" % ((entry["override"].get("user") or {}).get("id"), entry["override"].get("start"),
                                      entry["override"].get("end"), ", ".join(entry.get("errors") or []))
            for entry in refused)
        raise api.fail("PagerDuty refused %d of the %d overrides (%s); the others were created"
                       % (len(refused), len(missing), details), "POST", path)
    emails = dict((entry["user"]["id"], entry["user"]) for entry in missing)
    return [dict(reply["override"], user=with_email(reply["override"]["user"], emails)) for reply in replies]


def layer_diff(before, after):
    """Only the layers that change, and of a changed layer only its name and changed fields."""
    old = dict((layer["name"], layer) for layer in before or [])
    new = dict((layer["name"], layer) for layer in after or [])
    shown_before, shown_after = [], []
    for name, want in new.items():
        have = old.get(name)
        if have is None:
            shown_after.append(without_none(want))
            continue
        keys = [key for key in LAYER_KEYS if want.get(key) is not None and not matches(have.get(key), want[key])]
        if keys:
            shown_before.append(dict([("name", name)] + [(key, have.get(key)) for key in keys]))
            shown_after.append(dict([("name", name)] + [(key, want[key]) for key in keys]))
    shown_before.extend(layer for name, layer in old.items() if name not in new)
    return shown_before, shown_after


def run(module, api):
    params = module.params
    desired = desired_schedule(params)
    overrides = desired_overrides(params["overrides"])
    schedule = Schedule(api, params["name"], timestamps.now())
    schedule.want_layers(desired["layers"], [layer["name"] for layer in params["layers"] or []])
    current = schedule.look()
    identity = {"name": params["name"]}
    if params["state"] == "absent":
        if current is not None:
            refuse_if_used("The schedule %r" % current["name"], "escalation policies", current.get("escalation_policies"),
                           "remove the schedule from those policies first")
        schedule.compare_layers = False
        return ensure(schedule, {}, "absent", module.check_mode, identity=identity).as_tuple()
    wanted = without_none(desired)
    if current is None:
        missing = [key for key in ("time_zone", "layers") if desired[key] is None]
        if missing:
            raise InvalidInput("%s must be set to create the schedule %r" % (" and ".join(missing), params["name"]))
    emails = [email for layer in desired["layers"] or [] for email in layer["users"]] + [entry[0] for entry in overrides]
    api.require_users(emails)
    named_team_references(api, pending(schedule, current, wanted).get("teams") or [])
    outcome = ensure(schedule, desired, "present", module.check_mode, identity=identity)
    if outcome.changed and current is None and module.check_mode:
        outcome.result = schedule.preview(None, wanted)
    elif not outcome.changed:
        outcome.result = schedule.present(current)
    diff = outcome.diff
    if "layers" in diff["before"]:
        diff["before"]["layers"], diff["after"]["layers"] = layer_diff(diff["before"]["layers"], diff["after"]["layers"])
    if overrides:
        held, added = ensure_overrides(api, (outcome.result or {}).get("id"), overrides, module.check_mode)
        outcome.result = dict(outcome.result, overrides=held)
        if added:
            outcome.changed = True
            diff["before"]["overrides"], diff["after"]["overrides"] = [], added
    return outcome.changed, outcome.result, diff


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    execute(module, connect, run, "schedule")


if __name__ == "__main__":
    main()
