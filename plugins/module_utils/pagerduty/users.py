"""PagerDuty users: how the user modules read, compare, write and return them.

A user is read with ``include[]`` for its contact methods, notification rules
and teams, so one request per page brings everything.  In what the modules
return, each notification rule's ``contact_method`` is the contact method in
full (type, label, address...) rather than a bare reference.

``ensure_user`` brings one user to the state a task's options describe; the
single-user module calls it once, the bulk module once per user from
several threads, so both behave the same for each user.
"""

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, display_name, reference
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure, plan_set, set_diff
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_filled, check_once, check_time_zone

INCLUDE = ("contact_methods", "notification_rules", "teams")

# How a task names a contact method type, and how the API does.
METHOD_TYPES = {
    "email": "email_contact_method",
    "phone": "phone_contact_method",
    "sms": "sms_contact_method",
    "push_notification": "push_notification_contact_method",
}
PHONE_KINDS = ("phone", "sms")
METHOD_SUFFIX = "_contact_method"

ROLES = ["owner", "admin", "user", "limited_user", "observer", "restricted_access", "read_only_user", "read_only_limited_user"]
FIELDS = ("name", "role", "time_zone", "job_title", "description", "color")
KINDS = list(METHOD_TYPES)
DEFAULT_LABELS = {"email": "Email", "phone": "Phone", "sms": "SMS", "push_notification": "Push"}
METHOD_FIELDS = ("type", "address", "label", "country_code")
MAX_COUNTRY_CODE = 1999


def with_includes(params=None):
    """Query parameters that bring a user's contact methods, notification rules and teams along."""
    return dict(params or {}, **{"include[]": list(INCLUDE)})


def method_kind(method):
    """``email``, ``phone``, ``sms`` or ``push_notification``, for a contact method, a reference or a task item."""
    kind = (method.get("type") or "").replace("_reference", "")
    return kind[:-len(METHOD_SUFFIX)] if kind.endswith(METHOD_SUFFIX) else kind


def method_key(kind, address):
    """What identifies a user's contact method: its kind and its address, case-insensitive."""
    return kind, str(address if address is not None else "").strip().lower()


def is_login_method(method, email):
    """True for the email contact method at the user's login address, which PagerDuty creates with the user."""
    return method_kind(method) == "email" and method_key("email", method.get("address")) == method_key("email", email)


def present_user(user):
    """The user with each notification rule's contact method in full, when the user came with its contact methods."""
    methods = dict((method.get("id"), method) for method in user.get("contact_methods") or [] if method.get("id") and "address" in method)
    shown = dict(user)
    shown["notification_rules"] = [
        dict(rule, contact_method=methods.get((rule.get("contact_method") or {}).get("id"), rule.get("contact_method")))
        for rule in user.get("notification_rules") or []
    ]
    return shown


def list_users(api, params=None):
    """Every user matching ``params`` (``query``, ``team_ids[]``), all pages, each with everything included."""
    return [present_user(user) for user in api.list("users", with_includes(params))]


def user_options():
    """The options that describe one user, as pd_user takes them and as each item of pd_users' ``users`` does."""
    return dict(
        email=dict(type="str", required=True),
        name=dict(type="str"),
        role=dict(type="str", choices=ROLES),
        time_zone=dict(type="str"),
        job_title=dict(type="str"),
        description=dict(type="str"),
        color=dict(type="str"),
        contact_methods=dict(type="list", elements="dict", options=dict(
            type=dict(type="str", required=True, choices=KINDS),
            address=dict(type="str", required=True),
            label=dict(type="str"),
            country_code=dict(type="int"),
        )),
        purge_contact_methods=dict(type="bool", default=True),
        notification_rules=dict(type="list", elements="dict", options=dict(
            urgency=dict(type="str", choices=["high", "low"], default="high"),
            start_delay_in_minutes=dict(type="int", default=0),
            contact_method=dict(type="dict", required=True, options=dict(
                type=dict(type="str", required=True, choices=KINDS),
                address=dict(type="str", required=True),
            )),
        )),
        purge_notification_rules=dict(type="bool", default=True),
        teams=dict(type="list", elements="str"),
        purge_teams=dict(type="bool", default=True),
        team_role=dict(type="str", choices=["manager", "responder", "observer"]),
        force=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )


class User(ApiObject):
    """A user is found by login email, and PagerDuty creates one only on someone's behalf (the From header)."""

    collection = "users"
    key = "user"

    def __init__(self, api, email):
        super().__init__(api)
        self.email = email

    def lookup(self):
        return self.api.find_user(self.email, include=INCLUDE)

    def body(self, fields, current=None):
        """The changed fields, plus the name and email the API requires in every PUT body."""
        if current is None:
            return dict(fields)
        return dict({"name": current["name"], "email": current["email"]}, **fields)

    def create_headers(self):
        return self.api.acting_user()

    def reread(self, user):
        """A user just created, with what PagerDuty gave it (contact methods, rules), which the create answer only references."""
        return self.api.get(self.path(user), params=with_includes())["user"]


