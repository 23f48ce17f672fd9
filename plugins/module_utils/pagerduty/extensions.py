# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty extensions and extension schemas, as the extension modules find, compare and return them.

A task names an extension's schema by its label ("Generic V2 Webhook") and
its services by their names; an extension read from the API carries both as
references whose ``summary`` is that label or name, so an extension is found
and compared without reading the schemas or the services.  PagerDuty answers
"redacted" in place of the config values it keeps secret, so those values can
never be compared with what a task gives.
"""

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import display_name
from ansible_collections.incident.ops.plugins.module_utils.pagerduty.services import service_reference_names
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

# What PagerDuty shows instead of a secret config value; results show it in place of the task's secrets too.
REDACTED = "redacted"


def schema_label(extension):
    """The label of an extension's schema, from its reference's summary."""
    return display_name(extension.get("extension_schema") or {})


def extension_fields(extension):
    """An extension in the shape a task gives it: endpoint URL, service names (sorted) and config."""
    return {"endpoint_url": extension.get("endpoint_url"), "services": service_reference_names(extension, "extension_objects"),
            "config": extension.get("config") or {}}


def find_schema(api, label):
    """The extension schema with exactly this label, from one listing of ``GET /extension_schemas`` (no name filter).

    An unknown label is bad input; the message lists the labels the account has.
    """
    schemas = api.list("extension_schemas")
    found = [schema for schema in schemas if schema.get("label") == label]
    if not found:
        labels = ", ".join(sorted(repr(schema.get("label")) for schema in schemas))
        raise InvalidInput("No PagerDuty extension schema is labelled %r; the account has %s" % (label, labels))
    return found[0]


def holds_redacted(value):
    """True when ``value`` is, or holds somewhere inside, PagerDuty's "redacted" placeholder."""
    if isinstance(value, dict):
        return any(holds_redacted(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_redacted(item) for item in value)
    return value == REDACTED


def redacted_keys(config):
    """The top-level config keys whose values PagerDuty does not show (sorted)."""
    return sorted(key for key, value in (config or {}).items() if holds_redacted(value))


def merged_config(current, wanted):
    """``current`` with ``wanted`` laid over it, dicts merged key by key, so keys a task leaves out are kept.

    PagerDuty replaces an extension's config whole on a PUT, and a task's
    config is compared as a subset, so a write must carry the rest.
    """
    merged = dict(current or {})
    for key, value in (wanted or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merged_config(merged[key], value)
        else:
            merged[key] = value
    return merged


def hide_secrets(extension, keys):
    """The extension with the config values under ``keys`` shown as "redacted", whatever the API echoed."""
    config = extension.get("config")
    if not keys or not isinstance(config, dict):
        return extension
    return dict(extension, config=dict(config, **dict((key, REDACTED) for key in keys if key in config)))
