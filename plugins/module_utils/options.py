# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options, one table per service.

Each table is the single source of the argument spec and its environment
fallbacks; the service's doc fragment documents the same table, and a unit
test keeps the two equal.
"""

import copy

from ansible.module_utils.basic import env_fallback

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


def argument_spec(table, **module_options):
    """The module's argument spec: the connection table plus the module's own options."""
    spec = {}
    for name, option in table.items():
        option = copy.deepcopy(option)
        env = option.pop("env", None)
        if env:
            option["fallback"] = (env_fallback, [env])
        spec[name] = option
    spec.update(module_options)
    return spec