def new_user(email):
    """A user about to be created, as PagerDuty will make it: with an email contact method at the login email."""
    return {"contact_methods": [{"type": METHOD_TYPES["email"], "label": "Default", "address": email}],
            "notification_rules": [], "teams": []}


# What the task wants -------------------------------------------------------------------------------

def desired_user(params):
    """The user fields the task sets; the email is the identity, so it is not among them."""
    return {field: params[field] for field in FIELDS}


def checked_address(kind, address, what):
    address = str(address).strip()
    if kind == "email":
        address = check_email(address, what).lower()
    elif kind in PHONE_KINDS and not address.isdigit():
        raise InvalidInput("%s %r must be digits only, without spaces or the country code (set country_code)" % (what, address))
    return check_filled(address, what)


def desired_contact_methods(entries):
    """The contact methods the task lists, checked; None when the task leaves them alone."""
    if entries is None:
        return None
    wanted, seen = [], set()
    for entry in entries:
        kind = entry["type"]
        address = checked_address(kind, entry["address"], "The %s contact method address" % kind)
        country_code = entry["country_code"]
        if kind in PHONE_KINDS:
            country_code = 1 if country_code is None else country_code
            if not 1 <= country_code <= MAX_COUNTRY_CODE:
                raise InvalidInput("country_code %d of the %s contact method %r is not a country calling code (1 to %d)"
                                   % (country_code, kind, address, MAX_COUNTRY_CODE))
        elif country_code is not None:
            raise InvalidInput("country_code applies to phone and sms contact methods only, not to the %s contact method %r"
                               % (kind, address))
        check_once(seen, method_key(kind, address), "The %s contact method %r" % (kind, entry["address"]))
        wanted.append({"type": kind, "address": address, "label": entry["label"], "country_code": country_code})
    return wanted


def desired_notification_rules(entries):
    """The notification rules the task lists, each naming its contact method by key; None when left alone."""
    if entries is None:
        return None
    wanted, seen = [], set()
    for entry in entries:
        method = entry["contact_method"]
        kind = method["type"]
        address = checked_address(kind, method["address"], "The notification rule's %s contact method address" % kind)
        if entry["start_delay_in_minutes"] < 0:
            raise InvalidInput("start_delay_in_minutes must not be negative, got %d" % entry["start_delay_in_minutes"])
        kind, address = method_key(kind, address)
        rule = {"urgency": entry["urgency"], "start_delay_in_minutes": entry["start_delay_in_minutes"],
                "contact_method": {"type": kind, "address": address}}
        check_once(seen, rule_key(rule), "The notification rule %s" % describe_rule(rule))
        wanted.append(rule)
    return wanted


def desired_teams(names):
    if names is None:
        return None
    seen = set()
    for name in names:
        check_filled(name, "a team name in teams")
        check_once(seen, name.strip(), "The team %r" % name.strip())
    return [{"name": name.strip()} for name in names]


# What the user has, in the same shapes ---------------------------------------------------------------

def method_item(method):
    """A contact method in the task's shape, with its id and the API object."""
    kind = method_kind(method)
    address = method.get("address")
    item = {"type": kind, "address": address.lower() if kind == "email" and address else address, "label": method.get("label"),
            "id": method.get("id"), "api": method}
    if kind in PHONE_KINDS:
        item["country_code"] = method.get("country_code")
    return item


def item_key(item):
    return method_key(item["type"], item["address"])


def rule_item(rule, methods_by_id):
    method = methods_by_id.get((rule.get("contact_method") or {}).get("id")) or {"type": None, "address": None}
    kind, address = item_key(method)
    return {"urgency": rule.get("urgency"), "start_delay_in_minutes": rule.get("start_delay_in_minutes"),
            "contact_method": {"type": kind, "address": address}, "id": rule.get("id"), "api": rule}


def rule_key(rule):
    method = rule["contact_method"]
    return (rule["urgency"], rule["start_delay_in_minutes"]) + method_key(method["type"], method["address"])


def name_key(team):
    return team["name"]


# Diff items ---------------------------------------------------------------------------------------

def show_method(item):
    shown = dict((key, item[key]) for key in METHOD_FIELDS if item.get(key) is not None)
    shown.setdefault("label", DEFAULT_LABELS[item["type"]])
    return shown


def show_rule(rule):
    return {"urgency": rule["urgency"], "start_delay_in_minutes": rule["start_delay_in_minutes"],
            "contact_method": dict(rule["contact_method"])}


