"""Services and their integrations, extensions and extension schemas, priorities."""

from __future__ import annotations

from simulators.core import Reply, route

from .common import by_name, decorate, fresh, invalid, iso, matches_query, not_found, paginate, reference

SERVICE_DEFAULTS = {
    "description": "",
    "auto_resolve_timeout": 14400,
    "acknowledgement_timeout": 1800,
    "status": "active",
    "alert_creation": "create_alerts_and_incidents",
    "incident_urgency_rule": {"type": "constant", "urgency": "high"},
}
SERVICE_FIELDS = tuple(SERVICE_DEFAULTS) + ("name", "support_hours", "scheduled_actions", "alert_grouping_parameters")
EMAIL_INTEGRATION = "generic_email_inbound_integration"

# ``_secret_keys``: the config values PagerDuty keeps but never shows again; it answers "redacted" in their place.
# A Generic V2 Webhook's custom header values are redacted the same way (see ``redact_config``).
EXTENSION_SCHEMAS = (
    {"id": "PJFWPEP", "label": "Generic V2 Webhook", "key": "generic_v2_webhook",
     "description": "Send incident events as JSON to any URL.",
     "send_types": ["trigger", "acknowledge", "resolve", "delegate", "escalate", "unacknowledge", "assign", "custom"],
     "_secret_keys": ()},
    {"id": "PF9KMXH", "label": "Slack V2", "key": "slack_v2",
     "description": "Post incident updates to a Slack channel.",
     "send_types": ["trigger", "acknowledge", "resolve", "delegate", "escalate", "unacknowledge", "assign"],
     "_secret_keys": ("access_token", "bot_access_token")},
    {"id": "PZCEBH7", "label": "ServiceNow (v7)", "key": "servicenow_v7",
     "description": "Synchronise PagerDuty incidents with ServiceNow incidents.",
     "send_types": ["trigger", "acknowledge", "resolve", "delegate", "escalate", "unacknowledge", "assign"],
     "_secret_keys": ("snow_password",)},
)
REDACTED = "redacted"


# A few of PagerDuty's integration vendors (``GET /vendors``), by id.
VENDORS = (
    ("PZQ6AUS", "Amazon CloudWatch", "https://aws.amazon.com/cloudwatch"),
    ("PAM4FGS", "Datadog", "https://www.datadoghq.com"),
    ("PG8QGXD", "Grafana", "https://grafana.com"),
    ("PTIT3Z1", "Nagios", "https://www.nagios.org"),
    ("PQ7NCSU", "Prometheus", "https://prometheus.io"),
)

PRIORITIES = (
    ("PKRBZ1A", "P1", "Critical: the whole service is down."),
    ("PKRBZ2B", "P2", "High: a major feature is unavailable."),
    ("PKRBZ3C", "P3", "Moderate: degraded service with a workaround."),
    ("PKRBZ4D", "P4", "Low: a minor problem."),
    ("PKRBZ5E", "P5", "Informational."),
)


def redact_config(config, schema):
    """An extension's config as PagerDuty shows it: secret values and custom header values read as "redacted"."""
    shown = dict(config)
    for key in schema["_secret_keys"]:
        if key in shown:
            shown[key] = REDACTED
    if isinstance(shown.get("headers"), list):
        shown["headers"] = [dict(header, value=REDACTED) if isinstance(header, dict) and "value" in header else header
                            for header in shown["headers"]]
    return shown


