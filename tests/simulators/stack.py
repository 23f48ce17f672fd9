"""Start all four simulated services at once and describe how to reach them.

``start_stack`` serves PagerDuty, the ITSM desk, the tickets service, the
four on-call hosts and PagerDuty's Events API on consecutive ports, and ``Stack.connection()`` maps each
service to the collection modules' own connection options, so the mapping can
be used as ``module_defaults`` unchanged.
"""

from __future__ import annotations

from . import itsm, oncall, tickets
from .core import RunningServer
from .pagerduty import PagerDutySimulator
from .pagerduty.events import PagerDutyEventsSimulator

# Offsets from the base port, in the order the services are documented.
PORT_OFFSETS = {
    "pagerduty": 1,
    "itsm": 2,
    "tickets": 3,
    "oncall_query": 4,
    "oncall_command": 5,
    "oncall_auth": 6,
    "pagerduty_events": 7,
    "oncall_customer": 8,
}


class Stack:
    """The running servers of every simulated service; stop it, or use it as a context manager."""

    def __init__(self, servers):
        self.servers = servers
        self.simulators = {name: server.simulator for name, server in servers.items()}

    def url(self, name):
        return self.servers[name].url

    def connection(self):
        """Each service's connection options, plus the seeded on-call customer, team and members."""
        options = {"pagerduty": self.simulators["pagerduty"].connection_options(self.url("pagerduty"))}
        options["pagerduty_events"] = self.simulators["pagerduty_events"].connection_options(self.url("pagerduty_events"))
        options["itsm"] = self.simulators["itsm"].connection_options(self.url("itsm"))
        options["tickets"] = {"url": self.url("tickets") + tickets.API, "api_token": tickets.DEFAULT_TOKEN}
        options["oncall"] = {
            "query_url": self.url("oncall_query"),
            "command_url": self.url("oncall_command"),
            "auth_url": self.url("oncall_auth"),
            "customer_url": self.url("oncall_customer"),
            "api_token": oncall.DEFAULT_API_TOKEN,
            "email": oncall.DEFAULT_EMAIL,
            "password": oncall.DEFAULT_PASSWORD,
        }
        options["oncall_seed"] = {
            "customer_id": oncall.CUSTOMER_ID,
            "team_id": oncall.TEAM_ID,
            "team_member_ids": list(oncall.MEMBER_IDS),
        }
        return options

    def stop(self):
        for server in self.servers.values():
            server.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def build_simulators(latency_ms=0, rate_limit=0, seed_users=0):
    """One simulator per port; the four on-call hosts share a single store, PagerDuty's REST and Events APIs one account."""
    simulators = {"pagerduty": PagerDutySimulator(latency_ms=latency_ms, rate_limit=rate_limit, seed_users=seed_users)}
    simulators["pagerduty_events"] = PagerDutyEventsSimulator(simulators["pagerduty"], latency_ms=latency_ms,
                                                              rate_limit=rate_limit)
    simulators["itsm"] = itsm.ItsmSimulator(latency_ms=latency_ms, rate_limit=rate_limit)
    simulators["tickets"] = tickets.TicketsSimulator(latency_ms=latency_ms, rate_limit=rate_limit)
    store = oncall.OncallStore()
    simulators["oncall_query"] = oncall.OncallQuerySimulator(store, latency_ms=latency_ms, rate_limit=rate_limit)
    simulators["oncall_command"] = oncall.OncallCommandSimulator(store, latency_ms=latency_ms, rate_limit=rate_limit)
    simulators["oncall_auth"] = oncall.OncallAuthSimulator(store, latency_ms=latency_ms, rate_limit=rate_limit)
    simulators["oncall_customer"] = oncall.OncallCustomerSimulator(store, latency_ms=latency_ms, rate_limit=rate_limit)
    return simulators


def start_stack(host="127.0.0.1", base_port=8900, latency_ms=0, rate_limit=0, seed_users=0, tls_cert=None, tls_key=None):
    """Serve every simulator; ``base_port=0`` lets the system pick free ports (for tests)."""
    servers = {}
    try:
        for name, simulator in build_simulators(latency_ms, rate_limit, seed_users).items():
            port = base_port + PORT_OFFSETS[name] if base_port else 0
            servers[name] = RunningServer(simulator, host=host, port=port, tls_cert=tls_cert, tls_key=tls_key).start()
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return Stack(servers)
