# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options, one table per service.

Each table is the single source of the argument spec and its environment
fallbacks; the service's doc fragment documents the same table, and a unit
test keeps the two equal.

An option that is required but has an environment fallback is not marked
required in the argument spec: Ansible's own message would name the option
alone.  ``require`` checks it instead and names both ways to set it.
"""

import copy
import os

from ansible.module_utils.common.parameters import AnsibleFallbackNotFound

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

COMMON = {
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "timeout": {"type": "float", "default": 30.0},
    "max_retries": {"type": "int", "default": 5},
}

PAGERDUTY = dict(COMMON, **{
    "api_token": {"type": "str", "required": True, "no_log": True, "env": "PAGERDUTY_TOKEN"},
    "api_url": {"type": "str", "default": "https://api.pagerduty.com", "env": "PAGERDUTY_API_URL"},
    "from_email": {"type": "str", "env": "PAGERDUTY_FROM"},
})

# The ITSM desk takes either an OAuth2 password grant (client and user
# credentials) or an API key; the modules check that one of the two is complete.
ITSM = dict(COMMON, **{
    "url": {"type": "str", "required": True, "env": "ITSM_URL"},
    "client_id": {"type": "str", "env": "ITSM_CLIENT_ID"},
    "client_secret": {"type": "str", "no_log": True, "env": "ITSM_CLIENT_SECRET"},
    "username": {"type": "str", "env": "ITSM_USERNAME"},
    "password": {"type": "str", "no_log": True, "env": "ITSM_PASSWORD"},
    "api_key": {"type": "str", "no_log": True, "env": "ITSM_API_KEY"},
    "api_prefix": {"type": "str", "default": "/api/v1"},
})

TICKETS = dict(COMMON, **{
    "url": {"type": "str", "required": True, "env": "TICKETS_URL"},
    "api_token": {"type": "str", "required": True, "no_log": True, "env": "TICKETS_TOKEN"},
})

# The on-call service reads on one host and writes on another, and keeps teams
# and members in its customer service; a bearer token is given or exchanged for
# an email and password at the auth host.
ONCALL = dict(COMMON, **{
    "query_url": {"type": "str", "default": "https://incident-query.api.pinghome.io", "env": "ONCALL_QUERY_URL"},
    "command_url": {"type": "str", "default": "https://incident-cmd.api.pinghome.io", "env": "ONCALL_COMMAND_URL"},
    "customer_url": {"type": "str", "default": "https://customer-query.api.pinghome.io", "env": "ONCALL_CUSTOMER_URL"},
    "auth_url": {"type": "str", "default": "https://auth.api.pinghome.io", "env": "ONCALL_AUTH_URL"},
    "api_token": {"type": "str", "no_log": True, "env": "ONCALL_TOKEN"},
    "email": {"type": "str", "env": "ONCALL_EMAIL"},
    "password": {"type": "str", "no_log": True, "env": "ONCALL_PASSWORD"},
})


def env_fallback_set(*names):
    """The first of these environment variables that is set and not empty.

    Unlike Ansible's ``env_fallback``, an empty variable counts as unset: AWX
    credential types inject every variable they define, empty when the
    credential leaves the field blank.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def argument_spec(table, **module_options):
    """The module's argument spec: the connection table plus the module's own options."""
    spec = {}
    for name, option in table.items():
        option = copy.deepcopy(option)
        env = option.pop("env", None)
        if env:
            option["fallback"] = (env_fallback_set, [env])
            option.pop("required", None)
        spec[name] = option
    spec.update(module_options)
    return spec


def require(params, table):
    """Refuse a run that lacks a required connection option, naming the option and its environment variable.

    Called by a service's ``connect`` before the client is built.
    """
    missing = ["%s (or the %s environment variable)" % (name, option["env"]) if option.get("env") else name
               for name, option in sorted(table.items())
               if option.get("required") and params.get(name) in (None, "")]
    if missing:
        raise InvalidInput("missing required connection option%s: %s; set %s in the task, in module_defaults or in the "
                           "environment" % ("s" if len(missing) > 1 else "", ", ".join(missing),
                                            "it" if len(missing) == 1 else "them"))
