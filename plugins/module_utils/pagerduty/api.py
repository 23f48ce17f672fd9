# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every PagerDuty module shares: the client with its lookups, the objects' common writes, and references."""

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.auth import PagerDutyToken
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError, Client, RetryPolicy, offset_pages
from ansible_collections.incident.ops.plugins.module_utils.reconcile import LookedUpFirst
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput


SINGULAR = {"teams": "team", "schedules": "schedule", "escalation_policies": "escalation policy", "services": "service"}
OBJECT_TYPES = {"users": "user", "teams": "team", "schedules": "schedule", "escalation_policies": "escalation_policy"}
ASSUMED_ID_PREFIX = "unknown:"
ASSUMED = ": assumed to be created by an earlier task (or misspelt); check mode goes on"
READS = ("GET", "HEAD")


class PagerDuty(Client):
    """A client for PagerDuty REST v2 that knows its lookups and its ``From`` header.

    In check mode (``check_mode=True``) a user, team, schedule or escalation
    policy that a task names but that does not exist is not an error: an
    earlier task of the same play may create it.  The lookup warns and hands
    out a stand-in (``assumed``) so the module can report the change it would
    make.  Outside check mode the same name is bad input, before any write.
    A stand-in never reaches the API: once one is handed out the client
    refuses every write, and any request that names one.
    """

    MEDIA_TYPE = "application/vnd.pagerduty+json;version=2"

    def __init__(self, api_url, api_token, from_email=None, check_mode=False, **kwargs):
        super().__init__(api_url, auth=PagerDutyToken(api_token), url_option="api_url", **kwargs)
        self.check_mode = check_mode
        self.assumed = []
        self.from_email = from_email
        self.session.headers.update({"Accept": self.MEDIA_TYPE, "Content-Type": "application/json"})
        self._resolved = {}
        self._users_by_id = {}
        self._user_listing = {"offset": 0, "total": None, "complete": False}

    def acting_user(self):
        """The ``From`` header that user-token writes (creating users, incidents...) need."""
        if not self.from_email:
            raise self.fail("This operation needs from_email (or PAGERDUTY_FROM): PagerDuty asks whose behalf a write is made on")
        return {"From": self.from_email}

    def list(self, collection, params=None, key=None):
        """Every object of a collection, following offset pagination to the end."""
        return list(offset_pages(self, "/" + collection, key or collection.rsplit("/", 1)[-1], params))

    def search(self, collection, name=None, query=None, params=None):
        """The objects named exactly ``name``, else those whose name contains ``query``, else all of them; every page.

        A name is sent as PagerDuty's ``query`` too, so the API narrows the
        list before the exact match; that is how ``_info`` modules list.
        """
        params = dict(params or {})
        if name is not None or query:
            params["query"] = name if name is not None else query
        found = self.list(collection, params)
        return found if name is None else [item for item in found if item.get("name") == name]

    def find_by_name(self, collection, name, params=None):
        """The one object whose name is exactly ``name``; two of that name cannot be told apart, so they fail."""
        found = self.search(collection, name=name, params=params)
        if len(found) > 1:
            raise self.fail("%d %s are named %r; names must be unique to be managed here" % (len(found), collection, name))
        return found[0] if found else None

    def find_user(self, email, include=()):
        """The user whose login email equals ``email`` (case-insensitive), in one request."""
        params = {"query": email}
        if include:
            params["include[]"] = list(include)
        wanted = email.strip().lower()
        for user in offset_pages(self, "/users", "users", params):
            if (user.get("email") or "").lower() == wanted:
                return user
        return None

    def require_user(self, email):
        """The user with this email, looked up once per run; an unknown email is bad input (check mode: see the class)."""
        return self._require(("users", email.lower()), lambda: self.find_user(email), "No PagerDuty user has the email %r" % email)

    def require_users(self, emails):
        """The users with these emails, keyed by lower-case email, in as few requests as the account allows.

        Unknown emails are bad input, named together (check mode: see the
        class).  See ``_gather_users``
        for how the requests are chosen.
        """
        wanted = sorted(set(email.strip().lower() for email in emails))
        self._gather_users(lambda: [email for email in wanted if ("users", email) not in self._resolved])
        unknown = []
        for email in wanted:
            if ("users", email) not in self._resolved:
                found = self.find_user(email)
                if found is None:
                    unknown.append(email)
                else:
                    self._keep_user(found)
        if unknown:
            self._missing("No PagerDuty user has the email %s" % ", ".join(repr(email) for email in unknown))
            for email in unknown:
                self._resolved[("users", email)] = self._assume("users", email)
        return dict((email, self._resolved[("users", email)]) for email in wanted)

    def users_by_id(self, ids):
        """The users with these ids, keyed by id, read as ``require_users`` reads them; ids no user has are left out."""
        for key, user in self._resolved.items():
            if key[0] == "users":
                self._users_by_id.setdefault(user["id"], user)
        wanted = sorted(set(ids))
        self._gather_users(lambda: [user_id for user_id in wanted if user_id not in self._users_by_id])
        for user_id in wanted:
            if user_id not in self._users_by_id:
                try:
                    self._keep_user(self.get("/users/%s" % user_id)["user"])
                except ApiError as error:
                    if error.status != 404:
                        raise
        return dict((user_id, self._users_by_id[user_id]) for user_id in wanted if user_id in self._users_by_id)

    def _gather_users(self, missing, page_size=100):
        """Read ``GET /users`` pages while that costs fewer requests than one lookup per ``missing()`` user.

        The first page (asked with ``total=true``) often holds every user a task
        names; each user a page brings is kept for the rest of the run, and a
        later call goes on from the page where this one stopped.
        """
        listing = self._user_listing
        while not listing["complete"] and missing():
            if listing["total"] is not None:
                pages_left = -(-(listing["total"] - listing["offset"]) // page_size)
                if len(missing()) < pages_left:
                    return
            page = self.get("/users", params={"offset": listing["offset"], "limit": page_size, "total": "true"}) or {}
            users = page.get("users") or []
            for user in users:
                self._keep_user(user)
            listing["offset"] += len(users)
            listing["total"] = page.get("total")
            listing["complete"] = (not page.get("more") or not users or listing["total"] is None
                                   or listing["offset"] + page_size > 10000)

    def _keep_user(self, user):
        self._users_by_id[user["id"]] = user
        if user.get("email"):
            self._resolved[("users", user["email"].lower())] = user

    def require_named(self, collection, name):
        """The object of ``collection`` (teams, schedules, ...) named ``name``, looked up once per run.

        An unknown name is bad input (check mode: see the class).
        """
        kind = SINGULAR.get(collection, collection)
        return self._require((collection, name), lambda: self.find_by_name(collection, name), "No PagerDuty %s is named %r" % (kind, name))

    def _require(self, cache_key, lookup, missing):
        if cache_key not in self._resolved:
            found = lookup()
            if found is None:
                self._missing(missing)
                found = self._assume(*cache_key)
            self._resolved[cache_key] = found
        return self._resolved[cache_key]

    def _missing(self, message):
        """A named object does not exist: bad input, except in check mode, where the run warns and goes on."""
        if not self.check_mode:
            raise InvalidInput(message)
        self.warnings.append(message + ASSUMED)

    def _assume(self, collection, name):
        """A stand-in for the object of ``collection`` called ``name`` (an email for users), which does not exist yet."""
        kind = OBJECT_TYPES[collection]
        stand_in = {"id": "%s%s:%s" % (ASSUMED_ID_PREFIX, kind, name), "type": kind, "name": name, "summary": name}
        if collection == "users":
            stand_in["email"] = name
            self._users_by_id[stand_in["id"]] = stand_in
        self.assumed.append(stand_in)
        return stand_in

    def request(self, method, path, params=None, json_body=None, **kwargs):
        """Send the request unless it would carry a stand-in for an object that does not exist (see the class)."""
        if self.assumed:
            sent = repr((path, params, json_body))
            if method.upper() not in READS or ASSUMED_ID_PREFIX in sent:
                raise self.fail("Check mode assumed that %s exist; nothing that names them is sent to PagerDuty"
                                % ", ".join("the %s %r" % (item["type"], item["name"]) for item in self.assumed),
                                method.upper(), path)
        return super().request(method, path, params=params, json_body=json_body, **kwargs)


class ApiObject(LookedUpFirst):
    """One PagerDuty object of ``/collection``, written as ``{key: {..., "type": key}}``.

    Users, teams, schedules and escalation policies share these writes; a
    module overrides only what its object differs in: ``lookup``, ``body``
    (what a PUT must carry besides the change), ``present`` (how an answer is
    returned) and ``create_headers``.
    """

    collection = None
    key = None

    def __init__(self, api):
        self.api = api

    def sleep(self, seconds):
        self.api.sleep(seconds)

    def already_exists(self, error):
        """PagerDuty refuses a second user of an email or team of a name with 400 "... has already been taken"."""
        return error.status == 400 and "already been taken" in (error.api_message or "")

    def body(self, fields, current=None):
        """The object a POST (``current`` None) or a PUT sends; by default, the fields given."""
        return dict(fields)

    def present(self, record):
        """The object as the module returns it; by default, as the API sent it."""
        return record

    def create_headers(self):
        return None

    def path(self, current):
        return "/%s/%s" % (self.collection, current["id"])

    def wrapped(self, body):
        return {self.key: dict(body, type=self.key)}

    def create(self, desired):
        answer = self.api.post("/" + self.collection, self.wrapped(self.body(desired)), headers=self.create_headers())
        return self.present(answer[self.key])

    def update(self, current, changed):
        return self.present(self.api.put(self.path(current), self.wrapped(self.body(changed, current)))[self.key])

    def delete(self, current):
        self.api.delete(self.path(current))


class NamedObject(ApiObject):
    """An object found by its exact name, read with ``lookup_params`` (``include[]``) in one request."""

    lookup_params = None

    def __init__(self, api, name):
        super().__init__(api)
        self.name = name

    def lookup(self):
        return self.api.find_by_name(self.collection, self.name, self.lookup_params)


def refuse_if_used(what, used_by, references, remedy):
    """Fail before a delete that PagerDuty refuses while other objects use ``what``, naming those objects.

    ``used_by`` says what they are ("escalation policies"), ``references`` are
    their references as the API lists them, and ``remedy`` says what to do first.
    """
    if references:
        names = ", ".join("%r (%s)" % (display_name(ref), ref.get("id")) for ref in references)
        raise InvalidInput("%s cannot be removed: the %s %s still use it, and PagerDuty refuses to delete it while they do; %s"
                           % (what, used_by, names, remedy))


def display_name(record):
    """An object's name; a reference carries none, so its summary."""
    return record.get("name") or record.get("summary")


def describe_object(kind, record):
    """``schedule 'Primary' (P2)``: an object as messages name it."""
    return "%s %r (%s)" % (kind, display_name(record), record.get("id"))


def reference(kind, object_id):
    """A PagerDuty reference object, as request bodies expect them."""
    return {"id": object_id, "type": "%s_reference" % kind}


def connect(module):
    params = module.params
    options.require(params, options.PAGERDUTY)
    return PagerDuty(
        params["api_url"], params["api_token"], from_email=params.get("from_email"), check_mode=module.check_mode,
        timeout=params["timeout"], validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
        retry=RetryPolicy(max_retries=params["max_retries"]),
    )
