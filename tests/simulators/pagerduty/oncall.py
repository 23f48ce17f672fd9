"""Escalation policies, schedules (layers, overrides) and the on-calls computed from them."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from simulators.core import Reply, route

from .common import (by_name, days, decorate, fresh, invalid, iso, matches_query, not_found, paginate, parse_time, reference,
                     window, zone)

USER_TARGETS = ("user", "user_reference")
SCHEDULE_TARGETS = ("schedule", "schedule_reference")
LAYER_FIELDS = ("name", "start", "end", "rotation_virtual_start", "rotation_turn_length_seconds", "users", "restrictions")
SCHEDULE_SPAN = days(14)
SHIFT_REACH = days(7)
SCHEDULE_PARTS = ("schedule_layers", "final_schedule", "overrides_subschedule")
ONCALL_INCLUDES = ("users", "schedules", "escalation_policies")


class OncallMixin:
    """``/escalation_policies``, ``/schedules`` and ``/oncalls``."""

    def _reset_oncall(self):
        self.escalation_policies = {}
        self.schedules = {}

    # Escalation policies ------------------------------------------------------------

    def escalation_policy(self, policy_id):
        found = self.escalation_policies.get(policy_id)
        if found is None:
            raise not_found("Escalation policy", policy_id)
        return found

    def escalation_policy_ref(self, policy_id):
        policy = self.escalation_policies.get(policy_id)
        return reference("escalation_policy", policy_id, policy["name"] if policy else "Deleted Escalation Policy")

    def _targets(self, rule):
        targets = []
        for target in rule["targets"]:
            kind = target.get("type")
            if kind in USER_TARGETS:
                self.user(target["id"])
                targets.append(("user", target["id"]))
            elif kind in SCHEDULE_TARGETS:
                self.schedule(target["id"])
                targets.append(("schedule", target["id"]))
            else:
                raise invalid("Escalation rule target type %s is not supported" % kind)
        return targets

    def _policy_fields(self, data, policy):
        teams = [team["id"] for team in data["teams"] or []] if "teams" in data else policy.get("_teams", [])
        if len(teams) > 1:
            raise invalid("Only one team may be associated with an escalation policy")
        for team_id in teams:
            self.team(team_id)
        old_ids = [rule["id"] for rule in policy.get("_rules", [])]
        # The description sets no minItems on escalation_rules, but PagerDuty refuses a policy without rules.
        if not data["escalation_rules"]:
            raise invalid("Escalation rules must have at least one rule")
        rules = []
        for rule in data["escalation_rules"]:
            rule_id = rule.get("id") if rule.get("id") in old_ids else None
            rules.append({"id": rule_id or self.new_id(), "delay": rule["escalation_delay_in_minutes"],
                          "targets": self._targets(rule), "strategy": rule.get("escalation_rule_assignment_strategy")})
        policy.update(name=data["name"], description=data.get("description", policy.get("description", "")),
                      num_loops=data.get("num_loops", policy.get("num_loops", 0)),
                      on_call_handoff_notifications=data.get("on_call_handoff_notifications",
                                                             policy.get("on_call_handoff_notifications",
                                                                        "if_has_services")),
                      _rules=rules, _teams=teams)
        return policy

    def create_escalation_policy(self, data):
        policy = self._policy_fields(data, {"id": self.claim_id(data)})
        self.escalation_policies[policy["id"]] = policy
        return policy

    def target_ref(self, target, full=False):
        kind, target_id = target
        if kind == "user":
            return self.render_user(self.users[target_id]) if full else self.user_ref(target_id)
        return self.render_schedule(self.schedules[target_id]) if full else self.schedule_ref(target_id)

    def render_escalation_policy(self, policy, includes=()):
        shown = decorate("escalation_policy", policy, policy["name"])
        shown["escalation_rules"] = []
        for rule in policy["_rules"]:
            entry = {"id": rule["id"], "escalation_delay_in_minutes": rule["delay"],
                     "targets": [self.target_ref(target, "targets" in includes) for target in rule["targets"]]}
            if rule["strategy"] and "escalation_rule_assignment_strategies" in includes:
                entry["escalation_rule_assignment_strategy"] = rule["strategy"]
            shown["escalation_rules"].append(entry)
        services = [service for service in by_name(self.services.values())
                    if service["_escalation_policy"] == policy["id"]]
        shown["services"] = [self.render_service(service) if "services" in includes else self.service_ref(service["id"])
                             for service in services]
        shown["teams"] = [self.render_team(self.teams[team_id]) if "teams" in includes else self.team_ref(team_id)
                          for team_id in policy["_teams"]]
        return shown

    def policy_user_ids(self, policy):
        """Everyone a policy can page: direct targets and everyone on its schedules."""
        found = set()
        for rule in policy["_rules"]:
            for kind, target_id in rule["targets"]:
                found.update([target_id] if kind == "user" else self.schedule_user_ids(self.schedules[target_id]))
        return found

    @route("GET", "/escalation_policies")
    def list_escalation_policies(self, request):
        query = request.arg("query")
        user_ids = set(request.args("user_ids"))
        team_ids = set(request.args("team_ids"))
        includes = request.args("include")
        with self.lock:
            policies = by_name(self.escalation_policies.values())
            if request.arg("sort_by", "name") == "name:desc":
                policies.reverse()
            found = [self.render_escalation_policy(policy, includes) for policy in policies
                     if matches_query(query, policy["name"])
                     and (not user_ids or user_ids & self.policy_user_ids(policy))
                     and (not team_ids or team_ids.intersection(policy["_teams"]))]
        return Reply(200, paginate(request, found, "escalation_policies"))

    @route("POST", "/escalation_policies")
    def post_escalation_policy(self, request):
        data = fresh(request.json()["escalation_policy"])
        with self.lock:
            return Reply(201, {"escalation_policy": self.render_escalation_policy(self.create_escalation_policy(data))})

    @route("GET", "/escalation_policies/{id}")
    def get_escalation_policy(self, request):
        with self.lock:
            policy = self.escalation_policy(request.params["id"])
            return Reply(200, {"escalation_policy": self.render_escalation_policy(policy, request.args("include"))})

    @route("PUT", "/escalation_policies/{id}")
    def put_escalation_policy(self, request):
        data = request.json()["escalation_policy"]
        with self.lock:
            policy = self.escalation_policy(request.params["id"])
            updated = self._policy_fields(data, dict(policy))
            policy.update(updated)
            return Reply(200, {"escalation_policy": self.render_escalation_policy(policy)})

    @route("DELETE", "/escalation_policies/{id}")
    def delete_escalation_policy(self, request):
        """PagerDuty refuses while a service still uses the policy, naming the service."""
        with self.lock:
            policy = self.escalation_policy(request.params["id"])
            for service in by_name(self.services.values()):
                if service["_escalation_policy"] == policy["id"]:
                    raise invalid("Escalation policy %s cannot be deleted: it is used by service '%s' (%s)."
                                  % (policy["id"], service["name"], service["id"]))
            del self.escalation_policies[policy["id"]]
        return Reply(204)

    @route("PUT", "/teams/{id}/escalation_policies/{escalation_policy_id}")
    def put_team_escalation_policy(self, request):
        with self.lock:
            team = self.team(request.params["id"])
            policy = self.escalation_policy(request.params["escalation_policy_id"])
            policy["_teams"] = [team["id"]]
        return Reply(204)

    @route("DELETE", "/teams/{id}/escalation_policies/{escalation_policy_id}")
    def delete_team_escalation_policy(self, request):
        with self.lock:
            team = self.team(request.params["id"])
            policy = self.escalation_policy(request.params["escalation_policy_id"])
            if team["id"] in policy["_teams"]:
                policy["_teams"].remove(team["id"])
        return Reply(204)

    # Schedules --------------------------------------------------------------------------

    def schedule(self, schedule_id):
        found = self.schedules.get(schedule_id)
        if found is None:
            raise not_found("Schedule", schedule_id)
        return found

    def schedule_ref(self, schedule_id):
        schedule = self.schedules.get(schedule_id)
        return reference("schedule", schedule_id, schedule["name"] if schedule else "Deleted Schedule")

    def _layer(self, data, position, old=None):
        """A stored layer from its API form (an updated layer keeps its id)."""
        turn = data["rotation_turn_length_seconds"]
        if turn < 1:
            raise invalid("Rotation turn length must be at least one second")
        users = [entry["user"]["id"] for entry in data["users"]]
        if not users:
            raise invalid("A schedule layer needs at least one user")
        for user_id in users:
            self.user(user_id)
        for restriction in data.get("restrictions") or []:
            if restriction["type"] == "weekly_restriction" and "start_day_of_week" not in restriction:
                raise invalid("Weekly restrictions need start_day_of_week")
        layer = {
            "id": (old or {}).get("id") or self.new_id(),
            "name": data.get("name") or "Layer %d" % (position + 1),
            "start": parse_time(data["start"], "start"),
            "end": parse_time(data["end"], "end") if data.get("end") else None,
            "rotation_virtual_start": parse_time(data["rotation_virtual_start"], "rotation_virtual_start"),
            "rotation_turn_length_seconds": turn,
            "users": users,
            "restrictions": [dict(restriction) for restriction in data.get("restrictions") or []],
            "position": position,
        }
        if layer["end"] is not None and layer["end"] <= layer["start"]:
            raise invalid("Layer end must be after its start")
        return layer

    def _schedule_fields(self, data, schedule, now=None):
        """The schedule ``data`` describes, built on a copy of ``schedule``; ``now`` is set for updates.

        Fields left out of an update (``schedule_layers``, ``teams``...) keep their values.
        """
        zone(data["time_zone"])
        built = dict(schedule, _history=list(schedule.get("_history", [])), _overrides=schedule.get("_overrides", {}))
        old_layers = {layer["id"]: layer for layer in schedule.get("_layers", [])}
        if "schedule_layers" not in data:
            data = dict(data, schedule_layers=[self.render_layer(schedule, layer, None, None) for layer in old_layers.values()])
        layers = []
        for position, entry in enumerate(data["schedule_layers"] or []):
            old = old_layers.get(entry.get("id"))
            layer = self._layer(entry, position, old)
            if now is not None and layer["start"] < now:
                if old is None:
                    layer["start"] = now
                elif any(layer[key] != old[key] for key in LAYER_FIELDS if key != "end"):
                    built["_history"].append(dict(old, end=now))
                    layer["start"] = now
                if layer["end"] is not None and layer["end"] <= layer["start"]:
                    raise invalid("Layer end must be after its start")
            layers.append(layer)
        kept = {layer["id"] for layer in layers}
        if now is not None:
            built["_history"].extend(dict(old, end=now) for old_id, old in old_layers.items()
                                     if old_id not in kept and old["start"] < now)
        teams = [team["id"] for team in data["teams"] or []] if "teams" in data else schedule.get("_teams", [])
        for team_id in teams:
            self.team(team_id)
        built.update(name=data.get("name") or schedule.get("name") or "Schedule", time_zone=data["time_zone"],
                     description=data.get("description", schedule.get("description")), _layers=layers, _teams=teams)
        return built

    def create_schedule(self, data):
        schedule = self._schedule_fields(data, {"id": self.claim_id(data)})
        self.schedules[schedule["id"]] = schedule
        return schedule

    def update_schedule(self, schedule, data):
        """Apply a PUT the way PagerDuty does, including its layer ``start`` rewrite.

        PagerDuty keeps a schedule's past intact: when a PUT changes a layer
        whose ``start`` is in the past, or adds a layer starting in the past,
        the layer as it was is ended at the time of the update (and kept to
        render the past), and the layer returned from then on has ``start``
        set to the update time, whatever the request said.
        ``rotation_virtual_start`` is kept, so the rotation order does not
        shift.  A client that sends its original past ``start`` on every run
        therefore sees ``start`` move each time and must compare layers
        without it.  A layer sent back exactly as it was returned keeps its
        ``start``, and so does a layer whose only change is its ``end``:
        ending a layer (or moving or clearing its end) does not start a new
        version of it, so an ended layer sent back as it was is accepted.
        """
        schedule.update(self._schedule_fields(data, schedule, self.now()))
        return schedule

    def schedule_user_ids(self, schedule):
        found = []
        for layer in schedule["_layers"]:
            found.extend(user_id for user_id in layer["users"] if user_id not in found)
        return found

    def schedule_policies(self, schedule_id):
        return [policy for policy in by_name(self.escalation_policies.values())
                if any(target == ("schedule", schedule_id) for rule in policy["_rules"] for target in rule["targets"])]

    def render_layer(self, schedule, layer, since, until, tz=None):
        """A layer as the API shows it, its times in ``tz`` (default: the schedule's time zone)."""
        tz = tz or zone(schedule["time_zone"])
        shown = {"id": layer["id"], "name": layer["name"], "start": iso(layer["start"], tz), "end": iso(layer["end"], tz),
                 "rotation_virtual_start": iso(layer["rotation_virtual_start"], tz),
                 "rotation_turn_length_seconds": layer["rotation_turn_length_seconds"],
                 "users": [{"user": self.user_ref(user_id)} for user_id in layer["users"]],
                 "restrictions": [dict(restriction) for restriction in layer["restrictions"]]}
        if since is not None:
            segments = self.segments(schedule, since, until, layers=[layer], overrides=False)
            shown["rendered_schedule_entries"] = self.entries(segments, tz)
            shown["rendered_coverage_percentage"] = coverage(segments, since, until)
        return shown

    def render_schedule(self, schedule, since=None, until=None, tz=None, parts=SCHEDULE_PARTS):
        """A schedule with the ``parts`` asked for, every time in ``tz`` (default: the schedule's time zone).

        PagerDuty writes times with the offset of the zone they are rendered
        in (``2026-01-05T10:00:00+01:00`` for Europe/Paris), as the
        description's examples do; the instants do not depend on the zone.
        With ``since`` the layers and sub-schedules carry their
        ``rendered_schedule_entries`` and coverage for ``since``..``until``.

        Layers are listed in the order they were written (the order POST and
        PUT take them, the last one winning).  PagerDuty's description does
        not say otherwise: its examples have one layer each.  Older PagerDuty
        answers listed them reversed, which PagerDuty's own support scripts
        and the Terraform provider worked around, and the provider's
        maintainers have since announced a fix that returns them in the
        written order, so no reversal is modelled.
        """
        tz = tz or zone(schedule["time_zone"])
        shown = decorate("schedule", schedule, schedule["name"])
        if "schedule_layers" in parts:
            shown["schedule_layers"] = [self.render_layer(schedule, layer, since, until, tz)
                                        for layer in schedule["_layers"]]
        shown["users"] = [self.user_ref(user_id) for user_id in self.schedule_user_ids(schedule)]
        shown["escalation_policies"] = [self.escalation_policy_ref(policy["id"])
                                        for policy in self.schedule_policies(schedule["id"])]
        shown["teams"] = [self.team_ref(team_id) for team_id in schedule["_teams"]]
        if "final_schedule" in parts:
            final = {"name": "Final Schedule", "rendered_schedule_entries": []}
            if since is not None:
                segments = self.segments(schedule, since, until)
                final.update(rendered_schedule_entries=self.entries(segments, tz),
                             rendered_coverage_percentage=coverage(segments, since, until))
            shown["final_schedule"] = final
        if "overrides_subschedule" in parts:
            overrides = {"name": "Overrides", "rendered_schedule_entries": []}
            if since is not None:
                only_overrides = self.segments(schedule, since, until, layers=[], overrides=True)
                overrides.update(rendered_schedule_entries=self.entries(only_overrides, tz),
                                 rendered_coverage_percentage=coverage(only_overrides, since, until))
            shown["overrides_subschedule"] = overrides
        return shown

    def entries(self, segments, tz):
        return [{"start": iso(start, tz), "end": iso(end, tz), "user": self.user_ref(user_id)}
                for start, end, user_id in segments]

    def request_zone(self, request, default):
        """The zone a request's ``time_zone`` parameter names (400 when unknown), else ``default``."""
        name = request.arg("time_zone")
        return zone(name, "time_zone") if name else default

    def account_zone(self):
        """The account's time zone (the ``account_time_zone`` setting)."""
        return zone(self.account_time_zone)

    @route("GET", "/schedules")
    def list_schedules(self, request):
        """The schedules, with the parts ``include[]`` names, rendered in ``time_zone``.

        The description's default zone is the current user's, then the
        account's; the simulator's token is an account token, with no user, so
        the default is the account's time zone.  ``since``/``until`` (either
        one: the other defaults to two weeks away, as for one schedule) fill
        the ``rendered_schedule_entries`` of the included layers and
        sub-schedules; without them those lists are left out or empty, as
        for one schedule.
        """
        query = request.arg("query")
        team_ids = set(request.args("team_ids"))
        parts = [part for part in SCHEDULE_PARTS if part in request.args("include")]
        since, until = window(request)
        if since or until:
            since = since or until - SCHEDULE_SPAN
            until = until or since + SCHEDULE_SPAN
        with self.lock:
            tz = self.request_zone(request, self.account_zone())
            found = [self.render_schedule(schedule, since, until, tz, parts) for schedule in by_name(self.schedules.values())
                     if matches_query(query, schedule["name"])
                     and (not team_ids or team_ids.intersection(schedule["_teams"]))]
        return Reply(200, paginate(request, found, "schedules"))

    @route("POST", "/schedules")
    def post_schedule(self, request):
        data = fresh(request.json()["schedule"])
        with self.lock:
            return Reply(201, {"schedule": self.render_schedule(self.create_schedule(data))})

    @route("GET", "/schedules/{id}")
    def get_schedule(self, request):
        """One schedule, rendered in ``time_zone`` (default: the schedule's) from ``since`` (default: now)."""
        since, until = window(request)
        with self.lock:
            schedule = self.schedule(request.params["id"])
            tz = self.request_zone(request, zone(schedule["time_zone"]))
            since = since or (until - SCHEDULE_SPAN if until else self.now())
            until = until or since + SCHEDULE_SPAN
            return Reply(200, {"schedule": self.render_schedule(schedule, since, until, tz)})

    @route("PUT", "/schedules/{id}")
    def put_schedule(self, request):
        data = request.json()["schedule"]
        with self.lock:
            schedule = self.update_schedule(self.schedule(request.params["id"]), data)
            return Reply(200, {"schedule": self.render_schedule(schedule)})

    @route("DELETE", "/schedules/{id}")
    def delete_schedule(self, request):
        """PagerDuty refuses while an escalation policy still targets the schedule, naming the policy."""
        with self.lock:
            schedule = self.schedule(request.params["id"])
            for policy in self.schedule_policies(schedule["id"]):
                raise invalid("Schedule %s cannot be deleted: escalation policy '%s' (%s) still targets it. "
                              "Remove it from the policy first." % (schedule["id"], policy["name"], policy["id"]))
            del self.schedules[schedule["id"]]
        return Reply(204)

    @route("GET", "/schedules/{id}/users")
    def list_schedule_users(self, request):
        since, until = window(request)
        with self.lock:
            schedule = self.schedule(request.params["id"])
            since = since or self.now()
            until = until or since + SCHEDULE_SPAN
            on_call = []
            for segment in self.segments(schedule, since, until):
                user_id = segment[2]
                if user_id not in on_call:
                    on_call.append(user_id)
            return Reply(200, {"users": [self.render_user(self.users[user_id]) for user_id in on_call]})

    def drop_user_from_schedules(self, user_id):
        for schedule in self.schedules.values():
            for layer in schedule["_layers"] + schedule["_history"]:
                layer["users"] = [member for member in layer["users"] if member != user_id]
            for override_id in [key for key, value in schedule["_overrides"].items() if value["user"] == user_id]:
                del schedule["_overrides"][override_id]

    # Overrides ------------------------------------------------------------------------------

    def render_override(self, schedule, override):
        """An override, its times in the schedule's time zone (the override operations take no ``time_zone``)."""
        tz = zone(schedule["time_zone"])
        return decorate("override", override | {"start": iso(override["start"], tz), "end": iso(override["end"], tz),
                                                "user": self.user_ref(override["user"])},
                        "Override for %s" % self.user_ref(override["user"])["summary"],
                        "/schedules/%s/overrides/%s" % (schedule["id"], override["id"]))

    @route("GET", "/schedules/{id}/overrides")
    def list_overrides(self, request):
        since, until = window(request)
        editable = request.arg("editable", "false").lower() == "true"
        with self.lock:
            schedule = self.schedule(request.params["id"])
            now = self.now()
            found = [self.render_override(schedule, override)
                     for override in sorted(schedule["_overrides"].values(), key=lambda item: item["start"])
                     if override["start"] < until and override["end"] > since and (not editable or override["end"] > now)]
        return Reply(200, {"overrides": found})

    @route("POST", "/schedules/{id}/overrides")
    def post_overrides(self, request):
        """Each override gets its own status: 201 when created, 400 with errors when not."""
        data = request.json().get("overrides") or []
        results = []
        with self.lock:
            schedule = self.schedule(request.params["id"])
            for entry in data:
                start, end = parse_time(entry["start"], "start"), parse_time(entry["end"], "end")
                user_id = entry["user"]["id"]
                errors = []
                if end <= start:
                    errors.append("End must be after start")
                if user_id not in self.users:
                    errors.append("User %s not found" % user_id)
                if errors:
                    results.append({"status": 400, "errors": errors, "override": entry})
                    continue
                created = max((item["_created"] for item in schedule["_overrides"].values()), default=0) + 1
                override = {"id": self.new_id(), "start": start, "end": end, "user": user_id, "_created": created}
                schedule["_overrides"][override["id"]] = override
                results.append({"status": 201, "override": self.render_override(schedule, override)})
        return Reply(201, results)

    @route("DELETE", "/schedules/{id}/overrides/{override_id}")
    def delete_override(self, request):
        """An override already under way is cut short at the current time (200); a future one is deleted (204)."""
        with self.lock:
            schedule = self.schedule(request.params["id"])
            override = schedule["_overrides"].get(request.params["override_id"])
            if override is None:
                raise not_found("Override", request.params["override_id"])
            now = self.now()
            if override["start"] < now < override["end"]:
                override["end"] = now
                return Reply(200)
            del schedule["_overrides"][override["id"]]
        return Reply(204)

    # The on-call computation ------------------------------------------------------------------

    def segments(self, schedule, since, until, layers=None, overrides=True):
        """Who is on call when between ``since`` and ``until``: merged ``(start, end, user_id)`` runs.

        Later layers win over earlier ones, and overrides win over all layers.
        """
        tz = zone(schedule["time_zone"])
        if layers is None:
            layers = schedule["_history"] + schedule["_layers"]
        active_overrides = sorted(schedule["_overrides"].values(), key=lambda item: item["_created"]) if overrides else []
        cuts = {since, until}
        for layer in layers:
            cuts.update(layer_cuts(layer, tz, since, until))
        for override in active_overrides:
            cuts.update(moment for moment in (override["start"], override["end"]) if since < moment < until)
        ordered = sorted(cuts)
        runs = []
        for start, end in zip(ordered, ordered[1:]):
            user_id = who_is_on_call(layers, active_overrides, tz, start)
            if user_id is None:
                continue
            if runs and runs[-1][2] == user_id and runs[-1][1] == start:
                runs[-1] = (runs[-1][0], end, user_id)
            else:
                runs.append((start, end, user_id))
        return runs

    @route("GET", "/oncalls")
    def list_oncalls(self, request):
        """On-calls of every escalation level.

        A user target of a rule is a permanent on-call (null start and end);
        a schedule target gives each shift that overlaps the window, with the
        shift's own start and end (looked up to a week beyond the window).
        """
        since, until = window(request)
        policy_ids = set(request.args("escalation_policy_ids"))
        schedule_ids = set(request.args("schedule_ids"))
        user_ids = set(request.args("user_ids"))
        earliest = request.arg("earliest", "false").lower() == "true"
        includes = request.args("include")
        with self.lock:
            tz = self.request_zone(request, self.account_zone())
            since = since or self.now()
            until = until or since
            found = []
            for policy in by_name(self.escalation_policies.values()):
                if policy_ids and policy["id"] not in policy_ids:
                    continue
                for level, rule in enumerate(policy["_rules"], start=1):
                    for kind, target_id in rule["targets"]:
                        found.extend(self._oncalls(policy, level, kind, target_id, since, until))
            found = [entry for entry in found
                     if (not user_ids or entry["user"] in user_ids)
                     and (not schedule_ids or (entry["schedule"] or "null") in schedule_ids)]
            if earliest:
                seen = set()
                kept = []
                for entry in sorted(found, key=shift_order):
                    key = (entry["escalation_policy"], entry["escalation_level"], entry["user"])
                    if key not in seen:
                        seen.add(key)
                        kept.append(entry)
                found = kept
            found.sort(key=lambda item: (self.escalation_policies[item["escalation_policy"]]["name"].lower(),
                                         item["escalation_level"], shift_order(item)))
            shown = [self.render_oncall(entry, tz, includes) for entry in found]
        return Reply(200, paginate(request, shown, "oncalls"))

    def _oncalls(self, policy, level, kind, target_id, since, until):
        """The on-calls one rule target gives: ids and instants, rendered by ``render_oncall``."""
        base = {"escalation_policy": policy["id"], "escalation_level": level}
        if kind == "user":
            return [dict(base, schedule=None, user=target_id, start=None, end=None)]
        schedule = self.schedules[target_id]
        shifts = self.segments(schedule, since - SHIFT_REACH, until + SHIFT_REACH)
        return [dict(base, schedule=target_id, user=user_id, start=start, end=end)
                for start, end, user_id in shifts if start <= until and end > since]

    def render_oncall(self, entry, tz, includes):
        """An on-call, its times in ``tz``; ``include[]`` turns each named reference into the full object.

        ``users`` gives the user as ``GET /users/{id}`` does, ``schedules`` the
        schedule as ``GET /schedules/{id}`` would without a range (rendered in
        the same zone as the on-call), ``escalation_policies`` the policy as
        ``GET /escalation_policies/{id}`` does.
        """
        user_id, schedule_id, policy_id = entry["user"], entry["schedule"], entry["escalation_policy"]
        if "users" in includes:
            user = self.render_user(self.users[user_id])
        else:
            user = self.user_ref(user_id)
        if schedule_id is None:
            schedule = None
        elif "schedules" in includes:
            schedule = self.render_schedule(self.schedules[schedule_id], tz=tz)
        else:
            schedule = self.schedule_ref(schedule_id)
        if "escalation_policies" in includes:
            policy = self.render_escalation_policy(self.escalation_policies[policy_id])
        else:
            policy = self.escalation_policy_ref(policy_id)
        return {"escalation_policy": policy, "escalation_level": entry["escalation_level"], "schedule": schedule,
                "user": user, "start": iso(entry["start"], tz), "end": iso(entry["end"], tz)}


def shift_order(entry):
    """Sort key of an on-call by its start instant, a permanent on-call (no start) first."""
    return (entry["start"] is not None, entry["start"] or 0)


def coverage(segments, since, until):
    span = (until - since).total_seconds()
    if span <= 0:
        return 0.0
    covered = sum((min(segment[1], until) - max(segment[0], since)).total_seconds() for segment in segments)
    return round(100.0 * covered / span, 2)


def layer_cuts(layer, tz, since, until):
    """Every instant inside the window where a layer's answer may change."""
    cuts = [moment for moment in (layer["start"], layer["end"]) if moment and since < moment < until]
    turn = layer["rotation_turn_length_seconds"]
    origin = layer["rotation_virtual_start"]
    first = math.ceil((since - origin).total_seconds() / turn)
    step = first
    while True:
        moment = origin + timedelta(seconds=step * turn)
        if moment >= until:
            break
        if moment > since:
            cuts.append(moment)
        step += 1
    for start, end in restriction_windows(layer["restrictions"], tz, since, until):
        cuts.extend(moment for moment in (start, end) if since < moment < until)
    return cuts


def restriction_windows(restrictions, tz, since, until):
    """The windows in which restricted layers may assign anyone, as UTC ``(start, end)`` pairs."""
    found = []
    first_day = since.astimezone(tz).date() - timedelta(days=8)
    last_day = until.astimezone(tz).date() + timedelta(days=1)
    for restriction in restrictions:
        hours, minutes, seconds = (int(part) for part in restriction["start_time_of_day"].split(":"))
        duration = timedelta(seconds=restriction["duration_seconds"])
        day = first_day
        while day <= last_day:
            weekly = restriction["type"] == "weekly_restriction"
            if not weekly or day.isoweekday() == restriction["start_day_of_week"]:
                start = datetime(day.year, day.month, day.day, hours, minutes, seconds, tzinfo=tz)
                found.append((start, start + duration))
            day += timedelta(days=1)
    return found


def layer_user(layer, tz, moment):
    """Who a layer puts on call at ``moment``, or None."""
    if moment < layer["start"] or (layer["end"] is not None and moment >= layer["end"]) or not layer["users"]:
        return None
    if layer["restrictions"] and not any(start <= moment < end for start, end in
                                         restriction_windows(layer["restrictions"], tz, moment, moment)):
        return None
    turns = math.floor((moment - layer["rotation_virtual_start"]).total_seconds() / layer["rotation_turn_length_seconds"])
    return layer["users"][turns % len(layer["users"])]


def who_is_on_call(layers, overrides, tz, moment):
    for override in reversed(overrides):
        if override["start"] <= moment < override["end"]:
            return override["user"]
    for layer in sorted(layers, key=lambda item: item["position"], reverse=True):
        user_id = layer_user(layer, tz, moment)
        if user_id is not None:
            return user_id
    return None
