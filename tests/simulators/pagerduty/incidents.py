"""Incidents: creation with de-duplication, status changes, reassignment, escalation, notes, snooze, merge."""

from __future__ import annotations

from datetime import timedelta

from simulators.core import Reply, route

from .common import (PagerDutyError, days, decorate, invalid, iso, not_found, paginate, reference, window)
from .webhooks import status_event

OPEN = ("triggered", "acknowledged")
DEFAULT_LIST_SPAN = days(30)
MAX_LIST_SPAN = days(183)


class IncidentsMixin:
    """``/incidents`` and its sub-resources."""

    def _reset_incidents(self):
        self.incidents = {}
        self.change_events = []

    # Lookups and rendering ---------------------------------------------------------

    def incident(self, key):
        """An incident by id or, as PagerDuty also accepts, by incident number."""
        found = self.incidents.get(key)
        if found is None and key.isdigit():
            found = next((item for item in self.incidents.values() if item["incident_number"] == int(key)), None)
        if found is None:
            raise not_found("Incident", key)
        self.end_snooze(found)
        return found

    def end_snooze(self, incident):
        """A snooze that has run out returns the incident to triggered, as PagerDuty's pending action does."""
        until = incident["_snoozed_until"]
        if until is not None and until <= self.now() and incident["status"] == "acknowledged":
            incident.update(status="triggered", last_status_change_at=iso(until), _snoozed_until=None,
                            _acknowledgements=[])

    def incident_ref(self, incident):
        return reference("incident", incident["id"], incident["_summary"])

    def render_incident(self, incident, includes=()):
        shown = decorate("incident", incident, incident["_summary"])
        shown["resolved_at"] = incident["resolved_at"]
        service = self.services.get(incident["_service"])
        shown["service"] = (self.render_service(service) if "services" in includes and service
                            else self.service_ref(incident["_service"]))
        shown["escalation_policy"] = self.escalation_policy_ref(incident["_escalation_policy"])
        shown["assignments"] = [{"at": iso(at), "assignee": self.render_user(self.users[user_id])
                                 if "assignees" in includes and user_id in self.users else self.user_ref(user_id)}
                                for user_id, at in incident["_assignments"]]
        shown["acknowledgements"] = [{"at": iso(at), "acknowledger": self.actor_ref(incident, user_id)}
                                     for user_id, at in incident["_acknowledgements"]]
        shown["last_status_change_by"] = self.actor_ref(incident, incident["_changed_by"])
        shown["teams"] = [self.team_ref(team_id) for team_id in self.escalation_policies.get(
            incident["_escalation_policy"], {"_teams": []})["_teams"]]
        if incident["_priority"]:
            priority = self.priorities[incident["_priority"]]
            shown["priority"] = decorate("priority", priority, priority["name"])
        shown["pending_actions"] = [{"type": "unacknowledge", "at": iso(incident["_snoozed_until"])}
                                    ] if incident["_snoozed_until"] else []
        shown["alert_counts"] = {"all": incident["_alerts"], "triggered": incident["_alerts"] if incident["status"] != "resolved" else 0,
                                 "resolved": incident["_alerts"] if incident["status"] == "resolved" else 0}
        return shown

    # Assignment ------------------------------------------------------------------------

    def on_call_at_level(self, policy, level, moment):
        """The users an escalation rule pages now: direct targets and whoever is on call on its schedules."""
        rules = policy["_rules"]
        if not rules:
            return []
        rule = rules[(level - 1) % len(rules)]
        found = []
        for kind, target_id in rule["targets"]:
            if kind == "user":
                candidates = [target_id]
            else:
                candidates = [user_id for start, end, user_id in
                              self.segments(self.schedules[target_id], moment, moment + timedelta(seconds=1))]
            found.extend(user_id for user_id in candidates if user_id not in found)
        return found

    def open_incidents_assigned_to(self, user_id):
        """The triggered or acknowledged incidents the user is assigned to, by incident number."""
        return [incident for incident in sorted(self.incidents.values(), key=lambda item: item["incident_number"])
                if incident["status"] in OPEN and any(entry[0] == user_id for entry in incident["_assignments"])]

    def assign_by_policy(self, incident, level, now):
        incident["escalation_level"] = level
        incident["assigned_via"] = "escalation_policy"
        policy = self.escalation_policies[incident["_escalation_policy"]]
        incident["_assignments"] = [(user_id, now) for user_id in self.on_call_at_level(policy, level, now)]

    def assign_directly(self, incident, assignments, now):
        users = [entry["assignee"]["id"] for entry in assignments]
        for user_id in users:
            if user_id not in self.users:
                raise invalid("Assignee %s not found" % user_id)
        incident["assigned_via"] = "direct_assignment"
        incident["_assignments"] = [(user_id, now) for user_id in users]

    # Creation ----------------------------------------------------------------------------

    @route("POST", "/incidents")
    def post_incident(self, request):
        """De-duplication: a second incident with the key of an open incident on the same service is
        refused with 400, and the error names the open incident."""
        data = request.json()["incident"]
        with self.lock:
            requester = self.requester(request)
            service = self.service(data["service"]["id"])
            if service["status"] == "disabled":
                raise invalid("Service %s is disabled" % service["id"])
            key = data.get("incident_key")
            other = self.open_incident_with_key(service["id"], key) if key else None
            if other is not None:
                raise PagerDutyError("Incident Already Exists", code=2001,
                                     errors=["Open incident with key '%s' already exists" % key],
                                     incident=self.incident_ref(other), incident_number=other["incident_number"])
            if data.get("assignments") and data.get("escalation_policy"):
                raise invalid("Assignments cannot be specified together with an escalation policy")
            policy_id = (data.get("escalation_policy") or {}).get("id") or service["_escalation_policy"]
            self.escalation_policy(policy_id)
            priority_id = (data.get("priority") or {}).get("id")
            if priority_id and priority_id not in self.priorities:
                raise invalid("Priority %s not found" % priority_id)
            incident = self.open_incident(service, data["title"], key, requester["id"], urgency=data.get("urgency"),
                                          policy_id=policy_id, priority_id=priority_id,
                                          assignments=data.get("assignments"))
            if data.get("body"):
                incident["body"] = {"type": "incident_body", "details": data["body"].get("details")}
            if data.get("conference_bridge"):
                incident["conference_bridge"] = dict(data["conference_bridge"])
            return Reply(201, {"incident": self.render_incident(incident)})

    def open_incident(self, service, title, key, actor, urgency=None, policy_id=None, priority_id=None, assignments=None):
        """A new triggered incident on ``service``, assigned by its policy or directly; ``actor`` None is the service itself.

        Shared by ``POST /incidents`` and the Events API, which opens one for a new alert.
        """
        now = self.now()
        number = max((item["incident_number"] for item in self.incidents.values()), default=0) + 1
        incident = {
            "id": self.new_id(), "incident_number": number, "title": title, "description": title,
            "status": "triggered", "urgency": urgency or service["incident_urgency_rule"].get("urgency", "high"),
            "incident_key": key or self.random.getrandbits(128).to_bytes(16, "big").hex(),
            "created_at": iso(now), "updated_at": iso(now), "last_status_change_at": iso(now), "resolved_at": None,
            "is_mergeable": True,
            "_summary": "[#%d] %s" % (number, title), "_service": service["id"],
            "_escalation_policy": policy_id or service["_escalation_policy"],
            "_priority": priority_id, "_acknowledgements": [], "_changed_by": actor, "_snoozed_until": None,
            "_alerts": 0, "_alert_records": [], "_notes": [], "_status_updates": [],
        }
        if assignments:
            incident["escalation_level"] = 1
            self.assign_directly(incident, assignments, now)
        else:
            self.assign_by_policy(incident, 1, now)
        self.incidents[incident["id"]] = incident
        service["last_incident_timestamp"] = iso(now)
        self.announce_incident("incident.triggered", incident, actor)
        return incident

    def open_incident_with_key(self, service_id, key):
        """The triggered or acknowledged incident of a service that holds ``key``, or None."""
        return next((incident for incident in self.incidents.values() if incident["_service"] == service_id
                     and incident["incident_key"] == key and incident["status"] in OPEN), None)

    def actor_ref(self, incident, user_id):
        """Who acted on an incident: a user, or its service when an integration's event did (``user_id`` None)."""
        return self.user_ref(user_id) if user_id else self.service_ref(incident["_service"])

    # Reading -----------------------------------------------------------------------------

    @route("GET", "/incidents")
    def list_incidents(self, request):
        """Without ``date_range=all`` or ``since``, PagerDuty lists the last 30 days only."""
        since, until = window(request)
        statuses = set(request.args("statuses"))
        service_ids = set(request.args("service_ids"))
        team_ids = set(request.args("team_ids"))
        user_ids = set(request.args("user_ids"))
        urgencies = set(request.args("urgencies"))
        key = request.arg("incident_key")
        includes = request.args("include")
        with self.lock:
            now = self.now()
            if request.arg("date_range") != "all":
                since = since or (until or now) - DEFAULT_LIST_SPAN
            found = []
            if since is not None and until is not None and until - since > MAX_LIST_SPAN:
                raise PagerDutyError("Invalid Query Date Range", code=2005,
                                     errors=["The date range cannot be longer than 6 months"])
            for incident in sorted(self.incidents.values(), key=lambda item: item["incident_number"]):
                self.end_snooze(incident)
                created = incident["created_at"]
                if (since is not None and created < iso(since)) or (until is not None and created >= iso(until)):
                    continue
                policy_teams = self.escalation_policies.get(incident["_escalation_policy"], {"_teams": []})["_teams"]
                if ((statuses and incident["status"] not in statuses)
                        or (service_ids and incident["_service"] not in service_ids)
                        or (team_ids and not team_ids.intersection(policy_teams))
                        or (user_ids and not user_ids.intersection(assignment[0] for assignment in incident["_assignments"]))
                        or (urgencies and incident["urgency"] not in urgencies)
                        or (key is not None and incident["incident_key"] != key)):
                    continue
                found.append(self.render_incident(incident, includes))
        return Reply(200, paginate(request, found, "incidents"))

    @route("GET", "/incidents/{id}")
    def get_incident(self, request):
        with self.lock:
            return Reply(200, {"incident": self.render_incident(self.incident(request.params["id"]),
                                                                request.args("include"))})

    # Changes ---------------------------------------------------------------------------------

    def change_incident(self, incident, data, requester):
        """Apply one incident update (shared by the single and the bulk PUT)."""
        now = self.now()
        if data.get("escalation_policy") and data.get("assignments"):
            raise invalid("Assignments cannot be specified together with an escalation policy")
        if "title" in data:
            incident["title"] = incident["description"] = data["title"]
            incident["_summary"] = "[#%d] %s" % (incident["incident_number"], data["title"])
        if "urgency" in data:
            incident["urgency"] = data["urgency"]
        if "priority" in data:
            incident["_priority"] = self._priority_id(data["priority"])
        if data.get("escalation_policy"):
            incident["_escalation_policy"] = self.escalation_policy(data["escalation_policy"]["id"])["id"]
            self.assign_by_policy(incident, 1, now)
        if "escalation_level" in data:
            if incident["status"] == "resolved":
                raise invalid("Incident %s is resolved and cannot be escalated" % incident["id"])
            levels = len(self.escalation_policies[incident["_escalation_policy"]]["_rules"])
            if not 1 <= data["escalation_level"] <= levels:
                raise invalid("Escalation level must be between 1 and %d" % levels)
            self.assign_by_policy(incident, data["escalation_level"], now)
            incident["_acknowledgements"] = []
            incident["status"] = "triggered"
        if data.get("assignments"):
            self.assign_directly(incident, data["assignments"], now)
            incident["_acknowledgements"] = []
            incident["status"] = "triggered"
        if "status" in data:
            self._set_status(incident, data["status"], requester, now)
            if data["status"] == "resolved" and data.get("resolution"):
                incident["_resolution"] = data["resolution"]
        incident["updated_at"] = iso(now)
        incident["_changed_by"] = requester["id"]

    def _priority_id(self, priority):
        """A priority given as a reference or, as the description allows, by name."""
        if priority is None:
            return None
        if isinstance(priority, str):
            for identifier, record in self.priorities.items():
                if record["name"] == priority:
                    return identifier
            raise invalid("Priority %s not found" % priority)
        if priority.get("id") not in self.priorities:
            raise invalid("Priority %s not found" % priority.get("id"))
        return priority["id"]

    def _set_status(self, incident, status, requester, now):
        """``requester`` is the acting user, or None for an integration's event."""
        if status == incident["status"]:
            return
        if incident["status"] == "resolved":
            incident["resolved_at"] = None
            if not incident["_assignments"]:
                self.assign_by_policy(incident, 1, now)
        if status == "acknowledged":
            incident["_acknowledgements"] = [(requester["id"] if requester else None, now)]
        elif status == "resolved":
            incident["_assignments"] = []
            incident["_acknowledgements"] = []
            incident["resolved_at"] = iso(now)
        else:
            incident["_acknowledgements"] = []
        incident["_snoozed_until"] = None
        incident["status"] = status
        incident["last_status_change_at"] = iso(now)

    def set_status_by_event(self, incident, status):
        """An integration's acknowledge or resolve event: the service, not a user, changes the status."""
        now = self.now()
        before = incident["status"]
        self._set_status(incident, status, None, now)
        incident["updated_at"] = iso(now)
        incident["_changed_by"] = None
        self.announce_incident(status_event(before, status), incident)

    @route("PUT", "/incidents/{id}")
    def put_incident(self, request):
        data = request.json()["incident"]
        with self.lock:
            requester = self.requester(request)
            incident = self.incident(request.params["id"])
            before = incident["status"]
            self.change_incident(incident, data, requester)
            self.announce_incident(status_event(before, incident["status"]), incident, requester["id"])
            return Reply(200, {"incident": self.render_incident(incident)})

    @route("PUT", "/incidents")
    def put_incidents(self, request):
        """Bulk update; every incident is checked before any is changed, so one bad entry changes nothing."""
        entries = request.json()["incidents"]
        with self.lock:
            requester = self.requester(request)
            targets = []
            for entry in entries:
                if not entry.get("id"):
                    raise invalid("Each incident needs an id")
                targets.append((self.incident(entry["id"]), entry))
            for incident, entry in targets:
                trial = dict(incident)
                self.change_incident(trial, entry, requester)
            for incident, entry in targets:
                before = incident["status"]
                self.change_incident(incident, entry, requester)
                self.announce_incident(status_event(before, incident["status"]), incident, requester["id"])
            found = [self.render_incident(target[0]) for target in targets]
        return Reply(200, paginate(request, found, "incidents"))

    @route("PUT", "/incidents/{id}/merge")
    def merge_incidents(self, request):
        """Source incidents are resolved into the target; a resolved source cannot be merged."""
        sources = request.json()["source_incidents"]
        with self.lock:
            requester = self.requester(request)
            target = self.incident(request.params["id"])
            if target["status"] == "resolved":
                raise PagerDutyError("Arguments Caused Error", errors=["The target incident is resolved"])
            found = [self.incident(entry["id"]) for entry in sources]
            for source in found:
                if source["id"] == target["id"]:
                    raise PagerDutyError("Arguments Caused Error", errors=["An incident cannot be merged into itself"])
                if source["status"] == "resolved":
                    raise PagerDutyError("Arguments Caused Error",
                                         errors=["Incident %s is resolved and cannot be merged" % source["id"]])
            now = self.now()
            for source in found:
                target["_alerts"] += max(source["_alerts"], 1)
                for alert in source["_alert_records"]:
                    alert["incident"] = self.incident_ref(target)
                target["_alert_records"].extend(source["_alert_records"])
                source["_alert_records"] = []
                before = source["status"]
                self._set_status(source, "resolved", requester, now)
                self.announce_incident(status_event(before, "resolved"), source, requester["id"])
                source["is_mergeable"] = False
                source["_changed_by"] = requester["id"]
            target["updated_at"] = iso(now)
            return Reply(200, {"incident": self.incident_ref(target)})

    @route("POST", "/incidents/{id}/snooze")
    def snooze_incident(self, request):
        """Only an acknowledged incident can be snoozed; it is due to be unacknowledged after ``duration``."""
        duration = request.json()["duration"]
        with self.lock:
            requester = self.requester(request)
            incident = self.incident(request.params["id"])
            if incident["status"] != "acknowledged":
                raise invalid("Incident must be acknowledged to be snoozed")
            incident["_snoozed_until"] = self.now() + timedelta(seconds=duration)
            incident["_changed_by"] = requester["id"]
            return Reply(201, {"incident": self.render_incident(incident)})

    @route("GET", "/incidents/{id}/alerts")
    def list_alerts(self, request):
        """The alerts of an incident (those its events opened, and those merged into it), oldest first."""
        statuses = set(request.args("statuses"))
        with self.lock:
            incident = self.incident(request.params["id"])
            found = [dict(alert) for alert in incident["_alert_records"] if not statuses or alert["status"] in statuses]
        return Reply(200, paginate(request, found, "alerts"))

    # Notes and status updates ---------------------------------------------------------------

    def render_note(self, note):
        return {"id": note["id"], "user": self.user_ref(note["user"]), "content": note["content"],
                "created_at": note["created_at"], "channel": {"summary": "The PagerDuty website or APIs"}}

    @route("GET", "/incidents/{id}/notes")
    def list_notes(self, request):
        with self.lock:
            incident = self.incident(request.params["id"])
            return Reply(200, {"notes": [self.render_note(note) for note in incident["_notes"]]})

    @route("POST", "/incidents/{id}/notes")
    def post_note(self, request):
        content = request.json()["note"]["content"]
        with self.lock:
            requester = self.requester(request)
            incident = self.incident(request.params["id"])
            if not content.strip():
                raise invalid("Content can't be blank")
            note = {"id": self.new_id(), "user": requester["id"], "content": content, "created_at": iso(self.now())}
            incident["_notes"].append(note)
            return Reply(200, {"note": self.render_note(note)})

    @route("POST", "/incidents/{id}/status_updates")
    def post_status_update(self, request):
        data = request.json()
        with self.lock:
            requester = self.requester(request)
            incident = self.incident(request.params["id"])
            update = {"id": self.new_id(), "message": data["message"], "created_at": iso(self.now()),
                      "sender": self.user_ref(requester["id"])}
            update.update((key, data[key]) for key in ("subject", "html_message") if key in data)
            incident["_status_updates"].append(update)
            return Reply(200, {"status_update": update})
