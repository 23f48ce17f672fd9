"""Every module of the collection as the fault matrix runs it: its task, the account it needs, and the request faults hit.

A write module's task creates one object on an account that lacks it, and the
fault hits the create; an info module's task reads, and the fault hits its
main read.  ``count`` tells how many of the object the simulator holds, so a
duplicate shows.
"""

from datetime import datetime, timezone

import requests

from ansible_collections.incident.ops.plugins.modules import (
    itsm_incident, itsm_incident_info, oncall_schedule, oncall_schedule_info, pd_escalation_policy,
    pd_escalation_policy_info, pd_event, pd_extension, pd_extension_info, pd_extension_schema_info, pd_incident,
    pd_incident_info, pd_maintenance_window, pd_maintenance_window_info, pd_oncall_info, pd_schedule, pd_schedule_info,
    pd_service, pd_service_info, pd_team, pd_team_info, pd_user, pd_user_info, pd_webhook_subscription, ticket, ticket_info,
    ticket_report_info, ticket_user)

# The PagerDuty simulator's clock and the modules' own, pinned so that a window is in the future every day of the year.
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=timezone.utc)
ADA = "ada@example.com"
CUSTOMER = "c03b02ec-244f-4d2c-8f68-3910071ed5c8"
TEAM = "445a5c1f-c0eb-403a-96d7-3976e5dc74ed"
TIM = "tim@acme.com"


class Target:
    """One module in the matrix.

    ``service`` names the simulators (pagerduty, itsm, tickets, oncall),
    ``host`` the one that gets the fault, ``method`` and ``path`` (a regular
    expression) the request it hits, and ``count(sims)`` how many of the
    object the task creates exist (None for an info module).  ``idempotent``
    says the request may be sent twice without harm: a read, a search sent
    as POST, an event with a ``dedup_key``.
    """

    def __init__(self, module, service, method, path, params, count=None, host=None, idempotent=None):
        self.module = module
        self.name = module.__name__.rsplit(".", 1)[-1]
        self.service = service
        self.method = method
        self.path = path
        self.params = params
        self.count = count
        self.host = host or service
        self.idempotent = method == "GET" if idempotent is None else idempotent

    @property
    def writes(self):
        return self.count is not None


# PagerDuty --------------------------------------------------------------------------------------------------------

def pd_seed(sim, **data):
    reply = requests.post(sim.url + "/_sim/seed", json=data, timeout=30)
    reply.raise_for_status()
    return reply.json()


def pd_get(sim, path, **params):
    return requests.get(sim.url + path, params=params, timeout=10, headers={
        "Authorization": "Token token=" + sim.options["api_token"], "Accept": "application/vnd.pagerduty+json;version=2"}).json()


def pd_account(sims):
    """Ada on the team Payments and the policy 'Payments escalation', the service Checkout with an Events API integration.

    Returns the integration's routing key.
    """
    sim = sims["pagerduty"]
    ada = pd_seed(sim, users=[{"type": "user", "name": "Ada Lovelace", "email": ADA}])["users"][0]
    team = pd_seed(sim, teams=[{"type": "team", "name": "Payments"}])["teams"][0]
    rules = [{"escalation_delay_in_minutes": 10, "targets": [{"id": ada, "type": "user_reference"}]}]
    policy = pd_seed(sim, escalation_policies=[{"type": "escalation_policy", "name": "Payments escalation",
                                                "escalation_rules": rules, "teams": [{"id": team, "type": "team_reference"}]}])
    reference = {"id": policy["escalation_policies"][0], "type": "escalation_policy_reference"}
    service = pd_seed(sim, services=[{"type": "service", "name": "Checkout", "escalation_policy": reference}])["services"][0]
    reply = requests.post(sim.url + "/services/%s/integrations" % service, timeout=10, json={"integration": {
        "type": "events_api_v2_inbound_integration", "name": "Events"}}, headers={
        "Authorization": "Token token=" + sim.options["api_token"], "Accept": "application/vnd.pagerduty+json;version=2",
        "Content-Type": "application/json"})
    reply.raise_for_status()
    return reply.json()["integration"]["integration_key"]


def pd_named(collection, name, key="name"):
    def count(sims):
        return len([item for item in pd_get(sims["pagerduty"], "/" + collection, query=name, limit=100)[collection]
                    if item.get(key) == name])
    return count


def pd_incidents(key):
    def count(sims):
        return len([item for item in sims["pagerduty"].server.simulator.incidents.values() if item["incident_key"] == key])
    return count


def webhooks(url):
    def count(sims):
        return len([item for item in pd_get(sims["pagerduty"], "/webhook_subscriptions")["webhook_subscriptions"]
                    if item["delivery_method"]["url"] == url])
    return count


HOOK_URL = "https://eda.example.com/pagerduty"
START = "2030-01-01T00:00:00Z"

