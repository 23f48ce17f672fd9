# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty users as the user modules read and return them.

A user is read with ``include[]`` for its contact methods, notification rules
and teams, so one request per page brings everything.  In what the modules
return, each notification rule's ``contact_method`` is the contact method in
full (type, label, address...) rather than a bare reference.
"""

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