def show_team(team):
    return team["name"]


def describe_rule(rule):
    method = rule["contact_method"]
    return "%s urgency after %d minutes to %s %s" % (rule["urgency"], rule["start_delay_in_minutes"], method["type"], method["address"])


# Request bodies ------------------------------------------------------------------------------------

def method_body(item, have=None):
    """A whole contact method, as POST and PUT want it; a PUT keeps the label and country code the task leaves unset."""
    have = have or {}
    kind = item["type"]
    body = {"type": METHOD_TYPES[kind], "address": item["address"],
            "label": item.get("label") or have.get("label") or DEFAULT_LABELS[kind]}
    if kind in PHONE_KINDS:
        body["country_code"] = item.get("country_code") or have.get("country_code") or 1
    return body


def rule_body(rule, method):
    return {"type": "assignment_notification_rule", "urgency": rule["urgency"],
            "start_delay_in_minutes": rule["start_delay_in_minutes"],
            "contact_method": reference(METHOD_TYPES[method_kind(method)], method["id"])}


class Profile:
    """How a user's contact methods, notification rules and teams get from what they are to what the task wants.

    Everything is planned, checked and resolved when the profile is built, so
    that bad input fails before the first write.
    """

    def __init__(self, api, params, user, wanted):
        self.api = api
        self.user = user
        wanted_methods, wanted_rules, wanted_teams = wanted
        methods = self.methods_now()
        self.methods = plan_set(methods, wanted_methods or [], item_key, purge=params["purge_contact_methods"] and wanted_methods is not None,
                                protected=lambda item: is_login_method(item, params["email"]))
        self.rules = self.plan_rules(methods, wanted_methods, wanted_rules, params["purge_notification_rules"])
        current_teams = [{"name": display_name(team), "id": team.get("id"), "api": team} for team in user.get("teams") or []]
        self.teams = plan_set(current_teams, wanted_teams or [], name_key, purge=params["purge_teams"] and wanted_teams is not None)
        self.joined = self.teams_to_join(params)
        self.team_role = params["team_role"]

    def plan_rules(self, methods, wanted_methods, wanted_rules, purge):
        """A new rule must notify a contact method the user keeps or gets; the rules of a removed one go with it."""
        removed = set(item_key(item) for item in self.methods.remove)
        reachable = (set(item_key(item) for item in methods) - removed) | set(item_key(item) for item in wanted_methods or [])
        by_id = dict((item["id"], item) for item in methods if item["id"])
        rules = [rule_item(rule, by_id) for rule in self.user.get("notification_rules") or []]
        plan = plan_set(rules, wanted_rules or [], rule_key, purge=purge and wanted_rules is not None)
        for rule in plan.add:
            if rule_key(rule)[2:] not in reachable:
                raise InvalidInput("The notification rule %s names a contact method the user would not have; add it to "
                                   "contact_methods" % describe_rule(rule))
        gone = set(rule["id"] for rule in plan.remove)
        plan.remove.extend(rule for rule in rules if rule_key(rule)[2:] in removed and rule["id"] not in gone)
        return plan

    def teams_to_join(self, params):
        """The teams the user joins, looked up now; PagerDuty puts no read_only_user on a team."""
        joined = dict((team["name"], self.api.require_named("teams", team["name"])) for team in self.teams.add)
        role = params["role"] or self.user.get("role")
        if joined and role == "read_only_user":
            raise InvalidInput("PagerDuty does not put read_only_user users on teams; %s cannot join %s"
                               % (params["email"], ", ".join(sorted(joined))))
        return joined

    @property
    def changed(self):
        return self.methods.changed or self.rules.changed or self.teams.changed

    def write(self, user_id, check_mode):
        """Make the writes in the safe order; returns the contact methods, rules and teams as they end up.

        Contact methods are added before the rules that use them, and removed
        only after the rules that used them, so the user can always be reached.
        """
        base = "/users/%s" % user_id if user_id else None
        methods = self.write_methods(base, check_mode)
        rules = self.write_rules(base, methods, check_mode)
        if not check_mode:
            for item in self.methods.remove:
                self.api.delete("%s/contact_methods/%s" % (base, item["id"]))
        teams = self.write_teams(user_id, check_mode)
        return {"contact_methods": methods, "notification_rules": rules, "teams": teams}

    def write_methods(self, base, check_mode):
        """Add and change contact methods; returns them as they will be once the planned removals are made."""
        added = []
        for item in self.methods.add:
            body = method_body(item)
            added.append(body if check_mode else self.api.post(base + "/contact_methods", {"contact_method": body})["contact_method"])
        updated = {}
        for have, item in self.methods.update:
            body = method_body(item, have)
            updated[have["id"]] = (dict(have["api"], **body) if check_mode else
                                   self.api.put("%s/contact_methods/%s" % (base, have["id"]), {"contact_method": body})["contact_method"])
        removed = set(item["id"] for item in self.methods.remove)
        return [updated.get(item["id"], item["api"]) for item in self.methods_now() if item["id"] not in removed] + added

    def write_rules(self, base, methods, check_mode):
        """Add rules, each on its contact method as ``methods`` holds it, then remove rules; returns them as they end up."""
        by_key = dict((item_key(method_item(method)), method) for method in methods)
        added = []
        for rule in self.rules.add:
            method = by_key[rule_key(rule)[2:]]
            if check_mode:
                added.append({"type": "assignment_notification_rule", "urgency": rule["urgency"],
                              "start_delay_in_minutes": rule["start_delay_in_minutes"], "contact_method": method})
            else:
                added.append(self.api.post(base + "/notification_rules", {"notification_rule": rule_body(rule, method)})["notification_rule"])
        removed = set(rule["id"] for rule in self.rules.remove)
        if not check_mode:
            for rule in self.rules.remove:
                self.api.delete("%s/notification_rules/%s" % (base, rule["id"]))
        return [rule for rule in self.user.get("notification_rules") or [] if rule.get("id") not in removed] + added

    def write_teams(self, user_id, check_mode):
        """Join, then leave; returns the teams as they end up."""
        left = set(team["id"] for team in self.teams.remove)
        if not check_mode:
            role = {"role": self.team_role} if self.team_role else None
            for team in self.joined.values():
                self.api.put("/teams/%s/users/%s" % (team["id"], user_id), role)
            for team in self.teams.remove:
                self.api.delete("/teams/%s/users/%s" % (team["id"], user_id))
        return [team for team in self.user.get("teams") or [] if team.get("id") not in left] + list(self.joined.values())

    def methods_now(self):
        return [method_item(method) for method in self.user.get("contact_methods") or []]

    def add_diff(self, diff):
        for name, plan, show in (("contact_methods", self.methods, show_method), ("notification_rules", self.rules, show_rule),
                                 ("teams", self.teams, show_team)):
            if plan.changed:
                diff["before"][name], diff["after"][name] = set_diff(plan, show)
        return diff