class ServicesMixin:
    """``/services`` (+ integrations), ``/vendors``, ``/extensions``, ``/extension_schemas`` and ``/priorities``."""

    def _reset_services(self):
        self.services = {}
        self.integrations = {}
        self.extensions = {}
        self.extension_schemas = {entry["id"]: dict(entry) for entry in EXTENSION_SCHEMAS}
        self.vendors = {identifier: {"id": identifier, "name": name, "website_url": website}
                        for identifier, name, website in VENDORS}
        self.priorities = {identifier: {"id": identifier, "name": name, "description": description}
                           for identifier, name, description in PRIORITIES}

    # Services --------------------------------------------------------------------

    def service(self, service_id):
        found = self.services.get(service_id)
        if found is None:
            raise not_found("Service", service_id)
        return found

    def service_ref(self, service_id):
        service = self.services.get(service_id)
        return reference("service", service_id, service["name"] if service else "Deleted Service")

    def _service_fields(self, data, service):
        policy_id = data["escalation_policy"]["id"]
        self.escalation_policy(policy_id)
        name = data.get("name", service.get("name"))
        if not name:
            raise invalid("Name can't be blank")
        if any(other["name"].lower() == name.lower() and other["id"] != service.get("id") for other in self.services.values()):
            raise invalid("Name has already been taken")
        for key, default in SERVICE_DEFAULTS.items():
            service.setdefault(key, default)
        service.update((key, data[key]) for key in SERVICE_FIELDS if key in data)
        if service["status"] not in ("active", "disabled", "maintenance"):
            service["status"] = "active"
        service["_escalation_policy"] = policy_id
        return service

    def create_service(self, data):
        service = self._service_fields(data, {"id": self.claim_id(data)})
        service.update(created_at=iso(self.now()), last_incident_timestamp=None)
        self.services[service["id"]] = service
        return service

    def service_status(self, service):
        """What PagerDuty reports: critical with triggered incidents, warning with acknowledged ones, maintenance in a window."""
        if service["status"] in ("disabled", "maintenance"):
            return service["status"]
        if self.in_maintenance(service["id"]):
            return "maintenance"
        statuses = {incident["status"] for incident in self.incidents.values() if incident["_service"] == service["id"]}
        if "triggered" in statuses:
            return "critical"
        return "warning" if "acknowledged" in statuses else "active"

    def render_service(self, service, includes=()):
        shown = decorate("service", service, service["name"])
        shown["status"] = self.service_status(service)
        policy_id = service["_escalation_policy"]
        shown["escalation_policy"] = (self.render_escalation_policy(self.escalation_policies[policy_id])
                                      if "escalation_policies" in includes else self.escalation_policy_ref(policy_id))
        team_ids = self.escalation_policies[policy_id]["_teams"]
        shown["teams"] = [self.render_team(self.teams[team_id]) if "teams" in includes else self.team_ref(team_id)
                          for team_id in team_ids]
        integrations = [entry for entry in self.integrations.values() if entry["_service"] == service["id"]]
        shown["integrations"] = [self.render_integration(entry) if "integrations" in includes
                                 else self.integration_ref(entry) for entry in integrations]
        return shown

    @route("GET", "/services")
    def list_services(self, request):
        query = request.arg("query")
        name = request.arg("name")
        team_ids = set(request.args("team_ids"))
        includes = request.args("include")
        with self.lock:
            services = by_name(self.services.values())
            if request.arg("sort_by", "name") == "name:desc":
                services.reverse()
            found = [self.render_service(service, includes) for service in services
                     if matches_query(query, service["name"]) and (name is None or service["name"] == name)
                     and (not team_ids or team_ids.intersection(self.escalation_policies[service["_escalation_policy"]]["_teams"]))]
        return Reply(200, paginate(request, found, "services"))

    @route("POST", "/services")
    def post_service(self, request):
        data = fresh(request.json()["service"])
        with self.lock:
            return Reply(201, {"service": self.render_service(self.create_service(data))})

    @route("GET", "/services/{id}")
    def get_service(self, request):
        with self.lock:
            return Reply(200, {"service": self.render_service(self.service(request.params["id"]), request.args("include"))})

    @route("PUT", "/services/{id}")
    def put_service(self, request):
        data = request.json()["service"]
        with self.lock:
            service = self.service(request.params["id"])
            service.update(self._service_fields(data, dict(service)))
            return Reply(200, {"service": self.render_service(service)})

    @route("DELETE", "/services/{id}")
    def delete_service(self, request):
        """PagerDuty resolves the service's open incidents and drops it from extensions and maintenance windows."""
        with self.lock:
            service = self.service(request.params["id"])
            now = self.now()
            for incident in self.incidents.values():
                if incident["_service"] == service["id"] and incident["status"] != "resolved":
                    self._set_status(incident, "resolved", None, now)
            for window in self.maintenance_windows.values():
                window["_services"] = [item for item in window["_services"] if item != service["id"]]
            del self.services[service["id"]]
            for integration_id in [key for key, value in self.integrations.items() if value["_service"] == service["id"]]:
                del self.integrations[integration_id]
            for extension in self.extensions.values():
                extension["_services"] = [item for item in extension["_services"] if item != service["id"]]
        return Reply(204)

    # Integrations ------------------------------------------------------------------

    def integration_ref(self, integration):
        return reference(integration["type"], integration["id"], integration["name"],
                         "/services/%s/integrations/%s" % (integration["_service"], integration["id"]))

    def render_integration(self, integration):
        shown = decorate(integration["type"], integration, integration["name"],
                         "/services/%s/integrations/%s" % (integration["_service"], integration["id"]))
        shown["service"] = self.service_ref(integration["_service"])
        return shown

    def create_integration(self, service_id, data):
        """A new integration; event integrations get a fresh 32-hex-digit integration key."""
        integration = {"id": self.claim_id(data), "type": data["type"],
                       "name": data.get("name") or data["type"].replace("_", " ").title(),
                       "created_at": iso(self.now()), "_service": service_id}
        if data["type"] == EMAIL_INTEGRATION:
            address = data.get("integration_email")
            if not address or "@" not in address:
                raise invalid("Integration email must be an email address @your-subdomain.pagerduty.com")
            integration["integration_email"] = address
        else:
            integration["integration_key"] = self.random.getrandbits(128).to_bytes(16, "big").hex()
        if data.get("vendor"):
            integration["vendor"] = self.vendor_ref(data["vendor"]["id"])
        self.integrations[integration["id"]] = integration
        return integration

    def integration(self, request):
        service = self.service(request.params["id"])
        found = self.integrations.get(request.params["integration_id"])
        if found is None or found["_service"] != service["id"]:
            raise not_found("Integration", request.params["integration_id"])
        return found

    @route("POST", "/services/{id}/integrations")
    def post_integration(self, request):
        data = fresh(request.json()["integration"])
        with self.lock:
            service = self.service(request.params["id"])
            return Reply(201, {"integration": self.render_integration(self.create_integration(service["id"], data))})

    @route("GET", "/services/{id}/integrations/{integration_id}")
    def get_integration(self, request):
        with self.lock:
            return Reply(200, {"integration": self.render_integration(self.integration(request))})

    @route("PUT", "/services/{id}/integrations/{integration_id}")
    def put_integration(self, request):
        data = request.json()["integration"]
        with self.lock:
            integration = self.integration(request)
            if data.get("type", integration["type"]) != integration["type"]:
                raise invalid("The type of an integration cannot be changed")
            integration["name"] = data.get("name", integration["name"])
            if integration["type"] == EMAIL_INTEGRATION and data.get("integration_email"):
                integration["integration_email"] = data["integration_email"]
            if data.get("vendor"):
                integration["vendor"] = self.vendor_ref(data["vendor"]["id"])
            return Reply(200, {"integration": self.render_integration(integration)})

    # Vendors ------------------------------------------------------------------------------

    def vendor_ref(self, vendor_id):
        """A reference to a vendor; an unknown one is PagerDuty's 400."""
        vendor = self.vendors.get(vendor_id)
        if vendor is None:
            raise invalid("Vendor %s not found" % vendor_id)
        return reference("vendor", vendor_id, vendor["name"])

    @route("GET", "/vendors")
    def list_vendors(self, request):
        with self.lock:
            found = [decorate("vendor", vendor, vendor["name"]) for vendor in by_name(self.vendors.values())]
        return Reply(200, paginate(request, found, "vendors"))

    # Extension schemas and extensions ------------------------------------------------------

    def render_extension_schema(self, schema):
        shown = decorate("extension_schema", schema, schema["label"])
        shown.update(icon_url="https://static.pagerduty.com/extensions/%s-icon.png" % schema["key"],
                     logo_url="https://static.pagerduty.com/extensions/%s-logo.png" % schema["key"],
                     guide_url="https://support.pagerduty.com/docs/extensions")
        return shown

    @route("GET", "/extension_schemas")
    def list_extension_schemas(self, request):
        with self.lock:
            found = [self.render_extension_schema(schema)
                     for schema in sorted(self.extension_schemas.values(), key=lambda item: item["label"].lower())]
        return Reply(200, paginate(request, found, "extension_schemas"))

    @route("GET", "/extension_schemas/{id}")
    def get_extension_schema(self, request):
        with self.lock:
            schema = self.extension_schemas.get(request.params["id"])
            if schema is None:
                raise not_found("Extension schema", request.params["id"])
            return Reply(200, {"extension_schema": self.render_extension_schema(schema)})

    def extension(self, extension_id):
        found = self.extensions.get(extension_id)
        if found is None:
            raise not_found("Extension", extension_id)
        return found

    def _extension_fields(self, data, extension):
        """A PUT replaces ``config`` whole; a value sent back as "redacted" is stored as that text."""
        schema_id = data["extension_schema"]["id"]
        if schema_id not in self.extension_schemas:
            raise invalid("Extension schema %s not found" % schema_id)
        services = [entry["id"] for entry in data["extension_objects"]]
        for service_id in services:
            self.service(service_id)
        extension.update(name=data["name"], endpoint_url=data.get("endpoint_url", extension.get("endpoint_url")),
                         config=data.get("config", extension.get("config", {})),
                         _schema=schema_id, _services=services)
        extension.setdefault("temporarily_disabled", False)
        return extension

    def render_extension(self, extension, includes=()):
        shown = decorate("extension", extension, extension["name"])
        schema = self.extension_schemas[extension["_schema"]]
        shown["config"] = redact_config(extension["config"], schema)
        shown["extension_schema"] = (self.render_extension_schema(schema) if "extension_schemas" in includes
                                     else reference("extension_schema", schema["id"], schema["label"]))
        shown["extension_objects"] = [self.render_service(self.services[service_id]) if "extension_objects" in includes
                                      else self.service_ref(service_id) for service_id in extension["_services"]]
        return shown

    @route("GET", "/extensions")
    def list_extensions(self, request):
        query = request.arg("query")
        object_id = request.arg("extension_object_id")
        schema_id = request.arg("extension_schema_id")
        includes = request.args("include")
        with self.lock:
            found = [self.render_extension(extension, includes) for extension in by_name(self.extensions.values())
                     if matches_query(query, extension["name"])
                     and (object_id is None or object_id in extension["_services"])
                     and (schema_id is None or schema_id == extension["_schema"])]
        return Reply(200, paginate(request, found, "extensions"))

    @route("POST", "/extensions")
    def post_extension(self, request):
        data = request.json()["extension"]
        with self.lock:
            extension = self._extension_fields(data, {"id": self.new_id()})
            self.extensions[extension["id"]] = extension
            return Reply(201, {"extension": self.render_extension(extension)})

    @route("GET", "/extensions/{id}")
    def get_extension(self, request):
        with self.lock:
            return Reply(200, {"extension": self.render_extension(self.extension(request.params["id"]),
                                                                  request.args("include"))})

    @route("PUT", "/extensions/{id}")
    def put_extension(self, request):
        data = request.json()["extension"]
        with self.lock:
            extension = self.extension(request.params["id"])
            extension.update(self._extension_fields(data, dict(extension)))
            return Reply(200, {"extension": self.render_extension(extension)})

    @route("DELETE", "/extensions/{id}")
    def delete_extension(self, request):
        with self.lock:
            del self.extensions[self.extension(request.params["id"])["id"]]
        return Reply(204)

    @route("POST", "/extensions/{id}/enable")
    def enable_extension(self, request):
        with self.lock:
            extension = self.extension(request.params["id"])
            extension["temporarily_disabled"] = False
            return Reply(200, {"extension": self.render_extension(extension)})

    # Priorities ---------------------------------------------------------------------------------

    def priority_ref(self, priority_id):
        return reference("priority", priority_id, self.priorities[priority_id]["name"])

    @route("GET", "/priorities")
    def list_priorities(self, request):
        with self.lock:
            found = [decorate("priority", priority, priority["name"]) for priority in self.priorities.values()]
        return Reply(200, paginate(request, found, "priorities"))
