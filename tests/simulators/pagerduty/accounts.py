"""Users, their contact methods and notification rules, and teams."""

from __future__ import annotations

import re

from simulators.core import Reply, route

from .common import (PagerDutyError, by_name, decorate, fresh, invalid, matches_query, not_found, paginate,
                     reference, zone)

USER_COLORS = ("green", "red", "purple", "teal", "orange", "cayenne", "blue", "brown", "forest", "crimson")
AVATAR = "https://secure.gravatar.com/avatar/%s.png?d=mm&r=PG"
USER_FIELDS = ("name", "email", "time_zone", "color", "role", "description", "job_title")
PHONE_TYPES = ("phone_contact_method", "sms_contact_method")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountsMixin:
    """``/users`` (+ contact methods, notification rules) and ``/teams``."""

    def _reset_accounts(self):
        self.users = {}
        self.contact_methods = {}
        self.notification_rules = {}
        self.teams = {}
        self.team_members = {}

    # Lookups and rendering ------------------------------------------------------

    def user(self, user_id):
        found = self.users.get(user_id)
        if found is None:
            raise not_found("User", user_id)
        return found

    def user_by_email(self, email):
        wanted = (email or "").strip().lower()
        return next((user for user in self.users.values() if user["email"].lower() == wanted), None)

    def user_ref(self, user_id):
        user = self.users.get(user_id)
        return reference("user", user_id, user["name"] if user else "Deleted User")

    def contact_method_ref(self, user_id, method):
        return reference(method["type"], method["id"], method["label"], "/users/%s/contact_methods/%s" % (user_id, method["id"]),
                         html=False)

    def notification_rule_ref(self, user_id, rule):
        summary = "%s urgency rule after %d minutes" % (rule["urgency"].capitalize(), rule["start_delay_in_minutes"])
        return reference("assignment_notification_rule", rule["id"], summary,
                         "/users/%s/notification_rules/%s" % (user_id, rule["id"]), html=False)

    def team_ref(self, team_id):
        team = self.teams.get(team_id)
        return reference("team", team_id, team["name"] if team else "Deleted Team")

    def render_contact_method(self, user_id, method):
        shown = decorate(method["type"], method, method["label"],
                         "/users/%s/contact_methods/%s" % (user_id, method["id"]))
        shown["html_url"] = None
        return shown

    def render_notification_rule(self, user_id, rule, includes=()):
        method = self.contact_methods[user_id].get(rule["contact_method"])
        shown = decorate("assignment_notification_rule", rule, self.notification_rule_ref(user_id, rule)["summary"],
                         "/users/%s/notification_rules/%s" % (user_id, rule["id"]))
        shown["html_url"] = None
        shown["contact_method"] = (self.render_contact_method(user_id, method) if "contact_methods" in includes
                                   else self.contact_method_ref(user_id, method))
        return shown

    def user_teams(self, user_id):
        return [team_id for team_id in self.teams if user_id in self.team_members.get(team_id, {})]

    def render_user(self, user, includes=()):
        shown = decorate("user", user, user["name"])
        user_id = user["id"]
        methods = list(self.contact_methods[user_id].values())
        rules = list(self.notification_rules[user_id].values())
        shown["contact_methods"] = [self.render_contact_method(user_id, method) if "contact_methods" in includes
                                    else self.contact_method_ref(user_id, method) for method in methods]
        shown["notification_rules"] = [self.render_notification_rule(user_id, rule) if "notification_rules" in includes
                                       else self.notification_rule_ref(user_id, rule) for rule in rules]
        shown["teams"] = [self.render_team(self.teams[team_id]) if "teams" in includes else self.team_ref(team_id)
                          for team_id in self.user_teams(user_id)]
        return shown

    def render_team(self, team):
        shown = decorate("team", team, team["name"])
        shown["parent"] = None
        return shown

    # Creation shared by the API and bulk seeding ------------------------------

    def create_user(self, data):
        """Add a user the way PagerDuty does: a default email contact method and default rules."""
        email = (data.get("email") or "").strip()
        if not EMAIL_PATTERN.match(email):
            raise invalid("Email is not a valid email address")
        if self.user_by_email(email):
            raise invalid("Email has already been taken")
        zone(data.get("time_zone") or "Etc/UTC")
        user_id = self.claim_id(data)
        user = {
            "id": user_id,
            "name": data["name"],
            "email": email,
            "time_zone": data.get("time_zone") or "Etc/UTC",
            "color": data.get("color") or USER_COLORS[len(self.users) % len(USER_COLORS)],
            "role": data.get("role") or "user",
            "description": data.get("description"),
            "job_title": data.get("job_title") or "",
            "avatar_url": AVATAR % user_id.lower(),
            "invitation_sent": True,
        }
        self.users[user_id] = user
        self.contact_methods[user_id] = {}
        self.notification_rules[user_id] = {}
        method = self.add_contact_method(user_id, {"type": "email_contact_method", "label": "Default",
                                                   "address": email, "send_short_email": False})
        for urgency in ("high", "low"):
            self.add_notification_rule(user_id, {"start_delay_in_minutes": 0, "urgency": urgency,
                                                 "contact_method": {"id": method["id"]}})
        return user

    def add_contact_method(self, user_id, data, method_id=None):
        kind = data["type"]
        address = str(data["address"]).strip()
        if kind == "email_contact_method" and not EMAIL_PATTERN.match(address):
            raise invalid("Address is not a valid email address")
        if kind in PHONE_TYPES and not re.fullmatch(r"[0-9]{4,15}", address):
            raise invalid("Address is not a valid phone number")
        for other in self.contact_methods[user_id].values():
            if other["type"] == kind and other["address"].lower() == address.lower():
                raise invalid("User Contact method must be unique")
        method = {"id": method_id or self.claim_id(data), "type": kind, "label": data["label"], "address": address}
        if kind == "email_contact_method":
            method["send_short_email"] = bool(data.get("send_short_email", False))
        if kind in PHONE_TYPES:
            method["country_code"] = data["country_code"]
            method["blacklisted"] = False
        if kind == "push_notification_contact_method":
            method["device_type"] = data.get("device_type", "android")
            method["blacklisted"] = False
        method["enabled"] = True
        self.contact_methods[user_id][method["id"]] = method
        return method

    def add_notification_rule(self, user_id, data):
        method_id = (data.get("contact_method") or {}).get("id")
        if method_id not in self.contact_methods[user_id]:
            raise invalid("Contact method %s does not belong to user %s" % (method_id, user_id))
        rule = {"id": self.claim_id(data), "start_delay_in_minutes": data["start_delay_in_minutes"],
                "urgency": data["urgency"], "contact_method": method_id}
        self.notification_rules[user_id][rule["id"]] = rule
        return rule

    def create_team(self, data):
        if any(team["name"].lower() == data["name"].lower() for team in self.teams.values()):
            raise invalid("Name has already been taken")
        team = {"id": self.claim_id(data), "name": data["name"],
                "description": data.get("description"), "default_role": data.get("default_role", "manager")}
        self.teams[team["id"]] = team
        self.team_members[team["id"]] = {}
        return team

    # Users --------------------------------------------------------------------

    @route("GET", "/users")
    def list_users(self, request):
        includes = request.args("include")
        team_ids = set(request.args("team_ids"))
        query = request.arg("query")
        with self.lock:
            found = [self.render_user(user, includes) for user in by_name(self.users.values())
                     if matches_query(query, user["name"], user["email"])
                     and (not team_ids or team_ids.intersection(self.user_teams(user["id"])))]
        return Reply(200, paginate(request, found, "users"))

    @route("POST", "/users")
    def post_user(self, request):
        data = fresh(request.json()["user"])
        with self.lock:
            return Reply(201, {"user": self.render_user(self.create_user(data))})

    @route("GET", "/users/{id}")
    def get_user(self, request):
        if request.params["id"] == "me":
            raise invalid("Because this request was made using an account-level access token, "
                          "we were unable to correlate a user with this request.")
        with self.lock:
            return Reply(200, {"user": self.render_user(self.user(request.params["id"]), request.args("include"))})

    @route("PUT", "/users/{id}")
    def put_user(self, request):
        data = request.json()["user"]
        with self.lock:
            user = self.user(request.params["id"])
            if "email" in data:
                other = self.user_by_email(data["email"])
                if other is not None and other["id"] != user["id"]:
                    raise invalid("Email has already been taken")
                if not EMAIL_PATTERN.match(data["email"]):
                    raise invalid("Email is not a valid email address")
            if data.get("time_zone"):
                zone(data["time_zone"])
            if user["role"] == "owner" and data.get("role", "owner") != "owner":
                raise invalid("The account owner's role cannot be changed")
            user.update((field, data[field]) for field in USER_FIELDS if field in data)
            return Reply(200, {"user": self.render_user(user)})

    @route("DELETE", "/users/{id}")
    def delete_user(self, request):
        """PagerDuty refuses while an escalation policy still targets the user, naming the policy.

        It also refuses (400) while the user is assigned to an open incident
        (triggered or acknowledged), as the description of the operation says,
        unless the account has the ``offboarding`` feature (the simulator's
        ``offboarding`` setting).  With it the user is removed and taken off
        those incidents; an incident left with no assignee goes back to the
        on-calls of its escalation level.  PagerDuty does that reassignment
        asynchronously; the simulator does it before it answers.
        """
        with self.lock:
            user = self.user(request.params["id"])
            if user["role"] == "owner":
                raise invalid("The account owner cannot be deleted")
            for policy in by_name(self.escalation_policies.values()):
                if any(target == ("user", user["id"]) for rule in policy["_rules"] for target in rule["targets"]):
                    raise invalid("User %s cannot be deleted: escalation policy '%s' (%s) still targets them. "
                                  "Remove them from the policy first." % (user["id"], policy["name"], policy["id"]))
            assigned = self.open_incidents_assigned_to(user["id"])
            if assigned and not self.offboarding:
                held = ", ".join("#%d %s" % (incident["incident_number"], incident["id"]) for incident in assigned)
                raise invalid("User %s cannot be deleted: they are assigned to open incidents (%s). Resolve or reassign "
                              "them first." % (user["id"], held))
            self.forget_user(user["id"])
            now = self.now()
            for incident in assigned:
                incident["_assignments"] = [entry for entry in incident["_assignments"] if entry[0] != user["id"]]
                if not incident["_assignments"]:
                    self.assign_by_policy(incident, incident["escalation_level"], now)
        return Reply(204)

    def forget_user(self, user_id):
        del self.users[user_id]
        del self.contact_methods[user_id]
        del self.notification_rules[user_id]
        for members in self.team_members.values():
            members.pop(user_id, None)
        self.drop_user_from_schedules(user_id)

    # Contact methods ------------------------------------------------------------

    @route("GET", "/users/{id}/contact_methods")
    def list_contact_methods(self, request):
        with self.lock:
            user_id = self.user(request.params["id"])["id"]
            return Reply(200, {"contact_methods": [self.render_contact_method(user_id, method)
                                                   for method in self.contact_methods[user_id].values()]})

    @route("POST", "/users/{id}/contact_methods")
    def post_contact_method(self, request):
        data = fresh(request.json()["contact_method"])
        with self.lock:
            user_id = self.user(request.params["id"])["id"]
            method = self.add_contact_method(user_id, data)
            return Reply(201, {"contact_method": self.render_contact_method(user_id, method)})

    def contact_method(self, request):
        user_id = self.user(request.params["id"])["id"]
        method = self.contact_methods[user_id].get(request.params["contact_method_id"])
        if method is None:
            raise not_found("Contact method", request.params["contact_method_id"])
        return user_id, method

    @route("GET", "/users/{id}/contact_methods/{contact_method_id}")
    def get_contact_method(self, request):
        with self.lock:
            user_id, method = self.contact_method(request)
            return Reply(200, {"contact_method": self.render_contact_method(user_id, method)})

    @route("PUT", "/users/{id}/contact_methods/{contact_method_id}")
    def put_contact_method(self, request):
        data = request.json()["contact_method"]
        with self.lock:
            user_id, method = self.contact_method(request)
            if data["type"] != method["type"]:
                raise invalid("The type of a contact method cannot be changed")
            merged = dict(fresh(method), **{key: value for key, value in data.items()
                                            if key in ("label", "address", "send_short_email", "country_code")})
            del self.contact_methods[user_id][method["id"]]
            try:
                updated = self.add_contact_method(user_id, merged, method["id"])
            except PagerDutyError:
                self.contact_methods[user_id][method["id"]] = method
                raise
            return Reply(200, {"contact_method": self.render_contact_method(user_id, updated)})

    @route("DELETE", "/users/{id}/contact_methods/{contact_method_id}")
    def delete_contact_method(self, request):
        """Deleting a contact method also deletes the notification rules that use it, as PagerDuty does."""
        with self.lock:
            user_id, method = self.contact_method(request)
            del self.contact_methods[user_id][method["id"]]
            rules = self.notification_rules[user_id]
            for rule_id in [rule_id for rule_id, rule in rules.items() if rule["contact_method"] == method["id"]]:
                del rules[rule_id]
        return Reply(204)

    # Notification rules -----------------------------------------------------------

    @route("GET", "/users/{id}/notification_rules")
    def list_notification_rules(self, request):
        urgency = request.arg("urgency", "high")
        includes = request.args("include")
        with self.lock:
            user_id = self.user(request.params["id"])["id"]
            return Reply(200, {"notification_rules": [
                self.render_notification_rule(user_id, rule, includes)
                for rule in self.notification_rules[user_id].values() if urgency in ("all", rule["urgency"])]})

    @route("POST", "/users/{id}/notification_rules")
    def post_notification_rule(self, request):
        data = fresh(request.json()["notification_rule"])
        with self.lock:
            user_id = self.user(request.params["id"])["id"]
            rule = self.add_notification_rule(user_id, data)
            return Reply(201, {"notification_rule": self.render_notification_rule(user_id, rule)})

    def notification_rule(self, request):
        user_id = self.user(request.params["id"])["id"]
        rule = self.notification_rules[user_id].get(request.params["notification_rule_id"])
        if rule is None:
            raise not_found("Notification rule", request.params["notification_rule_id"])
        return user_id, rule

    @route("GET", "/users/{id}/notification_rules/{notification_rule_id}")
    def get_notification_rule(self, request):
        with self.lock:
            user_id, rule = self.notification_rule(request)
            return Reply(200, {"notification_rule": self.render_notification_rule(user_id, rule,
                                                                                  request.args("include"))})

    @route("PUT", "/users/{id}/notification_rules/{notification_rule_id}")
    def put_notification_rule(self, request):
        data = request.json()["notification_rule"]
        with self.lock:
            user_id, rule = self.notification_rule(request)
            method_id = data["contact_method"]["id"]
            if method_id not in self.contact_methods[user_id]:
                raise invalid("Contact method %s does not belong to user %s" % (method_id, user_id))
            rule.update(start_delay_in_minutes=data["start_delay_in_minutes"], urgency=data["urgency"],
                        contact_method=method_id)
            return Reply(200, {"notification_rule": self.render_notification_rule(user_id, rule)})

    @route("DELETE", "/users/{id}/notification_rules/{notification_rule_id}")
    def delete_notification_rule(self, request):
        with self.lock:
            user_id, rule = self.notification_rule(request)
            del self.notification_rules[user_id][rule["id"]]
        return Reply(204)

    # Teams ------------------------------------------------------------------------

    def team(self, team_id):
        found = self.teams.get(team_id)
        if found is None:
            raise not_found("Team", team_id)
        return found

    @route("GET", "/teams")
    def list_teams(self, request):
        query = request.arg("query")
        with self.lock:
            found = [self.render_team(team) for team in by_name(self.teams.values()) if matches_query(query, team["name"])]
        return Reply(200, paginate(request, found, "teams"))

    @route("POST", "/teams")
    def post_team(self, request):
        data = fresh(request.json()["team"])
        with self.lock:
            return Reply(201, {"team": self.render_team(self.create_team(data))})

    @route("GET", "/teams/{id}")
    def get_team(self, request):
        with self.lock:
            return Reply(200, {"team": self.render_team(self.team(request.params["id"]))})

    @route("PUT", "/teams/{id}")
    def put_team(self, request):
        data = request.json()["team"]
        with self.lock:
            team = self.team(request.params["id"])
            if any(other["name"].lower() == data["name"].lower() and other["id"] != team["id"]
                   for other in self.teams.values()):
                raise invalid("Name has already been taken")
            team.update((key, data[key]) for key in ("name", "description", "default_role") if key in data)
            return Reply(200, {"team": self.render_team(team)})

    @route("DELETE", "/teams/{id}")
    def delete_team(self, request):
        """The spec: succeeds only if no escalation policy, service or schedule belongs to the team.

        A service's team is its escalation policy's, so checking policies covers services too.
        """
        with self.lock:
            team = self.team(request.params["id"])
            owned = ["escalation policy '%s' (%s)" % (policy["name"], policy["id"])
                     for policy in by_name(self.escalation_policies.values()) if team["id"] in policy["_teams"]]
            owned += ["schedule '%s' (%s)" % (schedule["name"], schedule["id"])
                      for schedule in by_name(self.schedules.values()) if team["id"] in schedule["_teams"]]
            if owned:
                raise invalid("Team %s cannot be deleted while it still has %s" % (team["id"], ", ".join(owned)))
            del self.teams[team["id"]]
            del self.team_members[team["id"]]
        return Reply(204)

    @route("GET", "/teams/{id}/members")
    def list_team_members(self, request):
        include_users = "users" in request.args("include")
        with self.lock:
            members = self.team_members[self.team(request.params["id"])["id"]]
            found = [{"user": self.render_user(self.users[user_id]) if include_users else self.user_ref(user_id),
                      "role": role}
                     for user_id, role in sorted(members.items(), key=lambda item: self.users[item[0]]["name"].lower())]
        return Reply(200, paginate(request, found, "members"))

    @route("PUT", "/teams/{id}/users/{user_id}")
    def put_team_member(self, request):
        """Add a user to a team or change their role; ``role`` defaults to ``manager``."""
        role = (request.json() if request.body else {}).get("role", "manager")
        with self.lock:
            team = self.team(request.params["id"])
            user = self.user(request.params["user_id"])
            if user["role"] == "read_only_user":
                raise invalid("User %s has the read_only_user role, which cannot be added to a team" % user["id"])
            self.team_members[team["id"]][user["id"]] = role
        return Reply(204)

    @route("DELETE", "/teams/{id}/users/{user_id}")
    def delete_team_member(self, request):
        with self.lock:
            team = self.team(request.params["id"])
            user = self.user(request.params["user_id"])
            self.team_members[team["id"]].pop(user["id"], None)
        return Reply(204)