def remove(api, user, params, check_mode):
    """Remove the user; whatever escalation policy or schedule still holds them is edited first with ``force``."""
    # Imported here: only a removal needs it, and every module import costs each task its compile time
    # (modules run from a zip, where Python keeps no compiled files).
    from ansible_collections.incident.ops.plugins.module_utils.pagerduty.offboarding import Release, describe, holdings

    current = user.look()
    release = None
    if current is not None:
        policies, schedules = holdings(api, current["id"])
        if (policies or schedules) and not params["force"]:
            raise InvalidInput("The user %s is still in %s; take them out first, or set force=true to do it and then remove "
                               "the user" % (params["email"], describe(policies, schedules)))
        release = Release(current["id"], policies, schedules)
        if release and not check_mode:
            release.apply(api)
    outcome = ensure(user, desired_user(params), "absent", check_mode, identity={"email": params["email"]})
    if release:
        outcome.diff["before"].update(release.names())
    return outcome.as_tuple()


def checked_user(params):
    """The user's options with the email trimmed, and the lists it wants, checked without asking the API.

    The bulk module checks every user this way before the first write, so one
    bad entry fails the task before anything is written.
    """
    params = dict(params, email=params["email"].strip())
    check_email(params["email"])
    check_filled(params["name"], "name")
    check_time_zone(params["time_zone"])
    wanted = (desired_contact_methods(params["contact_methods"]), desired_notification_rules(params["notification_rules"]),
              desired_teams(params["teams"]))
    return params, wanted


def ensure_user(api, params, check_mode):
    """Bring one user to what ``params`` (the options of ``user_options``) describe; returns (changed, user, diff)."""
    params, wanted = checked_user(params)
    user = User(api, params["email"])
    if params["state"] == "absent":
        return remove(api, user, params, check_mode)
    current = user.look()
    if current is None and not params["name"]:
        raise InvalidInput("name is required to create the user %s" % params["email"])
    profile = Profile(api, params, current or new_user(params["email"]), wanted)
    outcome = ensure(user, desired_user(params), "present", check_mode, identity={"email": params["email"]})
    if current is None and not check_mode:
        # Only lists the task manages are compared with what PagerDuty gave the new user, so only they need the re-read.
        manages_lists = wanted[0] is not None or wanted[1] is not None
        profile = Profile(api, params, user.reread(outcome.result) if manages_lists else outcome.result, wanted)
    lists = profile.write((outcome.result or {}).get("id"), check_mode)
    result = present_user(dict(outcome.result, **lists))
    return outcome.changed or profile.changed, result, profile.add_diff(outcome.diff)
