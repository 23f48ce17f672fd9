# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty services and their integrations, as the service modules read, compare and return them.

A service is read with ``include[]=integrations``, so one request brings
every integration with its routing key (``integration_key``).  Other objects
(extensions, maintenance windows) name the services they apply to; a task
names them by their exact names, and references are compared by the name
PagerDuty puts in their ``summary``.
"""

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import display_name, reference
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

INCLUDE_INTEGRATIONS = {"include[]": ["integrations"]}
EMAIL_INTEGRATION = "generic_email_inbound_integration"
# The integration types PagerDuty's API creates (its ``Integration.type``).
INTEGRATION_TYPES = [
    "events_api_v2_inbound_integration", "generic_events_api_inbound_integration", EMAIL_INTEGRATION,
    "aws_cloudwatch_inbound_integration", "cloudkick_inbound_integration", "event_transformer_api_inbound_integration",
    "keynote_inbound_integration", "nagios_inbound_integration", "pingdom_inbound_integration",
    "sql_monitor_inbound_integration",
]
OPEN_STATUSES = ["triggered", "acknowledged"]


def integration_fields(integration):
    """An integration in the shape a task gives it: name, type, vendor name and, for email integrations, the address."""
    vendor = integration.get("vendor")
    return {"id": integration.get("id"), "name": integration.get("name"), "type": integration.get("type"),
            "vendor": display_name(vendor) if vendor else None, "integration_email": integration.get("integration_email")}


def service_integrations(service):
    """The integrations of a service read with ``INCLUDE_INTEGRATIONS``, sorted by name."""
    return sorted(service.get("integrations") or [], key=lambda item: item.get("name") or "")


def present_service(service):
    """The service as the API sent it, its integrations sorted by name so results are stable."""
    return dict(service, integrations=service_integrations(service))


def vendor_ids(api, names):
    """The ids of the vendors named, keyed by name, from one listing of ``GET /vendors`` (it has no name filter).

    An unknown name is bad input; vendor names are matched exactly.
    """
    if not names:
        return {}
    known = dict((vendor.get("name"), vendor["id"]) for vendor in api.list("vendors"))
    unknown = sorted(set(name for name in names if name not in known))
    if unknown:
        raise InvalidInput("No PagerDuty vendor is named %s" % ", ".join(repr(name) for name in unknown))
    return dict((name, known[name]) for name in names)


def service_reference_names(record, key="services"):
    """The names of the services an object lists under ``key`` (references carry the name as summary), sorted."""
    return sorted(display_name(service) for service in record.get(key) or [])


def named_service_references(api, names):
    """References to the services named, each looked up once per run; an unknown name is bad input."""
    return [reference("service", api.require_named("services", name)["id"]) for name in names]


def desired_service_names(names, what="services"):
    """The services a task lists, stripped, once each and sorted (their order means nothing); at least one."""
    if names is None:
        return None
    wanted = sorted(set(name.strip() for name in names))
    if not wanted:
        raise InvalidInput("%s must name at least one service" % what)
    return wanted


def open_incidents(api, service_id):
    """The service's triggered and acknowledged incidents, whenever they were opened."""
    return api.list("incidents", {"service_ids[]": [service_id], "statuses[]": OPEN_STATUSES, "date_range": "all"})
