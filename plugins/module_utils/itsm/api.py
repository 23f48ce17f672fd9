# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ITSM desk's client: its two auth schemes, its ``returnCode`` envelope and its look-ups.

Every incident module of the desk connects through ``connect`` and reads
through these methods, so paths, paging and the envelope check live here once.
"""

from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.auth import ApiKey, OAuthPasswordGrant
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError, Client, RetryPolicy
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

TOKEN_PATH = "/api/oauth/token"
DEFAULT_PREFIX = "/api/v1"
LEGACY_CREATE_PATH = "/api/incident"
FORM_PATH = "/api/ususer/form/%s"
FILE_PATH = "/api/oprfile"
PAGE_SIZE = 100
OAUTH_OPTIONS = ("client_id", "client_secret", "username", "password")

# What an empty error body means at the desk, said so that a user knows where to look.
EMPTY_BODY_HINTS = {
    401: "The desk refused the credentials and gave no reason: check api_key (a desk release older than API keys refuses "
         "every key), or client_id, client_secret, username and password",
    500: "The desk failed with an internal error and gave no reason; it answers this way a write its own rules refuse "
         "(a requester it does not know, a value a form does not allow): try the same values in the desk's web interface",
}


class Itsm(Client):
    """A client for the desk's REST API under one path prefix (``/api/v1`` unless the desk serves another)."""

    def __init__(self, url, auth, prefix=DEFAULT_PREFIX, **kwargs):
        super().__init__(url, auth=auth, **kwargs)
        self.prefix = "/" + prefix.strip("/")
        self._forms = {}
        self._named = {}

    def request(self, method, path, **kwargs):
        """A request whose ``returnCode`` must be SUCCESS when the desk sends one, whatever the HTTP status."""
        try:
            status, body, headers = super().request(method, path, **kwargs)
        except ApiError as error:
            hint = EMPTY_BODY_HINTS.get(error.status)
            if hint and error.api_message is None and error.path == path and not kwargs.get("basic_auth"):
                raise self.fail(hint, error.method, error.path, error.status) from None
            raise
        if isinstance(body, dict) and "returnCode" in body and body["returnCode"] != "SUCCESS":
            raise self.fail("The desk refused the request (returnCode %s)" % body["returnCode"], method, path, status,
                            {"userMessage": body.get("userMessage") or "no message"})
        return status, body, headers

    # Incidents -------------------------------------------------------------------

    def incident_path(self, incident_id=None):
        return "%s/incident%s" % (self.prefix, "" if incident_id is None else "/%s" % incident_id)

    def incident(self, incident_id):
        """The incident with this id, or None; the guide's example answer has no ``id``, so it is added."""
        try:
            found = self.get(self.incident_path(incident_id))
        except ApiError as error:
            if error.status == 404:
                return None
            raise
        return dict(found, id=found.get("id", incident_id))

    def create_incident(self, body, legacy=False):
        """Create through ``POST {prefix}/incident``, or the older ``POST /api/incident``; returns the new id."""
        return self.post(LEGACY_CREATE_PATH if legacy else self.incident_path(), body)["id"]

    def update_incident(self, incident_id, body):
        self.post(self.incident_path(incident_id), body)

    def search(self, what, qualifiers):
        """Every record of ``{prefix}/<what>/search/byqual`` whose fields equal ``qualifiers``, page by page.

        The search is a POST that only reads, so a lost or failed answer is asked for again like a GET's.
        """
        path = "%s/%s/search/byqual" % (self.prefix, what)
        found, offset = [], 0
        while True:
            page = self.post(path, {"qualDetails": qualifiers}, params={"offset": offset, "size": PAGE_SIZE}, idempotent=True) or {}
            items = page.get("objectList") or []
            found.extend(items)
            offset += len(items)
            if not items or offset >= (page.get("totalCount") or 0):
                return found

    def search_incidents(self, qualifiers):
        return self.search("request", qualifiers)

    # Forms, files, names ------------------------------------------------------------------

    def form(self, module="request"):
        """The custom fields of a module's form, read once per run."""
        if module not in self._forms:
            self._forms[module] = (self.get(FORM_PATH % module) or {}).get("fields") or []
        return self._forms[module]

    def upload(self, name, content):
        """Upload one file; returns the reference name an incident links it by."""
        return self.request("POST", FILE_PATH, files={"file": (name, content)})[1]["refFileName"]

    def download(self, ref):
        """The bytes of an uploaded file."""
        return self.request("GET", "%s/%s" % (FILE_PATH, ref), headers={"Accept": "*/*"}, expect_json=False)[1] or b""

    def require_named(self, what, name):
        """The location or category (``category/request``) with exactly this name, read once per run; unknown is bad input."""
        key = (what, name)
        if key not in self._named:
            found = [item for item in self.search(what, {"name": name}) if item.get("name") == name]
            if not found:
                raise InvalidInput("The desk has no %s named %r" % (what.split("/")[0], name))
            self._named[key] = found[0]
        return self._named[key]


def connect(module):
    """The desk's client for a module's connection options: an API key, or the OAuth2 password grant."""
    params = module.params
    options.require(params, options.ITSM)
    if params.get("api_key"):
        auth = ApiKey(params["api_key"])
    else:
        missing = [name for name in OAUTH_OPTIONS if not params.get(name)]
        if missing:
            raise InvalidInput("Set api_key, or all of client_id, client_secret, username and password (missing: %s)"
                               % ", ".join(missing))
        auth = OAuthPasswordGrant(TOKEN_PATH, params["client_id"], params["client_secret"], params["username"], params["password"])
    return Itsm(params["url"], auth, prefix=params.get("api_prefix") or DEFAULT_PREFIX, timeout=params["timeout"],
                validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
                retry=RetryPolicy(max_retries=params["max_retries"]))