PAGERDUTY = [
    Target(pd_user, "pagerduty", "POST", r"^/users$", dict(email="lin@example.com", name="Lin Chen"),
           count=pd_named("users", "lin@example.com", key="email")),
    Target(pd_team, "pagerduty", "POST", r"^/teams$", dict(name="Platform", description="Shared platform"),
           count=pd_named("teams", "Platform")),
    Target(pd_escalation_policy, "pagerduty", "POST", r"^/escalation_policies$",
           dict(name="Platform escalation", rules=[{"escalation_delay_in_minutes": 30, "targets": [{"type": "user", "name": ADA}]}]),
           count=pd_named("escalation_policies", "Platform escalation")),
    Target(pd_schedule, "pagerduty", "POST", r"^/schedules$",
           dict(name="Platform primary", time_zone="Etc/UTC", layers=[{
               "name": "Rotation", "start": START, "rotation_virtual_start": START, "rotation_turn_length_seconds": 604800,
               "users": [ADA]}]),
           count=pd_named("schedules", "Platform primary")),
    Target(pd_service, "pagerduty", "POST", r"^/services$",
           dict(name="Search API", escalation_policy="Payments escalation", acknowledgement_timeout=600),
           count=pd_named("services", "Search API")),
    Target(pd_maintenance_window, "pagerduty", "POST", r"^/maintenance_windows$",
           dict(services=["Checkout"], description="Database upgrade", start="2030-06-02T22:00:00Z", end="2030-06-03T01:00:00Z"),
           count=lambda sims: len([item for item in pd_get(sims["pagerduty"], "/maintenance_windows")["maintenance_windows"]
                                   if item["description"] == "Database upgrade"])),
    Target(pd_extension, "pagerduty", "POST", r"^/extensions$",
           dict(name="Checkout events", schema="Generic V2 Webhook", endpoint_url="https://hooks.example.com/pd",
                services=["Checkout"]),
           count=pd_named("extensions", "Checkout events")),
    Target(pd_webhook_subscription, "pagerduty", "POST", r"^/webhook_subscriptions$",
           dict(url=HOOK_URL, service="Checkout", events=["incident.triggered", "incident.resolved"]),
           count=webhooks(HOOK_URL)),
    Target(pd_incident, "pagerduty", "POST", r"^/incidents$",
           dict(incident_key="disk-1", title="Disk full", service="Checkout", urgency="high"),
           count=pd_incidents("disk-1")),
    Target(pd_event, "pagerduty", "POST", r"^/v2/enqueue$",
           dict(dedup_key="disk-2", summary="Disk full", source="db-1", severity="critical"),
           count=pd_incidents("disk-2"), host="pagerduty_events", idempotent=True),
    Target(pd_user_info, "pagerduty", "GET", r"^/users$", dict(email=ADA)),
    Target(pd_team_info, "pagerduty", "GET", r"^/teams$", dict(name="Payments")),
    Target(pd_escalation_policy_info, "pagerduty", "GET", r"^/escalation_policies$", dict(name="Payments escalation")),
    Target(pd_schedule_info, "pagerduty", "GET", r"^/schedules$", dict()),
    Target(pd_service_info, "pagerduty", "GET", r"^/services$", dict(name="Checkout")),
    Target(pd_maintenance_window_info, "pagerduty", "GET", r"^/maintenance_windows$", dict()),
    Target(pd_oncall_info, "pagerduty", "GET", r"^/oncalls$", dict()),
    Target(pd_incident_info, "pagerduty", "GET", r"^/incidents$", dict()),
    Target(pd_extension_info, "pagerduty", "GET", r"^/extensions$", dict()),
    Target(pd_extension_schema_info, "pagerduty", "GET", r"^/extension_schemas$", dict()),
]


# ITSM desk, tickets, on-call ----------------------------------------------------------------------------------

def held(service, collection, wanted):
    """Count the objects of the simulator's ``collection`` (a dict attribute) for which ``wanted(item)`` is true."""
    def count(sims):
        simulator = sims[service].server.simulator
        with simulator.lock:
            return len([item for item in getattr(simulator, collection).values() if wanted(item)])
    return count


def oncall_entries(sims):
    return len(sims["oncall"].stored())


OTHERS = [
    Target(itsm_incident, "itsm", "POST", r"^/api/v1/incident$",
           dict(subject="Orders database unreachable", requester_email=TIM, description="503 since 02:10"),
           count=held("itsm", "incidents", lambda item: item.get("subject") == "Orders database unreachable")),
    Target(itsm_incident_info, "itsm", "POST", r"/search/byqual$", dict(subject="Orders database unreachable"), idempotent=True),
    Target(ticket, "tickets", "POST", r"^/api/tickets$",
           dict(title="VPN down", description="Nobody can reach the VPN", organisation_id="ORG-12333",
                contract_id="CON-123562", tenant_id="123", reporter_id="USR-12453",
                attributes={"main_email": "it@acme.example", "preferred_contact_method": "email"},
                comments=[{"description": "Looking at it", "user_id": "USR-12343"}]),
           count=held("tickets", "tickets", lambda item: item.get("title") == "VPN down")),
    Target(ticket_user, "tickets", "POST", r"^/api/users",
           dict(email="sam.new@example.com", name="Sam New", phone_number="+447700900321", agent=True, human_id="USR-2001",
                organisation_id="ORG-2134-342"),
           count=held("tickets", "users", lambda item: (item.get("email") or "").lower() == "sam.new@example.com")),
    Target(ticket_info, "tickets", "GET", r"^/api/tickets$", dict()),
    Target(ticket_report_info, "tickets", "GET", r"^/api/reporting/tickets$", dict(period="weekly", format="json")),
    Target(oncall_schedule, "oncall", "POST", r"^/v1/team/[^/]+/schedule$",
           dict(customer_id=CUSTOMER, team_id=TEAM, team_member_email="avery@example.com", start_date="2026-01-01",
                end_date="2026-04-01T00:00:00Z", week_days=[1, 3, 5], start_time="08:00:00", end_time="12:00:00"),
           count=oncall_entries, host="oncall_command"),
    Target(oncall_schedule_info, "oncall", "GET", r"^/v1/customer/[^/]+/schedule$", dict(customer_id=CUSTOMER),
           host="oncall_query"),
]

TARGETS = PAGERDUTY + OTHERS
